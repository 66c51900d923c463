package unboxed.adampost;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;
import unboxed.fixtures.Tolerances;
import unboxed.io.Safetensors;
import unboxed.nn.Parameter;
import unboxed.optim.Adam;
import unboxed.optim.AdamDeparture;
import unboxed.optim.AdamW;
import unboxed.optim.Optimizer;
import unboxed.optim.SGD;
import unboxed.tensor.Tensor;

/**
 * "Make sure it is actually Adam": every trajectory PyTorch recorded in data/fixtures/05-adam is
 * replayed step by step, the engine's optimizer fed the gradients torch's saw, and the largest
 * deviation from torch's parameter is recorded after every step. The same is done for three
 * updates that are almost Adam, to show that the check can tell them apart:
 * <ul>
 *   <li>{@code no_bias_correction}: m and v used without dividing by 1 − β^t (Adam cases);</li>
 *   <li>{@code eps_inside_sqrt}: sqrt(v̂ + eps) in place of sqrt(v̂) + eps (Adam cases);</li>
 *   <li>{@code l2_weight_decay}: Adam's L2 penalty, added to the gradient, where AdamW decouples the
 *       decay (AdamW cases).</li>
 * </ul>
 * A deviation is measured both in absolute terms and in units of the fixtures' tolerance,
 * |ours − torch| / (atol + rtol·|torch|): at most 1 passes.
 */
public final class TorchCheck {
    /** The fixtures' folder name and the post whose fixtures these are. */
    public static final String FIXTURES = "05-adam";

    /** The near misses, by the op whose cases they are run on. */
    static final Map<String, List<String>> NEAR_MISSES = Map.of(
            "adam", List.of("no_bias_correction", "eps_inside_sqrt"),
            "adamw", List.of("l2_weight_decay"),
            "sgd", List.of());

    private static final ObjectMapper JSON = new ObjectMapper();

    /** One optimizer's replay of one case: per step, the largest |Δ| and the largest |Δ| / tolerance. */
    public record Replay(double[] maxAbs, double[] maxTolUnits) {
        double worstAbs() {
            double m = 0;
            for (double v : maxAbs) {
                m = Math.max(m, v);
            }
            return m;
        }

        double worstTolUnits() {
            double m = 0;
            for (double v : maxTolUnits) {
                m = Math.max(m, v);
            }
            return m;
        }

        /** The first step (1-based) whose deviation exceeds the tolerance, or null. */
        Integer firstStepBeyond() {
            for (int i = 0; i < maxTolUnits.length; i++) {
                if (maxTolUnits[i] > 1) {
                    return i + 1;
                }
            }
            return null;
        }
    }

    private TorchCheck() {
    }

