package unboxed.minimizer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;
import unboxed.convolutions.Cnn;
import unboxed.tensor.Rng;
import unboxed.tensor.Tensor;

/** The optimisation on pixels and its pieces do what they say. */
class MinimizeTest {
    static Tensor image(double[][] m) {
        int n = m.length;
        float[] v = new float[n * n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                v[i * n + j] = (float) m[i][j];
            }
        }
        return Tensor.of(v, 1, 1, n, n);
    }

    @Test
    void minimisingLowersTheResponseAndKeepsPixelsInRange() {
        Cnn model = new Cnn(new Rng(1));
        for (boolean adam : new boolean[] {false, true}) {
            Map<String, Object> r = Minimize.run(model, Images.noise(28, new Rng(2)), new Minimize.Settings(1,
                    Minimize.Objective.RELU, false, Minimize.Regulariser.NONE, adam, 40, 20));
            assertTrue((Double) r.get("objective_end") < (Double) r.get("objective_start"), "adam=" + adam + ": " + r);
            double[][] img = (double[][]) r.get("image");
            for (double[] row : img) {
                for (double v : row) {
                    assertTrue(v >= 0 && v <= 1, "pixel " + v + " outside [0, 1]");
                }
            }
            assertEquals(3, ((java.util.List<?>) r.get("snapshots")).size(), "steps 0, 20, 40");
            assertTrue(r.containsKey("predicted_class"), "a 28 × 28 image is classified");
        }
    }

    @Test
    void maximisingRaisesIt() {
        Cnn model = new Cnn(new Rng(1));
        Map<String, Object> r = Minimize.run(model, Images.constant(28, 0.5), new Minimize.Settings(2,
                Minimize.Objective.RELU, true, Minimize.Regulariser.NONE, true, 30, 0));
        assertTrue((Double) r.get("objective_end") > (Double) r.get("objective_start"), r.toString());
        assertTrue(!r.containsKey("snapshots"));
    }

    @Test
    void largerImagesGoThroughTheConvolutionsButNotTheClassifier() {
        Cnn model = new Cnn(new Rng(1));
        Map<String, Object> r = Minimize.run(model, Images.upsample(Images.noise(28, new Rng(3)), 2),
                new Minimize.Settings(2, Minimize.Objective.SQUARE, false, Minimize.Regulariser.NONE, false, 3, 0));
        assertEquals(56, ((double[][]) r.get("image")).length);
        assertTrue(!r.containsKey("predicted_class"));
    }

    @Test
    void penaltiesVanishWhereTheyShould() {
        assertEquals(0f, Minimize.penalty(image(Images.constant(8, 0.3)), Minimize.Regulariser.TV).item(), 0f);
        assertEquals(0f, Minimize.penalty(image(Images.constant(8, 0.5)), Minimize.Regulariser.L2).item(), 0f);
        // one step edge of height 1 across 8 rows: TV = weight × 8
        double[][] edge = Images.constant(8, 0);
        for (double[] row : edge) {
            java.util.Arrays.fill(row, 4, 8, 1.0);
        }
        assertEquals(Minimize.TV_WEIGHT * 8, Minimize.penalty(image(edge), Minimize.Regulariser.TV).item(), 1e-5);
        assertEquals(0f, Minimize.penalty(image(edge), Minimize.Regulariser.BLUR).item(), 0f);
    }

    @Test
    void blurKeepsConstantsAndCalmsNoise() {
        float[] c = new float[36];
        java.util.Arrays.fill(c, 0.7f);
        float[] b = Images.blur(c, 6);
        for (float v : b) {
            assertEquals(0.7f, v, 1e-6f);
        }
        double[][] noise = Images.noise(16, new Rng(4));
        float[] f = new float[256];
        for (int i = 0; i < 16; i++) {
            for (int j = 0; j < 16; j++) {
                f[i * 16 + j] = (float) noise[i][j];
            }
        }
        assertTrue(Images.roughness(Images.grid(Images.blur(f, 16), 16)) < 0.5 * Images.roughness(noise));
    }

    @Test
    void imageHelpers() {
        double[][] m = {{0, 1}, {1, 0}};
        double[][] u = Images.upsample(m, 2);
        assertEquals(4, u.length);
        assertEquals(1, u[0][2]);
        assertEquals(0, u[3][3]);
        assertEquals(-1, Images.correlation(m, new double[][] {{1, 0}, {0, 1}}), 1e-12);
        assertTrue(Double.isNaN(Images.correlation(m, Images.constant(2, 0.5))));
        assertEquals(1, Images.roughness(m), 0);
        assertThrows(IllegalArgumentException.class, () -> Images.upsample(m, 0));
    }
}
