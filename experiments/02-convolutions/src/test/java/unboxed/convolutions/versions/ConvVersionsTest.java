package unboxed.convolutions.versions;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import unboxed.io.RepoRoot;
import unboxed.io.Safetensors;
import unboxed.nn.functional.F;
import unboxed.tensor.Tensor;

/**
 * The numbered conv2d versions against PyTorch's float64 references, against each other, and
 * version 3 against the engine's {@code F.conv2d} (bit for bit).
 *
 * <p>The bound is the one of tools/fixtures/CONTRACT.md ("Float64 references"): an output element
 * is a float sum of K = c kh kw + 1 products (the bias counts as one, times 1), so, in any order of
 * addition and with or without fused multiply-adds, it lies within gamma_K S of the exact sum,
 * where S is the sum of the |x||w| and |bias|, gamma_K = K u / (1 - K u), u = 2^-24 (Higham,
 * Accuracy and Stability of Numerical Algorithms, section 3.1). Against a float64 reference we
 * allow gamma_K S + u |ref|, the contract's bound. Two float results are each within gamma_K S of
 * the exact sum, hence within 2 gamma_K S of each other: the bound for comparing two versions.
 * S comes from a tiny double-precision convolution here, run on |x|, |w|, |bias|.
 *
 * <p>Versions 1 and 2 perform the same roundings in the same order (bias first, then ci, i, j,
 * a separate multiply and add each), so they must agree to the bit; so must versions 3 to 6
 * (fma chains over ci, i, j in Sgemm's K blocks, then the bias), and the engine's conv2d with them.
 */
class ConvVersionsTest {

    interface Conv2d {
        void conv2d(float[] x, int n, int c, int h, int w, float[] weight, int o, int kh, int kw, float[] bias,
                    int padH, int padW, float[] out);
    }

    private static final Conv2d[] VERSIONS = {
            Conv2dV1SevenLoops::conv2d, Conv2dV2LoopOrder::conv2d, Conv2dV3Im2col::conv2d,
            Conv2dV4ImplicitGemm::conv2d, Conv2dV5Direct::conv2d,
            (x, n, c, h, w, wt, o, kh, kw, b, ph, pw, out) -> Conv2dV6Threads.conv2d(x, n, c, h, w, wt, o, kh, kw, b, ph,
                    pw, out, 3),
    };
    private static final String[] NAMES = {"V1 seven loops", "V2 loop order", "V3 im2col", "V4 implicit GEMM",
        "V5 direct", "V6 threads"};
    private static final double U = 0x1p-24;
    private static final Path FIXTURES = RepoRoot.get().resolve("data/fixtures/02-convolutions");

    /** One convolution: the sizes and the data. */
    record Problem(String name, float[] x, int n, int c, int h, int w, float[] weight, int o, int kh, int kw,
                   float[] bias, int padH, int padW) {
        int oh() {
            return h + 2 * padH - kh + 1;
        }

        int ow() {
            return w + 2 * padW - kw + 1;
        }

        /** Products in one output element, the bias included. */
        int terms() {
            return c * kh * kw + 1;
        }

        float[] run(Conv2d f) {
            float[] out = new float[n * o * oh() * ow()];
            Arrays.fill(out, Float.NaN);           // every version must overwrite all of out
            f.conv2d(x, n, c, h, w, weight, o, kh, kw, bias, padH, padW, out);
            return out;
        }

        Problem withWeight(float[] other) {
            return new Problem(name, x, n, c, h, w, other, o, kh, kw, bias, padH, padW);
        }

        /** The exact sums, to double precision. */
        double[] reference() {
            return ConvVersionsTest.reference(this, widen(x, false), widen(weight, false), widen(bias, false));
        }

        /** S: the same convolution of |x|, |w|, |bias|. */
        double[] absSums() {
            return ConvVersionsTest.reference(this, widen(x, true), widen(weight, true), widen(bias, true));
        }
    }

