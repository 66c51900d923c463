package unboxed.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import unboxed.backend.ReduceOp;
import unboxed.backend.Storage;
import unboxed.backend.Strided;

/**
 * The contiguous sum over the dimensions around one kept block (a bias gradient) must give the
 * same bits as the general strided loop, which it replaces only for speed.
 */
class ReduceFastPathTest {
    @Test
    void patternsAroundOneKeptBlockAreRecognised() {
        assertArrayEquals(new int[] {64, 10, 1}, CpuBackend.reducedAround(new int[] {64, 10}, new int[] {1, 10}));
        assertArrayEquals(new int[] {8, 16, 49}, CpuBackend.reducedAround(new int[] {8, 16, 7, 7}, new int[] {1, 16, 1, 1}));
        assertArrayEquals(new int[] {1, 12, 1}, CpuBackend.reducedAround(new int[] {3, 4}, new int[] {3, 4}));
        assertArrayEquals(new int[] {12, 1, 1}, CpuBackend.reducedAround(new int[] {3, 4}, new int[] {1, 1}));
        assertNull(CpuBackend.reducedAround(new int[] {3, 4, 5}, new int[] {3, 1, 5}));
        assertNotNull(CpuBackend.reducedAround(new int[] {1, 4, 1, 5}, new int[] {1, 4, 1, 1}));
    }

    @Test
    void sameBitsAsTheGeneralLoop() {
        CpuBackend cpu = new CpuBackend(1);
        SplittableRandom rnd = new SplittableRandom(3);
        for (int trial = 0; trial < 300; trial++) {
            int rank = rnd.nextInt(1, 5);
            int[] shape = new int[rank];
            int[] outShape = new int[rank];
            int n = 1;
            for (int d = 0; d < rank; d++) {
                shape[d] = rnd.nextInt(1, 6);
                outShape[d] = rnd.nextBoolean() ? 1 : shape[d];
                n *= shape[d];
            }
            float[] data = new float[n * 2];
            for (int i = 0; i < data.length; i++) {
                data[i] = (float) (rnd.nextDouble() * 2e4 - 1e4) * (float) Math.pow(10, rnd.nextInt(-6, 6));
            }
            Storage s = cpu.upload(data);
            Strided contiguous = Strided.contiguous(s, shape);
            // the same elements in the same logical order, but with a gap after each: the general loop
            int[] gapped = Strided.contiguousStrides(shape);
            for (int d = 0; d < rank; d++) {
                gapped[d] *= 2;
            }
            Storage copy = cpu.allocate(n * 2);
            Strided spread = new Strided(copy, shape, gapped, 0);
            cpu.copy(contiguous, spread);
            int outN = 1;
            for (int v : outShape) {
                outN *= v;
            }
            Strided fast = Strided.contiguous(cpu.allocate(outN), outShape);
            Strided general = Strided.contiguous(cpu.allocate(outN), outShape);
            cpu.reduce(ReduceOp.SUM, contiguous, fast);
            cpu.reduce(ReduceOp.SUM, spread, general);
            assertArrayEquals(cpu.download(general), cpu.download(fast), java.util.Arrays.toString(shape) + " -> "
                    + java.util.Arrays.toString(outShape));
        }
    }

