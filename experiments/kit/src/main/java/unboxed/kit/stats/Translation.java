package unboxed.kit.stats;

import java.util.function.UnaryOperator;
import unboxed.autograd.Autograd;
import unboxed.data.Dataset;
import unboxed.tensor.Tensor;

/**
 * Translations of images and feature maps, and the two ways a map can respond to them:
 * <ul>
 *   <li><em>equivariance</em>: shifting the input shifts the output by as much,
 *       f(shift x) = shift(f x); {@link #equivarianceError} measures how far a map is from it;</li>
 *   <li><em>invariance</em>: shifting the input leaves the output as it was, g(shift x) = g(x);
 *       {@link #invarianceChange} measures how far a representation is from it.</li>
 * </ul>
 * A shift moves every pixel {@code dy} rows down and {@code dx} columns right (negative values: up
 * and left); pixels pushed past the edge are lost, and the vacated rows and columns take a fill
 * value (0 for raw images: black background). Everything runs on host arrays in double, in index
 * order, so the same inputs give the same bits.
 */
public final class Translation {
    private Translation() {
    }

    /**
     * Planes [n, c, h, w] (row-major) shifted by (dy, dx), in a new array; the vacated pixels hold
     * {@code fill}.
     */
    public static float[] shift(float[] planes, int n, int c, int h, int w, int dy, int dx, float fill) {
        if ((long) n * c * h * w != planes.length) {
            throw new IllegalArgumentException("Translation.shift: " + planes.length + " values are not " + n + "x" + c
                    + "x" + h + "x" + w + " planes");
        }
        float[] out = new float[planes.length];
        int plane = h * w;
        for (int p = 0; p < n * c; p++) {
            int base = p * plane;
            for (int y = 0; y < h; y++) {
                int sy = y - dy;
                for (int x = 0; x < w; x++) {
                    int sx = x - dx;
                    out[base + y * w + x] = sy >= 0 && sy < h && sx >= 0 && sx < w ? planes[base + sy * w + sx] : fill;
                }
            }
        }
        return out;
    }

    /** A tensor [N, C, H, W] shifted by (dy, dx), a new tensor on the same backend (not recorded by autograd). */
    public static Tensor shift(Tensor x, int dy, int dx, float fill) {
        if (x.dim() != 4) {
            throw new IllegalArgumentException("Translation.shift: expected a 4-D tensor [N, C, H, W], got "
                    + java.util.Arrays.toString(x.shape()));
        }
        int[] s = x.shape();
        return Tensor.of(x.backend(), shift(x.toArray(), s[0], s[1], s[2], s[3], dy, dx, fill), s);
    }

    /** Every image of a dataset shifted by (dy, dx), labels kept. */
    public static Dataset shift(Dataset d, int dy, int dx, float fill) {
        float[] images = shift(d.images(), d.size(), d.channels(), d.height(), d.width(), dy, dx, fill);
        return new Dataset(d.name() + " shifted by (" + dy + ", " + dx + ")", images, d.labels(), d.channels(),
                d.height(), d.width(), d.numClasses(), d.classNames());
    }

    /**
     * How far f is from equivariance under the shift (dy, dx) on the inputs x [N, C, H, W]:
     * ‖f(shift x) − shift(f x)‖ / ‖shift(f x)‖, with f's output [N, C', H', W'] shifted by the same
     * (dy, dx) and both norms taken over the output positions that shift(f x) defines (those whose
     * source lies inside f(x), so the vacated border is left out). For a convolution of stride 1
     * without padding the error is exactly 0 at any shift: each output reads one window, and the
     * windows of those positions see the same pixels in both orders. 0 when both sides are 0
     * everywhere; infinite when only shift(f x) is.
     */
    public static double equivarianceError(UnaryOperator<Tensor> f, Tensor x, int dy, int dx, float fill) {
        return Autograd.noGrad(() -> {
            Tensor a = f.apply(shift(x, dy, dx, fill));
            Tensor b = f.apply(x);
            if (a.dim() != 4 || !java.util.Arrays.equals(a.shape(), b.shape())) {
                throw new IllegalArgumentException("Translation.equivarianceError: f must map [N, C, H, W] to a 4-D"
                        + " output of one shape, got " + java.util.Arrays.toString(b.shape()));
            }
            int[] s = b.shape();
            float[] moved = shift(b.toArray(), s[0], s[1], s[2], s[3], dy, dx, 0f);
            float[] got = a.toArray();
            double diff = 0;
            double ref = 0;
            int h = s[2];
            int w = s[3];
            for (int p = 0; p < s[0] * s[1]; p++) {
                for (int y = Math.max(0, dy); y < Math.min(h, h + dy); y++) {
                    for (int xx = Math.max(0, dx); xx < Math.min(w, w + dx); xx++) {
                        int i = p * h * w + y * w + xx;
                        double d = (double) got[i] - moved[i];
                        diff += d * d;
                        ref += (double) moved[i] * moved[i];
                    }
                }
            }
            return ratio(diff, ref);
        });
    }

    /**
     * How much the representation g changes under the shift (dy, dx) on the inputs x:
     * ‖g(shift x) − g(x)‖ / ‖g(x)‖ over every value g gives (any shape). 0 for an invariant g.
     */
    public static double invarianceChange(UnaryOperator<Tensor> g, Tensor x, int dy, int dx, float fill) {
        return Autograd.noGrad(() -> {
            float[] a = g.apply(shift(x, dy, dx, fill)).toArray();
            float[] b = g.apply(x).toArray();
            if (a.length != b.length) {
                throw new IllegalArgumentException("Translation.invarianceChange: g gave " + a.length + " values for"
                        + " the shifted inputs and " + b.length + " for the originals");
            }
            double diff = 0;
            double ref = 0;
            for (int i = 0; i < a.length; i++) {
                double d = (double) a[i] - b[i];
                diff += d * d;
                ref += (double) b[i] * b[i];
            }
            return ratio(diff, ref);
        });
    }

    private static double ratio(double diffSquares, double refSquares) {
        if (refSquares == 0) {
            return diffSquares == 0 ? 0 : Double.POSITIVE_INFINITY;
        }
        return Math.sqrt(diffSquares / refSquares);
    }
}
