package unboxed.backend.cuda;

import java.util.Arrays;
import unboxed.backend.Strided;

/**
 * Packs strided views into the {@code Shape} and {@code View} structs of common.cuh (arrays of
 * ints, passed to a kernel by value) after merging the dimensions that are contiguous for every
 * operand: a contiguous tensor becomes rank 1, so its kernel does one multiply per element instead
 * of a division per dimension. Host-side only, so it is tested without a GPU.
 */
final class Layouts {
    /** As MAX_DIMS in common.cuh. */
    static final int MAX_DIMS = 8;

    /** The iteration space and one view per operand, already merged and packed. */
    record Packed(int[] shape, int[][] views, int numel) {
        int[] view(int i) {
            return views[i];
        }
    }

    private Layouts() {
    }

    /** Merges and packs {@code shape} iterated over by operands with the given strides and offsets. */
    static Packed pack(int[] shape, int[][] strides, int[] offsets) {
        int rank = shape.length;
        int ops = strides.length;
        int[] size = new int[Math.max(rank, 1)];
        int[][] st = new int[ops][Math.max(rank, 1)];
        int kept = 0;
        int numel = 1;
        for (int d = 0; d < rank; d++) {
            numel *= shape[d];
            if (shape[d] == 1) {
                continue; // a size-1 dimension moves nothing, whatever its stride
            }
            boolean merge = kept > 0;
            for (int k = 0; k < ops && merge; k++) {
                merge = st[k][kept - 1] == strides[k][d] * shape[d];
            }
            if (merge) {
                size[kept - 1] *= shape[d];
                for (int k = 0; k < ops; k++) {
                    st[k][kept - 1] = strides[k][d];
                }
            } else {
                size[kept] = shape[d];
                for (int k = 0; k < ops; k++) {
                    st[k][kept] = strides[k][d];
                }
                kept++;
            }
        }
        if (kept == 0) {
            size[0] = 1; // a scalar, or all sizes 1: one element at the offset
            kept = 1;
        }
        if (kept > MAX_DIMS) {
            throw new IllegalArgumentException("the cuda backend handles views of at most " + MAX_DIMS
                    + " dimensions that cannot be merged, got shape " + Arrays.toString(shape)
                    + " (make the tensor contiguous first)");
        }
        int[] packedShape = new int[2 + MAX_DIMS];
        packedShape[0] = kept;
        packedShape[1] = numel;
        System.arraycopy(size, 0, packedShape, 2, kept);
        for (int d = kept; d < MAX_DIMS; d++) {
            packedShape[2 + d] = 1;
        }
        int[][] views = new int[ops][];
        for (int k = 0; k < ops; k++) {
            views[k] = new int[1 + MAX_DIMS];
            views[k][0] = offsets[k];
            System.arraycopy(st[k], 0, views[k], 1, kept);
        }
        return new Packed(packedShape, views, numel);
    }

    /** Views of one shape (all operands already expanded to it). */
    static Packed pack(int[] shape, Strided... operands) {
        int[][] strides = new int[operands.length][];
        int[] offsets = new int[operands.length];
        for (int k = 0; k < operands.length; k++) {
            strides[k] = operands[k].strides();
            offsets[k] = operands[k].offset();
        }
        return pack(shape, strides, offsets);
    }

    /** {@code a} without entry {@code dim}. */
    static int[] drop(int[] a, int dim) {
        int[] r = new int[a.length - 1];
        for (int i = 0, j = 0; i < a.length; i++) {
            if (i != dim) {
                r[j++] = a[i];
            }
        }
        return r;
    }

    /** {@code a} with entry {@code dim} set to {@code value}. */
    static int[] with(int[] a, int dim, int value) {
        int[] r = a.clone();
        r[dim] = value;
        return r;
    }
}
