package unboxed.minimizer;

import unboxed.data.Dataset;
import unboxed.tensor.Rng;

/** The start images, and the small image operations the optimisation needs (outside the graph). */
final class Images {
    private Images() {
    }

    /** Uniform noise in [0, 1]. */
    static double[][] noise(int size, Rng rng) {
        double[][] m = new double[size][size];
        for (int i = 0; i < size; i++) {
            for (int j = 0; j < size; j++) {
                m[i][j] = rng.nextDouble();
            }
        }
        return m;
    }

    /** Every pixel the same value. */
    static double[][] constant(int size, double v) {
        double[][] m = new double[size][size];
        for (double[] row : m) {
            java.util.Arrays.fill(row, v);
        }
        return m;
    }

    /** Image {@code index} of a dataset of 28 × 28 images, as pixels in [0, 1]. */
    static double[][] of(Dataset data, int index) {
        if (data.sampleSize() != 28 * 28) {
            throw new IllegalArgumentException("Images.of: expected 28 × 28 images, " + data.name() + " has "
                    + data.sampleSize() + " values per sample");
        }
        float[] v = data.images();
        double[][] m = new double[28][28];
        for (int i = 0; i < 28; i++) {
            for (int j = 0; j < 28; j++) {
                m[i][j] = v[index * 784 + i * 28 + j];
            }
        }
        return m;
    }

    /** The index of the k-th image of class c in a dataset (k from 0). */
    static int nthOfClass(Dataset data, int c, int k) {
        int seen = 0;
        for (int i = 0; i < data.size(); i++) {
            if (data.label(i) == c && seen++ == k) {
                return i;
            }
        }
        throw new IllegalArgumentException(data.name() + " has fewer than " + (k + 1) + " images of class " + c);
    }

    /** Nearest-neighbour upsampling by a whole factor: each pixel becomes a factor × factor block. */
    static double[][] upsample(double[][] m, int factor) {
        if (factor < 1) {
            throw new IllegalArgumentException("upsample: factor must be >= 1, got " + factor);
        }
        int n = m.length;
        double[][] out = new double[n * factor][n * factor];
        for (int i = 0; i < n * factor; i++) {
            for (int j = 0; j < n * factor; j++) {
                out[i][j] = m[i / factor][j / factor];
            }
        }
        return out;
    }

    /** A 3 × 3 binomial blur ([1 2 1]/4 each way), edges repeated: noise loses most, smooth images little. */
    static float[] blur(float[] v, int size) {
        float[] tmp = new float[v.length];
        float[] out = new float[v.length];
        for (int i = 0; i < size; i++) {
            for (int j = 0; j < size; j++) {
                float l = v[i * size + Math.max(0, j - 1)];
                float r = v[i * size + Math.min(size - 1, j + 1)];
                tmp[i * size + j] = 0.25f * l + 0.5f * v[i * size + j] + 0.25f * r;
            }
        }
        for (int i = 0; i < size; i++) {
            for (int j = 0; j < size; j++) {
                float u = tmp[Math.max(0, i - 1) * size + j];
                float d = tmp[Math.min(size - 1, i + 1) * size + j];
                out[i * size + j] = 0.25f * u + 0.5f * tmp[i * size + j] + 0.25f * d;
            }
        }
        return out;
    }

    static double[][] grid(float[] v, int size) {
        double[][] m = new double[size][size];
        for (int i = 0; i < size; i++) {
            for (int j = 0; j < size; j++) {
                m[i][j] = v[i * size + j];
            }
        }
        return m;
    }

    /** Pixels to 3 decimals: what the results keep of an image (a 256-level display needs no more). */
    static double[][] rounded(double[][] m) {
        double[][] o = new double[m.length][];
        for (int i = 0; i < m.length; i++) {
            o[i] = new double[m[i].length];
            for (int j = 0; j < m[i].length; j++) {
                o[i][j] = Math.rint(m[i][j] * 1000) / 1000;
            }
        }
        return o;
    }

    static double mean(double[][] m) {
        double s = 0;
        int n = 0;
        for (double[] row : m) {
            for (double v : row) {
                s += v;
                n++;
            }
        }
        return s / n;
    }

    static double std(double[][] m) {
        double mu = mean(m);
        double s = 0;
        int n = 0;
        for (double[] row : m) {
            for (double v : row) {
                s += (v - mu) * (v - mu);
                n++;
            }
        }
        return Math.sqrt(s / n);
    }

    /** Mean |difference| between horizontal and vertical neighbours: 0 for a constant image, high for noise. */
    static double roughness(double[][] m) {
        double s = 0;
        int n = 0;
        for (int i = 0; i < m.length; i++) {
            for (int j = 0; j < m[i].length; j++) {
                if (j + 1 < m[i].length) {
                    s += Math.abs(m[i][j + 1] - m[i][j]);
                    n++;
                }
                if (i + 1 < m.length) {
                    s += Math.abs(m[i + 1][j] - m[i][j]);
                    n++;
                }
            }
        }
        return n == 0 ? 0 : s / n;
    }

    /** Pearson correlation of two images' pixels (NaN if either is constant). */
    static double correlation(double[][] a, double[][] b) {
        double ma = mean(a);
        double mb = mean(b);
        double sab = 0;
        double saa = 0;
        double sbb = 0;
        for (int i = 0; i < a.length; i++) {
            for (int j = 0; j < a[i].length; j++) {
                double x = a[i][j] - ma;
                double y = b[i][j] - mb;
                sab += x * y;
                saa += x * x;
                sbb += y * y;
            }
        }
        return saa == 0 || sbb == 0 ? Double.NaN : sab / Math.sqrt(saa * sbb);
    }
}
