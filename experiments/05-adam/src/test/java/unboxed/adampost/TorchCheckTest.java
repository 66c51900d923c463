package unboxed.adampost;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import unboxed.fixtures.Tolerances;
import unboxed.io.RepoRoot;
import unboxed.io.Safetensors;

/**
 * The replay behind "make sure it is actually Adam": the engine's optimizers stay on PyTorch's
 * trajectories, and each near miss leaves them by far more than the tolerance on a case that can
 * tell it apart, so the check would fail if the engine had one of them.
 */
class TorchCheckTest {
    private static final Path DIR = RepoRoot.get().resolve("data/fixtures").resolve(TorchCheck.FIXTURES);

    private static TorchCheck.Replay replay(String name, String variant) throws IOException {
        Safetensors.File f = Safetensors.read(DIR.resolve(name + ".safetensors"));
        JsonNode args = new ObjectMapper().readTree(f.meta("args"));
        String op = f.meta("op");
        return TorchCheck.replay(f, Tolerances.of(op), TorchCheck.optimizer(op, variant, args));
    }

    @Test
    void theEngineFollowsTorchBitForBit() throws IOException {
        for (String name : new String[] {"adam__mlp__default", "adam__rosenbrock__amsgrad", "adamw__quadratic__all"}) {
            TorchCheck.Replay r = replay(name, "exact");
            assertEquals(0.0, r.worstAbs(), name);
            assertEquals(null, r.firstStepBeyond(), name);
        }
    }

    @Test
    void sgdStaysWithinItsTolerance() throws IOException {
        TorchCheck.Replay r = replay("sgd__rosenbrock__all_nesterov", "exact");
        assertTrue(r.worstTolUnits() <= 1, "SGD at " + r.worstTolUnits() + " tolerances");
    }

    @Test
    void nearMissesLeaveTheTrajectory() throws IOException {
        assertFarOff(replay("adam__rosenbrock__default", "no_bias_correction"), 1);
        assertFarOff(replay("adam__mlp__default", "eps_inside_sqrt"), 100);
        assertFarOff(replay("adamw__mlp__default", "l2_weight_decay"), 1);
    }

    /** Where gradients are large against sqrt(eps), the place of eps cannot be seen: the check is honest about it. */
    @Test
    void epsPlacementIsInvisibleUnderLargeGradients() throws IOException {
        TorchCheck.Replay r = replay("adam__rosenbrock__default", "eps_inside_sqrt");
        assertTrue(r.worstTolUnits() <= 1, r.worstTolUnits() + " tolerances");
    }

    private static void assertFarOff(TorchCheck.Replay r, int byStep) {
        assertTrue(r.worstTolUnits() > 1000, "only " + r.worstTolUnits() + " tolerances off");
        assertTrue(r.firstStepBeyond() != null && r.firstStepBeyond() <= byStep,
                "first beyond the tolerance at step " + r.firstStepBeyond());
    }
}
