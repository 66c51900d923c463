package unboxed.autogradpost;

import static unboxed.autogradpost.CheckedInput.Values.AWAY_FROM_ZERO;
import static unboxed.autogradpost.CheckedInput.Values.DISTINCT;
import static unboxed.autogradpost.CheckedInput.Values.DISTINCT_SHIFTED;
import static unboxed.autogradpost.CheckedInput.Values.DIVISOR;
import static unboxed.autogradpost.CheckedInput.Values.NORMAL;
import static unboxed.autogradpost.CheckedInput.Values.POSITIVE;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.BinaryOperator;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import java.util.stream.IntStream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import unboxed.autograd.Autograd;
import unboxed.autogradpost.CheckedInput.Values;
import unboxed.backend.Window2d;
import unboxed.nn.functional.F;
import unboxed.tensor.Op;
import unboxed.tensor.Rng;
import unboxed.tensor.Shape;
import unboxed.tensor.Tensor;

/**
 * The catalogue of gradient-check cases: for every op of the registry ({@link Op}), a jqwik
 * {@link Arbitrary} that draws random cases of it. A case is
 * <ul>
 *   <li>random shapes: rank 0 to 4 where the op allows, sizes 1 to 4 (at most {@value #MAX_NUMEL}
 *       elements an input, so that a case takes milliseconds), broadcast against each other where
 *       the op broadcasts;</li>
 *   <li>a random layout for every differentiated input ({@link #input}): contiguous, transposed,
 *       expanded or sliced, each equally likely among those the shape allows;</li>
 *   <li>a random argument set, PyTorch's: dims and keepdim, exponents, scalars, softmax dims,
 *       reshape targets, narrow ranges, gather and scatter indices, where conditions, and the
 *       kernel, stride, padding, dilation, groups, ceil_mode, count_include_pad and
 *       divisor_override of unfold, fold, conv2d, conv_transpose2d and the poolings;</li>
 *   <li>values smooth within a step of every input ({@link CheckedInput.Values}): positive for
 *       log, away from zero for relu, distinct for max.</li>
 * </ul>
 * The same arbitraries feed the experiment, which draws from them with a seeded
 * {@link java.util.Random} (so a seed gives the same cases bit for bit), and the property tests.
 * {@link #of} is a switch over every constant of {@link Op}: a new op without cases does not compile.
 */
final class GradientCases {
    /** The most elements one input has: a case runs 2 x (elements) forward passes. */
    static final int MAX_NUMEL = 48;

    private GradientCases() {
    }

    /** Random cases of {@code op}. */
    static Arbitrary<GradientCase> of(Op op) {
        return switch (op) {
            case ADD -> Arbitraries.oneOf(binary(op, NORMAL, NORMAL, Tensor::add),
                    withScalar(op, NORMAL, scalars(), "other", Tensor::add));
            case SUB -> Arbitraries.oneOf(binary(op, NORMAL, NORMAL, Tensor::sub),
                    withScalar(op, NORMAL, scalars(), "other", Tensor::sub));
            case RSUB -> withScalar(op, NORMAL, scalars(), "other", (x, s) -> x.rsub(s));
            case MUL -> Arbitraries.oneOf(binary(op, NORMAL, NORMAL, Tensor::mul),
                    withScalar(op, NORMAL, scalars(), "other", Tensor::mul),
                    unary(op, NORMAL, "input * input (the same tensor twice)", 0, x -> x.mul(x)));
            case DIV -> Arbitraries.oneOf(binary(op, NORMAL, DIVISOR, Tensor::div),
                    withScalar(op, NORMAL, scalars().filter(s -> Math.abs(s) >= 0.5f), "other", Tensor::div));
            case POW -> Arbitraries.of(0f, 1f, 2f, 3f, -1f, -2f, 0.5f, 1.5f, -0.5f, 2.5f).flatMap(p ->
                    unary(op, p >= 0 && p == Math.rint(p) ? NORMAL : POSITIVE, "exponent=" + p, 0, x -> x.pow(p)));
            case NEG -> unary(op, NORMAL, "", 0, Tensor::neg);
            case EXP -> unary(op, NORMAL, "", 0, Tensor::exp);
            case LOG -> unary(op, POSITIVE, "", 0, Tensor::log);
            case SQRT -> unary(op, POSITIVE, "", 0, Tensor::sqrt);
            case RELU -> unary(op, AWAY_FROM_ZERO, "", 0, Tensor::relu);
            case SIGMOID -> unary(op, NORMAL, "", 0, Tensor::sigmoid);
            case TANH -> unary(op, NORMAL, "", 0, Tensor::tanh);
            case ABS -> unary(op, AWAY_FROM_ZERO, "", 0, Tensor::abs);
            case MAXIMUM -> binary(op, DISTINCT, DISTINCT_SHIFTED, Tensor::maximum);
            case WHERE -> Arbitraries.oneOf(where(), whereOfItsOwnSign());
            case SUM -> unary(op, NORMAL, "", 0, Tensor::sum);
            case SUM_DIMS -> reduceOverDims(op, NORMAL, false, (x, d, k) -> x.sum(d, k));
            case MEAN -> unary(op, NORMAL, "", 0, Tensor::mean);
            case MEAN_DIMS -> reduceOverDims(op, NORMAL, false, (x, d, k) -> x.mean(d, k));
            case AMAX -> reduceOverDims(op, DISTINCT, true, (x, d, k) -> x.amax(d, k));
            case MAX -> unary(op, DISTINCT, "", 0, Tensor::max);
            case MAX_DIM -> oneDim(op, DISTINCT, true, (x, d, k) -> x.max(d, k).values());
            case BMM -> matmul();
            case SOFTMAX -> oneDim(op, NORMAL, false, (x, d, k) -> x.softmax(d));
            case LOG_SOFTMAX -> oneDim(op, NORMAL, false, (x, d, k) -> x.logSoftmax(d));
            case CLONE -> unary(op, NORMAL, "", 0, Tensor::copy);
            case RESHAPE -> reshape();
            case TRANSPOSE -> transpose();
            case PERMUTE -> permute();
            case EXPAND -> expand();
            case UNSQUEEZE -> unsqueeze();
            case SQUEEZE -> squeeze();
            case NARROW -> narrow(op, (x, n) -> x.narrow(n[0], n[1], n[2]));
            case NARROW_BACKWARD -> narrow(op, GradientCases::narrowGradient);
            case GATHER -> gather();
            case SCATTER_ADD -> scatterAdd();
            case UNFOLD -> unfold();
            case CONV2D -> conv2d();
            case FOLD -> fold();
            case CONV_TRANSPOSE2D -> convTranspose2d();
            case MAX_POOL2D -> maxPool2d();
            case AVG_POOL2D -> avgPool2d(op);
            case AVG_POOL2D_BACKWARD -> avgPool2d(op);
        };
    }

