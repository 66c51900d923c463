package unboxed.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Random;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import unboxed.backend.Backend;
import unboxed.backend.Backends;
import unboxed.backend.Window2d;
import unboxed.nn.functional.F;
import unboxed.tensor.Tensor;

/**
 * conv2d by Winograd's F(2x2, 3x3) ({@link ConvWinograd}): its forward, its input gradient and
 * its weight gradient against a float64 definition, within the bound that its own arithmetic
 * allows (not the unfold form's); the same bits on any thread count and input layout, and with
 * either vector width (a pinned digest); which shapes take it.
 */
class ConvWinogradTest {
    private static final double U = Math.ulp(1f) / 2;

    /** A convolution problem in plain arrays: x [n, c, h, w], weight [o, c, 3, 3], bias [o] or null. */
    record Problem(String name, float[] x, int n, int c, int h, int w, float[] weight, int o, float[] bias, int pad) {
        int oh() {
            return h + 2 * pad - 2;
        }

        int ow() {
            return w + 2 * pad - 2;
        }

        /**
         * The input gradient's convolution: the upstream gradient g [n, o, oh, ow] with the
         * kernels turned by 180 degrees and transposed (c filters of o channels), padding 2 - pad.
         */
        Problem gradient(float[] g) {
            float[] flipped = new float[c * o * 9];
            for (int f = 0; f < o; f++) {
                for (int ci = 0; ci < c; ci++) {
                    for (int e = 0; e < 9; e++) {
                        flipped[(ci * o + f) * 9 + 8 - e] = weight[(f * c + ci) * 9 + e];
                    }
                }
            }
            return new Problem(name + " (input gradient)", g, n, o, oh(), ow(), flipped, c, null, 2 - pad);
        }
    }

    static Problem random(String name, Random rnd, int n, int c, int h, int w, int o, int pad, boolean bias) {
        return new Problem(name, uniform(rnd, n * c * h * w), n, c, h, w, uniform(rnd, o * c * 9), o,
                bias ? uniform(rnd, o) : null, pad);
    }

    static float[] uniform(Random rnd, int size) {
        float[] v = new float[size];
        for (int i = 0; i < size; i++) {
            v[i] = rnd.nextFloat() * 2 - 1;
        }
        return v;
    }

    /** The definition in double: exact sums of products of floats, to double precision. */
    static double[] reference(Problem p) {
        int oh = p.oh();
        int ow = p.ow();
        double[] out = new double[p.n() * p.o() * oh * ow];
        for (int b = 0; b < p.n(); b++) {
            for (int f = 0; f < p.o(); f++) {
                for (int oy = 0; oy < oh; oy++) {
                    for (int ox = 0; ox < ow; ox++) {
                        double s = p.bias() == null ? 0 : p.bias()[f];
                        for (int ci = 0; ci < p.c(); ci++) {
                            for (int i = 0; i < 3; i++) {
                                int iy = oy + i - p.pad();
                                if (iy < 0 || iy >= p.h()) {
                                    continue;
                                }
                                for (int j = 0; j < 3; j++) {
                                    int ix = ox + j - p.pad();
                                    if (ix >= 0 && ix < p.w()) {
                                        s += (double) p.weight()[((f * p.c() + ci) * 3 + i) * 3 + j]
                                                * p.x()[((b * p.c() + ci) * p.h() + iy) * p.w() + ix];
                                    }
                                }
                            }
                        }
                        out[((b * p.o() + f) * oh + oy) * ow + ox] = s;
                    }
                }
            }
        }
        return out;
    }

    private static final double[][] G = {{1, 0, 0}, {0.5, 0.5, 0.5}, {0.5, 0.5, 0.5}, {0, 0, 1}};   // |G|
    private static final double[][] B = {{1, 0, 0, 0}, {0, 1, 1, 1}, {1, 1, 1, 0}, {0, 0, 0, 1}};    // |B|
    private static final double[][] A = {{1, 0}, {1, 1}, {1, 1}, {0, 1}};                           // |A|

