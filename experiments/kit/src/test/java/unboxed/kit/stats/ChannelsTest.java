package unboxed.kit.stats;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import unboxed.nn.ReLU;
import unboxed.nn.Sequential;
import unboxed.tensor.Tensor;

/** The capture sees each channel of each image; the ablation zeroes exactly the channels named, downstream too. */
class ChannelsTest {
    /** Two images of three 2x2 channels: image n, channel c, position i holds n·100 + c·10 + i − 15. */
    static Tensor input() {
        float[] v = new float[2 * 3 * 4];
        for (int n = 0; n < 2; n++) {
            for (int c = 0; c < 3; c++) {
                for (int i = 0; i < 4; i++) {
                    v[(n * 3 + c) * 4 + i] = n * 100 + c * 10 + i - 15;
                }
            }
        }
        return Tensor.of(v, 2, 3, 2, 2);
    }

    @Test
    void captureRecordsMeansPeaksAndTheFirstMaps() throws Exception {
        ReLU relu = new ReLU();
        try (Channels.Capture cap = Channels.capture(relu, 1)) {
            relu.call(input());
            relu.call(input().narrow(0, 1, 1));
            double[][] r = cap.responses();
            assertEquals(3, r.length, "2 images, then 1");
            // image 0, channel 0: relu(−15..−12) = 0; channel 1: relu(−5..−2) = 0; channel 2: relu(5..8), mean 6.5
            assertArrayEquals(new double[] {0, 0, 6.5}, r[0]);
            assertArrayEquals(new double[] {86.5, 96.5, 106.5}, r[1]);
            assertArrayEquals(r[1], r[2]);
            assertArrayEquals(new double[] {0, 0, 8}, cap.peaks()[0]);
            assertEquals(1, cap.maps().size(), "the maps of the first image only");
            assertArrayEquals(new double[] {5, 6, 7, 8}, cap.maps().get(0)[2]);
            assertArrayEquals(new int[] {2, 2}, cap.mapShape());
            assertEquals(3, cap.channels());
        }
        // closed: the hook is gone
        try (Channels.Capture cap = Channels.capture(relu, 0)) {
            assertEquals(0, cap.responses().length);
        }
    }

    @Test
    void ablationZeroesTheChannelsForTheLayersDownstream() throws Exception {
        ReLU first = new ReLU();
        Sequential net = new Sequential(first, new ReLU());
        Tensor x = input().abs();
        float[] before = net.call(x).toArray();
        float[] after;
        try (AutoCloseable off = Channels.ablate(first, 3, 1)) {
            after = net.call(x).toArray();
        }
        for (int n = 0; n < 2; n++) {
            for (int c = 0; c < 3; c++) {
                for (int i = 0; i < 4; i++) {
                    int k = (n * 3 + c) * 4 + i;
                    assertEquals(c == 1 ? 0f : before[k], after[k], "image " + n + " channel " + c);
                }
            }
        }
        assertArrayEquals(before, net.call(x).toArray(), "closing the handle restores the layer");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Channels.ablate(first, 3, 3));
        assertTrue(e.getMessage().contains("not one of the layer's 3"), e.getMessage());
        try (AutoCloseable off = Channels.ablate(first, 4, 0)) {
            assertThrows(IllegalArgumentException.class, () -> net.call(x));
        }
    }

    @Test
    void aCaptureOnAFlatOutputSaysWhatToHook() {
        ReLU relu = new ReLU();
        try (Channels.Capture cap = Channels.capture(relu, 0)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> relu.call(Tensor.of(new float[] {1, 2}, 1, 2)));
            assertTrue(e.getMessage().contains("[N, C, H, W]"), e.getMessage());
        }
    }
}