    // ------------------------------------------------------------------ building blocks

    private static Arbitrary<Integer> ints(int min, int max) {
        return Arbitraries.integers().between(min, max);
    }

    private static Arbitrary<Boolean> bools() {
        return Arbitraries.of(false, true);
    }

    private static Arbitrary<Long> seeds() {
        return Arbitraries.longs();
    }

    /** Scalar operands, two decimals, in [-3, 3]. */
    private static Arbitrary<Float> scalars() {
        return Arbitraries.floats().between(-3, 3).ofScale(2);
    }

    private static int[] array(List<Integer> l) {
        return l.stream().mapToInt(Integer::intValue).toArray();
    }

    /** Shapes of rank minRank..maxRank, sizes 1..maxSize, at most MAX_NUMEL elements. */
    static Arbitrary<int[]> shapes(int minRank, int maxRank, int maxSize) {
        return ints(1, maxSize).list().ofMinSize(minRank).ofMaxSize(maxRank).map(GradientCases::array)
                .filter(s -> Shape.numel(s) <= MAX_NUMEL);
    }

    static Arbitrary<int[]> shapes(int minRank, int maxRank) {
        return shapes(minRank, maxRank, 4);
    }

    /**
     * The input {@code name} of {@code shape} in a random layout: contiguous always; transposed
     * when two dimensions have more than one element; expanded when one has; sliced when the
     * tensor has a dimension.
     */
    static Arbitrary<CheckedInput> input(String name, int[] shape, Values values) {
        int r = shape.length;
        long wide = Arrays.stream(shape).filter(n -> n > 1).count();
        List<Arbitrary<CheckedInput>> layouts = new ArrayList<>();
        layouts.add(seeds().map(s -> CheckedInput.contiguous(name, shape, values, s)));
        if (wide >= 2) {
            Arbitrary<int[]> orders = Arbitraries.shuffle(IntStream.range(0, r).boxed().toList())
                    .map(GradientCases::array).filter(o -> reordersMemory(shape, o));
            layouts.add(Combinators.combine(orders, seeds())
                    .as((o, s) -> CheckedInput.transposed(name, shape, o, values, s)));
        }
        if (wide >= 1) {
            Arbitrary<Integer> leads = ints(0, r);
            Arbitrary<List<Boolean>> masks = bools().list().ofSize(r);
            layouts.add(Combinators.combine(leads, masks, seeds())
                    .filter((lead, mask, s) -> broadcastsSomething(shape, lead, mask))
                    .as((lead, mask, s) -> CheckedInput.expanded(name, shape, lead, booleans(mask), values, s)));
        }
        if (r >= 1) {
            Arbitrary<int[]> extras = ints(0, 2).list().ofSize(r).map(GradientCases::array)
                    .filter(e -> Arrays.stream(e).sum() > 0);
            layouts.add(extras.flatMap(extra -> {
                List<Arbitrary<Integer>> starts = new ArrayList<>();
                for (int e : extra) {
                    starts.add(ints(0, e));
                }
                Arbitrary<int[]> start = Combinators.combine(starts).as(GradientCases::array)
                        .filter(st -> Arrays.stream(st).sum() > 0); // an offset into the storage
                return Combinators.combine(start, seeds())
                        .as((st, s) -> CheckedInput.sliced(name, shape, extra, st, values, s));
            }));
        }
        return Arbitraries.oneOf(layouts);
    }

    /** Whether permuting a base by {@code order} gives a non-contiguous view: the dims with more than one element change order. */
    private static boolean reordersMemory(int[] shape, int[] order) {
        int last = -1;
        for (int i = 0; i < shape.length; i++) {
            if (shape[i] > 1) {
                if (order[i] < last) {
                    return true;
                }
                last = order[i];
            }
        }
        return false;
    }

    private static boolean broadcastsSomething(int[] shape, int lead, List<Boolean> mask) {
        for (int i = 0; i < shape.length; i++) {
            if (shape[i] > 1 && (i < lead || mask.get(i))) {
                return true;
            }
        }
        return false;
    }

    private static boolean[] booleans(List<Boolean> l) {
        boolean[] b = new boolean[l.size()];
        for (int i = 0; i < b.length; i++) {
            b[i] = l.get(i);
        }
        return b;
    }