    /**
     * S: the algorithm on absolute values, in double: |A^T| (sum over ci of |G||g||G^T| (.)
     * |B^T||d||B|) |A| + |bias|. Every rounding multiplies some of its terms by (1 + delta), at
     * most c + 11 of them on any path (4 in G g G^T, 2 in B^T d B, c in the chain of fused
     * multiply-adds, 4 in A^T M A, 1 for the bias), so an output lies within gamma_(c+11) S of the
     * exact sum (Higham, section 3.1, on the expanded sum).
     */
    static double[] absSums(Problem p) {
        int oh = p.oh();
        int ow = p.ow();
        int th = (oh + 1) / 2;
        int tw = (ow + 1) / 2;
        double[][][] ug = new double[p.o() * p.c()][][];
        for (int f = 0; f < p.o(); f++) {
            for (int ci = 0; ci < p.c(); ci++) {
                double[][] g = new double[3][3];
                for (int e = 0; e < 9; e++) {
                    g[e / 3][e % 3] = Math.abs(p.weight()[(f * p.c() + ci) * 9 + e]);
                }
                ug[f * p.c() + ci] = product(G, g, transpose(G));
            }
        }
        double[] out = new double[p.n() * p.o() * oh * ow];
        for (int b = 0; b < p.n(); b++) {
            for (int ty = 0; ty < th; ty++) {
                for (int tx = 0; tx < tw; tx++) {
                    double[][][] vd = absPatches(p, b, ty, tx);
                    for (int f = 0; f < p.o(); f++) {
                        double[][] m = new double[4][4];
                        for (int ci = 0; ci < p.c(); ci++) {
                            for (int i = 0; i < 4; i++) {
                                for (int j = 0; j < 4; j++) {
                                    m[i][j] += ug[f * p.c() + ci][i][j] * vd[ci][i][j];
                                }
                            }
                        }
                        double[][] y = product(transpose(A), m, A);
                        for (int i = 0; i < 2 && 2 * ty + i < oh; i++) {
                            for (int j = 0; j < 2 && 2 * tx + j < ow; j++) {
                                out[((b * p.o() + f) * oh + 2 * ty + i) * ow + 2 * tx + j] =
                                        y[i][j] + (p.bias() == null ? 0 : Math.abs(p.bias()[f]));
                            }
                        }
                    }
                }
            }
        }
        return out;
    }

    /** |B^T||d||B| for the 4 x 4 input patch d of tile (ty, tx) of image b, per input channel. */
    static double[][][] absPatches(Problem p, int b, int ty, int tx) {
        return absPatches(p.x(), p.c(), p.h(), p.w(), p.pad(), b, ty, tx, transpose(B));
    }

    /**
     * |B^T||d||B| for each channel's t x t input patch d (t the size of |B^T|) of tile (ty, tx)
     * of image b of x [n, c, h, w] at padding pad (zeros past the input).
     */
    static double[][][] absPatches(float[] x, int c, int h, int w, int pad, int b, int ty, int tx, double[][] bt) {
        int t = bt.length;
        double[][][] vd = new double[c][][];
        for (int ci = 0; ci < c; ci++) {
            double[][] d = new double[t][t];
            for (int i = 0; i < t; i++) {
                for (int j = 0; j < t; j++) {
                    int iy = 2 * ty + i - pad;
                    int ix = 2 * tx + j - pad;
                    d[i][j] = iy >= 0 && iy < h && ix >= 0 && ix < w ? Math.abs(x[((b * c + ci) * h + iy) * w + ix]) : 0;
                }
            }
            vd[ci] = product(bt, d, transpose(bt));
        }
        return vd;
    }

    static double[][] transpose(double[][] a) {
        double[][] r = new double[a[0].length][a.length];
        for (int i = 0; i < a.length; i++) {
            for (int j = 0; j < a[0].length; j++) {
                r[j][i] = a[i][j];
            }
        }
        return r;
    }

    /** l m r. */
    static double[][] product(double[][] l, double[][] m, double[][] r) {
        double[][] out = new double[l.length][r[0].length];
        for (int i = 0; i < l.length; i++) {
            for (int j = 0; j < r[0].length; j++) {
                double sum = 0;
                for (int a = 0; a < m.length; a++) {
                    for (int b = 0; b < m[0].length; b++) {
                        sum += l[i][a] * m[a][b] * r[b][j];
                    }
                }
                out[i][j] = sum;
            }
        }
        return out;
    }

