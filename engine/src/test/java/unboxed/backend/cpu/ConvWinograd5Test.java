package unboxed.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static unboxed.backend.cpu.ConvWinogradTest.digest;
import static unboxed.backend.cpu.ConvWinogradTest.gamma;
import static unboxed.backend.cpu.ConvWinogradTest.on;
import static unboxed.backend.cpu.ConvWinogradTest.outside;
import static unboxed.backend.cpu.ConvWinogradTest.product;
import static unboxed.backend.cpu.ConvWinogradTest.transpose;
import static unboxed.backend.cpu.ConvWinogradTest.uniform;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import unboxed.backend.Backend;
import unboxed.backend.Window2d;
import unboxed.nn.functional.F;
import unboxed.tensor.Tensor;

/**
 * conv2d by Winograd's F(2x2, 5x5) ({@link ConvWinograd5}): its forward and its input gradient
 * (the images in the lanes) and its weight gradient (channels or filters in the lanes) against a
 * float64 definition, within the bound that its own arithmetic allows (not the unfold form's);
 * the same bits on any thread count, input layout, batch size (a partial group of images) and
 * chunk of tiles, and with either vector width (a pinned digest); which shapes take it.
 */
class ConvWinograd5Test {
    private static final double U = Math.ulp(1f) / 2;

    /** A convolution problem in plain arrays: x [n, c, h, w], weight [o, c, 5, 5], bias [o] or null. */
    record Problem(String name, float[] x, int n, int c, int h, int w, float[] weight, int o, float[] bias, int pad) {
        int oh() {
            return h + 2 * pad - 4;
        }

        int ow() {
            return w + 2 * pad - 4;
        }

        /**
         * The input gradient's convolution: the upstream gradient g [n, o, oh, ow] with the
         * kernels turned by 180 degrees and transposed (c filters of o channels), padding 4 - pad.
         */
        Problem gradient(float[] g) {
            float[] flipped = new float[c * o * 25];
            for (int f = 0; f < o; f++) {
                for (int ci = 0; ci < c; ci++) {
                    for (int e = 0; e < 25; e++) {
                        flipped[(ci * o + f) * 25 + 24 - e] = weight[(f * c + ci) * 25 + e];
                    }
                }
            }
            return new Problem(name + " (input gradient)", g, n, o, oh(), ow(), flipped, c, null, 4 - pad);
        }
    }

    static Problem random(String name, Random rnd, int n, int c, int h, int w, int o, int pad, boolean bias) {
        return new Problem(name, uniform(rnd, n * c * h * w), n, c, h, w, uniform(rnd, o * c * 25), o,
                bias ? uniform(rnd, o) : null, pad);
    }

