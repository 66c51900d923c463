package unboxed.kit.stats;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class EffectiveRankTest {
    /** A rows × cols matrix with the given singular values: orthonormal columns (a rotated identity) scaled. */
    private static double[][] withSingularValues(int rows, double... sigma) {
        double[][] m = new double[rows][sigma.length];
        double c = Math.cos(0.3);
        double s = Math.sin(0.3);
        for (int j = 0; j < sigma.length; j++) {
            // column j: e_{2j} rotated towards e_{2j+1}, so the columns stay orthonormal but are not axis-aligned
            m[2 * j][j] = c * sigma[j];
            m[2 * j + 1][j] = s * sigma[j];
        }
        return m;
    }

    @Test
    void singularValuesOfAKnownMatrixLargestFirst() {
        double[] s = EffectiveRank.singularValues(withSingularValues(8, 1, 3, 2));
        assertArrayEquals(new double[] {3, 2, 1}, s, 1e-12);
    }

    @Test
    void entropyRankIsTheCountForEqualValuesAndOneForOne() {
        assertEquals(4, EffectiveRank.entropy(new double[] {2, 2, 2, 2}), 1e-12);
        assertEquals(1, EffectiveRank.entropy(new double[] {5, 0, 0}), 1e-12);
        assertEquals(0, EffectiveRank.entropy(new double[] {0, 0}));
        // p = (0.5, 0.25, 0.25): H = 1.5 ln 2, exp(H) = 2^1.5
        assertEquals(Math.pow(2, 1.5), EffectiveRank.entropy(new double[] {2, 1, 1}), 1e-12);
    }

    @Test
    void srankCountsTheValuesHoldingAllButDelta() {
        double[] s = {10, 5, 4, 0.5, 0.5};
        // Σ = 20: 10 → 0.5, 15 → 0.75, 19 → 0.95, 19.5 → 0.975, 20
        assertEquals(3, EffectiveRank.srank(s, 0.05));
        assertEquals(5, EffectiveRank.srank(s, 0.01));
        assertEquals(1, EffectiveRank.srank(new double[] {1, 0, 0}, 0.01));
        assertThrows(IllegalArgumentException.class, () -> EffectiveRank.srank(s, 1));
    }

    @Test
    void aRankOneLayerHasRankOneWhateverItsWidth() {
        double[][] m = new double[16][];
        for (int u = 0; u < 16; u++) {
            m[u] = new double[32];
            for (int i = 0; i < 32; i++) {
                m[u][i] = (u + 1) * Math.sin(i);
            }
        }
        assertEquals(1, EffectiveRank.ofUnits(m), 1e-9);
    }

    @Test
    void nonFiniteActivationsAreRefusedByName() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> EffectiveRank.singularValues(new double[][] {{1, Double.NaN}}));
        assertEquals(true, e.getMessage().contains("non-finite"), e.getMessage());
    }
}