    /** {@code count} shapes that broadcast together: each drops some leading dims of one shape and sets some others to 1. */
    static Arbitrary<int[][]> broadcastShapes(int count, int minRank, int maxRank) {
        return shapes(minRank, maxRank).flatMap(out -> {
            Arbitrary<int[]> one = Combinators.combine(ints(0, out.length), bools().list().ofSize(out.length))
                    .as((drop, ones) -> {
                        int[] s = Arrays.copyOfRange(out, drop, out.length);
                        for (int i = 0; i < s.length; i++) {
                            if (ones.get(i + drop)) {
                                s[i] = 1;
                            }
                        }
                        return s;
                    });
            return one.list().ofSize(count).map(l -> l.toArray(new int[0][]));
        });
    }

    /** A case from its inputs' arbitraries and a seed for the upstream gradient. */
    private static Arbitrary<GradientCase> caseOf(Op op, String args, List<Arbitrary<CheckedInput>> inputs,
                                                  GradientCase.Fn f) {
        return Combinators.combine(Combinators.combine(inputs).as(List::copyOf), seeds())
                .as((in, seed) -> new GradientCase(op, args, in, f, seed));
    }

    private static Arbitrary<GradientCase> unary(Op op, Values v, String args, int minRank, UnaryOperator<Tensor> f) {
        return shapes(minRank, 4).flatMap(s -> caseOf(op, args, List.of(input("input", s, v)), in -> f.apply(in[0])));
    }

    private static Arbitrary<GradientCase> binary(Op op, Values va, Values vb, BinaryOperator<Tensor> f) {
        return broadcastShapes(2, 0, 4).flatMap(s -> caseOf(op, "", List.of(input("input", s[0], va),
                input("other", s[1], vb)), in -> f.apply(in[0], in[1])));
    }

    @FunctionalInterface
    private interface WithScalar {
        Tensor apply(Tensor x, float s);
    }

    private static Arbitrary<GradientCase> withScalar(Op op, Values v, Arbitrary<Float> scalars, String name,
                                                      WithScalar f) {
        return scalars.flatMap(s -> unary(op, v, name + "=" + s, 0, x -> f.apply(x, s)));
    }

    // ------------------------------------------------------------------ where

    /** {@code torch.where(condition, input, other)}, a random mask, all three broadcast together. */
    private static Arbitrary<GradientCase> where() {
        return Combinators.combine(broadcastShapes(3, 0, 4), seeds()).flatAs((s, maskSeed) -> {
            double[] mask = new double[Shape.numel(s[0])];
            Rng r = new Rng(maskSeed);
            for (int i = 0; i < mask.length; i++) {
                mask[i] = r.nextDouble() < 0.5 ? 1 : 0;
            }
            Tensor condition = Tensor.ofDoubles(GradientChecker.F64, mask, s[0]);
            return caseOf(Op.WHERE, "condition " + Shape.str(s[0]) + " " + Arrays.toString(Arrays.stream(mask)
                            .mapToInt(m -> (int) m).toArray()),
                    List.of(input("input", s[1], NORMAL), input("other", s[2], NORMAL)),
                    in -> Tensor.where(condition, in[0], in[1]));
        });
    }

    /** {@code torch.where(input > 0, input, other)}: the mask computed from the checked input itself. */
    private static Arbitrary<GradientCase> whereOfItsOwnSign() {
        return broadcastShapes(2, 0, 4).flatMap(s -> caseOf(Op.WHERE, "condition=input > 0",
                List.of(input("input", s[0], AWAY_FROM_ZERO), input("other", s[1], NORMAL)),
                in -> Tensor.where(in[0].gt(0f), in[0], in[1])));
    }

    // ------------------------------------------------------------------ reductions and softmax

    @FunctionalInterface
    private interface Reduce<D> {
        Tensor apply(Tensor x, D dims, boolean keepdim);
    }

    /** A dim in [-r, r-1], PyTorch's range: negative dims count from the end. */
    private static Arbitrary<Integer> dims(int rank) {
        return ints(-rank, rank - 1);
    }

    /**
     * sum, mean or amax over a random set of dims (each written positive or negative) with random
     * keepdim. sum and mean reduce at least one dim and not all of them without keepdim (that is
     * SumBackward0, the other registry entry); amax may get no dims, meaning all.
     */
    private static Arbitrary<GradientCase> reduceOverDims(Op op, Values v, boolean emptyMeansAll,
                                                          Reduce<int[]> f) {
        return shapes(1, 4).flatMap(s -> {
            int r = s.length;
            Arbitrary<List<Integer>> order = Arbitraries.shuffle(IntStream.range(0, r).boxed().toList());
            Arbitrary<int[]> picked = Combinators.combine(order, ints(emptyMeansAll ? 0 : 1, r),
                    bools().list().ofSize(r)).as((o, k, neg) -> {
                        int[] d = new int[k];
                        for (int i = 0; i < k; i++) {
                            d[i] = neg.get(i) ? o.get(i) - r : o.get(i);
                        }
                        return d;
                    });
            return Combinators.combine(picked, bools())
                    .filter((d, keep) -> emptyMeansAll || keep || d.length < r)
                    .flatAs((d, keep) -> caseOf(op, "dim=" + Arrays.toString(d) + ", keepdim=" + py(keep),
                            List.of(input("input", s, v)), in -> f.apply(in[0], d, keep)));
        });
    }