    static double gamma(int k) {
        return k * U / (1 - k * U);
    }

    /** The first element outside gamma_(c+11) S + u |ref|, or null. */
    static String violation(Problem p, float[] ours, double[] ref, double[] s) {
        return outside(p.name(), gamma(p.c() + 11), ours, ref, s);
    }

    /** The first element outside g S + u |ref|, or null. */
    static String outside(String what, double g, float[] ours, double[] ref, double[] s) {
        for (int e = 0; e < ref.length; e++) {
            double err = Math.abs(ours[e] - ref[e]);
            double bound = g * s[e] + U * Math.abs(ref[e]);
            if (!(err <= bound)) {      // NaN fails too
                return what + ": element " + e + " is " + ours[e] + ", reference " + ref[e] + ", |diff| " + err
                        + " > bound " + bound;
            }
        }
        return null;
    }

    /** The weight gradient's definition in double: sum over images and positions of g x (padded) input. */
    static double[] weightReference(Problem p, float[] g) {
        return weightReference(p.x(), p.n(), p.c(), p.h(), p.w(), g, p.o(), p.oh(), p.ow(), p.pad(), 3);
    }

    /**
     * The definition for a k x k kernel, x [n, c, h, w] and g [n, o, oh, ow] at padding pad:
     * gradWeight [o, c, k, k] in double.
     */
    static double[] weightReference(float[] x, int n, int c, int h, int w, float[] g, int o, int oh, int ow, int pad,
                                    int k) {
        double[] out = new double[o * c * k * k];
        for (int f = 0; f < o; f++) {
            for (int ci = 0; ci < c; ci++) {
                for (int i = 0; i < k; i++) {
                    for (int j = 0; j < k; j++) {
                        double s = 0;
                        for (int b = 0; b < n; b++) {
                            for (int oy = 0; oy < oh; oy++) {
                                int iy = oy + i - pad;
                                if (iy < 0 || iy >= h) {
                                    continue;
                                }
                                for (int ox = 0; ox < ow; ox++) {
                                    int ix = ox + j - pad;
                                    if (ix >= 0 && ix < w) {
                                        s += (double) g[((b * o + f) * oh + oy) * ow + ox] * x[((b * c + ci) * h + iy) * w + ix];
                                    }
                                }
                            }
                        }
                        out[((f * c + ci) * k + i) * k + j] = s;
                    }
                }
            }
        }
        return out;
    }

    /**
     * S for the weight gradient: |G^T| (sum over images and tiles of |A||dY||A^T| (.)
     * |B^T||d||B|) |G|, d the tile's 4 x 4 input patch, dY its 2 x 2 upstream gradient (zero
     * past the output). On any path at most L + 5 roundings (2 in A dY A^T, 2 in B^T d B, L in
     * the chain of fused multiply-adds over the L = n x tiles terms, 1 when the double G^T dU G
     * is rounded to float), so a gradient lies within gamma_(L+5) S + u |exact| of the exact sum.
     */
    static double[] weightAbsSums(Problem p, float[] g) {
        return weightAbsSums(p.n(), p.c(), p.o(), p.oh(), p.ow(), g, (b, ty, tx) -> absPatches(p, b, ty, tx), A, G);
    }

    /** |B^T||d||B| for each channel's input patch of tile (ty, tx) of image b. */
    interface AbsPatches {
        double[][][] of(int b, int ty, int tx);
    }

