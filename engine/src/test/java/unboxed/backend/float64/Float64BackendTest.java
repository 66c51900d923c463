package unboxed.backend.float64;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import unboxed.backend.Backend;
import unboxed.backend.Backends;
import unboxed.backend.BinaryOp;
import unboxed.backend.IndexOutOfRangeException;
import unboxed.backend.ReduceOp;
import unboxed.backend.Storage;
import unboxed.backend.Strided;
import unboxed.backend.UnaryOp;
import unboxed.backend.cpu.CpuBackend;

/**
 * The float64 reference backend against the CPU backend, kernel by kernel: the same random
 * inputs (float32 values, so both start from identical numbers) in strided, transposed, padded,
 * offset and broadcast (stride 0) layouts, NaN and infinities where the kernel has rules for them.
 * The double result rounded to float must agree with the float32 one:
 * <ul>
 *   <li>bit for bit where no arithmetic happens or it is exact: fill, copy, where, gather,
 *       comparisons, max/min, reduceWithIndex, scatter_add of dyadic values;</li>
 *   <li>within {@link #ULPS} ulp for elementwise arithmetic, sums and softmax (CpuBackend already
 *       evaluates those in double and rounds once, so the only difference is that rounding);</li>
 *   <li>within the proven float32 dot-product bound for matmul and axpy, whose float32 versions
 *       round intermediate products.</li>
 * </ul>
 * A second set of checks runs hand-computed cases on both backends, so that a rule both got wrong
 * the same way (a NaN rule, a tie, an empty reduction) still fails.
 */
class Float64BackendTest {
    private static final Backend CPU = new CpuBackend(2);
    private static final Backend F64 = Backends.create("float64", 1);
    private static final int ULPS = 2;
    private static final int[] SHAPE = {3, 4, 5};

    // ------------------------------------------------------------------ layouts and inputs

    /** A view of {@code shape} inside a storage of {@code size} elements. */
    private record Layout(String name, int size, int[] shape, int[] strides, int offset) {
        Strided on(Backend be, float[] storage) {
            return new Strided(be.upload(storage), shape, strides, offset);
        }

        boolean broadcasts() {
            return IntStream.range(0, shape.length).anyMatch(d -> strides[d] == 0 && shape[d] > 1);
        }

        @Override
        public String toString() {
            return name + " " + Arrays.toString(shape) + " strides " + Arrays.toString(strides) + " offset " + offset;
        }
    }

    /**
     * Dimensions laid out outermost to innermost in {@code order}, each padded by {@code pad}
     * elements, the broadcast ones with stride 0, the first element at {@code offset}.
     */
    private static Layout layout(String name, int[] shape, int[] order, int pad, int offset, boolean[] broadcast) {
        int[] strides = new int[shape.length];
        int acc = 1;
        for (int m = order.length - 1; m >= 0; m--) {
            int d = order[m];
            if (!broadcast[d]) {
                strides[d] = acc;
                acc *= shape[d] + pad;
            }
        }
        return new Layout(name, offset + acc, shape, strides, offset);
    }

    /** Contiguous, padded with an offset, transposed (dimensions in reverse memory order), broadcast. */
    private static List<Layout> layouts(int... shape) {
        int r = shape.length;
        int[] order = IntStream.range(0, r).toArray();
        int[] reversed = IntStream.range(0, r).map(i -> r - 1 - i).toArray();
        boolean[] none = new boolean[r];
        List<Layout> ls = new ArrayList<>();
        ls.add(layout("contiguous", shape, order, 0, 0, none));
        ls.add(layout("padded at offset 3", shape, order, 1, 3, none));
        if (r >= 2) {
            ls.add(layout("transposed", shape, reversed, 0, 0, none));
            ls.add(layout("transposed, padded at offset 2", shape, reversed, 2, 2, none));
            boolean[] first = none.clone();
            first[0] = true;
            ls.add(layout("broadcast along dim 0", shape, order, 0, 1, first));
            boolean[] last = none.clone();
            last[r - 1] = true;
            ls.add(layout("broadcast along the last dim, transposed", shape, reversed, 0, 0, last));
        }
        boolean[] all = new boolean[r];
        Arrays.fill(all, true);
        ls.add(layout("one value broadcast everywhere", shape, order, 0, 2, all));
        return ls;
    }

    private static List<Layout> writableLayouts(int... shape) {
        return layouts(shape).stream().filter(l -> !l.broadcasts()).toList();
    }