    /** max(dim, keepdim), softmax(dim), log_softmax(dim): one dim of a rank 1..4 input. */
    private static Arbitrary<GradientCase> oneDim(Op op, Values v, boolean keepdim, Reduce<Integer> f) {
        return shapes(1, 4).flatMap(s -> Combinators.combine(dims(s.length), keepdim ? bools() : Arbitraries.just(false))
                .flatAs((d, keep) -> caseOf(op, "dim=" + d + (keepdim ? ", keepdim=" + py(keep) : ""),
                        List.of(input("input", s, v)), in -> f.apply(in[0], d, keep))));
    }

    // ------------------------------------------------------------------ matmul

    /**
     * {@code torch.matmul} in all its forms, every one a batched product underneath: each operand
     * a vector, a matrix or a batch of matrices, the batch dimensions broadcast against each other.
     */
    private static Arbitrary<GradientCase> matmul() {
        Arbitrary<Integer> forms = ints(1, 3); // 1: a vector, 2: a matrix, 3: a batch of matrices
        return Combinators.combine(forms, forms, ints(1, 4), ints(1, 4), ints(1, 4), shapes(1, 2, 3), batchOf(),
                        batchOf())
                .as((fa, fb, m, k, n, batch, ba, bb) -> new int[][] {
                    fa == 1 ? new int[] {k} : fa == 2 ? new int[] {m, k} : concat(ba.apply(batch), m, k),
                    fb == 1 ? new int[] {k} : fb == 2 ? new int[] {k, n} : concat(bb.apply(batch), k, n)})
                .filter(s -> Shape.numel(s[0]) <= MAX_NUMEL && Shape.numel(s[1]) <= MAX_NUMEL)
                .flatMap(s -> caseOf(Op.BMM, "", List.of(input("input", s[0], NORMAL), input("other", s[1], NORMAL)),
                        in -> in[0].matmul(in[1])));
    }

    /** A batch shape broadcastable to the drawn one: some leading dims dropped, some others set to 1. */
    private static Arbitrary<Function<int[], int[]>> batchOf() {
        return Combinators.combine(ints(0, 2), bools().list().ofSize(2)).as((drop, ones) -> batch -> {
            int from = Math.min(drop, batch.length);
            int[] s = Arrays.copyOfRange(batch, from, batch.length);
            for (int i = 0; i < s.length; i++) {
                if (ones.get(i)) {
                    s[i] = 1;
                }
            }
            return s;
        });
    }

    private static int[] concat(int[] head, int... tail) {
        int[] out = Arrays.copyOf(head, head.length + tail.length);
        System.arraycopy(tail, 0, out, head.length, tail.length);
        return out;
    }

    // ------------------------------------------------------------------ views

    /** reshape to a random factorisation of the element count, one size sometimes written -1. */
    private static Arbitrary<GradientCase> reshape() {
        return shapes(0, 4).flatMap(s -> Combinators.combine(ints(0, 4), ints(0, 1000).list().ofSize(3), ints(-1, 3))
                .flatAs((rank, picks, inferred) -> {
                    int[] target = factorise(Shape.numel(s), rank, picks);
                    if (inferred >= 0 && inferred < target.length) {
                        target[inferred] = -1;
                    }
                    return caseOf(Op.RESHAPE, "shape=" + Shape.str(target), List.of(input("input", s, NORMAL)),
                            in -> in[0].reshape(target));
                }));
    }

    /** {@code numel} as a product of {@code rank} sizes (rank 0 only for one element), chosen by {@code picks}. */
    private static int[] factorise(int numel, int rank, List<Integer> picks) {
        if (rank == 0) {
            return numel == 1 ? new int[0] : new int[] {numel};
        }
        int[] t = new int[rank];
        int rest = numel;
        for (int i = 0; i < rank - 1; i++) {
            int left = rest;
            int[] divisors = IntStream.rangeClosed(1, left).filter(d -> left % d == 0).toArray();
            t[i] = divisors[picks.get(i) % divisors.length];
            rest /= t[i];
        }
        t[rank - 1] = rest;
        return t;
    }

    private static Arbitrary<GradientCase> transpose() {
        return shapes(1, 4).flatMap(s -> Combinators.combine(dims(s.length), dims(s.length))
                .flatAs((d0, d1) -> caseOf(Op.TRANSPOSE, "dim0=" + d0 + ", dim1=" + d1,
                        List.of(input("input", s, NORMAL)), in -> in[0].transpose(d0, d1))));
    }

    private static Arbitrary<GradientCase> permute() {
        return shapes(1, 4).flatMap(s -> Combinators.combine(
                Arbitraries.shuffle(IntStream.range(0, s.length).boxed().toList()), bools().list().ofSize(s.length))
                .flatAs((order, neg) -> {
                    int[] dims = new int[s.length];
                    for (int i = 0; i < dims.length; i++) {
                        dims[i] = neg.get(i) ? order.get(i) - s.length : order.get(i);
                    }
                    return caseOf(Op.PERMUTE, "dims=" + Arrays.toString(dims), List.of(input("input", s, NORMAL)),
                            in -> in[0].permute(dims));
                }));
    }