    /**
     * S for a weight gradient by F(2x2, r x r): |G^T| (sum over images and tiles of |A||dY||A^T|
     * (.) patches) |G|, with |A| (t x 2) and |G| (t x r) of the transform, into [o, c, r, r].
     */
    static double[] weightAbsSums(int n, int c, int o, int oh, int ow, float[] g, AbsPatches patches, double[][] a,
                                  double[][] gm) {
        int t = a.length;
        int r = gm[0].length;
        int th = (oh + 1) / 2;
        int tw = (ow + 1) / 2;
        double[][][] sums = new double[o * c][t][t];
        for (int b = 0; b < n; b++) {
            for (int ty = 0; ty < th; ty++) {
                for (int tx = 0; tx < tw; tx++) {
                    double[][][] vd = patches.of(b, ty, tx);
                    for (int f = 0; f < o; f++) {
                        double[][] dy = new double[2][2];
                        for (int i = 0; i < 2 && 2 * ty + i < oh; i++) {
                            for (int j = 0; j < 2 && 2 * tx + j < ow; j++) {
                                dy[i][j] = Math.abs(g[((b * o + f) * oh + 2 * ty + i) * ow + 2 * tx + j]);
                            }
                        }
                        double[][] dm = product(a, dy, transpose(a));
                        for (int ci = 0; ci < c; ci++) {
                            double[][] acc = sums[f * c + ci];
                            for (int i = 0; i < t; i++) {
                                for (int j = 0; j < t; j++) {
                                    acc[i][j] += dm[i][j] * vd[ci][i][j];
                                }
                            }
                        }
                    }
                }
            }
        }
        double[] out = new double[o * c * r * r];
        for (int e = 0; e < o * c; e++) {
            double[][] gw = product(transpose(gm), sums[e], gm);
            for (int i = 0; i < r; i++) {
                for (int j = 0; j < r; j++) {
                    out[(e * r + i) * r + j] = gw[i][j];
                }
            }
        }
        return out;
    }

    /** The first weight gradient outside gamma_(L+5) S + u |ref| (L = n x tiles), or null. */
    static String weightViolation(Problem p, float[] ours, double[] ref, double[] s) {
        return outside(p.name() + " (weight gradient)", gamma(p.n() * ((p.oh() + 1) / 2) * ((p.ow() + 1) / 2) + 5),
                ours, ref, s);
    }

    static <T> T on(Backend backend, Supplier<T> body) {
        Backend before = Backends.current();
        Backends.use(backend);
        try {
            return body.get();
        } finally {
            Backends.use(before);
        }
    }

    /**
     * The engine's output, input gradient and weight gradient for p with the upstream gradient g;
     * {@code permuted}: x as a view.
     */
    static float[][] engine(Backend backend, Problem p, float[] g, boolean permuted) {
        return on(backend, () -> {
            Tensor x = input(p.x(), p.n(), p.c(), p.h(), p.w(), permuted);
            Tensor w = Tensor.of(p.weight(), p.o(), p.c(), 3, 3).requiresGrad(true);
            Tensor b = p.bias() == null ? null : Tensor.of(p.bias(), p.o());
            Tensor y = F.conv2d(x, w, b, p.pad());
            y.backward(Tensor.of(g, p.n(), p.o(), p.oh(), p.ow()));
            return new float[][] {y.toArray(), x.grad().toArray(), w.grad().toArray()};
        });
    }

    /**
     * x [n, c, h, w] as a leaf that requires its gradient; {@code permuted}: the same values
     * stored [n, h, w, c] and read through a permuted view.
     */
    static Tensor input(float[] values, int n, int c, int h, int w, boolean permuted) {
        if (!permuted) {
            return Tensor.of(values, n, c, h, w).requiresGrad(true);
        }
        float[] nhwc = new float[values.length];
        for (int b = 0; b < n; b++) {
            for (int ci = 0; ci < c; ci++) {
                for (int e = 0; e < h * w; e++) {
                    nhwc[(b * h * w + e) * c + ci] = values[(b * c + ci) * h * w + e];
                }
            }
        }
        Tensor x = Tensor.of(nhwc, n, h, w, c).permute(0, 3, 1, 2);
        assertFalse(x.isContiguous());
        return x.detach().requiresGrad(true);
    }

