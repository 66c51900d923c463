package unboxed.convolutions;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import unboxed.convolutions.versions.Conv2dV3Im2col;
import unboxed.convolutions.versions.Conv2dV7Winograd;

/**
 * How far version 7's Winograd outputs lie from the exact sums, beside version 3's (the engine's
 * bits), on the reference shapes with a 3x3 kernel: the same data as the benchmarks (uniform in
 * [-1, 1), seed 42, in ConvBench's order) for the first {@link #IMAGES} images, each output against
 * a double-precision convolution of the same floats. The error is plain |float - exact|; its
 * largest value and its root mean square are reported per version, with the root mean square of
 * the exact outputs for scale.
 */
public final class WinogradAccuracy {
    /** The reference shapes with a 3x3 kernel: N x C x H=W x K x kernel, padding 1. */
    static final List<String> SHAPES = List.of("64x3x32x64x3", "64x64x32x64x3", "64x128x16x128x3");
    /** Images compared per shape: the error statistics settle well before the batch's 64. */
    static final int IMAGES = 4;

    private WinogradAccuracy() {
    }

    public static Map<String, Object> run() {
        List<Map<String, Object>> shapes = new ArrayList<>();
        for (String shape : SHAPES) {
            String[] p = shape.split("x");
            int n = Integer.parseInt(p[0]);
            int c = Integer.parseInt(p[1]);
            int hw = Integer.parseInt(p[2]);
            int k = Integer.parseInt(p[3]);
            Random rnd = new Random(42);             // ConvBench's draws: input, weight, bias
            float[] xAll = random(rnd, n * c * hw * hw);
            float[] w = random(rnd, k * c * 9);
            float[] b = random(rnd, k);
            float[] x = java.util.Arrays.copyOf(xAll, IMAGES * c * hw * hw);
            double[] exact = exact(x, IMAGES, c, hw, w, k, b);
            float[] v3 = new float[exact.length];
            float[] v7 = new float[exact.length];
            Conv2dV3Im2col.conv2d(x, IMAGES, c, hw, hw, w, k, 3, 3, b, 1, 1, v3);
            Conv2dV7Winograd.conv2d(x, IMAGES, c, hw, hw, w, k, 3, 3, b, 1, 1, v7);
            double sumSq = 0;
            for (double e : exact) {
                sumSq += e * e;
            }
            Map<String, Object> s = new LinkedHashMap<>();
            s.put("shape", shape);
            s.put("images", IMAGES);
            s.put("outputs", exact.length);
            s.put("exact_rms", Math.sqrt(sumSq / exact.length));
            s.put("v3", errors(v3, exact));
            s.put("v7", errors(v7, exact));
            shapes.add(s);
        }
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("data", "uniform in [-1, 1), java.util.Random(42): input, weight, bias, as ConvBench draws them;"
                + " the first " + IMAGES + " images; padding 1");
        r.put("exact", "the same convolution of the same floats in double precision");
        r.put("shapes", shapes);
        return r;
    }

    private static float[] random(Random rnd, int size) {
        float[] v = new float[size];
        for (int i = 0; i < size; i++) {
            v[i] = rnd.nextFloat() * 2 - 1;
        }
        return v;
    }

    /** The largest |out - exact| and the root mean square of out - exact. */
    private static Map<String, Object> errors(float[] out, double[] exact) {
        double max = 0;
        double sumSq = 0;
        for (int e = 0; e < out.length; e++) {
            double err = Math.abs(out[e] - exact[e]);
            max = Math.max(max, err);
            sumSq += err * err;
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("max_abs_error", max);
        m.put("rms_error", Math.sqrt(sumSq / out.length));
        return m;
    }

    /** The 3x3 convolution with padding 1, in double, by its definition. */
    private static double[] exact(float[] x, int n, int c, int hw, float[] w, int k, float[] bias) {
        double[] out = new double[n * k * hw * hw];
        for (int b = 0; b < n; b++) {
            for (int f = 0; f < k; f++) {
                for (int oy = 0; oy < hw; oy++) {
                    for (int ox = 0; ox < hw; ox++) {
                        double sum = bias[f];
                        for (int ci = 0; ci < c; ci++) {
                            for (int i = 0; i < 3; i++) {
                                int iy = oy + i - 1;
                                if (iy < 0 || iy >= hw) {
                                    continue;
                                }
                                for (int j = 0; j < 3; j++) {
                                    int ix = ox + j - 1;
                                    if (ix >= 0 && ix < hw) {
                                        sum += (double) x[((b * c + ci) * hw + iy) * hw + ix]
                                                * w[((f * c + ci) * 3 + i) * 3 + j];
                                    }
                                }
                            }
                        }
                        out[((b * k + f) * hw + oy) * hw + ox] = sum;
                    }
                }
            }
        }
        return out;
    }
}
