package unboxed.transposeconv;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import unboxed.autograd.Autograd;
import unboxed.nn.functional.F;
import unboxed.tensor.Rng;
import unboxed.tensor.Tensor;

/**
 * Part 4: the checkerboard artefact of strided transposed convolutions. Three ways to double an
 * image's size:
 * <ul>
 *   <li>{@code k3s2}: conv_transpose2d, kernel 3, stride 2 (padding 1, output_padding 1): the
 *       kernel's span is not a multiple of the stride, so neighbouring output pixels receive
 *       different numbers of contributions;</li>
 *   <li>{@code k4s2}: kernel 4, stride 2, padding 1: every interior output pixel receives the same
 *       number, but from different kernel taps;</li>
 *   <li>{@code resize}: nearest 2x upsampling, then a 3x3 convolution (padding 1): every output is
 *       the same function of its neighbourhood, whatever the kernel.</li>
 * </ul>
 * Per method: the overlap count (the method with every weight 1 applied to an all-ones input:
 * how many (input pixel, kernel tap) pairs feed each output pixel), and its output on an all-ones
 * input for seeded random kernels. A 2x2-periodic pattern in the interior of that output is the
 * checkerboard.
 */
public final class Checkerboard {
    /** The side of the constant input; outputs are twice as large. */
    static final int SIZE = 8;
    /** The side of the input of the overlap-count panels (small enough to print every count). */
    static final int OVERLAP_SIZE = 6;
    /** Random kernels per method for the spread statistics. */
    static final int DRAWS = 100;

    /** The three upsampling methods, by id. */
    public static final List<String> METHODS = List.of("k3s2", "k4s2", "resize");

    private Checkerboard() {
    }

    /** The kernel size of a method (the 3x3 convolution after the resize, for {@code resize}). */
    static int kernel(String method) {
        return method.equals("k4s2") ? 4 : 3;
    }

    /** A method applied to a [N, 1, H, W] input with kernel {@code w} [1, 1, k, k]: twice the size out. */
    public static Tensor apply(String method, Tensor x, Tensor w) {
        switch (method) {
            case "k3s2":
                return F.convTranspose2d(x, w, null, new int[] {2}, new int[] {1}, new int[] {1}, 1, new int[] {1});
            case "k4s2":
                return F.convTranspose2d(x, w, null, new int[] {2}, new int[] {1}, new int[] {0}, 1, new int[] {1});
            case "resize":
                return F.conv2d(nearest2x(x), w, null, new int[] {1}, new int[] {1}, new int[] {1}, 1);
            default:
                throw new IllegalArgumentException("unknown method " + method + " (expected one of " + METHODS + ")");
        }
    }

    /** Nearest-neighbour 2x upsampling, itself a transposed convolution: kernel 2x2 of ones, stride 2. */
    public static Tensor nearest2x(Tensor x) {
        int c = x.size(1);
        Tensor ones = Tensor.ones(c, 1, 2, 2);
        return F.convTranspose2d(x, ones, null, new int[] {2}, new int[] {0}, new int[] {0}, c, new int[] {1});
    }

    /** The overlap count of a method on an n x n input: all-ones kernel on an all-ones input. */
    public static float[][] overlapCount(String method, int n) {
        int k = kernel(method);
        return Autograd.noGrad(() -> Planes.plane(apply(method, Tensor.ones(1, 1, n, n), Tensor.ones(1, 1, k, k)), 0, 0));
    }

    /**
     * The four phase means of a plane's interior (rows and columns {@code border} to size − border),
     * indexed [row parity][column parity]: equal when there is no 2x2-periodic pattern.
     */
    public static double[][] phaseMeans(float[][] plane, int border) {
        return phaseMeans(plane, border, 2);
    }

    /**
     * The phase means of a plane's interior for a pattern of period {@code period}: entry [a][b] is the
     * mean of the interior pixels whose row is a and column is b modulo the period. Two stride-2
     * layers in a row repeat every 4 pixels.
     */
    public static double[][] phaseMeans(float[][] plane, int border, int period) {
        double[][] sum = new double[period][period];
        int[][] count = new int[period][period];
        for (int i = border; i < plane.length - border; i++) {
            for (int j = border; j < plane[i].length - border; j++) {
                sum[i % period][j % period] += plane[i][j];
                count[i % period][j % period]++;
            }
        }
        double[][] mean = new double[period][period];
        for (int a = 0; a < period; a++) {
            for (int b = 0; b < period; b++) {
                if (count[a][b] == 0) {
                    throw new IllegalArgumentException("phaseMeans: the interior of a " + plane.length + "x"
                            + plane[0].length + " plane inside a border of " + border + " has no pixel of phase ("
                            + a + ", " + b + ") for period " + period);
                }
                mean[a][b] = sum[a][b] / count[a][b];
            }
        }
        return mean;
    }

