package unboxed.transposeconv;

import unboxed.tensor.Tensor;

/**
 * Moving 2-D planes between tensors and the nested arrays that results files hold
 * ({@code float[rows][cols]} serialises as a JSON array of rows, which a figure step reads back
 * as it was written).
 */
final class Planes {
    private Planes() {
    }

    /** Plane {@code (n, c)} of a 4-D tensor, as rows. */
    static float[][] plane(Tensor t, int n, int c) {
        if (t.dim() != 4) {
            throw new IllegalArgumentException("plane: expected a 4-D tensor, got " + t.dim() + " dimensions");
        }
        int h = t.size(2);
        int w = t.size(3);
        float[] v = t.narrow(0, n, 1).narrow(1, c, 1).contiguous().toArray();
        float[][] out = new float[h][w];
        for (int i = 0; i < h; i++) {
            System.arraycopy(v, i * w, out[i], 0, w);
        }
        return out;
    }

    /** A plane as a [1, 1, H, W] tensor. */
    static Tensor tensor(float[][] plane) {
        int h = plane.length;
        int w = plane[0].length;
        float[] v = new float[h * w];
        for (int i = 0; i < h; i++) {
            System.arraycopy(plane[i], 0, v, i * w, w);
        }
        return Tensor.of(v, 1, 1, h, w);
    }

    /** The outer product of a 1-D profile with itself: a separable square kernel. */
    static float[][] outer(double[] a) {
        float[][] out = new float[a.length][a.length];
        for (int i = 0; i < a.length; i++) {
            for (int j = 0; j < a.length; j++) {
                out[i][j] = (float) (a[i] * a[j]);
            }
        }
        return out;
    }
}