    private static final float[] SPECIALS = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 0f, -0f};

    /** Gaussian values (scale 2), and with {@code specials} about one in eight a NaN, an infinity or a signed zero. */
    private static float[] values(Random r, int n, boolean specials) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = specials && r.nextInt(8) == 0 ? SPECIALS[r.nextInt(SPECIALS.length)] : (float) (2 * r.nextGaussian());
        }
        return v;
    }

    /** The same view on both backends. */
    private record Pair(Strided cpu, Strided f64) {
        static Pair of(Layout l, float[] storage) {
            return new Pair(l.on(CPU, storage), l.on(F64, storage));
        }

        /** A contiguous output at offset 2 of a slightly larger storage (kernels must honour the offset). */
        static Pair out(int... shape) {
            int n = Arrays.stream(shape).reduce(1, (a, b) -> a * b);
            float[] garbage = new float[n + 3];
            Arrays.fill(garbage, 12345f);
            return new Pair(Strided.contiguous(CPU.upload(garbage), shape).as(shape, Strided.contiguousStrides(shape), 2),
                    Strided.contiguous(F64.upload(garbage), shape).as(shape, Strided.contiguousStrides(shape), 2));
        }

        float[] cpuValues() {
            return CPU.download(cpu);
        }

        float[] f64Values() {
            return F64.download(f64);
        }

        /** Every element of the storage, written or not. */
        float[] cpuStorage() {
            return CPU.download(Strided.contiguous(cpu.storage(), cpu.storage().size()));
        }

        float[] f64Storage() {
            return F64.download(Strided.contiguous(f64.storage(), f64.storage().size()));
        }
    }

    // ------------------------------------------------------------------ comparisons

    private static void assertBits(String what, float[] cpu, float[] f64) {
        assertEquals(cpu.length, f64.length, what + ": length");
        for (int i = 0; i < cpu.length; i++) {
            if (Float.floatToIntBits(cpu[i]) != Float.floatToIntBits(f64[i])) {
                fail(what + ": element " + i + ": cpu " + cpu[i] + ", float64 " + f64[i]);
            }
        }
    }

    /** Within {@code ulps} ulp of the larger magnitude; NaN matches NaN and an infinity itself. */
    private static void assertUlps(String what, float[] cpu, float[] f64, int ulps) {
        assertEquals(cpu.length, f64.length, what + ": length");
        for (int i = 0; i < cpu.length; i++) {
            float a = cpu[i];
            float b = f64[i];
            boolean ok = Float.isNaN(a) || Float.isNaN(b) || Float.isInfinite(a) || Float.isInfinite(b)
                    ? Float.floatToIntBits(a) == Float.floatToIntBits(b)
                    : Math.abs(a - b) <= ulps * Math.ulp(Math.max(Math.abs(a), Math.abs(b)));
            if (!ok) {
                fail(what + ": element " + i + ": cpu " + a + ", float64 " + b + " (more than " + ulps + " ulp apart)");
            }
        }
    }

    /** |cpu - f64| within {@code bound[i]}, both finite. */
    private static void assertWithin(String what, float[] cpu, float[] f64, double[] bound) {
        assertEquals(cpu.length, f64.length, what + ": length");
        for (int i = 0; i < cpu.length; i++) {
            if (!(Math.abs((double) cpu[i] - f64[i]) <= bound[i])) {
                fail(what + ": element " + i + ": cpu " + cpu[i] + ", float64 " + f64[i] + ", bound " + bound[i]);
            }
        }
    }

    // ------------------------------------------------------------------ elementwise

    @Test
    void fillWritesExactlyTheViewsElements() {
        Random r = new Random(1);
        for (Layout l : writableLayouts(SHAPE)) {
            for (float value : new float[] {3.5f, -0f, Float.NaN, Float.NEGATIVE_INFINITY}) {
                Pair p = Pair.of(l, values(r, l.size(), false));
                CPU.fill(p.cpu(), value);
                F64.fill(p.f64(), value);
                assertBits("fill " + value + " into " + l, p.cpuStorage(), p.f64Storage());
            }
        }
    }

    @Test
    void copyBetweenAnyTwoLayouts() {
        Random r = new Random(2);
        for (Layout src : layouts(SHAPE)) {
            for (Layout dst : writableLayouts(SHAPE)) {
                Pair s = Pair.of(src, values(r, src.size(), true));
                Pair d = Pair.of(dst, values(r, dst.size(), false));
                CPU.copy(s.cpu(), d.cpu());
                F64.copy(s.f64(), d.f64());
                assertBits("copy " + src + " -> " + dst, d.cpuStorage(), d.f64Storage());
            }
        }
    }

    @Test
    void unaryOps() {
        Random r = new Random(3);
        for (UnaryOp op : UnaryOp.values()) {
            for (Layout l : layouts(SHAPE)) {
                Pair x = Pair.of(l, values(r, l.size(), true));
                Pair out = Pair.out(SHAPE);
                CPU.unary(op, x.cpu(), out.cpu());
                F64.unary(op, x.f64(), out.f64());
                assertUlps(op + " of " + l, out.cpuStorage(), out.f64Storage(), ULPS);
            }
        }
    }

    private static boolean exact(BinaryOp op) {
        return op != BinaryOp.ADD && op != BinaryOp.SUB && op != BinaryOp.MUL && op != BinaryOp.DIV && op != BinaryOp.POW;
    }

    private static void assertBinary(BinaryOp op, String what, Pair out) {
        if (exact(op)) {
            assertBits(op + " " + what, out.cpuStorage(), out.f64Storage());
        } else {
            assertUlps(op + " " + what, out.cpuStorage(), out.f64Storage(), ULPS);
        }
    }

    @Test
    void binaryOpsOnAnyTwoLayouts() {
        Random r = new Random(4);
        for (BinaryOp op : BinaryOp.values()) {
            for (Layout la : layouts(SHAPE)) {
                for (Layout lb : layouts(SHAPE)) {
                    Pair a = Pair.of(la, values(r, la.size(), true));
                    float[] bv = values(r, lb.size(), true);
                    if (exact(op)) {
                        // ties, so that == and max(x, x) are exercised
                        for (int i = 0; i < bv.length; i += 3) {
                            bv[i] = r.nextInt(3) - 1;
                        }
                    }
                    Pair b = Pair.of(lb, bv);
                    Pair out = Pair.out(SHAPE);
                    CPU.binary(op, a.cpu(), b.cpu(), out.cpu());
                    F64.binary(op, a.f64(), b.f64(), out.f64());
                    assertBinary(op, la + " with " + lb, out);
                }
            }
        }
    }

    @Test
    void binaryOpsWithAScalarOnEitherSide() {
        Random r = new Random(5);
        float[] scalars = {2.5f, -3f, 0.5f, 0f, -0f, 1f, Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY};
        for (BinaryOp op : BinaryOp.values()) {
            for (Layout l : layouts(SHAPE)) {
                for (float s : scalars) {
                    float[] v = values(r, l.size(), true);
                    v[l.offset()] = s; // a tie with the scalar
                    Pair x = Pair.of(l, v);
                    Pair out = Pair.out(SHAPE);
                    CPU.binary(op, x.cpu(), s, out.cpu());
                    F64.binary(op, x.f64(), s, out.f64());
                    assertBinary(op, l + " with scalar " + s, out);
                    Pair out2 = Pair.out(SHAPE);
                    CPU.binary(op, s, x.cpu(), out2.cpu());
                    F64.binary(op, s, x.f64(), out2.f64());
                    assertBinary(op, "scalar " + s + " with " + l, out2);
                }
            }
        }
    }

    @Test
    void whereSelectsWithoutArithmetic() {
        Random r = new Random(6);
        float[] conditions = {0f, -0f, 1f, 2f, Float.NaN};
        for (Layout lc : layouts(SHAPE)) {
            for (Layout la : layouts(SHAPE)) {
                Layout lb = layouts(SHAPE).get(r.nextInt(layouts(SHAPE).size()));
                float[] cv = new float[lc.size()];
                for (int i = 0; i < cv.length; i++) {
                    cv[i] = conditions[r.nextInt(conditions.length)];
                }
                Pair c = Pair.of(lc, cv);
                Pair a = Pair.of(la, values(r, la.size(), true));
                Pair b = Pair.of(lb, values(r, lb.size(), true));
                Pair out = Pair.out(SHAPE);
                CPU.where(c.cpu(), a.cpu(), b.cpu(), out.cpu());
                F64.where(c.f64(), a.f64(), b.f64(), out.f64());
                assertBits("where " + lc + " ? " + la + " : " + lb, out.cpuStorage(), out.f64Storage());
            }
        }
    }

    @Test
    void axpyWithinTheRoundingOfTheProduct() {
        Random r = new Random(7);
        for (Layout lx : layouts(SHAPE)) {
            for (float alpha : new float[] {0.5f, -3.25f, 1e-3f, 0.1f}) {
                float[] xv = values(r, lx.size(), false);
                float[] yv = values(r, 60, false);
                Pair x = Pair.of(lx, xv);
                Pair y = Pair.of(layouts(SHAPE).get(0), yv);
                float[] xs = F64.download(x.f64());
                CPU.axpy(alpha, x.cpu(), y.cpu());
                F64.axpy(alpha, x.f64(), y.f64());
                // float32: fl(y + fl(alpha x)); float64 rounds once: they differ by at most half an
                // ulp of alpha x plus one of the result
                double[] bound = new double[60];
                for (int i = 0; i < 60; i++) {
                    bound[i] = Math.ulp((float) Math.abs(alpha * xs[i])) + Math.ulp((float) (Math.abs(yv[i]) + Math.abs(alpha * xs[i])));
                }
                assertWithin("axpy " + alpha + " x " + lx, y.cpuValues(), y.f64Values(), bound);
            }
        }
    }

    // ------------------------------------------------------------------ reductions

    /** Every subset of x's dimensions, as the keepdim output shape. */
    private static List<int[]> reducedShapes(int[] shape) {
        List<int[]> out = new ArrayList<>();
        for (int mask = 0; mask < 1 << shape.length; mask++) {
            int[] s = shape.clone();
            for (int d = 0; d < shape.length; d++) {
                if ((mask & 1 << d) != 0) {
                    s[d] = 1;
                }
            }
            out.add(s);
        }
        return out;
    }

    @Test
    void reduceOverEverySubsetOfDimensions() {
        Random r = new Random(8);
        for (ReduceOp op : ReduceOp.values()) {
            for (Layout l : layouts(SHAPE)) {
                for (int[] outShape : reducedShapes(SHAPE)) {
                    for (boolean specials : new boolean[] {false, true}) {
                        Pair x = Pair.of(l, values(r, l.size(), specials));
                        Pair out = Pair.out(outShape);
                        CPU.reduce(op, x.cpu(), out.cpu());
                        F64.reduce(op, x.f64(), out.f64());
                        String what = op + " of " + l + " to " + Arrays.toString(outShape) + (specials ? " with NaN/inf" : "");
                        if (op == ReduceOp.SUM) {
                            assertUlps(what, out.cpuStorage(), out.f64Storage(), ULPS);
                        } else {
                            assertBits(what, out.cpuStorage(), out.f64Storage());
                        }
                    }
                }
            }
        }
    }

    @Test
    void emptyReductionsGiveTheIdentity() {
        for (Backend be : List.of(CPU, F64)) {
            Strided x = Strided.contiguous(be.allocate(0), 2, 0, 3);
            float[][] expected = {{0, 0, 0, 0, 0, 0},
                {Float.NEGATIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NEGATIVE_INFINITY,
                    Float.NEGATIVE_INFINITY, Float.NEGATIVE_INFINITY},
                {Float.POSITIVE_INFINITY, Float.POSITIVE_INFINITY, Float.POSITIVE_INFINITY, Float.POSITIVE_INFINITY,
                    Float.POSITIVE_INFINITY, Float.POSITIVE_INFINITY}};
            for (ReduceOp op : ReduceOp.values()) {
                Strided out = Strided.contiguous(be.allocate(6), 2, 1, 3);
                be.fill(out, 7f);
                be.reduce(op, x, out);
                assertArrayEquals(expected[op.ordinal()], be.download(out), be.name() + " " + op + " over an empty dim");
                Strided all = Strided.contiguous(be.allocate(1), 1, 1, 1);
                be.reduce(op, x, all);
                assertEquals(expected[op.ordinal()][0], be.download(all)[0], be.name() + " " + op + " of no elements");
            }
        }
    }

    @Test
    void reduceWithIndexAlongEveryDimension() {
        Random r = new Random(9);
        for (ReduceOp op : new ReduceOp[] {ReduceOp.MAX, ReduceOp.MIN}) {
            for (Layout l : layouts(SHAPE)) {
                for (int dim = 0; dim < SHAPE.length; dim++) {
                    for (boolean specials : new boolean[] {false, true}) {
                        float[] v = values(r, l.size(), specials);
                        for (int i = 0; i < v.length; i++) {
                            if (!Float.isNaN(v[i]) && r.nextBoolean()) {
                                v[i] = r.nextInt(3) - 1; // ties
                            }
                        }
                        Pair x = Pair.of(l, v);
                        int[] k = SHAPE.clone();
                        k[dim] = 1;
                        Pair values = Pair.out(k);
                        Pair indices = Pair.out(k);
                        CPU.reduceWithIndex(op, x.cpu(), dim, values.cpu(), indices.cpu());
                        F64.reduceWithIndex(op, x.f64(), dim, values.f64(), indices.f64());
                        String what = op + " with index along " + dim + " of " + l + (specials ? " with NaN/inf" : "");
                        assertBits(what + ": values", values.cpuStorage(), values.f64Storage());
                        assertBits(what + ": indices", indices.cpuStorage(), indices.f64Storage());
                    }
                }
            }
        }
    }

    // ------------------------------------------------------------------ indexing

    private static final int[] INPUT = {4, 5, 6};

    /** An index shape for gather/scatter along {@code dim}: 7 along it, one less than INPUT elsewhere. */
    private static int[] indexShape(int dim) {
        int[] s = INPUT.clone();
        for (int d = 0; d < s.length; d++) {
            s[d] = d == dim ? 7 : s[d] - 1;
        }
        return s;
    }

    private static float[] indexValues(Random r, int n, int bound) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = r.nextInt(bound);
        }
        return v;
    }

    @Test
    void gatherAlongEveryDimension() {
        Random r = new Random(10);
        for (int dim = 0; dim < INPUT.length; dim++) {
            int[] is = indexShape(dim);
            for (Layout li : layouts(INPUT)) {
                for (Layout lx : layouts(is)) {
                    Pair input = Pair.of(li, values(r, li.size(), true));
                    Pair index = Pair.of(lx, indexValues(r, lx.size(), INPUT[dim]));
                    Pair out = Pair.out(is);
                    CPU.gather(dim, input.cpu(), index.cpu(), out.cpu());
                    F64.gather(dim, input.f64(), index.f64(), out.f64());
                    assertBits("gather along " + dim + " from " + li + " at " + lx, out.cpuStorage(), out.f64Storage());
                }
            }
        }
    }

    @Test
    void scatterAddAlongEveryDimension() {
        Random r = new Random(11);
        for (int dim = 0; dim < INPUT.length; dim++) {
            int[] is = indexShape(dim);
            for (Layout lo : writableLayouts(INPUT)) {
                for (Layout ls : layouts(is)) {
                    Layout lx = layouts(is).get(r.nextInt(layouts(is).size()));
                    // multiples of 1/8 below 8 in magnitude: every sum of a few of them is exact in float,
                    // so repeated indices must agree bit for bit whatever the precision
                    float[] ov = new float[lo.size()];
                    float[] sv = new float[ls.size()];
                    for (float[] a : new float[][] {ov, sv}) {
                        for (int i = 0; i < a.length; i++) {
                            a[i] = (r.nextInt(128) - 64) / 8f;
                        }
                    }
                    Pair out = Pair.of(lo, ov);
                    Pair src = Pair.of(ls, sv);
                    Pair index = Pair.of(lx, indexValues(r, lx.size(), INPUT[dim]));
                    CPU.scatterAdd(dim, index.cpu(), src.cpu(), out.cpu());
                    F64.scatterAdd(dim, index.f64(), src.f64(), out.f64());
                    assertBits("scatter_add along " + dim + " of " + ls + " at " + lx + " into " + lo,
                            out.cpuStorage(), out.f64Storage());
                }
            }
        }
    }

    @Test
    void indexChecksFailAlikeOnBothBackends() {
        for (float bad : new float[] {4f, -1f, 100f, 1.5f, Float.NaN}) {
            float[] iv = {0, 1, bad, 2};
            List<RuntimeException> errors = new ArrayList<>();
            for (Backend be : List.of(CPU, F64)) {
                Strided input = Strided.contiguous(be.upload(new float[] {1, 2, 3, 4}), 4);
                Strided index = Strided.contiguous(be.upload(iv), 4);
                Strided out = Strided.contiguous(be.allocate(4), 4);
                RuntimeException g = assertThrows(RuntimeException.class, () -> be.gather(0, input, index, out));
                RuntimeException s = assertThrows(RuntimeException.class, () -> be.scatterAdd(0, index, input, out));
                errors.add(g);
                errors.add(s);
                boolean whole = bad == Math.rint(bad);
                for (RuntimeException e : List.of(g, s)) {
                    if (whole) {
                        assertTrue(e instanceof IndexOutOfRangeException, be.name() + ": " + e);
                        assertEquals((long) bad, ((IndexOutOfRangeException) e).index(), be.name());
                    } else {
                        assertEquals(IllegalArgumentException.class, e.getClass(), be.name() + ": " + e);
                    }
                }
            }
            assertEquals(errors.get(0).getMessage(), errors.get(2).getMessage(), "gather message for index " + bad);
            assertEquals(errors.get(1).getMessage(), errors.get(3).getMessage(), "scatter_add message for index " + bad);
        }
    }

    // ------------------------------------------------------------------ products and softmax

    /** The three-dimensional batched layouts of matmul operands: row-major, transposed, padded, broadcast batch. */
    private static List<Layout> matrixLayouts(int batch, int rows, int cols) {
        int[] shape = {batch, rows, cols};
        boolean[] none = new boolean[3];
        boolean[] batchBroadcast = {true, false, false};
        return List.of(layout("row-major", shape, new int[] {0, 1, 2}, 0, 0, none),
                layout("transposed", shape, new int[] {0, 2, 1}, 0, 1, none),
                layout("padded at offset 3", shape, new int[] {0, 1, 2}, 2, 3, none),
                layout("broadcast batch, transposed", shape, new int[] {0, 2, 1}, 1, 0, batchBroadcast));
    }

    @Test
    void matmulWithinTheFloat32DotProductBound() {
        Random r = new Random(12);
        int[][] sizes = {{1, 1, 1, 1}, {2, 3, 4, 5}, {3, 1, 7, 1}, {2, 37, 70, 45}, {1, 64, 129, 33}, {2, 5, 0, 3}};
        for (int[] s : sizes) {
            int batch = s[0];
            int m = s[1];
            int k = s[2];
            int n = s[3];
            for (Layout la : matrixLayouts(batch, m, k)) {
                for (Layout lb : matrixLayouts(batch, k, n)) {
                    Pair a = Pair.of(la, values(r, la.size(), false));
                    Pair b = Pair.of(lb, values(r, lb.size(), false));
                    Pair out = Pair.out(batch, m, n);
                    CPU.matmul(a.cpu(), b.cpu(), out.cpu());
                    F64.matmul(a.f64(), b.f64(), out.f64());
                    // |fl32(sum) - sum| <= gamma_k sum |a b| (Higham 3.1); the float64 sum is far closer
                    double[] av = F64.downloadDoubles(a.f64());
                    double[] bv = F64.downloadDoubles(b.f64());
                    double[] bound = new double[batch * m * n];
                    double u = Math.ulp(1f) / 2;
                    for (int p = 0; p < batch; p++) {
                        for (int i = 0; i < m; i++) {
                            for (int j = 0; j < n; j++) {
                                double abs = 0;
                                for (int q = 0; q < k; q++) {
                                    abs += Math.abs(av[(p * m + i) * k + q] * bv[(p * k + q) * n + j]);
                                }
                                bound[(p * m + i) * n + j] = 2 * (k + 2) * u * abs;
                            }
                        }
                    }
                    assertWithin("matmul " + Arrays.toString(s) + " " + la + " . " + lb, out.cpuValues(), out.f64Values(), bound);
                }
            }
        }
    }

    @Test
    void softmaxAndLogSoftmaxAlongEveryDimension() {
        Random r = new Random(13);
        for (Layout l : layouts(SHAPE)) {
            for (int dim = 0; dim < SHAPE.length; dim++) {
                for (boolean log : new boolean[] {false, true}) {
                    for (boolean specials : new boolean[] {false, true}) {
                        float[] v = values(r, l.size(), false);
                        if (specials) {
                            for (int i = 0; i < v.length; i++) {
                                if (r.nextInt(4) == 0) {
                                    v[i] = Float.NEGATIVE_INFINITY; // masked logits, and some rows entirely masked
                                } else if (r.nextInt(40) == 0) {
                                    v[i] = r.nextBoolean() ? Float.NaN : Float.POSITIVE_INFINITY;
                                }
                            }
                        }
                        Pair x = Pair.of(l, v);
                        Pair out = Pair.out(SHAPE);
                        CPU.softmax(x.cpu(), dim, log, out.cpu());
                        F64.softmax(x.f64(), dim, log, out.f64());
                        assertUlps((log ? "log_softmax" : "softmax") + " along " + dim + " of " + l
                                + (specials ? " with -inf/NaN" : ""), out.cpuStorage(), out.f64Storage(), ULPS);
                    }
                }
            }
        }
        // a 0-dim tensor is one row of one element
        for (boolean log : new boolean[] {false, true}) {
            Pair x = Pair.of(new Layout("0-dim", 1, new int[0], new int[0], 0), new float[] {3f});
            Pair out = Pair.out();
            CPU.softmax(x.cpu(), 0, log, out.cpu());
            F64.softmax(x.f64(), 0, log, out.f64());
            assertBits("0-dim softmax", out.cpuStorage(), out.f64Storage());
        }
    }

    @Test
    void softmaxBackwardAlongEveryDimension() {
        Random r = new Random(14);
        for (Layout ly : layouts(SHAPE)) {
            for (Layout lg : layouts(SHAPE)) {
                for (int dim = 0; dim < SHAPE.length; dim++) {
                    for (boolean log : new boolean[] {false, true}) {
                        float[] yv = values(r, ly.size(), false);
                        for (int i = 0; i < yv.length; i++) {
                            yv[i] = log ? -Math.abs(yv[i]) : Math.abs(yv[i]) / 4; // plausible outputs
                        }
                        Pair y = Pair.of(ly, yv);
                        Pair gy = Pair.of(lg, values(r, lg.size(), false));
                        Pair gx = Pair.out(SHAPE);
                        CPU.softmaxBackward(y.cpu(), gy.cpu(), dim, log, gx.cpu());
                        F64.softmaxBackward(y.f64(), gy.f64(), dim, log, gx.f64());
                        assertUlps((log ? "log_softmax" : "softmax") + " backward along " + dim + ", y " + ly
                                + ", gy " + lg, gx.cpuStorage(), gx.f64Storage(), ULPS);
                    }
                }
            }
        }
    }

    // ------------------------------------------------------------------ hand-computed cases, on both backends

    private static void onBoth(Consumer<Backend> check) {
        check.accept(CPU);
        check.accept(F64);
    }

    private static Strided vec(Backend be, float... v) {
        return Strided.contiguous(be.upload(v), v.length);
    }

    private static final float NAN = Float.NaN;
    private static final float INF = Float.POSITIVE_INFINITY;

    @Test
    void maxAndMinPropagateNaNFromEitherSide() {
        onBoth(be -> {
            Strided a = vec(be, NAN, 1, 2, 5);
            Strided b = vec(be, 1, NAN, 3, 5);
            Strided out = vec(be, 0, 0, 0, 0);
            be.binary(BinaryOp.MAX, a, b, out);
            assertArrayEquals(new float[] {NAN, NAN, 3, 5}, be.download(out), be.name() + " maximum");
            be.binary(BinaryOp.MIN, a, b, out);
            assertArrayEquals(new float[] {NAN, NAN, 2, 5}, be.download(out), be.name() + " minimum");
            Strided m = Strided.contiguous(be.allocate(1), 1);
            be.reduce(ReduceOp.MAX, vec(be, 1, NAN, INF), m);
            assertArrayEquals(new float[] {NAN}, be.download(m), be.name() + " amax with a NaN");
            be.reduce(ReduceOp.MIN, vec(be, NAN, -INF), m);
            assertArrayEquals(new float[] {NAN}, be.download(m), be.name() + " amin with a NaN first");
        });
    }

    @Test
    void whereNeverLetsTheOtherBranchLeak() {
        onBoth(be -> {
            Strided out = vec(be, 0, 0, 0, 0);
            be.where(vec(be, 1, 0, NAN, -0f), vec(be, INF, NAN, 5, INF), vec(be, NAN, -INF, NAN, 7), out);
            assertArrayEquals(new float[] {INF, -INF, 5, 7}, be.download(out), be.name() + " where");
        });
    }

    @Test
    void reduceWithIndexTakesTheFirstTieAndTheFirstNaN() {
        onBoth(be -> {
            float[][] rows = {{3, 1, 3}, {1, NAN, 5}, {-INF, -INF, -INF}, {NAN, 2, NAN}};
            float[] maxIdx = {0, 1, 0, 0};
            float[] minVal = {1, NAN, -INF, NAN};
            float[] minIdx = {1, 1, 0, 0};
            float[] flat = new float[12];
            for (int i = 0; i < 4; i++) {
                System.arraycopy(rows[i], 0, flat, 3 * i, 3);
            }
            Strided x = Strided.contiguous(be.upload(flat), 4, 3);
            Strided v = Strided.contiguous(be.allocate(4), 4, 1);
            Strided i = Strided.contiguous(be.allocate(4), 4, 1);
            be.reduceWithIndex(ReduceOp.MAX, x, 1, v, i);
            assertArrayEquals(new float[] {3, NAN, -INF, NAN}, be.download(v), be.name() + " max values");
            assertArrayEquals(maxIdx, be.download(i), be.name() + " max indices");
            be.reduceWithIndex(ReduceOp.MIN, x, 1, v, i);
            assertArrayEquals(minVal, be.download(v), be.name() + " min values");
            assertArrayEquals(minIdx, be.download(i), be.name() + " min indices");
            assertThrows(IllegalArgumentException.class, () -> be.reduceWithIndex(ReduceOp.SUM, x, 1, v, i));
        });
    }

    @Test
    void scatterAddAccumulatesRepeatedIndices() {
        onBoth(be -> {
            Strided out = vec(be, 10, 20, 30);
            be.scatterAdd(0, vec(be, 0, 2, 0, 0), vec(be, 1, 2, 3, 4), out);
            assertArrayEquals(new float[] {18, 20, 32}, be.download(out), be.name() + " scatter_add");
            Strided g = vec(be, 0, 0, 0, 0);
            be.gather(0, vec(be, 7, 8, 9), vec(be, 2, 2, 0, 1), g);
            assertArrayEquals(new float[] {9, 9, 7, 8}, be.download(g), be.name() + " gather");
        });
    }

    @Test
    void softmaxOfMaskedRows() {
        onBoth(be -> {
            Strided x = Strided.contiguous(be.upload(new float[] {0, -INF, -INF, -INF, 1, 1}), 3, 2);
            Strided out = Strided.contiguous(be.allocate(6), 3, 2);
            be.softmax(x, 1, false, out);
            // a fully masked row is 0/0, NaN, as torch.softmax gives
            assertArrayEquals(new float[] {1, 0, NAN, NAN, 0.5f, 0.5f}, be.download(out), be.name() + " softmax");
            be.softmax(x, 1, true, out);
            float ln2 = (float) -Math.log(2);
            assertArrayEquals(new float[] {0, -INF, NAN, NAN, ln2, ln2}, be.download(out), be.name() + " log_softmax");
        });
    }

    @Test
    void elementwiseSignsAndZeros() {
        onBoth(be -> {
            Strided x = vec(be, -0f, NAN, -2, 3);
            Strided out = vec(be, 0, 0, 0, 0);
            be.unary(UnaryOp.RELU, x, out);
            assertArrayEquals(new float[] {-0f, NAN, 0, 3}, be.download(out), be.name() + " relu keeps -0 and NaN");
            be.unary(UnaryOp.SIGN, x, out);
            assertArrayEquals(new float[] {-0f, NAN, -1, 1}, be.download(out), be.name() + " sign");
            be.binary(BinaryOp.EQ, x, x, out);
            assertArrayEquals(new float[] {1, 0, 1, 1}, be.download(out), be.name() + " NaN != NaN");
            Strided c = Strided.contiguous(be.allocate(4), 2, 2);
            be.matmul(Strided.contiguous(be.upload(new float[] {1, 2, 3, 4}), 1, 2, 2),
                    Strided.contiguous(be.upload(new float[] {5, 6, 7, 8}), 1, 2, 2), c.as(new int[] {1, 2, 2}, new int[] {4, 2, 1}, 0));
            assertArrayEquals(new float[] {19, 22, 43, 50}, be.download(c), be.name() + " matmul");
        });
    }

    // ------------------------------------------------------------------ float64 itself

    @Test
    void doublesGoInAndOutExactly() {
        double[] d = {0.1, 1 + 1e-12, -Math.PI, Double.MIN_VALUE, 1e300, Double.NaN, -0.0};
        Strided x = Strided.contiguous(F64.upload(d), d.length);
        assertArrayEquals(d, F64.downloadDoubles(x), "upload(double[]) / downloadDoubles round trip");
        float[] f = F64.download(x);
        for (int i = 0; i < d.length; i++) {
            assertEquals((float) d[i], f[i], "download rounds element " + i + " to float");
        }
        Strided sum = Strided.contiguous(F64.allocate(1), 1);
        F64.binary(BinaryOp.ADD, vecD(0.1), vecD(0.2), sum);
        assertEquals(0.1 + 0.2, F64.downloadDoubles(sum)[0], 0.0, "arithmetic is double");
        F64.reduce(ReduceOp.SUM, vecD(1, 1e-10, -1), sum);
        assertEquals(1 + 1e-10 - 1, F64.downloadDoubles(sum)[0], 0.0, "sums accumulate in double");
        // a transposed view comes back in logical order
        Strided t = new Strided(F64.upload(new double[] {1, 2, 3, 4, 5, 6}), new int[] {3, 2}, new int[] {1, 3}, 0);
        assertArrayEquals(new double[] {1, 4, 2, 5, 3, 6}, F64.downloadDoubles(t));
    }

    private static Strided vecD(double... v) {
        return Strided.contiguous(F64.upload(v), v.length);
    }

    @Test
    void storagesCountVersionsCloseAndAreTracked() {
        Backend be = Backends.create("float64", 4);
        assertEquals("float64", be.name());
        assertTrue(Backends.available().containsAll(List.of("cpu", "float64")), Backends.available().toString());
        Storage s = be.allocate(10);
        assertEquals(10, s.size());
        assertEquals(be, s.backend());
        assertEquals(80, be.memory().liveBytes());
        Storage z = be.allocateZeroed(5);
        assertArrayEquals(new float[5], be.download(Strided.contiguous(z, 5)));
        assertEquals(120, be.memory().liveBytes());
        assertEquals(0, s.version());
        s.bumpVersion();
        s.bumpVersion();
        assertEquals(2, s.version());
        s.close();
        s.close(); // idempotent
        assertTrue(s.isClosed());
        assertEquals(40, be.memory().liveBytes());
        assertEquals(120, be.memory().peakBytes());
        assertThrows(IllegalStateException.class, () -> be.download(Strided.contiguous(s, 10)));
        // a storage of another backend is refused, not misread
        Strided cpu = Strided.contiguous(CPU.allocate(3), 3);
        assertThrows(IllegalArgumentException.class, () -> be.fill(cpu, 1f));
    }
}