    /**
     * The kernel's taps summed by phase: entry [a][b] adds the taps whose row is a and column is b
     * modulo the stride. On a constant input, each interior output pixel of a stride-s transposed
     * convolution is one of these sums (which one depends on the pixel's phase), so the kernel
     * makes a checkerboard exactly when they differ.
     */
    public static double[][] kernelPhaseSums(float[][] kernel, int stride) {
        double[][] sum = new double[stride][stride];
        for (int i = 0; i < kernel.length; i++) {
            for (int j = 0; j < kernel[i].length; j++) {
                sum[i % stride][j % stride] += kernel[i][j];
            }
        }
        return sum;
    }

    /**
     * How strong the checkerboard is: (largest − smallest phase mean) / mean |phase mean|; 0 without
     * one. Relative, so that kernels of any scale compare.
     */
    public static double relativeSpread(double[][] phases) {
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        double abs = 0;
        int n = 0;
        for (double[] row : phases) {
            for (double v : row) {
                lo = Math.min(lo, v);
                hi = Math.max(hi, v);
                abs += Math.abs(v);
                n++;
            }
        }
        abs /= n;
        return abs == 0 ? 0 : (hi - lo) / abs;
    }

    /**
     * The border left out of the phase statistics: 2 pixels, beyond the reach of the zero padding for
     * every method here (the output pixels nearer the edge miss some contributions for a reason
     * that has nothing to do with the stride).
     */
    static final int BORDER = 2;

    public static Map<String, Object> run(long seed) {
        Rng rng = new Rng(seed).fork("checkerboard");
        Map<String, Object> methods = new LinkedHashMap<>();
        for (String m : METHODS) {
            int k = kernel(m);
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("kernel", k);
            r.put("description", describe(m));
            r.put("overlap_count", overlapCount(m, OVERLAP_SIZE));
            Rng mr = rng.fork(m);
            // one kernel drawn as a freshly initialised layer would draw it: uniform in ±1/sqrt(fan_in)
            float[][] w = Planes.plane(initKernel(mr, k), 0, 0);
            r.put("random_kernel", w);
            r.put("random_output", constantResponse(m, w));
            List<Double> spreads = new ArrayList<>();
            for (int d = 0; d < DRAWS; d++) {
                float[][] wd = Planes.plane(initKernel(mr, k), 0, 0);
                spreads.add(relativeSpread(phaseMeans(constantResponse(m, wd), BORDER)));
            }
            r.put("draws_relative_spread", spreads);
            methods.put(m, r);
        }
        // the intervention: kernel 4, stride 2 with the bilinear kernel, whose four phases each sum to 1
        Map<String, Object> bilinear = new LinkedHashMap<>();
        float[][] b = Upsampling.bilinearKernel(2);
        bilinear.put("kernel", b);
        bilinear.put("output", constantResponse("k4s2", b));
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("input_size", SIZE);
        out.put("overlap_input_size", OVERLAP_SIZE);
        out.put("border_left_out", BORDER);
        out.put("draws", DRAWS);
        out.put("methods", methods);
        out.put("k4s2_bilinear", bilinear);
        return out;
    }

    static String describe(String method) {
        switch (method) {
            case "k3s2": return "conv_transpose2d, kernel 3, stride 2, padding 1, output_padding 1";
            case "k4s2": return "conv_transpose2d, kernel 4, stride 2, padding 1";
            default: return "nearest 2x upsampling, then conv2d, kernel 3, padding 1";
        }
    }

    /** PyTorch's default initialisation of a one-channel layer's kernel: uniform in ±1/sqrt(k·k). */
    static Tensor initKernel(Rng rng, int k) {
        double bound = 1.0 / Math.sqrt(k * k);
        return Tensor.uniform(rng, -bound, bound, 1, 1, k, k);
    }

    /** The method's output for an all-ones SIZE x SIZE input and kernel {@code w}. */
    static float[][] constantResponse(String method, float[][] w) {
        return Autograd.noGrad(() -> Planes.plane(apply(method, Tensor.ones(1, 1, SIZE, SIZE), Planes.tensor(w)), 0, 0));
    }
}