    /** expand: new leading dims, size-1 dims widened, kept dims sometimes written -1. */
    private static Arbitrary<GradientCase> expand() {
        Arbitrary<int[]> sources = ints(1, 3).list().ofMinSize(0).ofMaxSize(3).map(GradientCases::array);
        return Combinators.combine(sources, ints(1, 3).list().ofMinSize(0).ofMaxSize(2), ints(1, 3).list().ofSize(3),
                        bools().list().ofSize(3), bools().list().ofSize(3))
                .as((src, lead, widths, ones, minusOne) -> {
                    int[] s = src.clone();
                    for (int i = 0; i < s.length; i++) {
                        if (ones.get(i)) {
                            s[i] = 1;
                        }
                    }
                    int[] target = concat(array(lead), new int[s.length]);
                    for (int i = 0; i < s.length; i++) {
                        int at = lead.size() + i;
                        target[at] = s[i] == 1 ? widths.get(i) : (minusOne.get(i) ? -1 : s[i]);
                    }
                    return new int[][] {s, target};
                })
                .filter(st -> Shape.numel(resolve(st)) <= MAX_NUMEL && !Arrays.equals(st[0], resolve(st)))
                .flatMap(st -> caseOf(Op.EXPAND, "size=" + Shape.str(st[1]), List.of(input("input", st[0], NORMAL)),
                        in -> in[0].expand(st[1])));
    }

    private static int[] resolve(int[][] sourceAndTarget) {
        int[] s = sourceAndTarget[0];
        int[] t = sourceAndTarget[1].clone();
        for (int i = 0; i < t.length; i++) {
            if (t[i] == -1) {
                t[i] = s[i - (t.length - s.length)];
            }
        }
        return t;
    }

    private static Arbitrary<GradientCase> unsqueeze() {
        return shapes(0, 3).flatMap(s -> ints(-s.length - 1, s.length).flatMap(d -> caseOf(Op.UNSQUEEZE, "dim=" + d,
                List.of(input("input", s, NORMAL)), in -> in[0].unsqueeze(d))));
    }

    /** squeeze(dim) of a dim of size 1 (squeezing a larger one is a no-op that records nothing). */
    private static Arbitrary<GradientCase> squeeze() {
        return shapes(1, 4).flatMap(s -> Combinators.combine(ints(0, s.length - 1), bools()).flatAs((d, neg) -> {
            int[] shape = s.clone();
            shape[d] = 1;
            int dim = neg ? d - s.length : d;
            return caseOf(Op.SQUEEZE, "dim=" + dim, List.of(input("input", shape, NORMAL)), in -> in[0].squeeze(dim));
        }));
    }

    @FunctionalInterface
    private interface Narrow {
        Tensor apply(Tensor x, int[] dimStartLength);
    }

    /** narrow(dim, start, length), and the same range through narrow's own backward. */
    private static Arbitrary<GradientCase> narrow(Op op, Narrow f) {
        return shapes(1, 4).flatMap(s -> dims(s.length).flatMap(dim -> {
            int size = s[dim < 0 ? dim + s.length : dim];
            return ints(0, size - 1).flatMap(start -> ints(1, size - start).flatMap(length -> {
                int[] n = {dim, start, length};
                String args = "dim=" + dim + ", start=" + start + ", length=" + length
                        + (op == Op.NARROW_BACKWARD ? "; d/dx of sum(narrow(x)^2), squared (create_graph)" : "");
                return caseOf(op, args, List.of(input("input", s, NORMAL)), in -> f.apply(in[0], n));
            }));
        }));
    }

    /**
     * The gradient of sum(narrow(x)^2) with respect to x, computed with create_graph and squared:
     * a function of x whose graph holds narrow's backward, so checking its gradient checks that
     * backward's own backward.
     */
    private static Tensor narrowGradient(Tensor input, int[] n) {
        try (Autograd.GradMode ignored = Autograd.enableGrad()) {
            Tensor x = input.requiresGrad() ? input : input.detach().requiresGrad(true);
            Tensor y = x.narrow(n[0], n[1], n[2]);
            Tensor g = Autograd.grad(List.of(y.mul(y).sum()), List.of(x), null, true, true, false).get(0);
            return g.mul(g);
        }
    }

    // ------------------------------------------------------------------ gather, scatter_add

    private static Tensor indices(int[] shape, int bound, long seed) {
        Rng r = new Rng(seed);
        double[] v = new double[Shape.numel(shape)];
        for (int i = 0; i < v.length; i++) {
            v[i] = r.nextInt(bound);
        }
        return Tensor.ofDoubles(GradientChecker.F64, v, shape);
    }

    private static String describeIndex(Tensor index) {
        double[] v = index.toDoubleArray();
        StringBuilder b = new StringBuilder("index ").append(Shape.str(index.shape())).append(" [");
        for (int i = 0; i < v.length; i++) {
            b.append(i == 0 ? "" : ", ").append((int) v[i]);
        }
        return b.append(']').toString();
    }

    /** gather(dim, index): index no larger than the input except along dim; indices repeat. */
    private static Arbitrary<GradientCase> gather() {
        return shapes(1, 3).flatMap(s -> ints(0, s.length - 1).flatMap(d -> {
            List<Arbitrary<Integer>> sizes = new ArrayList<>();
            for (int k = 0; k < s.length; k++) {
                sizes.add(k == d ? ints(1, 4) : ints(1, s[k]));
            }
            return Combinators.combine(Combinators.combine(sizes).as(GradientCases::array), bools(), seeds())
                    .flatAs((is, neg, seed) -> {
                        Tensor index = indices(is, s[d], seed);
                        int dim = neg ? d - s.length : d;
                        return caseOf(Op.GATHER, "dim=" + dim + ", " + describeIndex(index),
                                List.of(input("input", s, NORMAL)), in -> in[0].gather(dim, index));
                    });
        }));
    }

