package unboxed.basics;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import unboxed.basics.byhand.BCEWithLogitsByHand;
import unboxed.basics.byhand.CrossEntropyByHand;
import unboxed.basics.byhand.LinearByHand;
import unboxed.basics.byhand.MSELossByHand;
import unboxed.basics.byhand.ReLUByHand;
import unboxed.basics.byhand.SGDByHand;
import unboxed.fixtures.Comparison;
import unboxed.fixtures.Tolerances;
import unboxed.io.Safetensors;
import unboxed.nn.functional.Reduction;
import unboxed.tensor.Tensor;

/**
 * Runs the hand-derived layers over the PyTorch fixtures of the forms they implement (the
 * engine's generic verifier covers every case; these layers deliberately handle only the
 * textbook shapes: 2-D logits with class indices, same-shape MSE, ...).
 */
public final class ByHandFixtures {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One case: which fixture, which layer, the largest error, and whether it is within the op's tolerance. */
    public record Case(Path file, String layer, String op, double maxAbsError, boolean passed, String detail) {
    }

    /** Per layer: number of cases, failures, largest error, the op's tolerance. */
    public record Summary(String layer, String op, int cases, int failed, double maxAbsError, double tolerance) {
    }

    private ByHandFixtures() {
    }

    public static List<Summary> run(Path dir) throws IOException {
        Map<String, List<Case>> byLayer = new LinkedHashMap<>();
        for (Case c : cases(dir)) {
            byLayer.computeIfAbsent(c.layer() + "|" + c.op(), k -> new ArrayList<>()).add(c);
        }
        List<Summary> out = new ArrayList<>();
        byLayer.forEach((k, cs) -> {
            String op = cs.get(0).op();
            out.add(new Summary(cs.get(0).layer(), op, cs.size(), (int) cs.stream().filter(c -> !c.passed()).count(),
                    cs.stream().mapToDouble(Case::maxAbsError).max().orElse(0), Tolerances.of(op).headline()));
        });
        if (out.isEmpty()) {
            throw new IOException("no fixtures for the hand-derived layers under " + dir + "; run `make fixtures`");
        }
        return out;
    }

    public static List<Case> cases(Path dir) throws IOException {
        return cases(dir, UnaryOperator.identity());
    }

    /**
     * As {@link #cases(Path)}, with every hand-derived gradient (and every parameter SGDByHand
     * updates) passed through {@code gradients} before it is compared: the tests use it to show
     * that a wrong gradient fails the comparison.
     */
    static List<Case> cases(Path dir, UnaryOperator<Tensor> gradients) throws IOException {
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(p -> p.toString().endsWith(".safetensors")).sorted().toList();
        }
        List<Case> out = new ArrayList<>();
        for (Path f : files) {
            Case c = check(f, gradients);
            if (c != null) {
                out.add(c);
            }
        }
        return out;
    }

    /**
     * The case's verdict, or null when the hand-derived layers do not cover its form; {@code g}
     * is applied to each hand-derived gradient before the comparison (the identity in every real check).
     */
    static Case check(Path file, UnaryOperator<Tensor> g) throws IOException {
        Safetensors.File f = Safetensors.read(file);
        String op = f.meta("op");
        JsonNode a = JSON.readTree(f.meta("args"));
        Tolerances.Tolerance tol = Tolerances.of(op);
        Comparison c = new Comparison(tol);
        switch (op) {
            case "relu": {
                ReLUByHand l = new ReLUByHand();
                c.compare("out", l.forward(f.tensor("in.input")), f.tensor("out"));
                c.compare("grad.input", g.apply(l.backward(f.tensor("grad_out"))), f.tensor("grad.input"));
                return verdict(c, file, "ReLUByHand", op);
            }
            case "linear": {
                if (f.entry("in.weight").shape().length != 2) {
                    return null;
                }
                Tensor b = f.has("in.bias") ? f.tensor("in.bias") : null;
                LinearByHand l = new LinearByHand(f.tensor("in.weight"), b);
                c.compare("out", l.forward(f.tensor("in.input")), f.tensor("out"));
                c.compare("grad.input", g.apply(l.backward(f.tensor("grad_out"))), f.tensor("grad.input"));
                c.compare("grad.weight", g.apply(l.gradWeight()), f.tensor("grad.weight"));
                if (b != null) {
                    c.compare("grad.bias", g.apply(l.gradBias()), f.tensor("grad.bias"));
                }
                return verdict(c, file, "LinearByHand", op);
            }
            case "cross_entropy": {
                if (f.entry("in.input").shape().length != 2 || f.entry("in.target").dtype() != Safetensors.DType.I64) {
                    return null;
                }
                CrossEntropyByHand l = new CrossEntropyByHand(f.has("in.weight") ? f.tensor("in.weight") : null,
                        a.get("ignore_index").asInt(), Reduction.of(a.get("reduction").asText()),
                        a.get("label_smoothing").asDouble());
                c.compare("out", l.forward(f.tensor("in.input"), f.tensor("in.target")), f.tensor("out"));
                c.compare("grad.input", g.apply(l.backward(f.tensor("grad_out"))), f.tensor("grad.input"));
                return verdict(c, file, "CrossEntropyByHand", op);
            }
            case "binary_cross_entropy_with_logits": {
                BCEWithLogitsByHand l = new BCEWithLogitsByHand(f.has("in.weight") ? f.tensor("in.weight") : null,
                        Reduction.of(a.get("reduction").asText()), f.has("in.pos_weight") ? f.tensor("in.pos_weight") : null);
                c.compare("out", l.forward(f.tensor("in.input"), f.tensor("in.target")), f.tensor("out"));
                c.compare("grad.input", g.apply(l.backward(f.tensor("grad_out"))), f.tensor("grad.input"));
                return verdict(c, file, "BCEWithLogitsByHand", op);
            }
            case "mse_loss": {
                if (!Arrays.equals(f.entry("in.input").shape(), f.entry("in.target").shape())) {
                    return null;
                }
                MSELossByHand l = new MSELossByHand(Reduction.of(a.get("reduction").asText()));
                c.compare("out", l.forward(f.tensor("in.input"), f.tensor("in.target")), f.tensor("out"));
                c.compare("grad.input", g.apply(l.backward(f.tensor("grad_out"))), f.tensor("grad.input"));
                return verdict(c, file, "MSELossByHand", op);
            }
            case "sgd": {
                SGDByHand opt = new SGDByHand(a.get("lr").asDouble(), a.path("momentum").asDouble(0),
                        a.path("dampening").asDouble(0), a.path("weight_decay").asDouble(0),
                        a.path("nesterov").asBoolean(false), a.path("maximize").asBoolean(false));
                Tensor p = f.tensor("in.param");
                Tensor grads = f.tensor("in.grads");
                Tensor expected = f.tensor("out.params");
                for (int s = 0; s < grads.size(0); s++) {
                    p = opt.step(p, grads.narrow(0, s, 1).squeeze(0));
                    c.compare("out.params[" + s + "]", g.apply(p), expected.narrow(0, s, 1).squeeze(0));
                }
                return verdict(c, file, "SGDByHand", op);
            }
            default:
                return null;
        }
    }

    private static Case verdict(Comparison c, Path file, String layer, String op) {
        return new Case(file, layer, op, c.maxAbs(), c.passed(), c.passed() ? "ok" : c.failure());
    }
}