    /**
     * Odd and even output sizes (tiles that hang over the last row or column), padding 0 to 2,
     * filter counts that are not a multiple of the register tile's 4, tile counts past one
     * register tile, a tall map cut into several chunks of rows of tiles, with and without bias:
     * the output and the input gradient each within the bound of their own computation.
     */
    @Test
    void forwardAndInputGradientStayWithinWinogradsBound() {
        Random rnd = new Random(3);
        CpuBackend backend = new CpuBackend(2);
        for (int t = 0; t < 6; t++) {
            int pad = t % 3;
            int h = 10 - 2 * pad + rnd.nextInt(6);
            int w = 10 - 2 * pad + rnd.nextInt(6);
            int c = 96 + rnd.nextInt(12);
            int o = 96 + rnd.nextInt(9);
            if (t == 5) {
                h = 44;         // 22 rows of tiles: cut into chunks of 8 (ConvWinograd.CHUNK_BYTES)
                w = 9;
            }
            Problem p = random("problem " + t + ": n 2, c " + c + ", " + h + "x" + w + ", o " + o + ", pad " + pad, rnd,
                    2, c, h, w, o, pad, t != 4);
            assertTrue(ConvWinograd.suits(c, o, window(pad), 1, p.oh(), p.ow()), p.name());
            float[] g = uniform(rnd, p.n() * o * p.oh() * p.ow());
            float[][] got = engine(backend, p, g, false);
            String bad = violation(p, got[0], reference(p), absSums(p));
            if (bad != null) {
                fail(bad);
            }
            Problem gp = p.gradient(g);
            bad = violation(gp, got[1], reference(gp), absSums(gp));
            if (bad != null) {
                fail(bad);
            }
            bad = weightViolation(p, got[2], weightReference(p, g), weightAbsSums(p, g));
            if (bad != null) {
                fail(bad);
            }
        }
    }

    /**
     * The weight gradient of a batch of 9 images of 16 x 16, 96 channels in and 100 out, within
     * its bound, and its bound sees a mistake: against the reference for an upstream gradient
     * with one value off by 1 (of 147,456, each in [-1, 1]) the engine's (correct) gradient falls
     * outside it.
     */
    @Test
    void theWeightGradientOfABatchStaysWithinItsBound() {
        Random rnd = new Random(7);
        Problem p = random("chunks: n 9, c 96, 16x16, o 100, pad 1", rnd, 9, 96, 16, 16, 100, 1, false);
        float[] g = uniform(rnd, p.n() * p.o() * p.oh() * p.ow());
        float[] got = engine(new CpuBackend(2), p, g, false)[2];
        String bad = weightViolation(p, got, weightReference(p, g), weightAbsSums(p, g));
        if (bad != null) {
            fail(bad);
        }
        float[] off = g.clone();
        off[off.length / 3] += 1f;
        assertNotNull(weightViolation(p, got, weightReference(p, off), weightAbsSums(p, off)),
                "a wrong upstream value must break the bound");
    }

    /**
     * The weight gradient's chunks (the tiles whose transforms it keeps at once, a quarter of the
     * L2 by default) change where each chain of sums pauses, never its order: the same bits with
     * chunks of 8 tiles, of 20 (not dividing an image's 64), of whole images 3 and 4 at a time
     * (not dividing the 9), on 1, 2 and 4 threads (1, 2 and 4 rows of positions per thread).
     */
    @Test
    void theWeightGradientIsTheSameInAnyChunks() {
        Random rnd = new Random(13);
        int n = 9, c = 96, hw = 16, o = 100;
        float[] x = uniform(rnd, n * c * hw * hw);
        float[] g = uniform(rnd, n * o * hw * hw);
        int vl = jdk.incubator.vector.FloatVector.SPECIES_PREFERRED.length();
        int cp = (c + 2 * vl - 1) / (2 * vl) * (2 * vl);
        int op = (o + vl - 1) / vl * vl;
        long perTile = 16L * (cp + op);           // bytes of one tile's transforms for one row of positions
        float[] want = new float[o * c * 9];
        ConvWinograd.backwardWeight(x, 0, c * hw * hw, hw * hw, hw, 1, n, c, hw, hw, g, 0, o, 1, 1, want, 0, 1,
                perTile * 64 * 9);
        for (long tilesAtOnce : new long[] {8, 20, 64 * 3, 64 * 4}) {
            for (int threads : new int[] {1, 2, 4}) {
                float[] got = new float[o * c * 9];
                ConvWinograd.backwardWeight(x, 0, c * hw * hw, hw * hw, hw, 1, n, c, hw, hw, g, 0, o, 1, 1, got, 0,
                        threads, perTile * tilesAtOnce);
                assertArrayEquals(want, got, tilesAtOnce + " tiles at once, " + threads + " threads");
            }
        }
    }

