package unboxed.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The host-side packing of strided views: merged dimensions must address exactly the elements the original did. */
class LayoutsTest {
    /** Offsets of every element in row-major order, as the kernel computes them from a packed Shape and View. */
    static int[] kernelOffsets(int[] shape, int[] view) {
        int rank = shape[0];
        int numel = shape[1];
        int[] out = new int[numel];
        for (int i = 0; i < numel; i++) {
            int rest = i;
            int off = view[0];
            for (int d = rank - 1; d >= 0; d--) {
                int size = shape[2 + d];
                off += (rest % size) * view[1 + d];
                rest /= size;
            }
            out[i] = off;
        }
        return out;
    }

    static int[] directOffsets(int[] shape, int[] strides, int offset) {
        int numel = Arrays.stream(shape).reduce(1, (a, b) -> a * b);
        int[] out = new int[numel];
        int[] idx = new int[shape.length];
        for (int i = 0; i < numel; i++) {
            int off = offset;
            for (int d = 0; d < shape.length; d++) {
                off += idx[d] * strides[d];
            }
            out[i] = off;
            for (int d = shape.length - 1; d >= 0; d--) {
                if (++idx[d] < shape[d]) {
                    break;
                }
                idx[d] = 0;
            }
        }
        return out;
    }

    @Test
    void contiguousViewsMergeToRankOne() {
        int[] shape = {4, 5, 6};
        int[] s = {30, 6, 1};
        Layouts.Packed p = Layouts.pack(shape, new int[][] {s, s}, new int[] {3, 0});
        assertEquals(1, p.shape()[0]);
        assertEquals(120, p.shape()[1]);
        assertEquals(120, p.shape()[2]);
        assertEquals(3, p.view(0)[0]);
        assertEquals(1, p.view(0)[1]);
    }

    @Test
    void transposedOperandKeepsTwoDimensions() {
        int[] shape = {4, 5};
        Layouts.Packed p = Layouts.pack(shape, new int[][] {{5, 1}, {1, 4}}, new int[] {0, 0});
        assertEquals(2, p.shape()[0]);
    }

    @Test
    void randomViewsAddressTheSameElementsAfterMerging() {
        SplittableRandom rng = new SplittableRandom(7);
        for (int trial = 0; trial < 500; trial++) {
            int rank = rng.nextInt(0, 7);
            int[] shape = new int[rank];
            for (int d = 0; d < rank; d++) {
                shape[d] = rng.nextInt(1, 5);
            }
            int ops = rng.nextInt(1, 4);
            int[][] strides = new int[ops][];
            int[] offsets = new int[ops];
            for (int k = 0; k < ops; k++) {
                int kind = rng.nextInt(3);
                strides[k] = kind == 0 ? unboxed.backend.Strided.contiguousStrides(shape) : new int[rank];
                for (int d = 0; d < rank && kind != 0; d++) {
                    strides[k][d] = kind == 1 ? rng.nextInt(0, 3) : rng.nextInt(0, 40); // broadcast, or arbitrary
                }
                offsets[k] = rng.nextInt(0, 9);
            }
            Layouts.Packed p = Layouts.pack(shape, strides, offsets);
            assertTrue(p.shape()[0] >= 1 && p.shape()[0] <= Math.max(rank, 1));
            for (int k = 0; k < ops; k++) {
                assertArrayEquals(directOffsets(shape, strides[k], offsets[k]), kernelOffsets(p.shape(), p.view(k)),
                        "shape " + Arrays.toString(shape) + " strides " + Arrays.toString(strides[k]));
            }
        }
    }

    @Test
    void emptyShapeHasNoElements() {
        Layouts.Packed p = Layouts.pack(new int[] {3, 0, 2}, new int[][] {{0, 2, 1}}, new int[] {0});
        assertEquals(0, p.numel());
    }

    @Test
    void nineUnmergeableDimensionsAreRefusedWithAReason() {
        int[] shape = {2, 2, 2, 2, 2, 2, 2, 2, 2};
        int[] strides = {1, 2, 4, 8, 16, 32, 64, 128, 256}; // reversed: nothing merges
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Layouts.pack(shape, new int[][] {strides}, new int[] {0}));
        assertTrue(e.getMessage().contains("at most 8"), e.getMessage());
    }
}
