package unboxed.transposeconv;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The overlap counts and phase statistics of part 4 against small cases worked out by hand. */
class CheckerboardTest {
    /** The 2-D count of a separable method is the outer product of its 1-D counts. */
    private static float[][] outer(int... profile) {
        float[][] out = new float[profile.length][profile.length];
        for (int i = 0; i < profile.length; i++) {
            for (int j = 0; j < profile.length; j++) {
                out[i][j] = profile[i] * profile[j];
            }
        }
        return out;
    }

    private static void assertPlane(float[][] expected, float[][] actual) {
        assertEquals(expected.length, actual.length, "rows");
        for (int i = 0; i < expected.length; i++) {
            assertArrayEquals(expected[i], actual[i], 0f, "row " + i);
        }
    }

    @Test
    void kernel3Stride2OverlapsUnevenly() {
        // output o reads input i through tap t = o + 1 - 2i (padding 1), t in 0..2, for a 3-pixel input:
        // o = 0: i = 0 | o = 1: i = 0, 1 | o = 2: i = 1 | o = 3: i = 1, 2 | o = 4: i = 2 | o = 5: i = 2 (i = 3 is absent)
        assertPlane(outer(1, 2, 1, 2, 1, 1), Checkerboard.overlapCount("k3s2", 3));
    }

    @Test
    void kernel4Stride2OverlapsEvenlyAwayFromTheBorder() {
        // t = o + 1 - 2i in 0..3: two inputs for every interior output, one at each end
        assertPlane(outer(1, 2, 2, 2, 2, 1), Checkerboard.overlapCount("k4s2", 3));
    }

    @Test
    void resizeThenConvolveCountsTheTapsInsideThePaddedImage() {
        // the upsampled image is 6 wide and constant; a 3-tap window with padding 1 holds 2 taps at the ends
        assertPlane(outer(2, 3, 3, 3, 3, 2), Checkerboard.overlapCount("resize", 3));
    }

    @Test
    void phaseStatisticsSeeACheckerboardAndNothingElse() {
        float[][] board = new float[8][8];
        float[][] flat = new float[8][8];
        for (int i = 0; i < 8; i++) {
            for (int j = 0; j < 8; j++) {
                board[i][j] = (i + j) % 2 == 0 ? 3 : 1;
                flat[i][j] = 2;
            }
        }
        double[][] p = Checkerboard.phaseMeans(board, 1);
        assertArrayEquals(new double[] {3, 1}, p[0], 0);
        assertArrayEquals(new double[] {1, 3}, p[1], 0);
        assertEquals(1.0, Checkerboard.relativeSpread(p), 1e-12);   // (3 - 1) / 2
        assertEquals(0.0, Checkerboard.relativeSpread(Checkerboard.phaseMeans(flat, 1)));
        // two stride-2 layers repeat every 4 pixels: the period-4 statistics see a stripe every fourth row
        float[][] four = new float[12][12];
        for (int i = 0; i < 12; i++) {
            for (int j = 0; j < 12; j++) {
                four[i][j] = i % 4 == 0 ? 5 : 1;
            }
        }
        assertTrue(Checkerboard.relativeSpread(Checkerboard.phaseMeans(four, 0, 4)) > 1);
    }

    @Test
    void theBilinearKernelSumsToOneInEveryPhase() {
        double[][] s = Checkerboard.kernelPhaseSums(Upsampling.bilinearKernel(2), 2);
        for (double[] row : s) {
            assertArrayEquals(new double[] {1, 1}, row, 1e-6);
        }
        float[][] uneven = {{1, 0, 0}, {0, 0, 0}, {0, 0, 0}};
        double[][] u = Checkerboard.kernelPhaseSums(uneven, 2);
        assertEquals(1.0, u[0][0]);
        assertEquals(0.0, u[1][1]);
    }

    @Test
    void resizeThenConvolveHasNoPatternForAnyKernel() {
        float[][] w = {{0.3f, -0.7f, 0.1f}, {0.9f, -0.2f, 0.4f}, {-0.5f, 0.6f, 0.05f}};
        float[][] out = Checkerboard.constantResponse("resize", w);
        assertEquals(0.0, Checkerboard.relativeSpread(Checkerboard.phaseMeans(out, Checkerboard.BORDER)));
        float[][] k3 = Checkerboard.constantResponse("k3s2", w);
        assertTrue(Checkerboard.relativeSpread(Checkerboard.phaseMeans(k3, Checkerboard.BORDER)) > 0.1);
    }
}