    /** scatter_add(dim, index, src): gradients to input and src; index no larger than src, nor than input except along dim. */
    private static Arbitrary<GradientCase> scatterAdd() {
        return shapes(1, 3).flatMap(s -> ints(0, s.length - 1).flatMap(d -> {
            List<Arbitrary<Integer>> sizes = new ArrayList<>();
            for (int k = 0; k < s.length; k++) {
                sizes.add(k == d ? ints(1, 4) : ints(1, s[k]));
            }
            return Combinators.combine(Combinators.combine(sizes).as(GradientCases::array),
                    ints(0, 1).list().ofSize(s.length), bools(), seeds()).flatAs((is, extra, neg, seed) -> {
                        Tensor index = indices(is, s[d], seed);
                        int[] src = is.clone();
                        for (int k = 0; k < src.length; k++) {
                            src[k] += extra.get(k);
                        }
                        int dim = neg ? d - s.length : d;
                        return caseOf(Op.SCATTER_ADD, "dim=" + dim + ", " + describeIndex(index),
                                List.of(input("input", s, NORMAL), input("src", src, NORMAL)),
                                in -> in[0].scatterAdd(dim, index, in[1]));
                    });
        }));
    }

    // ------------------------------------------------------------------ convolutions: unfold and fold

    /** Kernel 1..3, stride 1..2, padding 0..maxPad, dilation 1..maxDilation, each per axis. */
    private static Arbitrary<Window2d> windows(int maxPad, int maxDilation) {
        return Combinators.combine(ints(1, 3), ints(1, 3), ints(1, 2), ints(1, 2), ints(0, maxPad), ints(0, maxPad),
                ints(1, maxDilation), ints(1, maxDilation)).as(Window2d::new);
    }

    private static int[] pair(int a, int b) {
        return a == b ? new int[] {a} : new int[] {a, b}; // PyTorch takes an int for both axes or a pair
    }

    private static String words(Window2d w) {
        return "kernel_size=" + Arrays.toString(pair(w.kernelH(), w.kernelW())) + ", dilation="
                + Arrays.toString(pair(w.dilationH(), w.dilationW())) + ", padding="
                + Arrays.toString(pair(w.padH(), w.padW())) + ", stride=" + Arrays.toString(pair(w.strideH(), w.strideW()));
    }

    /** N 1..2, C 1..maxC, H and W 1..5: 4-D, or 3-D when {@code unbatched}. */
    private static Arbitrary<int[]> images(int maxC, boolean allowUnbatched) {
        return Combinators.combine(ints(1, 2), ints(1, maxC), ints(1, 5), ints(1, 5),
                allowUnbatched ? bools() : Arbitraries.just(false))
                .as((n, c, h, w, unbatched) -> unbatched ? new int[] {c, h, w} : new int[] {n, c, h, w})
                .filter(s -> Shape.numel(s) <= MAX_NUMEL);
    }

    /** F.unfold(input, kernel_size, dilation, padding, stride) of a 4-D input. */
    private static Arbitrary<GradientCase> unfold() {
        return Combinators.combine(images(2, false), windows(1, 2))
                .filter((s, w) -> w.outH(s[2], false) >= 1 && w.outW(s[3], false) >= 1)
                .flatAs((s, w) -> caseOf(Op.UNFOLD, words(w), List.of(input("input", s, NORMAL)),
                        in -> F.unfold(in[0], pair(w.kernelH(), w.kernelW()), pair(w.dilationH(), w.dilationW()),
                                pair(w.padH(), w.padW()), pair(w.strideH(), w.strideW()))));
    }

    /**
     * F.conv2d(input, weight, bias, stride, padding, dilation, groups), one op defined by its unfold
     * form (unfold, one batched product, the bias); groups 1..2, a bias or none, padding as numbers, 'same' (stride 1) or 'valid',
     * batched or not. Input, weight and bias are all checked.
     */
    private static Arbitrary<GradientCase> conv2d() {
        Arbitrary<int[]> channels = Combinators.combine(ints(1, 2), ints(1, 2), ints(1, 2))
                .as((groups, perGroupIn, perGroupOut) -> new int[] {groups, groups * perGroupIn, groups * perGroupOut});
        return Combinators.combine(channels, ints(1, 2), ints(1, 5), ints(1, 5), bools(), windows(1, 2),
                        Arbitraries.of("numbers", "same", "valid"), bools())
                .as((ch, n, h, w, unbatched, win, padding, bias) -> new Conv(ch[0], ch[1], ch[2],
                        unbatched ? new int[] {ch[1], h, w} : new int[] {n, ch[1], h, w}, win, padding, bias))
                .filter(Conv::valid)
                .flatMap(c -> {
                    List<Arbitrary<CheckedInput>> in = new ArrayList<>();
                    in.add(input("input", c.input, NORMAL));
                    in.add(input("weight", c.weight(), NORMAL));
                    if (c.bias) {
                        in.add(input("bias", new int[] {c.out}, NORMAL));
                    }
                    return caseOf(Op.CONV2D, "conv2d: " + c.words(), in, t -> c.apply(t));
                });
    }

    /** A conv2d argument set. */
    private record Conv(int groups, int in, int out, int[] input, Window2d w, String padding, boolean bias) {
        int[] weight() {
            return new int[] {out, in / groups, w.kernelH(), w.kernelW()};
        }

        Window2d effective() {
            return switch (padding) {
                case "same" -> new Window2d(w.kernelH(), w.kernelW(), 1, 1, 0, 0, w.dilationH(), w.dilationW());
                case "valid" -> new Window2d(w.kernelH(), w.kernelW(), w.strideH(), w.strideW(), 0, 0, w.dilationH(),
                        w.dilationW());
                default -> w;
            };
        }