    /** The bound is tight enough to see a mistake: one weight off by 0.01 breaks it. */
    @Test
    void theBoundCatchesOneWrongWeight() {
        Problem p = random("corrupted", new Random(5), 1, 96, 8, 8, 96, 1, true);
        float[] wrong = p.weight().clone();
        wrong[wrong.length / 2] += 0.01f;
        Problem q = new Problem(p.name(), p.x(), p.n(), p.c(), p.h(), p.w(), wrong, p.o(), p.bias(), p.pad());
        float[] g = new float[p.n() * p.o() * p.oh() * p.ow()];
        float[] got = engine(new CpuBackend(1), q, g, false)[0];
        assertNotNull(violation(p, got, reference(p), absSums(p)), "a wrong weight must break the bound");
    }

    /** Images are independent tasks and the input is read through its strides: the same bits. */
    @Test
    void sameBitsOnAnyThreadCountAndInputLayout() {
        Random rnd = new Random(11);
        Problem p = random("threads", rnd, 3, 100, 12, 9, 97, 1, true);
        float[] g = uniform(rnd, p.n() * p.o() * p.oh() * p.ow());
        float[][] want = engine(new CpuBackend(1), p, g, false);
        for (int threads : new int[] {2, 3, 4}) {
            for (boolean permuted : new boolean[] {false, true}) {
                float[][] got = engine(new CpuBackend(threads), p, g, permuted);
                assertArrayEquals(want[0], got[0], "output on " + threads + " threads, permuted " + permuted);
                assertArrayEquals(want[1], got[1], "input gradient on " + threads + " threads, permuted " + permuted);
                assertArrayEquals(want[2], got[2], "weight gradient on " + threads + " threads, permuted " + permuted);
            }
        }
    }

    /**
     * The same bits with 256- and 512-bit vectors: lanes are independent and every sum runs in a
     * fixed order, so the vector width only changes how many tiles run at once. Pinned as a digest
     * of the bits, which this test recomputes under whatever vectors the JVM prefers (run the
     * engine's tests with -Dtest.jvm.extra=-XX:UseAVX=2 on an AVX-512 machine to check the other
     * width). A change to the arithmetic itself changes the digest on purpose: update it then.
     */
    @Test
    void theBitsAreTheSameWithEitherVectorWidth() {
        Random rnd = new Random(17);
        Problem p = random("digest", rnd, 2, 96, 11, 13, 99, 1, true);
        float[] g = uniform(rnd, p.n() * p.o() * p.oh() * p.ow());
        float[][] got = engine(new CpuBackend(1), p, g, false);
        assertEquals(PINNED_DIGEST, digest(got[0]) + " " + digest(got[1]) + " " + digest(got[2]),
                "the bits differ from those pinned (computed with " + jdk.incubator.vector.FloatVector.SPECIES_PREFERRED
                        + "): the vector width must not change them");
    }

    private static final String PINNED_DIGEST = "c896aca7ba84c97f f5400c2329abeeb dd6eef84bd454b41";

    static String digest(float[] a) {
        long h = 1125899906842597L;
        for (float v : a) {
            h = 31 * h + Float.floatToRawIntBits(v);
        }
        return Long.toHexString(h);
    }