    /** The fixture files of the folder, by name. */
    public static List<Path> cases(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new IOException("no fixtures in " + dir + ": export them with `make fixtures`");
        }
        try (Stream<Path> s = Files.list(dir)) {
            List<Path> files = s.filter(p -> p.getFileName().toString().endsWith(".safetensors")).sorted().toList();
            if (files.isEmpty()) {
                throw new IOException("no fixture cases in " + dir + ": export them with `make fixtures`");
            }
            return files;
        }
    }

    public static Map<String, Object> run(Path dir) throws IOException {
        List<Map<String, Object>> rows = new ArrayList<>();
        // per variant and problem, the largest deviation over that problem's cases at each step
        Map<String, Map<String, double[]>> curves = new LinkedHashMap<>();
        for (Path file : cases(dir)) {
            Safetensors.File f = Safetensors.read(file);
            String op = f.meta("op");
            String name = file.getFileName().toString().replace(".safetensors", "");
            String problem = name.split("__")[1];
            JsonNode args = JSON.readTree(f.meta("args"));
            Tolerances.Tolerance tol = Tolerances.of(op);
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("case", name);
            row.put("op", op);
            row.put("problem", problem);
            row.put("args", args);
            row.put("steps", f.tensor("in.grads").size(0));
            row.put("numel", f.tensor("in.param").numel());
            Map<String, Object> variants = new LinkedHashMap<>();
            List<String> names = new ArrayList<>();
            names.add("exact");
            names.addAll(NEAR_MISSES.get(op));
            for (String v : names) {
                Replay r = replay(f, tol, optimizer(op, v, args));
                Map<String, Object> summary = new LinkedHashMap<>();
                summary.put("max_abs", r.worstAbs());
                summary.put("max_tolerance_units", r.worstTolUnits());
                summary.put("first_step_beyond_tolerance", r.firstStepBeyond());
                variants.put(v, summary);
                String key = v.equals("exact") ? "exact_" + op : v;
                double[] curve = curves.computeIfAbsent(key, k -> new LinkedHashMap<>())
                        .computeIfAbsent(problem, k -> new double[r.maxTolUnits().length]);
                for (int i = 0; i < curve.length && i < r.maxTolUnits().length; i++) {
                    curve[i] = Math.max(curve[i], r.maxTolUnits()[i]);
                }
            }
            row.put("variants", variants);
            rows.add(row);
        }
        Map<String, Object> tolerances = new LinkedHashMap<>();
        for (String op : List.of("adam", "adamw", "sgd")) {
            Tolerances.Tolerance t = Tolerances.of(op);
            Map<String, Object> t2 = new LinkedHashMap<>();
            t2.put("atol", t.atol());
            t2.put("rtol", t.rtol());
            tolerances.put(op, t2);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("fixtures", "data/fixtures/" + FIXTURES);
        out.put("measure", "per step, the largest |ours - torch| over the parameter's elements, and the largest"
                + " |ours - torch| / (atol + rtol |torch|) (at most 1: within the fixtures' tolerance)");
        out.put("tolerances", tolerances);
        out.put("cases", rows);
        out.put("curves_tolerance_units", curves);
        return out;
    }

    /** Replays a case: its gradients fed one step at a time, the parameter compared with torch's after each. */
    static Replay replay(Safetensors.File f, Tolerances.Tolerance tol, Function<List<Parameter>, Optimizer> make)
            throws IOException {
        Tensor grads = f.tensor("in.grads");
        float[] expected = f.tensor("out.params").toArray();
        Parameter p = new Parameter("param", f.tensor("in.param").detach());
        Optimizer opt = make.apply(List.of(p));
        int n = p.data().numel();
        int steps = grads.size(0);
        double[] abs = new double[steps];
        double[] units = new double[steps];
        for (int s = 0; s < steps; s++) {
            p.data().setGrad(grads.narrow(0, s, 1).squeeze(0).contiguous());
            opt.step();
            float[] got = p.data().toArray();
            for (int i = 0; i < n; i++) {
                double torch = expected[s * n + i];
                double d = Math.abs(got[i] - torch);
                if (Double.isNaN(d)) {
                    d = Double.POSITIVE_INFINITY;
                }
                abs[s] = Math.max(abs[s], d);
                units[s] = Math.max(units[s], d / (tol.atol() + tol.rtol() * Math.abs(torch)));
            }
        }
        return new Replay(abs, units);
    }

    /** The optimizer a case names (torch's defaults for absent keywords), or one of its near misses. */
    static Function<List<Parameter>, Optimizer> optimizer(String op, String variant, JsonNode a) {
        double lr = a.has("lr") ? a.get("lr").asDouble() : 1e-3;
        boolean maximize = a.has("maximize") && a.get("maximize").asBoolean();
        if (op.equals("sgd")) {
            return ps -> new SGD(ps, a.get("lr").asDouble(), a.path("momentum").asDouble(0),
                    a.path("dampening").asDouble(0), a.path("weight_decay").asDouble(0),
                    a.path("nesterov").asBoolean(false), maximize);
        }
        double[] betas = a.has("betas") ? new double[] {a.get("betas").get(0).asDouble(), a.get("betas").get(1).asDouble()}
                : new double[] {0.9, 0.999};
        double eps = a.has("eps") ? a.get("eps").asDouble() : 1e-8;
        boolean amsgrad = a.has("amsgrad") && a.get("amsgrad").asBoolean();
        boolean w = op.equals("adamw");
        double wd = a.has("weight_decay") ? a.get("weight_decay").asDouble() : w ? 1e-2 : 0;
        switch (variant) {
            case "exact":
                return w ? ps -> new AdamW(ps, lr, betas, eps, wd, amsgrad, maximize)
                        : ps -> new Adam(ps, lr, betas, eps, wd, amsgrad, maximize);
            case "no_bias_correction":
                return ps -> new Adam(ps, lr, betas, eps, wd, amsgrad, maximize, AdamDeparture.NO_BIAS_CORRECTION);
            case "eps_inside_sqrt":
                return ps -> new Adam(ps, lr, betas, eps, wd, amsgrad, maximize, AdamDeparture.EPS_INSIDE_SQRT);
            case "l2_weight_decay":
                return ps -> new Adam(ps, lr, betas, eps, wd, amsgrad, maximize);
            default:
                throw new IllegalArgumentException("unknown variant " + variant);
        }
    }
}