    /** The definition in double. */
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
                            for (int i = 0; i < 5; i++) {
                                int iy = oy + i - p.pad();
                                if (iy < 0 || iy >= p.h()) {
                                    continue;
                                }
                                for (int j = 0; j < 5; j++) {
                                    int ix = ox + j - p.pad();
                                    if (ix >= 0 && ix < p.w()) {
                                        s += (double) p.weight()[((f * p.c() + ci) * 5 + i) * 5 + j]
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

    /** |G|, |B| (B^T's transpose) and |A| of F(2x2, 5x5). */
    private static final double[][] G = {
        {1.0 / 4, 0, 0, 0, 0},
        {1.0 / 6, 1.0 / 6, 1.0 / 6, 1.0 / 6, 1.0 / 6},
        {1.0 / 6, 1.0 / 6, 1.0 / 6, 1.0 / 6, 1.0 / 6},
        {1.0 / 24, 1.0 / 12, 1.0 / 6, 1.0 / 3, 2.0 / 3},
        {1.0 / 24, 1.0 / 12, 1.0 / 6, 1.0 / 3, 2.0 / 3},
        {0, 0, 0, 0, 1}};
    private static final double[][] BT = {
        {4, 0, 5, 0, 1, 0},
        {0, 4, 4, 1, 1, 0},
        {0, 4, 4, 1, 1, 0},
        {0, 2, 1, 2, 1, 0},
        {0, 2, 1, 2, 1, 0},
        {0, 4, 0, 5, 0, 1}};
    private static final double[][] AT = {{1, 1, 1, 1, 1, 0}, {0, 1, 1, 2, 2, 1}};

    /**
     * S: the algorithm on absolute values, in double: |A^T| (sum over ci of |G||g||G^T| (.)
     * |B^T||d||B|) |A| + |bias|. Every rounding multiplies some of its terms by (1 + delta), at
     * most c + 14 of them on any path (2 for U, computed in double and rounded once; 4 in
     * B^T d B, whose rows take at most two roundings each way; c in the chain of fused
     * multiply-adds; 6 in A^T M A, three each way; 1 for the bias), so an output lies within
     * gamma_(c+14) S of the exact sum (Higham, section 3.1, on the expanded sum).
     */
    static double[] absSums(Problem p) {
        int oh = p.oh();
        int ow = p.ow();
        int th = (oh + 1) / 2;
        int tw = (ow + 1) / 2;
        double[][][] ug = new double[p.o() * p.c()][][];
        for (int f = 0; f < p.o(); f++) {
            for (int ci = 0; ci < p.c(); ci++) {
                double[][] g = new double[5][5];
                for (int e = 0; e < 25; e++) {
                    g[e / 5][e % 5] = Math.abs(p.weight()[(f * p.c() + ci) * 25 + e]);
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
                        double[][] m = new double[6][6];
                        for (int ci = 0; ci < p.c(); ci++) {
                            for (int i = 0; i < 6; i++) {
                                for (int j = 0; j < 6; j++) {
                                    m[i][j] += ug[f * p.c() + ci][i][j] * vd[ci][i][j];
                                }
                            }
                        }
                        double[][] y = product(AT, m, transpose(AT));
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

    /** |B^T| |d| |B| for each channel's 6 x 6 input patch d of tile (ty, tx) of image b (zeros past the input). */
    private static double[][][] absPatches(Problem p, int b, int ty, int tx) {
        return ConvWinogradTest.absPatches(p.x(), p.c(), p.h(), p.w(), p.pad(), b, ty, tx, BT);
    }

    /** The first element outside gamma_(c+14) S + u |ref|, or null. */
    static String violation(Problem p, float[] ours, double[] ref, double[] s) {
        double g = gamma(p.c() + 14);
        for (int e = 0; e < ref.length; e++) {
            double err = Math.abs(ours[e] - ref[e]);
            double bound = g * s[e] + U * Math.abs(ref[e]);
            if (!(err <= bound)) {      // NaN fails too
                return p.name() + ": element " + e + " is " + ours[e] + ", reference " + ref[e] + ", |diff| " + err
                        + " > bound " + bound;
            }
        }
        return null;
    }

    /** The engine's output, input gradient and weight gradient; {@code permuted}: x as a view. */
    static float[][] engine(Backend backend, Problem p, float[] g, boolean permuted) {
        return on(backend, () -> {
            Tensor x = ConvWinogradTest.input(p.x(), p.n(), p.c(), p.h(), p.w(), permuted);
            Tensor w = Tensor.of(p.weight(), p.o(), p.c(), 5, 5).requiresGrad(true);
            Tensor b = p.bias() == null ? null : Tensor.of(p.bias(), p.o());
            Tensor y = F.conv2d(x, w, b, p.pad());
            y.backward(Tensor.of(g, p.n(), p.o(), p.oh(), p.ow()));
            return new float[][] {y.toArray(), x.grad().toArray(), w.grad().toArray()};
        });
    }

    /**
     * Batches of 8, 9 and 17 images (partial groups of lanes with either vector width), odd and
     * even output sizes (tiles that hang over the last row or column), padding 0 to 4, filter
     * counts that are not a multiple of the register tile's 4, tile counts that are not one of its
     * 4, with and without bias: the output and the input gradient each within the bound of their
     * own computation.
     */
    @Test
    void forwardAndInputGradientStayWithinWinogradsBound() {
        Random rnd = new Random(3);
        CpuBackend backend = new CpuBackend(2);
        int[] images = {8, 9, 17, 8, 9, 8};
        for (int t = 0; t < 6; t++) {
            int pad = t % 5;
            int h = Math.max(1, 7 - 2 * pad + rnd.nextInt(6));
            int w = Math.max(1, 7 - 2 * pad + rnd.nextInt(6));
            int c = 32 + rnd.nextInt(9);
            int o = 32 + rnd.nextInt(13);
            Problem p = random("problem " + t + ": n " + images[t] + ", c " + c + ", " + h + "x" + w + ", o " + o
                    + ", pad " + pad, rnd, images[t], c, h, w, o, pad, t != 4);
            assertTrue(ConvWinograd5.suitsBackwardInput(p.n(), c, o, window(pad), 1), p.name());
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
        }
    }

    /** The bound is tight enough to see a mistake: one weight off by 0.1 (of weights in [-1, 1]) breaks it. */
    @Test
    void theBoundCatchesOneWrongWeight() {
        Problem p = random("corrupted", new Random(5), 8, 32, 10, 10, 32, 2, true);
        float[] wrong = p.weight().clone();
        wrong[wrong.length / 2] += 0.1f;
        Problem q = new Problem(p.name(), p.x(), p.n(), p.c(), p.h(), p.w(), wrong, p.o(), p.bias(), p.pad());
        float[] g = new float[p.n() * p.o() * p.oh() * p.ow()];
        float[] got = engine(new CpuBackend(1), q, g, false)[0];
        assertNotNull(violation(p, got, reference(p), absSums(p)), "a wrong weight must break the bound");
    }

    /**
     * Images are independent (a group of lanes is one task, an image's lanes hold the same
     * arithmetic wherever it lies) and the input is read through its strides: the same bits on
     * any thread count and layout, and for each image whatever batch it came in.
     */
    @Test
    void sameBitsOnAnyThreadCountInputLayoutAndBatch() {
        Random rnd = new Random(11);
        Problem p = random("threads", rnd, 33, 32, 9, 12, 33, 2, true);
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
        // the first 10 images alone: each image's output and input gradient as in the batch of 33
        int image = p.c() * p.h() * p.w();
        int out = p.o() * p.oh() * p.ow();
        Problem first = new Problem("first 10", Arrays.copyOf(p.x(), 10 * image), 10, p.c(), p.h(), p.w(), p.weight(),
                p.o(), p.bias(), p.pad());
        float[][] got = engine(new CpuBackend(1), first, Arrays.copyOf(g, 10 * out), false);
        assertArrayEquals(Arrays.copyOf(want[0], 10 * out), got[0], "the first 10 images' outputs");
        assertArrayEquals(Arrays.copyOf(want[1], 10 * image), got[1], "the first 10 images' input gradients");
    }

    /**
     * The same bits with 256- and 512-bit vectors: an image's arithmetic is the same in any lane,
     * so the width only changes how many images run at once. Pinned as a digest of the bits,
     * which this test recomputes under whatever vectors the JVM prefers (run the engine's tests
     * with -Dtest.jvm.extra=-XX:UseAVX=2 on an AVX-512 machine to check the other width). A
     * change to the arithmetic itself changes the digest on purpose: update it then.
     */
    @Test
    void theBitsAreTheSameWithEitherVectorWidth() {
        Random rnd = new Random(17);
        Problem p = random("digest", rnd, 19, 32, 11, 13, 35, 2, true);
        float[] g = uniform(rnd, p.n() * p.o() * p.oh() * p.ow());
        float[][] got = engine(new CpuBackend(1), p, g, false);
        assertEquals(PINNED_DIGEST, digest(got[0]) + " " + digest(got[1]) + " " + digest(got[2]),
                "the bits differ from those pinned (computed with " + jdk.incubator.vector.FloatVector.SPECIES_PREFERRED
                        + "): the vector width must not change them");
    }

    private static final String PINNED_DIGEST = "655894046d0910c6 48e70e6c57f6c2e 1fd879e8a662dee3";

    /**
     * Which shapes take it: 5x5 at stride 1, no dilation, one group, at least 8 images and c o at
     * least 16 (c + o); its input gradient also needs a padding of at most 4. Elsewhere the unfold
     * form's bits, the same with and without Winograd: the MNIST CNN's second convolution keeps them.
     */
    @Test
    void onlyTheShapesItPaysOnTakeIt() {
        assertFalse(ConvWinograd5.suits(64, 16, 32, window(2), 1), "the MNIST CNN's second convolution");
        assertTrue(ConvWinograd5.suits(8, 32, 32, window(0), 1), "c o = 16 (c + o)");
        assertTrue(ConvWinograd5.suits(64, 64, 64, window(2), 1));
        assertFalse(ConvWinograd5.suits(7, 32, 32, window(2), 1), "7 images");
        assertFalse(ConvWinograd5.suits(64, 1, 64, window(2), 1), "a first layer");
        assertFalse(ConvWinograd5.suits(64, 31, 32, window(2), 1), "c o below 16 (c + o)");
        assertFalse(ConvWinograd5.suits(64, 32, 32, window(2), 2), "groups");
        assertFalse(ConvWinograd5.suits(64, 32, 32, new Window2d(5, 5, 2, 2, 2, 2, 1, 1), 1), "stride 2");
        assertFalse(ConvWinograd5.suits(64, 32, 32, new Window2d(5, 5, 1, 1, 2, 2, 2, 2), 1), "dilation 2");
        assertFalse(ConvWinograd5.suits(64, 32, 32, new Window2d(3, 3, 1, 1, 1, 1, 1, 1), 1), "3x3");
        assertFalse(ConvWinograd5.suits(64, 32, 32, new Window2d(5, 3, 1, 1, 2, 1, 1, 1), 1), "5x3");
        assertTrue(ConvWinograd5.suitsBackwardInput(64, 32, 32, window(4), 1));
        assertFalse(ConvWinograd5.suitsBackwardInput(64, 32, 32, window(5), 1), "padding 5");
        assertEquals("Winograd F(2x2, 5x5), images in lanes",
                CpuBackend.conv2dKernel(64, 32, 32, window(2), 1, 14, 14, 1));
        assertEquals("direct, images in lanes", CpuBackend.conv2dKernel(64, 16, 32, window(2), 1, 14, 14, 1),
                "the MNIST CNN's second convolution");

        Random rnd = new Random(23);
        Problem few = random("7 images", rnd, 7, 32, 10, 10, 32, 2, true);
        float[] g = uniform(rnd, few.n() * few.o() * few.oh() * few.ow());
        float[][] with = engine(new CpuBackend(1), few, g, false);
        float[][] without = engine(new CpuBackend(1, false), few, g, false);
        assertArrayEquals(without[0], with[0], "a shape Winograd does not take keeps the unfold form's bits");
        assertArrayEquals(without[1], with[1], "and so does its input gradient");
        assertArrayEquals(without[2], with[2], "and its weight gradient (never by Winograd here)");
    }

    /**
     * Padding 5: the forward and the weight gradient by Winograd (within their bounds), the input
     * gradient by the unfold form.
     */
    @Test
    void paddingFiveTakesItForTheForwardAndTheWeightGradient() {
        Random rnd = new Random(29);
        Problem p = random("pad 5", rnd, 8, 32, 6, 6, 32, 5, true);
        float[] g = uniform(rnd, p.n() * p.o() * p.oh() * p.ow());
        float[][] with = engine(new CpuBackend(1), p, g, false);
        float[][] without = engine(new CpuBackend(1, false), p, g, false);
        assertNull(violation(p, with[0], reference(p), absSums(p)));
        assertFalse(Arrays.equals(with[0], without[0]), "the forward ran by Winograd");
        assertArrayEquals(without[1], with[1], "the input gradient at padding 5 is the unfold form's");
        assertNull(weightViolation(p, with[2], weightReference(p, g), weightAbsSums(p, g)));
        assertFalse(Arrays.equals(with[2], without[2]), "the weight gradient ran by Winograd");
    }

    /** The weight gradient's definition in double (ConvWinogradTest's, for 5 x 5). */
    static double[] weightReference(Problem p, float[] g) {
        return ConvWinogradTest.weightReference(p.x(), p.n(), p.c(), p.h(), p.w(), g, p.o(), p.oh(), p.ow(), p.pad(),
                5);
    }

    /**
     * S for the weight gradient: |G^T| (sum over images and tiles of |A||dY||A^T| (.)
     * |B^T||d||B|) |G|, d the tile's 6 x 6 input patch, dY its 2 x 2 upstream gradient (zero past
     * the output). On any path at most L + 7 roundings (2 in A dY A^T, 4 in B^T d B, L in the chain
     * of fused multiply-adds over the L = n x tiles terms, 1 when the double G^T dU G is rounded
     * to float), so a gradient lies within gamma_(L+7) S + u |exact| of the exact sum.
     */
    static double[] weightAbsSums(Problem p, float[] g) {
        return ConvWinogradTest.weightAbsSums(p.n(), p.c(), p.o(), p.oh(), p.ow(), g,
                (b, ty, tx) -> absPatches(p, b, ty, tx), transpose(AT), G);
    }

    /** The first weight gradient outside gamma_(L+7) S + u |ref| (L = n x tiles), or null. */
    static String weightViolation(Problem p, float[] ours, double[] ref, double[] s) {
        return outside(p.name() + " (weight gradient)", gamma(p.n() * ((p.oh() + 1) / 2) * ((p.ow() + 1) / 2) + 7),
                ours, ref, s);
    }

    /**
     * The weight gradient within its bound: more filters than channels (the filters in the
     * lanes) and more channels than filters (the channels in them), counts that fill no whole
     * vector, odd and even maps, padding 0 to 5; and the bound sees a mistake: against the
     * reference for an upstream gradient with one value off by 1 (each in [-1, 1]) the engine's
     * (correct) gradient falls outside it.
     */
    @Test
    void theWeightGradientStaysWithinItsBound() {
        Random rnd = new Random(31);
        CpuBackend backend = new CpuBackend(2);
        int[][] shapes = {{8, 20, 9, 9, 90, 2}, {9, 52, 10, 7, 30, 0}, {8, 33, 6, 11, 35, 3}, {10, 40, 8, 8, 40, 5},
            {8, 18, 12, 12, 160, 1}};
        for (int[] sh : shapes) {
            Problem p = random("n " + sh[0] + ", c " + sh[1] + ", " + sh[2] + "x" + sh[3] + ", o " + sh[4] + ", pad "
                    + sh[5], rnd, sh[0], sh[1], sh[2], sh[3], sh[4], sh[5], false);
            assertTrue(ConvWinograd5.suitsBackwardWeight(p.n(), p.c(), p.o(), window(p.pad()), 1), p.name());
            float[] g = uniform(rnd, p.n() * p.o() * p.oh() * p.ow());
            float[] got = engine(backend, p, g, false)[2];
            String bad = weightViolation(p, got, weightReference(p, g), weightAbsSums(p, g));
            if (bad != null) {
                fail(bad);
            }
            float[] off = g.clone();
            off[off.length / 3] += 1f;
            assertNotNull(weightViolation(p, got, weightReference(p, off), weightAbsSums(p, off)),
                    p.name() + ": a wrong upstream value must break the bound");
        }
    }

    /**
     * The weight gradient's chunks (the tiles whose transforms it keeps at once) change where
     * each chain of sums pauses, never its order: the same bits with chunks of 8 tiles, of 20 (not
     * dividing an image's 49), of whole images 2 and 3 at a time, on 1, 2, 3 and 6 threads (6, 3,
     * 2 and 1 rows of positions per thread), with the filters or the channels in the lanes, and
     * from an input read through strides.
     */
    @Test
    void theWeightGradientIsTheSameInAnyChunksAndOnAnyThreads() {
        Random rnd = new Random(37);
        int n = 7, c = 24, hw = 14, o = 40;
        float[] x = uniform(rnd, n * c * hw * hw);
        float[] g = uniform(rnd, n * o * hw * hw);
        int vl = jdk.incubator.vector.FloatVector.SPECIES_PREFERRED.length();
        long perTile = 24L * (ConvWinograd.roundUp(o, 2 * vl) + ConvWinograd.roundUp(c, vl));
        float[] want = new float[o * c * 25];
        ConvWinograd5.backwardWeight(x, 0, c * hw * hw, hw * hw, hw, 1, n, c, hw, hw, g, 0, o, 2, 2, want, 0, 1,
                perTile * 49 * n, null);
        for (long tilesAtOnce : new long[] {8, 20, 49 * 2, 49 * 3}) {
            for (int threads : new int[] {1, 2, 3, 6}) {
                for (boolean filtersInLanes : new boolean[] {false, true}) {
                    float[] got = new float[o * c * 25];
                    ConvWinograd5.backwardWeight(x, 0, c * hw * hw, hw * hw, hw, 1, n, c, hw, hw, g, 0, o, 2, 2, got,
                            0, threads, perTile * tilesAtOnce, filtersInLanes);
                    assertArrayEquals(want, got, tilesAtOnce + " tiles at once, " + threads + " threads, "
                            + (filtersInLanes ? "filters" : "channels") + " in the lanes");
                }
            }
        }
        // the same images channel-interleaved (x as [n, h, w, c] read through strides)
        float[] nhwc = new float[x.length];
        for (int b = 0; b < n; b++) {
            for (int ci = 0; ci < c; ci++) {
                for (int e = 0; e < hw * hw; e++) {
                    nhwc[(b * hw * hw + e) * c + ci] = x[(b * c + ci) * hw * hw + e];
                }
            }
        }
        float[] got = new float[o * c * 25];
        ConvWinograd5.backwardWeight(nhwc, 0, hw * hw * c, 1, hw * c, c, n, c, hw, hw, g, 0, o, 2, 2, got, 0, 2);
        assertArrayEquals(want, got, "the input read through strides");
    }

    private static Window2d window(int pad) {
        return new Window2d(5, 5, 1, 1, pad, pad, 1, 1);
    }
}