        boolean valid() {
            int d = input.length;
            Window2d e = effective();
            return Shape.numel(input) <= MAX_NUMEL && Shape.numel(weight()) <= MAX_NUMEL
                    && ("same".equals(padding) || (e.outH(input[d - 2], false) >= 1 && e.outW(input[d - 1], false) >= 1));
        }

        Tensor apply(Tensor[] t) {
            Tensor b = bias ? t[2] : null;
            Window2d e = effective();
            int[] stride = pair(e.strideH(), e.strideW());
            int[] dilation = pair(e.dilationH(), e.dilationW());
            if ("numbers".equals(padding)) {
                return F.conv2d(t[0], t[1], b, stride, pair(e.padH(), e.padW()), dilation, groups);
            }
            return F.conv2d(t[0], t[1], b, stride, padding, dilation, groups);
        }

        String words() {
            Window2d e = effective();
            return "groups=" + groups + ", stride=" + Arrays.toString(pair(e.strideH(), e.strideW())) + ", padding="
                    + ("numbers".equals(padding) ? Arrays.toString(pair(e.padH(), e.padW())) : "'" + padding + "'")
                    + ", dilation=" + Arrays.toString(pair(e.dilationH(), e.dilationW())) + ", bias=" + py(bias);
        }
    }

    /** A fold argument set: the output size, the window, and the input [N, C*kh*kw, L] they call for. */
    private record Fold(int[] size, Window2d w, int[] input) {
        static Fold of(int n, int c, int h, int w, Window2d win) {
            return new Fold(new int[] {h, w}, win,
                    new int[] {n, c * win.kernelH() * win.kernelW(), win.outH(h, false) * win.outW(w, false)});
        }
    }

    /** F.fold(input, output_size, kernel_size, dilation, padding, stride): [N, C*kh*kw, L] to [N, C, H, W]. */
    private static Arbitrary<GradientCase> fold() {
        return Combinators.combine(ints(1, 2), ints(1, 2), ints(1, 5), ints(1, 5), windows(1, 2)).as(Fold::of)
                .filter(f -> f.input[2] >= 1 && Shape.numel(f.input) <= MAX_NUMEL)
                .flatMap(f -> {
                    Window2d w = f.w;
                    return caseOf(Op.FOLD, "output_size=" + Arrays.toString(f.size) + ", " + words(w),
                            List.of(input("input", f.input, NORMAL)), in -> F.fold(in[0], f.size,
                                    pair(w.kernelH(), w.kernelW()), pair(w.dilationH(), w.dilationW()),
                                    pair(w.padH(), w.padW()), pair(w.strideH(), w.strideW())));
                });
    }

    /** A conv_transpose2d argument set: channels [groups, C_in, C_out / groups], input shape, window, output_padding. */
    private record ConvTranspose(int[] ch, int[] input, Window2d w, int[] outputPadding, boolean bias) {
        int[] weight() {
            return new int[] {ch[1], ch[2], w.kernelH(), w.kernelW()};
        }

        boolean valid() {
            int d = input.length;
            int[] op = outputPadding;
            boolean padOk = (op[0] < w.strideH() || op[0] < w.dilationH()) && (op[1] < w.strideW() || op[1] < w.dilationW());
            int oh = (input[d - 2] - 1) * w.strideH() - 2 * w.padH() + w.dilationH() * (w.kernelH() - 1) + op[0] + 1;
            int ow = (input[d - 1] - 1) * w.strideW() - 2 * w.padW() + w.dilationW() * (w.kernelW() - 1) + op[1] + 1;
            return padOk && oh >= 1 && ow >= 1 && Shape.numel(input) <= MAX_NUMEL && Shape.numel(weight()) <= MAX_NUMEL;
        }

        String words() {
            return "conv_transpose2d: groups=" + ch[0] + ", stride=" + Arrays.toString(pair(w.strideH(), w.strideW()))
                    + ", padding=" + Arrays.toString(pair(w.padH(), w.padW())) + ", output_padding="
                    + Arrays.toString(pair(outputPadding[0], outputPadding[1])) + ", dilation="
                    + Arrays.toString(pair(w.dilationH(), w.dilationW())) + ", bias=" + py(bias);
        }

        Tensor apply(Tensor[] t) {
            return F.convTranspose2d(t[0], t[1], bias ? t[2] : null, pair(w.strideH(), w.strideW()),
                    pair(w.padH(), w.padW()), pair(outputPadding[0], outputPadding[1]), ch[0],
                    pair(w.dilationH(), w.dilationW()));
        }
    }

    /**
     * F.conv_transpose2d(input, weight, bias, stride, padding, output_padding, groups, dilation):
     * a product with the weight, then fold; output_padding below the stride or the dilation.
     */
    private static Arbitrary<GradientCase> convTranspose2d() {
        Arbitrary<int[]> channels = Combinators.combine(ints(1, 2), ints(1, 2), ints(1, 2))
                .as((groups, perGroupIn, perGroupOut) -> new int[] {groups, groups * perGroupIn, perGroupOut});
        return Combinators.combine(channels, ints(1, 2), ints(1, 4), ints(1, 4), bools(), windows(1, 2),
                        ints(0, 1).list().ofSize(2), bools())
                .as((ch, n, h, w, unbatched, win, outPad, bias) -> new ConvTranspose(ch,
                        unbatched ? new int[] {ch[1], h, w} : new int[] {n, ch[1], h, w}, win, array(outPad), bias))
                .filter(ConvTranspose::valid)
                .flatMap(c -> {
                    List<Arbitrary<CheckedInput>> in = new ArrayList<>();
                    in.add(input("input", c.input, NORMAL));
                    in.add(input("weight", c.weight(), NORMAL));
                    if (c.bias) {
                        in.add(input("bias", new int[] {c.ch[0] * c.ch[2]}, NORMAL));
                    }
                    return caseOf(Op.CONV_TRANSPOSE2D, c.words(), in, c::apply);
                });
    }

