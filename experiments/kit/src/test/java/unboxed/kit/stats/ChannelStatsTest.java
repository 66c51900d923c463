package unboxed.kit.stats;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ChannelStatsTest {
    @Test
    void sparsenessIsZeroForEqualResponsesAndOneForASingleImage() {
        assertEquals(0, ChannelStats.sparseness(new double[] {2, 2, 2, 2}), 1e-15);
        assertEquals(1, ChannelStats.sparseness(new double[] {0, 0, 5, 0}), 1e-15);
        // two of four: (1 − (2/4)² / (2/4)) / (1 − 1/4) = (1 − 1/2) / (3/4) = 2/3
        assertEquals(2.0 / 3, ChannelStats.sparseness(new double[] {1, 0, 1, 0}), 1e-15);
        assertTrue(Double.isNaN(ChannelStats.sparseness(new double[] {0, 0, 0})), "silent: undefined");
        assertThrows(IllegalArgumentException.class, () -> ChannelStats.sparseness(new double[] {1, -1}));
    }

    @Test
    void deadChannelsAnswerNoImage() {
        double[][] r = {{0, 1, 0}, {0, 0, 1e-30}, {0, 2, 0}};
        assertArrayEquals(new boolean[] {true, false, false}, ChannelStats.dead(r));
    }

    @Test
    void correlationOfCopiesOpposesAndConstants() {
        double[][] r = {{1, 2, 3, 5}, {2, 4, 1, 5}, {3, 6, 2, 5}, {4, 8, 0, 5}};
        double[][] c = ChannelStats.correlation(r);
        assertEquals(1, c[0][1], 1e-15, "a channel and its double");
        assertEquals(1, c[2][2], 1e-15);
        assertEquals(c[0][2], c[2][0]);
        assertTrue(c[0][2] < -0.7, "channel 2 falls while channel 0 rises: " + c[0][2]);
        assertTrue(Double.isNaN(c[0][3]) && Double.isNaN(c[3][3]), "a constant channel has no correlation");
    }

    @Test
    void classMeansAndSelectivity() {
        double[] r = {1, 3, 0, 0, 4, 4};
        int[] y = {0, 0, 1, 1, 2, 2};
        double[] m = ChannelStats.classMeans(r, y, 3);
        assertArrayEquals(new double[] {2, 0, 4}, m);
        assertEquals(2, ChannelStats.preferredClass(m));
        // μ_max 4, μ_rest (2 + 0) / 2 = 1: (4 − 1) / (4 + 1)
        assertEquals(0.6, ChannelStats.classSelectivity(m), 1e-15);
        assertEquals(0, ChannelStats.classSelectivity(new double[] {1, 1, 1}), 1e-15);
        assertThrows(IllegalArgumentException.class, () -> ChannelStats.classMeans(r, new int[] {0}, 3));
    }

    @Test
    void orientationTuningFindsThePreferredAngleAndItsSharpness() {
        double[] angles = new double[12];
        double[] sharp = new double[12];
        double[] flat = new double[12];
        double[] cosine = new double[12];
        for (int k = 0; k < 12; k++) {
            angles[k] = 15 * k;
            sharp[k] = k == 8 ? 1 : 0;
            flat[k] = 3;
            // 1 + cos 2(θ − 30°): a broad tuning peaking at 30°, index 1/2
            cosine[k] = 1 + Math.cos(2 * Math.toRadians(angles[k] - 30));
        }
        ChannelStats.Orientation s = ChannelStats.orientation(angles, sharp);
        assertEquals(120, s.preferredDeg(), 1e-9);
        assertEquals(1, s.osi(), 1e-12);
        assertEquals(0, ChannelStats.orientation(angles, flat).osi(), 1e-12);
        ChannelStats.Orientation c = ChannelStats.orientation(angles, cosine);
        assertEquals(30, c.preferredDeg(), 1e-9);
        assertEquals(0.5, c.osi(), 1e-12);
        assertTrue(Double.isNaN(ChannelStats.orientation(angles, new double[12]).osi()));
        assertEquals(20, ChannelStats.orientationDistance(170, 10), 1e-12);
        assertEquals(90, ChannelStats.orientationDistance(0, 90), 1e-12);
    }
}
