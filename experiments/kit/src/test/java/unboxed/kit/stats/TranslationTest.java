package unboxed.kit.stats;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import unboxed.data.Dataset;
import unboxed.nn.functional.F;
import unboxed.tensor.Rng;
import unboxed.tensor.Tensor;

class TranslationTest {
    @Test
    void aShiftMovesPixelsAndFillsTheVacatedBorder() {
        float[] img = {1, 2, 3, 4, 5, 6};  // one 2x3 plane
        assertArrayEquals(new float[] {9, 1, 2, 9, 4, 5}, Translation.shift(img, 1, 1, 2, 3, 0, 1, 9f));
        assertArrayEquals(new float[] {2, 3, 0, 5, 6, 0}, Translation.shift(img, 1, 1, 2, 3, 0, -1, 0f));
        assertArrayEquals(new float[] {0, 0, 0, 1, 2, 3}, Translation.shift(img, 1, 1, 2, 3, 1, 0, 0f));
        assertArrayEquals(new float[] {0, 0, 0, 0, 0, 0}, Translation.shift(img, 1, 1, 2, 3, 0, 5, 0f));
        assertArrayEquals(img, Translation.shift(img, 1, 1, 2, 3, 0, 0, 0f));
        assertThrows(IllegalArgumentException.class, () -> Translation.shift(img, 1, 1, 3, 3, 0, 1, 0f));
    }

    @Test
    void aDatasetShiftsEveryImageAndKeepsTheLabels() {
        Dataset d = new Dataset("two", new float[] {1, 0, 0, 0, 0, 2, 0, 0}, new int[] {1, 0}, 1, 2, 2, 2, null);
        Dataset s = Translation.shift(d, 1, 0, 0f);
        assertArrayEquals(new float[] {0, 0, 1, 0, 0, 0, 0, 2}, s.images());
        assertArrayEquals(d.labels(), s.labels());
    }

    @Test
    void aConvolutionWithoutPaddingIsExactlyEquivariant() {
        Rng rng = new Rng(3);
        Tensor x = Tensor.randn(rng, 2, 1, 12, 12);
        Tensor w = Tensor.randn(rng, 4, 1, 3, 3);
        Tensor b = Tensor.randn(rng, 4);
        for (int[] s : new int[][] {{0, 2}, {-3, 0}, {1, -1}, {4, 4}}) {
            assertEquals(0.0, Translation.equivarianceError(t -> F.conv2d(t, w, b, 0).relu(), x, s[0], s[1], 0.5f),
                    "shift " + s[0] + "," + s[1]);
        }
    }

    @Test
    void aMapThatDependsOnPositionIsNotEquivariant() {
        Rng rng = new Rng(4);
        Tensor x = Tensor.randn(rng, 2, 1, 10, 10);
        // the same pixels weighted by a ramp across the columns: the weight moves with the position, not the content
        float[] ramp = new float[100];
        for (int i = 0; i < 100; i++) {
            ramp[i] = 1 + i % 10;
        }
        Tensor r = Tensor.of(ramp, 1, 1, 10, 10);
        double e = Translation.equivarianceError(t -> t.mul(r), x, 0, 2, 0f);
        assertTrue(e > 0.1, "a position-weighted map is far from equivariant: " + e);
        assertEquals(0.0, Translation.equivarianceError(t -> t.mul(r), x, 0, 0, 0f), "no shift, no error");
    }

    @Test
    void invarianceIsZeroForASumOverPositionsAndNotForTheMapItself() {
        float[] img = new float[64];
        img[3 * 8 + 3] = 1;
        img[4 * 8 + 2] = 2;
        Tensor x = Tensor.of(img, 1, 1, 8, 8);
        // the content stays inside the frame, so a sum over positions does not see the shift
        assertEquals(0.0, Translation.invarianceChange(t -> t.sum(new int[] {2, 3}, false), x, 1, 2, 0f));
        // the map itself moves: the shifted image shares no non-zero pixel with the original
        assertEquals(Math.sqrt(2), Translation.invarianceChange(t -> t, x, 0, 4, 0f), 1e-12);
    }
}