    /**
     * Which shapes take it: 3x3 at stride 1, no dilation, one group, c o at least 48 (c + o) and an
     * output of at least 8 x 8, or c o at least 32 (c + o) and an output of at least 32 x 32; its
     * input gradient also needs a padding of at most 2; its weight
     * gradient only c o at least 20 (c + o). Elsewhere the unfold form's bits, the same with and
     * without Winograd.
     */
    @Test
    void onlyTheShapesItPaysOnTakeIt() {
        assertTrue(ConvWinograd.suits(96, 96, window(1), 1, 8, 8));
        assertTrue(ConvWinograd.suits(128, 128, window(1), 1, 16, 16));
        assertTrue(ConvWinograd.suits(64, 64, window(1), 1, 32, 32), "64 channels on a 32 x 32 map");
        assertFalse(ConvWinograd.suits(64, 64, window(1), 1, 31, 32), "64 channels, fewer than 32 output rows");
        assertFalse(ConvWinograd.suits(64, 64, window(1), 1, 16, 16), "64 channels on 16 x 16: the transforms weigh too much");
        assertFalse(ConvWinograd.suits(63, 64, window(1), 1, 32, 32), "c o below 32 (c + o)");
        assertFalse(ConvWinograd.suits(3, 64, window(1), 1, 32, 32), "a first layer");
        assertFalse(ConvWinograd.suits(128, 128, window(1), 1, 7, 16), "fewer than 8 output rows");
        assertFalse(ConvWinograd.suits(128, 128, window(1), 2, 16, 16), "groups");
        assertFalse(ConvWinograd.suits(128, 128, new Window2d(3, 3, 2, 2, 1, 1, 1, 1), 1, 16, 16), "stride 2");
        assertFalse(ConvWinograd.suits(128, 128, new Window2d(3, 3, 1, 1, 2, 2, 2, 2), 1, 16, 16), "dilation 2");
        assertFalse(ConvWinograd.suits(128, 128, new Window2d(5, 5, 1, 1, 2, 2, 1, 1), 1, 16, 16), "5x5");
        assertTrue(ConvWinograd.suitsBackwardWeight(64, 64, window(1), 1, 32, 32));
        assertTrue(ConvWinograd.suitsBackwardWeight(32, 64, window(1), 1, 16, 16));
        assertFalse(ConvWinograd.suitsBackwardWeight(32, 32, window(1), 1, 32, 32), "32 channels");
        assertFalse(ConvWinograd.suitsBackwardWeight(64, 64, new Window2d(3, 3, 2, 2, 1, 1, 1, 1), 1, 16, 16),
                "stride 2");
        assertFalse(ConvWinograd.suitsBackwardWeight(64, 64, window(1), 1, 7, 16), "fewer than 8 output rows");
        assertTrue(ConvWinograd.suitsBackwardInput(128, 128, window(2), 1, 16, 16));
        assertFalse(ConvWinograd.suitsBackwardInput(128, 128, window(3), 1, 16, 16), "padding 3");

        Random rnd = new Random(23);
        Problem small = random("64 channels", rnd, 1, 64, 10, 10, 64, 1, true);
        float[] g = uniform(rnd, small.o() * small.oh() * small.ow());
        float[][] with = engine(new CpuBackend(1), small, g, false);
        float[][] without = engine(new CpuBackend(1, false), small, g, false);
        assertArrayEquals(without[0], with[0], "a shape Winograd does not take keeps the unfold form's bits");
        assertArrayEquals(without[1], with[1], "and so does its input gradient");
        // the weight gradient's threshold is lower: 64 channels take it
        assertNull(weightViolation(small, with[2], weightReference(small, g), weightAbsSums(small, g)));
        assertFalse(java.util.Arrays.equals(with[2], without[2]), "64 channels: the weight gradient by Winograd");

        Problem fewer = random("32 channels", rnd, 1, 32, 10, 10, 32, 1, true);
        float[] gf = uniform(rnd, fewer.o() * fewer.oh() * fewer.ow());
        assertArrayEquals(engine(new CpuBackend(1, false), fewer, gf, false)[2],
                engine(new CpuBackend(1), fewer, gf, false)[2], "32 channels: the unfold form's weight gradient");
    }

    /** Padding 3: the forward by Winograd (within its bound), the input gradient by the unfold form. */
    @Test
    void paddingThreeTakesItForTheForwardOnly() {
        Random rnd = new Random(29);
        Problem p = random("pad 3", rnd, 1, 96, 8, 8, 96, 3, true);
        float[] g = uniform(rnd, p.o() * p.oh() * p.ow());
        float[][] with = engine(new CpuBackend(1), p, g, false);
        float[][] without = engine(new CpuBackend(1, false), p, g, false);
        assertNull(violation(p, with[0], reference(p), absSums(p)));
        assertFalse(java.util.Arrays.equals(with[0], without[0]), "the forward ran by Winograd");
        assertArrayEquals(without[1], with[1], "the input gradient at padding 3 is the unfold form's");
        assertNull(weightViolation(p, with[2], weightReference(p, g), weightAbsSums(p, g)),
                "the weight gradient at padding 3 by Winograd, within its bound");
        assertFalse(java.util.Arrays.equals(with[2], without[2]), "the weight gradient ran by Winograd");
    }

    private static Window2d window(int pad) {
        return new Window2d(3, 3, 1, 1, pad, pad, 1, 1);
    }
}