    /**
     * Bias gradients of convolutions, sixteen channels at a time in the vector lanes with AVX-512
     * (ChannelSums): the general loop's bits with whole and partial blocks of positions, channel
     * counts that leave some to the scalar chains, and a NaN with a payload of its own and
     * infinities in some images, whose sums the lanes hand back to the scalar loop.
     */
    @Test
    void channelsInTheLanesKeepTheBitsAndTheNaNs() {
        SplittableRandom rnd = new SplittableRandom(11);
        int[][] shapes = {{4, 32, 196}, {3, 16, 16}, {2, 37, 250}, {5, 48, 17}};
        for (int[] shape : shapes) {
            for (boolean special : new boolean[] {false, true}) {
                int n = shape[0] * shape[1] * shape[2];
                float[] data = new float[n * 2];
                for (int i = 0; i < data.length; i++) {
                    data[i] = (float) (rnd.nextDouble() * 2e4 - 1e4) * (float) Math.pow(10, rnd.nextInt(-6, 6));
                }
                if (special) {
                    // one NaN at most in any channel's sum (which of two NaNs an addition keeps is
                    // the compiler's choice in any loop): a NaN of its own payload in channel 1, an
                    // infinity in channel 3, both infinities (a NaN made by the sum) in channel 5
                    int[][] put = {{1, 0x7fc00000 | rnd.nextInt(1, 1 << 20)}, {3, Float.floatToRawIntBits(Float.POSITIVE_INFINITY)},
                        {5, Float.floatToRawIntBits(Float.POSITIVE_INFINITY)}, {5, Float.floatToRawIntBits(Float.NEGATIVE_INFINITY)}};
                    for (int[] p : put) {
                        int at = (rnd.nextInt(shape[0]) * shape[1] + p[0]) * shape[2] + rnd.nextInt(shape[2]);
                        data[at * 2] = Float.intBitsToFloat(p[1]);
                    }
                }
                CpuBackend cpu = new CpuBackend(1);
                Strided spread = new Strided(cpu.upload(data), shape, new int[] {2 * shape[1] * shape[2], 2 * shape[2], 2},
                        0);
                Storage s = cpu.allocate(n);
                cpu.copy(spread, Strided.contiguous(s, shape));
                int[] outShape = {1, shape[1], 1};
                Strided general = Strided.contiguous(cpu.allocate(shape[1]), outShape);
                Strided fast = Strided.contiguous(cpu.allocate(shape[1]), outShape);
                cpu.reduce(ReduceOp.SUM, spread, general);
                cpu.reduce(ReduceOp.SUM, Strided.contiguous(s, shape), fast);
                float[] want = cpu.download(general);
                float[] got = cpu.download(fast);
                for (int c = 0; c < want.length; c++) {
                    org.junit.jupiter.api.Assertions.assertEquals(Float.floatToRawIntBits(want[c]),
                            Float.floatToRawIntBits(got[c]), "channel " + c + " of " + java.util.Arrays.toString(shape)
                                    + (special ? " with NaNs and infinities" : ""));
                }
            }
        }
    }

    /**
     * Large enough to be spread over the threads (whole blocks of four outputs each): the same bits
     * as the general loop on one thread, for output counts that split evenly, unevenly, or into
     * fewer blocks than threads, and rows shorter than the four-chain loop takes.
     */
    @Test
    void spreadOverTheThreadsKeepsTheBits() {
        SplittableRandom rnd = new SplittableRandom(5);
        int[][] shapes = {{64, 64, 1024}, {3, 10, 4096}, {5, 5, 3000}, {2, 2, 40000}, {70000, 3, 1}, {9, 37, 250}};
        for (int[] shape : shapes) {
            int n = shape[0] * shape[1] * shape[2];
            float[] data = new float[n * 2];
            for (int i = 0; i < data.length; i++) {
                data[i] = (float) (rnd.nextDouble() * 2e4 - 1e4) * (float) Math.pow(10, rnd.nextInt(-6, 6));
            }
            int[] outShape = {1, shape[1], 1};
            CpuBackend one = new CpuBackend(1);
            Strided spread = new Strided(one.upload(data), shape, new int[] {2 * shape[1] * shape[2], 2 * shape[2], 2}, 0);
            Strided general = Strided.contiguous(one.allocate(shape[1]), outShape);
            one.reduce(ReduceOp.SUM, spread, general);
            float[] want = one.download(general);
            for (int threads = 1; threads <= 3; threads++) {
                CpuBackend cpu = new CpuBackend(threads);
                Storage s = cpu.allocate(n);
                cpu.copy(spread, Strided.contiguous(s, shape));
                Strided fast = Strided.contiguous(cpu.allocate(shape[1]), outShape);
                cpu.reduce(ReduceOp.SUM, Strided.contiguous(s, shape), fast);
                assertArrayEquals(want, cpu.download(fast), java.util.Arrays.toString(shape) + " on " + threads
                        + " thread(s)");
            }
        }
    }
}
