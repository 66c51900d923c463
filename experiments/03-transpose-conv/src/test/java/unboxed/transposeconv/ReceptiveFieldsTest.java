package unboxed.transposeconv;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import unboxed.nn.functional.F;
import unboxed.tensor.Rng;
import unboxed.tensor.Tensor;
import unboxed.transposeconv.ReceptiveFields.Layer;

/** Part 1's closed forms and the engine behaviour they describe. */
class ReceptiveFieldsTest {
    @Test
    void samePaddingPutsTheOddRowAtTheEnd() {
        assertArrayEquals(new int[] {1, 1}, ReceptiveFields.samePadding(3, 1));
        assertArrayEquals(new int[] {1, 2}, ReceptiveFields.samePadding(4, 1));
        assertArrayEquals(new int[] {0, 1}, ReceptiveFields.samePadding(2, 1));
        assertArrayEquals(new int[] {1, 2}, ReceptiveFields.samePadding(2, 3));
        assertArrayEquals(new int[] {3, 3}, ReceptiveFields.samePadding(4, 2));
    }

    @Test
    void theEnginesSameConvolutionIsTheExplicitPaddingOfTheRule() {
        Rng rng = new Rng(7);
        for (int[] kd : new int[][] {{2, 1}, {4, 1}, {2, 3}, {5, 1}}) {
            Tensor x = Tensor.randn(rng, 1, 1, 9, 9);
            Tensor w = Tensor.randn(rng, 1, 1, kd[0], kd[0]);
            int[] split = ReceptiveFields.samePadding(kd[0], kd[1]);
            float[] same = F.conv2d(x, w, null, new int[] {1}, "same", new int[] {kd[1]}, 1).toArray();
            float[] explicit = F.conv2d(ReceptiveFields.pad(x, split[0], split[1]), w, null, new int[] {1},
                    new int[] {0}, new int[] {kd[1]}, 1).toArray();
            assertArrayEquals(explicit, same, 1e-5f, "kernel " + kd[0] + ", dilation " + kd[1]);
            if (split[0] != split[1]) {
                float[] mirrored = F.conv2d(ReceptiveFields.pad(x, split[1], split[0]), w, null, new int[] {1},
                        new int[] {0}, new int[] {kd[1]}, 1).toArray();
                assertTrue(ReceptiveFields.maxAbsDiff(same, mirrored) > 1e-2, "the mirrored split must differ");
            }
        }
    }

    @Test
    void theoreticalSizesOfTheStacks() {
        assertEquals(5, ReceptiveFields.theoreticalSize(List.of(new Layer(3, 1, 1, 1), new Layer(3, 1, 1, 1))));
        assertEquals(7, ReceptiveFields.theoreticalSize(List.of(new Layer(3, 2, 1, 1), new Layer(3, 1, 1, 1))));
        assertEquals(9, ReceptiveFields.theoreticalSize(List.of(new Layer(3, 1, 2, 2), new Layer(3, 1, 2, 2))));
        assertEquals(7, ReceptiveFields.theoreticalSize(List.of(new Layer(3, 1, 1, 1), new Layer(3, 1, 2, 2))));
        assertEquals(4, ReceptiveFields.theoreticalJump(List.of(new Layer(3, 2, 1, 1), new Layer(3, 2, 1, 1))));
    }

    @Test
    void theGradientOfThePlainStackCountsPaths() {
        // two 3x3 layers of ones: the paths to the centre are the 1-D counts 1, 2, 3, 2, 1 in each direction
        float[][] g = ReceptiveFields.gradient(ReceptiveFields.STACKS.get(0), 8, 8);
        int[] p = {1, 2, 3, 2, 1};
        for (int i = 0; i < 5; i++) {
            for (int j = 0; j < 5; j++) {
                assertEquals(p[i] * p[j], g[6 + i][6 + j], 0f);
            }
        }
        assertEquals(0f, g[5][8], 0f);
        assertEquals(0f, g[8][11], 0f);
    }

    @Test
    void theExperimentFindsTheRulesSplit() {
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> cases = (List<Map<String, Object>>) ReceptiveFields.run(0).get("same_padding");
        for (Map<String, Object> c : cases) {
            int k = (int) c.get("kernel");
            int d = (int) c.get("dilation");
            int[] rule = ReceptiveFields.samePadding(k, d);
            @SuppressWarnings("unchecked")
            List<Map<String, Object>> splits = (List<Map<String, Object>>) c.get("explicit_splits");
            for (Map<String, Object> s : splits) {
                double diff = (double) s.get("max_abs_difference");
                boolean isRule = (int) s.get("start") == rule[0];
                assertTrue(isRule ? diff < 1e-4 : diff > 1e-2, "kernel " + k + ", dilation " + d + ", split " + s);
            }
        }
    }
}