    /** The definition, in double: the tiny reference. */
    static double[] reference(Problem p, double[] x, double[] wt, double[] bias) {
        int oh = p.oh();
        int ow = p.ow();
        double[] out = new double[p.n * p.o * oh * ow];
        for (int b = 0; b < p.n; b++) {
            for (int f = 0; f < p.o; f++) {
                for (int oy = 0; oy < oh; oy++) {
                    for (int ox = 0; ox < ow; ox++) {
                        double sum = bias == null ? 0 : bias[f];
                        for (int ci = 0; ci < p.c; ci++) {
                            for (int i = 0; i < p.kh; i++) {
                                for (int j = 0; j < p.kw; j++) {
                                    int iy = oy + i - p.padH;
                                    int ix = ox + j - p.padW;
                                    if (iy >= 0 && iy < p.h && ix >= 0 && ix < p.w) {
                                        sum += x[((b * p.c + ci) * p.h + iy) * p.w + ix]
                                                * wt[((f * p.c + ci) * p.kh + i) * p.kw + j];
                                    }
                                }
                            }
                        }
                        out[((b * p.o + f) * oh + oy) * ow + ox] = sum;
                    }
                }
            }
        }
        return out;
    }

    static double[] widen(float[] a, boolean abs) {
        if (a == null) {
            return null;
        }
        double[] d = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            d[i] = abs ? Math.abs((double) a[i]) : a[i];
        }
        return d;
    }

    static double gamma(int k) {
        return k * U / (1 - k * U);
    }

    /**
     * The first element where |ours - ref| > factor gamma_K S + refSlack u |ref|, described; null
     * when every element is within. (factor 1, slack 1: against a float64 reference; factor 2,
     * slack 0: two float results against each other.)
     */
    static String violation(String who, float[] ours, double[] ref, double[] s, int k, double factor, double refSlack) {
        if (ours.length != ref.length) {
            return who + ": " + ours.length + " elements, expected " + ref.length;
        }
        double g = gamma(k);
        for (int e = 0; e < ours.length; e++) {
            double err = Math.abs(ours[e] - ref[e]);
            double bound = factor * g * s[e] + refSlack * U * Math.abs(ref[e]);
            if (!(err <= bound)) {      // NaN fails too
                return who + ": element " + e + " is " + ours[e] + ", reference " + ref[e] + ", |diff| " + err
                        + " > bound " + bound + " (K = " + k + ", S = " + s[e] + ")";
            }
        }
        return null;
    }

    static double[] widen(float[] a) {
        return widen(a, false);
    }

    // ------------------------------------------------------------------ the PyTorch fixtures

    /** A fixture case: the problem and PyTorch's float64 output. */
    record Case(Problem problem, double[] refOut) {
    }

    static List<Path> conv2dFixtures() throws IOException {
        try (Stream<Path> files = Files.list(FIXTURES)) {
            return files.filter(f -> f.getFileName().toString().startsWith("conv2d__")
                    && f.getFileName().toString().endsWith(".safetensors")).sorted().toList();
        }
    }

    static Case load(Path path) throws IOException {
        Safetensors.File file = Safetensors.read(path);
        String name = path.getFileName().toString();
        assertEquals("conv2d", file.meta("op"), name);
        JsonNode args = new ObjectMapper().readTree(file.meta("args"));
        int[] padding = {0, 0};
        for (Iterator<Map.Entry<String, JsonNode>> it = args.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> arg = it.next();
            int[] pair = pair(name, arg.getKey(), arg.getValue());
            switch (arg.getKey()) {
                case "padding" -> padding = pair;
                case "stride", "dilation", "groups" -> {
                    if (pair[0] != 1 || pair[1] != 1) {
                        fail(name + ": " + arg.getKey() + " = " + arg.getValue() + ", the versions know only 1");
                    }
                }
                default -> fail(name + ": unknown argument " + arg.getKey());
            }
        }
        Safetensors.Entry input = file.entry("in.input");
        Safetensors.Entry weight = file.entry("in.weight");
        int[] xs = input.shape();
        int[] ws = weight.shape();
        int[] nchw = xs.length == 3 ? new int[] {1, xs[0], xs[1], xs[2]} : xs;   // unbatched: n = 1
        if (nchw.length != 4 || ws.length != 4 || ws[1] != nchw[1]) {
            fail(name + ": input " + Arrays.toString(xs) + " and weight " + Arrays.toString(ws) + " do not fit");
        }
        float[] bias = file.has("in.bias") ? file.entry("in.bias").toFloats(path) : null;
        Problem p = new Problem(name, input.toFloats(path), nchw[0], nchw[1], nchw[2], nchw[3],
                weight.toFloats(path), ws[0], ws[2], ws[3], bias, padding[0], padding[1]);
        Safetensors.Entry ref = file.entry("ref.out");
        int[] expected = xs.length == 3 ? new int[] {p.o, p.oh(), p.ow()} : new int[] {p.n, p.o, p.oh(), p.ow()};
        assertArrayEquals(expected, ref.shape(), name + ": shape of ref.out");
        return new Case(p, ref.toDoubles(path));
    }

    /** An argument given as an int or as a pair of ints. */
    static int[] pair(String file, String key, JsonNode v) {
        if (v.isInt()) {
            return new int[] {v.intValue(), v.intValue()};
        }
        if (v.isArray() && v.size() == 2 && v.get(0).isInt() && v.get(1).isInt()) {
            return new int[] {v.get(0).intValue(), v.get(1).intValue()};
        }
        fail(file + ": " + key + " = " + v + " is neither an int nor a pair of ints");
        return null;
    }

    @Test
    void everyVersionMatchesEveryConv2dFixtureWithinTheRoundingBound() throws IOException {
        List<Path> files = conv2dFixtures();
        assertFalse(files.isEmpty(), "no conv2d fixtures in " + FIXTURES + " (run `make data`)");
        List<String> failures = new ArrayList<>();
        for (Path path : files) {
            Case cs = load(path);
            Problem p = cs.problem();
            double[] s = p.absSums();
            for (int v = 0; v < VERSIONS.length; v++) {
                String bad = violation(p.name() + " " + NAMES[v], p.run(VERSIONS[v]), cs.refOut(), s, p.terms(), 1, 1);
                if (bad != null) {
                    failures.add(bad);
                }
            }
        }
        if (!failures.isEmpty()) {
            fail(failures.size() + " failures:\n" + String.join("\n", failures));
        }
    }

    @Test
    void theFixtureComparisonCatchesOneWrongWeight() throws IOException {
        Case cs = load(FIXTURES.resolve("conv2d__k3_pad1.safetensors"));
        Problem p = cs.problem();
        float[] corrupted = p.weight().clone();
        corrupted[corrupted.length / 2] += 0.01f;    // one weight, slightly off
        Problem wrong = p.withWeight(corrupted);
        assertNotNull(violation("corrupted", wrong.run(Conv2dV1SevenLoops::conv2d), cs.refOut(), p.absSums(),
                p.terms(), 1, 1), "a wrong weight must break the bound");
    }

    // ------------------------------------------------------------------ random shapes

    static float[] random(int size, Random rnd) {
        float[] a = new float[size];
        for (int i = 0; i < size; i++) {
            a[i] = rnd.nextFloat() * 2 - 1;
        }
        return a;
    }

    static Problem problem(String name, Random rnd, int n, int c, int h, int w, int o, int kh, int kw, int padH,
                           int padW, boolean withBias) {
        return new Problem(name, random(n * c * h * w, rnd), n, c, h, w, random(o * c * kh * kw, rnd), o, kh, kw,
                withBias ? random(o, rnd) : null, padH, padW);
    }

    /**
     * Odd sizes, padding 0..3 (up to more than the kernel, so whole output rows see only padding),
     * kernels 1..7 (square and not), batch 1..3, with and without bias; and two larger cases whose
     * reduction c kh kw exceeds one Sgemm K block.
     */
    static List<Problem> randomProblems() {
        Random rnd = new Random(20);
        List<Problem> problems = new ArrayList<>();
        for (int t = 0; t < 60; t++) {
            int kh = 1 + rnd.nextInt(7);
            int kw = 1 + rnd.nextInt(7);
            int padH = rnd.nextInt(4);
            int padW = rnd.nextInt(4);
            int h = Math.max(1, kh - 2 * padH) + rnd.nextInt(10);
            int w = Math.max(1, kw - 2 * padW) + rnd.nextInt(10);
            int n = 1 + rnd.nextInt(3);
            int c = 1 + rnd.nextInt(4);
            int o = 1 + rnd.nextInt(6);
            boolean withBias = rnd.nextBoolean();
            problems.add(problem("random " + t + " n" + n + " c" + c + " " + h + "x" + w + " o" + o + " k" + kh + "x"
                    + kw + " pad " + padH + "," + padW + (withBias ? "" : " no bias"), rnd, n, c, h, w, o, kh, kw,
                    padH, padW, withBias));
        }
        problems.add(problem("long reduction 7x7 c8", rnd, 2, 8, 13, 11, 5, 7, 7, 3, 3, true));
        problems.add(problem("long reduction 5x3 c19", rnd, 1, 19, 9, 17, 7, 5, 3, 2, 1, false));
        return problems;
    }

    @Test
    void theVersionsAgreeWithEachOtherAndWithTheDoubleReference() {
        for (Problem p : randomProblems()) {
            double[] ref = p.reference();
            double[] s = p.absSums();
            float[][] outs = new float[VERSIONS.length][];
            for (int v = 0; v < VERSIONS.length; v++) {
                outs[v] = p.run(VERSIONS[v]);
                String bad = violation(p.name() + " " + NAMES[v], outs[v], ref, s, p.terms(), 1, 1);
                if (bad != null) {
                    fail(bad);
                }
            }
            assertArrayEquals(outs[0], outs[1], p.name() + ": V2 must be bit-identical to V1");
            // versions 4 to 6 perform version 3's arithmetic: the same fma chains in the same K blocks
            for (int v = 3; v < VERSIONS.length; v++) {
                assertArrayEquals(outs[2], outs[v], p.name() + ": " + NAMES[v] + " must be bit-identical to V3");
            }
            String bad = violation(p.name() + " V3 against V1", outs[2], widen(outs[0]), s, p.terms(), 2, 0);
            if (bad != null) {
                fail(bad);
            }
        }
    }

    @Test
    void versionThreeGivesTheEnginesConv2dBitForBit() {
        for (Problem p : randomProblems()) {
            Tensor x = Tensor.of(p.x(), p.n(), p.c(), p.h(), p.w());
            Tensor weight = Tensor.of(p.weight(), p.o(), p.c(), p.kh(), p.kw());
            Tensor bias = p.bias() == null ? null : Tensor.of(p.bias(), p.o());
            Tensor y = p.padH() == p.padW()
                    ? F.conv2d(x, weight, bias, p.padH())
                    : F.conv2d(x, weight, bias, new int[] {1}, new int[] {p.padH(), p.padW()}, new int[] {1}, 1);
            assertArrayEquals(new int[] {p.n(), p.o(), p.oh(), p.ow()}, y.shape(), p.name());
            // the engine computes version 3's products and then adds the bias: the same bits
            assertArrayEquals(p.run(Conv2dV3Im2col::conv2d), y.toArray(), p.name() + ": V3 against F.conv2d");
        }
    }

    // ------------------------------------------------------------------ version 7, Winograd F(2x2, 3x3)

    private static final double[][] G = {{1, 0, 0}, {0.5, 0.5, 0.5}, {0.5, -0.5, 0.5}, {0, 0, 1}};
    private static final double[][] BT = {{1, 0, -1, 0}, {0, 1, 1, 0}, {0, -1, 1, 0}, {0, 1, 0, -1}};
    private static final double[][] AT = {{1, 1, 1, 0}, {0, 1, -1, -1}};

    /**
     * S_w: version 7's computation on absolute values, in double: |A^T| (sum over ci of |G||g||G^T|
     * (.) |B^T||d||B|) |A| + |bias|. Every rounding of version 7 multiplies some of these terms by
     * (1 + delta), at most c + 11 of them on any path (4 in G g G^T, 2 in B^T d B, c in the chain
     * of fused multiply-adds over ci, 4 in A^T M A, 1 for the bias), so an output lies within
     * gamma_(c+11) S_w of the exact sum (Higham, section 3.1, applied to the expanded sum).
     */
    static double[] winogradAbsSums(Problem p) {
        int oh = p.oh();
        int ow = p.ow();
        double[] out = new double[p.n() * p.o() * oh * ow];
        double[][] ug = new double[4][4];
        double[][] vd = new double[4][4];
        double[][] mm = new double[4][4];
        for (int b = 0; b < p.n(); b++) {
            for (int f = 0; f < p.o(); f++) {
                for (int ty = 0; ty < oh; ty += 2) {
                    for (int tx = 0; tx < ow; tx += 2) {
                        for (double[] row : mm) {
                            Arrays.fill(row, 0);
                        }
                        for (int ci = 0; ci < p.c(); ci++) {
                            double[][] g = new double[3][3];
                            double[][] d = new double[4][4];
                            for (int i = 0; i < 3; i++) {
                                for (int j = 0; j < 3; j++) {
                                    g[i][j] = Math.abs(p.weight()[((f * p.c() + ci) * 3 + i) * 3 + j]);
                                }
                            }
                            for (int i = 0; i < 4; i++) {
                                for (int j = 0; j < 4; j++) {
                                    int iy = ty + i - p.padH();
                                    int ix = tx + j - p.padW();
                                    d[i][j] = iy >= 0 && iy < p.h() && ix >= 0 && ix < p.w()
                                            ? Math.abs(p.x()[((b * p.c() + ci) * p.h() + iy) * p.w() + ix]) : 0;
                                }
                            }
                            product(absOf(G), g, transpose(absOf(G)), ug);
                            product(absOf(BT), d, transpose(absOf(BT)), vd);
                            for (int i = 0; i < 4; i++) {
                                for (int j = 0; j < 4; j++) {
                                    mm[i][j] += ug[i][j] * vd[i][j];
                                }
                            }
                        }
                        double[][] y = new double[2][2];
                        product(absOf(AT), mm, transpose(absOf(AT)), y);
                        for (int i = 0; i < 2 && ty + i < oh; i++) {
                            for (int j = 0; j < 2 && tx + j < ow; j++) {
                                out[((b * p.o() + f) * oh + ty + i) * ow + tx + j] =
                                        y[i][j] + (p.bias() == null ? 0 : Math.abs(p.bias()[f]));
                            }
                        }
                    }
                }
            }
        }
        return out;
    }

    static double[][] absOf(double[][] a) {
        double[][] r = new double[a.length][];
        for (int i = 0; i < a.length; i++) {
            r[i] = new double[a[i].length];
            for (int j = 0; j < a[i].length; j++) {
                r[i][j] = Math.abs(a[i][j]);
            }
        }
        return r;
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

    /** out = l m r. */
    static void product(double[][] l, double[][] m, double[][] r, double[][] out) {
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
    }

    /** Version 7 against a float64 reference: gamma_(c+11) S_w + u |ref|. */
    static String winogradViolation(Problem p, float[] ours, double[] ref) {
        return violation(p.name() + " V7 Winograd", ours, ref, winogradAbsSums(p), p.c() + 11, 1, 1);
    }

    @Test
    void versionSevenMatchesEvery3x3Conv2dFixtureWithinItsBound() throws IOException {
        int seen = 0;
        for (Path path : conv2dFixtures()) {
            Case cs = load(path);
            Problem p = cs.problem();
            if (p.kh() != 3 || p.kw() != 3) {
                continue;
            }
            seen++;
            String bad = winogradViolation(p, p.run(Conv2dV7Winograd::conv2d), cs.refOut());
            if (bad != null) {
                fail(bad);
            }
        }
        assertTrue(seen >= 3, "only " + seen + " 3x3 conv2d fixtures in " + FIXTURES);
    }

    /**
     * Odd and even output sizes (tiles that hang over the last row or column), padding 0 to 3,
     * filter counts that are not a multiple of the register tile's 4, tile counts past one
     * register tile, up to 40 channels, with and without bias.
     */
    @Test
    void versionSevenAgreesWithTheDoubleReferenceWithinItsBound() {
        Random rnd = new Random(70);
        for (int t = 0; t < 40; t++) {
            int pad = rnd.nextInt(4);
            int h = Math.max(1, 3 - 2 * pad) + rnd.nextInt(t < 30 ? 9 : 40);
            int w = Math.max(1, 3 - 2 * pad) + rnd.nextInt(t < 30 ? 9 : 40);
            int c = 1 + rnd.nextInt(t < 30 ? 5 : 40);
            int o = 1 + rnd.nextInt(11);
            int n = 1 + rnd.nextInt(2);
            boolean withBias = rnd.nextBoolean();
            Problem p = problem("random 3x3 " + t + " n" + n + " c" + c + " " + h + "x" + w + " o" + o + " pad " + pad
                    + (withBias ? "" : " no bias"), rnd, n, c, h, w, o, 3, 3, pad, pad, withBias);
            String bad = winogradViolation(p, p.run(Conv2dV7Winograd::conv2d), p.reference());
            if (bad != null) {
                fail(bad);
            }
        }
        Problem pair = problem("pad pair 1,2", rnd, 1, 3, 7, 6, 5, 3, 3, 1, 2, true);
        String bad = winogradViolation(pair, pair.run(Conv2dV7Winograd::conv2d), pair.reference());
        if (bad != null) {
            fail(bad);
        }
    }

    @Test
    void versionSevensBoundCatchesOneWrongWeight() throws IOException {
        Case cs = load(FIXTURES.resolve("conv2d__k3_pad1.safetensors"));
        Problem p = cs.problem();
        float[] corrupted = p.weight().clone();
        corrupted[corrupted.length / 2] += 0.01f;
        Problem wrong = p.withWeight(corrupted);
        assertNotNull(violation("corrupted", wrong.run(Conv2dV7Winograd::conv2d), cs.refOut(), winogradAbsSums(p),
                p.c() + 11, 1, 1), "a wrong weight must break version 7's bound");
    }

    /**
     * On the shapes the engine runs by Winograd (3x3, stride 1, c o at least 48 (c + o)), F.conv2d
     * gives version 7's bits, and its input gradient is version 7 on the upstream gradient with the
     * kernels turned by 180 degrees and transposed, at padding 2 - p: so version 7's bound covers
     * both.
     */
    @Test
    void theEnginesWinogradShapesGiveVersionSevensBits() {
        Random rnd = new Random(77);
        for (int pad = 0; pad <= 2; pad++) {
            Problem p = problem("winograd shape, pad " + pad, rnd, 2, 96 + 3 * pad, 11 - pad, 12, 100, 3, 3, pad, pad,
                    pad != 1);
            Tensor x = Tensor.of(p.x(), p.n(), p.c(), p.h(), p.w()).requiresGrad(true);
            Tensor weight = Tensor.of(p.weight(), p.o(), p.c(), 3, 3);
            Tensor bias = p.bias() == null ? null : Tensor.of(p.bias(), p.o());
            Tensor y = F.conv2d(x, weight, bias, pad);
            assertArrayEquals(p.run(Conv2dV7Winograd::conv2d), y.toArray(), p.name() + ": V7 against F.conv2d");
            float[] g = random(p.n() * p.o() * p.oh() * p.ow(), rnd);
            y.backward(Tensor.of(g, p.n(), p.o(), p.oh(), p.ow()));
            float[] flipped = new float[p.c() * p.o() * 9];
            for (int f = 0; f < p.o(); f++) {
                for (int ci = 0; ci < p.c(); ci++) {
                    for (int e = 0; e < 9; e++) {
                        flipped[(ci * p.o() + f) * 9 + 8 - e] = p.weight()[(f * p.c() + ci) * 9 + e];
                    }
                }
            }
            Problem gradient = new Problem(p.name() + " input gradient", g, p.n(), p.o(), p.oh(), p.ow(), flipped,
                    p.c(), 3, 3, null, 2 - pad, 2 - pad);
            assertArrayEquals(gradient.run(Conv2dV7Winograd::conv2d), x.grad().toArray(),
                    p.name() + ": V7 on the flipped kernels against the engine's input gradient");
        }
    }

    @Test
    void versionSevenTakesOnly3x3Kernels() {
        Problem p = problem("5x5", new Random(1), 1, 2, 6, 6, 3, 5, 5, 2, 2, true);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> p.run(Conv2dV7Winograd::conv2d));
        assertTrue(e.getMessage().contains("must be 3x3, got 5x5"), e.getMessage());
    }
}
