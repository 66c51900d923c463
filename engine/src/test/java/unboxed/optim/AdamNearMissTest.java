package unboxed.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import unboxed.fixtures.Tolerances;
import unboxed.io.RepoRoot;
import unboxed.io.Safetensors;
import unboxed.nn.Parameter;
import unboxed.tensor.Tensor;

/**
 * "Prove it is Adam": three updates that look almost like Adam leave PyTorch's trajectories
 * (data/fixtures/05-adam) by orders of magnitude more than the fixtures' tolerance, while Adam and
 * AdamW themselves stay on them. So passing those fixtures is evidence of the exact update, not of a
 * close relative:
 * <ul>
 *   <li>no bias correction (m and v used as they are);</li>
 *   <li>eps inside the square root, sqrt(v_hat + eps);</li>
 *   <li>L2 weight decay (Adam's) where AdamW decouples it.</li>
 * </ul>
 */
class AdamNearMissTest {
    private static final Path DIR = RepoRoot.get().resolve("data/fixtures/05-adam");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Tolerances.Tolerance TOL = Tolerances.of("adam");

    /** How far an optimizer leaves a fixture's trajectory, in units of the tolerance (at most 1: it passes). */
    private static double deviation(String fixture, Function<List<Parameter>, Optimizer> make) throws IOException {
        Safetensors.File f = Safetensors.read(DIR.resolve(fixture + ".safetensors"));
        Tensor grads = f.tensor("in.grads");
        float[] expected = f.tensor("out.params").toArray();
        Parameter p = new Parameter("param", f.tensor("in.param").detach());
        Optimizer opt = make.apply(List.of(p));
        int n = p.data().numel();
        double worst = 0;
        for (int s = 0; s < grads.size(0); s++) {
            p.data().setGrad(grads.narrow(0, s, 1).squeeze(0).contiguous());
            opt.step();
            float[] got = p.data().toArray();
            for (int i = 0; i < n; i++) {
                double torch = expected[s * n + i];
                worst = Math.max(worst, Math.abs(got[i] - torch) / (TOL.atol() + TOL.rtol() * Math.abs(torch)));
            }
        }
        return worst;
    }

    /** The fixture's options, for an Adam (or AdamW's options given to Adam) with a departure. */
    private static Function<List<Parameter>, Optimizer> adam(String fixture, AdamDeparture departure)
            throws IOException {
        JsonNode a = JSON.readTree(Safetensors.read(DIR.resolve(fixture + ".safetensors")).meta("args"));
        double[] betas = {a.get("betas").get(0).asDouble(), a.get("betas").get(1).asDouble()};
        return ps -> new Adam(ps, a.get("lr").asDouble(), betas, a.get("eps").asDouble(),
                a.get("weight_decay").asDouble(), a.get("amsgrad").asBoolean(), a.get("maximize").asBoolean(), departure);
    }

    private static void farOff(String what, String fixture, Function<List<Parameter>, Optimizer> make)
            throws IOException {
        double d = deviation(fixture, make);
        assertTrue(d > 1000, what + " on " + fixture + " stays within " + d + " x the tolerance: the fixture cannot"
                + " tell it from Adam");
    }

    @Test
    void adamItselfStaysOnTheTrajectories() throws IOException {
        for (String fixture : List.of("adam__rosenbrock__default", "adam__quadratic__eps1e-3", "adam__mlp__default")) {
            assertEquals(0.0, deviation(fixture, adam(fixture, AdamDeparture.NONE)), fixture);
        }
    }

    @Test
    void withoutBiasCorrection() throws IOException {
        for (String fixture : List.of("adam__rosenbrock__default", "adam__quadratic__lr1e-2", "adam__mlp__default")) {
            farOff("no bias correction", fixture, adam(fixture, AdamDeparture.NO_BIAS_CORRECTION));
        }
    }

    /**
     * sqrt(v_hat + eps) and sqrt(v_hat) + eps differ only where v_hat is not much larger than eps. The
     * MLP's gradients are small (1e-3 and less, and exactly 0 for a unit that ReLU silences), so its
     * fixtures tell the two apart; the quadratic's and Rosenbrock's are large (up to 55 and 155), and
     * there the near miss stays within the tolerance, even with eps = 1e-3 (75 and 12 times it at most).
     */
    @Test
    void withEpsInsideTheSquareRoot() throws IOException {
        for (String fixture : List.of("adam__mlp__lr1e-2", "adam__mlp__amsgrad", "adam__mlp__weight_decay01")) {
            farOff("eps inside the square root", fixture, adam(fixture, AdamDeparture.EPS_INSIDE_SQRT));
        }
        String blind = "adam__rosenbrock__default";
        double d = deviation(blind, adam(blind, AdamDeparture.EPS_INSIDE_SQRT));
        assertTrue(d <= 1, blind + ": " + d + " x the tolerance (large gradients hide where eps goes)");
    }

    @Test
    void l2WeightDecayIsNotAdamW() throws IOException {
        for (String fixture : List.of("adamw__quadratic__lr1e-2_weight_decay01", "adamw__rosenbrock__lr1e-2_weight_decay01",
                "adamw__mlp__default")) {
            assertEquals(0.0, deviation(fixture, ps -> {
                try {
                    JsonNode a = JSON.readTree(Safetensors.read(DIR.resolve(fixture + ".safetensors")).meta("args"));
                    return new AdamW(ps, a.get("lr").asDouble(), new double[] {0.9, 0.999}, 1e-8,
                            a.get("weight_decay").asDouble(), false, false);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }), fixture + ": AdamW itself");
            farOff("L2 in place of decoupled", fixture, adam(fixture, AdamDeparture.NONE));
        }
    }
}