    // ------------------------------------------------------------------ pooling

    /** A pooling argument set: input shape, window, ceil_mode, and whether the stride was left to default (None). */
    private record Pool(int[] input, Window2d w, boolean ceil, boolean strideNone) {
        boolean valid() {
            int d = input.length;
            return seesInput(input[d - 2], w.kernelH(), w.strideH(), w.padH(), w.dilationH(), w.outH(input[d - 2], ceil))
                    && seesInput(input[d - 1], w.kernelW(), w.strideW(), w.padW(), w.dilationW(), w.outW(input[d - 1], ceil));
        }

        int[] kernel() {
            return pair(w.kernelH(), w.kernelW());
        }

        int[] stride() {
            return strideNone ? null : pair(w.strideH(), w.strideW());
        }

        int[] padding() {
            return pair(w.padH(), w.padW());
        }

        String words(boolean dilation) {
            return "kernel_size=" + Arrays.toString(kernel()) + ", stride="
                    + (strideNone ? "None" : Arrays.toString(stride())) + ", padding=" + Arrays.toString(padding())
                    + (dilation ? ", dilation=" + Arrays.toString(pair(w.dilationH(), w.dilationW())) : "")
                    + ", ceil_mode=" + py(ceil);
        }
    }

    /**
     * Kernel 1..3, stride 1..3 or None (the kernel), padding up to half the kernel, dilation
     * 1..maxDilation, ceil_mode; an output of at least one element, and no window that sees only
     * padding (max pooling would give -inf there).
     */
    private static Arbitrary<Pool> pools(int maxDilation) {
        Arbitrary<Integer> strides = ints(0, 3); // 0: None
        Arbitrary<Pool> dilationAndCeil = Combinators.combine(ints(1, maxDilation), ints(1, maxDilation), bools())
                .as((dh, dw, ceil) -> new Pool(null, new Window2d(1, 1, 1, 1, 0, 0, dh, dw), ceil, false));
        return Combinators.combine(images(2, true), ints(1, 3), ints(1, 3), strides, strides, ints(0, 1), ints(0, 1),
                        dilationAndCeil)
                .as((s, kh, kw, sh, sw, ph, pw, rest) -> {
                    boolean none = sh == 0 || sw == 0;
                    Window2d w = new Window2d(kh, kw, none ? kh : sh, none ? kw : sw, Math.min(ph, kh / 2),
                            Math.min(pw, kw / 2), rest.w.dilationH(), rest.w.dilationW());
                    return new Pool(s, w, rest.ceil, none);
                })
                .filter(Pool::valid);
    }

    /** Whether there is at least one window along the axis, and every one covers an input element. */
    private static boolean seesInput(int in, int k, int stride, int pad, int dilation, int out) {
        if (out < 1) {
            return false;
        }
        for (int o = 0; o < out; o++) {
            boolean any = false;
            for (int j = 0; j < k; j++) {
                int at = o * stride - pad + j * dilation;
                any |= at >= 0 && at < in;
            }
            if (!any) {
                return false;
            }
        }
        return true;
    }

    /** F.max_pool2d on distinct values: no two elements of a window within a step of each other. */
    private static Arbitrary<GradientCase> maxPool2d() {
        return pools(2).flatMap(p -> caseOf(Op.MAX_POOL2D, p.words(true), List.of(input("input", p.input, DISTINCT)),
                in -> F.maxPool2d(in[0], p.kernel(), p.stride(), p.padding(), pair(p.w.dilationH(), p.w.dilationW()),
                        p.ceil)));
    }

    /** F.avg_pool2d with count_include_pad and divisor_override; for AVG_POOL2D_BACKWARD, through its backward. */
    private static Arbitrary<GradientCase> avgPool2d(Op op) {
        return Combinators.combine(pools(1), bools(), ints(0, 4)).flatAs((p, countIncludePad, divisor) -> {
            Integer override = divisor == 0 ? null : divisor;
            String args = p.words(false) + ", count_include_pad=" + py(countIncludePad)
                    + ", divisor_override=" + (override == null ? "None" : override)
                    + (op == Op.AVG_POOL2D_BACKWARD ? "; d/dx of sum(avg_pool2d(x)^2), squared (create_graph)" : "");
            UnaryOperator<Tensor> pool = x -> F.avgPool2d(x, p.kernel(), p.stride(), p.padding(), p.ceil,
                    countIncludePad, override);
            GradientCase.Fn f = op == Op.AVG_POOL2D ? in -> pool.apply(in[0]) : in -> secondOrder(in[0], pool);
            return caseOf(op, args, List.of(input("input", p.input, NORMAL)), f);
        });
    }

    /**
     * The gradient of sum(pool(x)^2) with respect to x (create_graph), squared: its graph holds
     * average pooling's backward, whose own backward is checked.
     */
    private static Tensor secondOrder(Tensor input, UnaryOperator<Tensor> pool) {
        try (Autograd.GradMode ignored = Autograd.enableGrad()) {
            Tensor x = input.requiresGrad() ? input : input.detach().requiresGrad(true);
            Tensor y = pool.apply(x);
            Tensor g = Autograd.grad(List.of(y.mul(y).sum()), List.of(x), null, true, true, false).get(0);
            return g.mul(g);
        }
    }

    private static String py(boolean b) {
        return b ? "True" : "False";
    }
}
