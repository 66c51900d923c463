package unboxed.autogradpost;

import java.util.Arrays;
import java.util.Locale;
import java.util.function.UnaryOperator;
import unboxed.autograd.Autograd;
import unboxed.backend.Backend;
import unboxed.tensor.Rng;
import unboxed.tensor.Shape;
import unboxed.tensor.Tensor;

/**
 * One input of a gradient-check case: a view of {@code shape} over a contiguous base tensor, in
 * one of four memory layouts, holding values of one profile.
 *
 * <p>The view is made with the engine's own view ops ({@code permute}, {@code expand},
 * {@code narrow}) under no_grad, so the tensor handed to the op is a leaf that really is strided:
 * the op's forward kernel reads it through its strides and offset, and its backward rule has to
 * return a gradient of the view's shape. The checker perturbs the base, element by element,
 * and compares with the analytic gradient mapped back onto the base (see {@link GradientChecker}).
 *
 * @param name     the input's role in the case ("input", "weight", "src", ...)
 * @param shape    the view's shape, what the op sees
 * @param layout   how the view lies over its base
 * @param baseShape the contiguous base the view is cut from
 * @param view     how the view is made from the base (engine view ops)
 * @param recipe   the view, in words: {@code "permute(1, 0) of [3, 2]"}
 * @param profile  the kind of values drawn (normal, positive, distinct, ...)
 * @param values   the base's values
 */
record CheckedInput(String name, int[] shape, Layout layout, int[] baseShape, UnaryOperator<Tensor> view,
                    String recipe, Values profile, double[] values) {

    /** Where a view's elements lie in memory. */
    enum Layout {
        /** Row-major without gaps: the view is the base. */
        CONTIGUOUS,
        /** The base's dimensions in another order ({@code permute}): no longer row-major. */
        TRANSPOSED,
        /** Broadcast dimensions of stride 0 ({@code expand}): many elements share one memory cell. */
        EXPANDED,
        /** A window of a larger base ({@code narrow}): a storage offset, and strides larger than the sizes. */
        SLICED;

        String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * The values an input holds, chosen so that the function is smooth within a step h of every
     * input: no kink (relu, abs) and no tie (max, maximum) closer than 0.05, no pole (log, div).
     */
    enum Values {
        /** Standard normal. */
        NORMAL,
        /** Uniform in [0.5, 2]: the domain of log, sqrt and fractional powers. */
        POSITIVE,
        /** |x| uniform in [0.1, 1.1] with a random sign: away from relu's and abs's kink at 0. */
        AWAY_FROM_ZERO,
        /** |x| uniform in [0.5, 2] with a random sign: divisors. */
        DIVISOR,
        /** Distinct values 0.1 apart, in random order, on the grid 0.1 k: no ties for max within a step. */
        DISTINCT,
        /** As DISTINCT, shifted by 0.05: never within 0.05 of a DISTINCT value (maximum's two operands). */
        DISTINCT_SHIFTED;

        double[] draw(long seed, int n) {
            Rng r = new Rng(seed);
            double[] v = new double[n];
            switch (this) {
                case NORMAL -> {
                    for (int i = 0; i < n; i++) {
                        v[i] = r.nextGaussian();
                    }
                }
                case POSITIVE -> {
                    for (int i = 0; i < n; i++) {
                        v[i] = 0.5 + 1.5 * r.nextDouble();
                    }
                }
                case AWAY_FROM_ZERO, DIVISOR -> {
                    double min = this == AWAY_FROM_ZERO ? 0.1 : 0.5;
                    double width = this == AWAY_FROM_ZERO ? 1.0 : 1.5;
                    for (int i = 0; i < n; i++) {
                        double x = min + width * r.nextDouble();
                        v[i] = r.nextDouble() < 0.5 ? -x : x;
                    }
                }
                case DISTINCT, DISTINCT_SHIFTED -> {
                    int[] p = r.permutation(n);
                    double shift = this == DISTINCT_SHIFTED ? 0.05 : 0;
                    for (int i = 0; i < n; i++) {
                        v[i] = 0.1 * (p[i] - n / 2) + shift;
                    }
                }
                default -> throw new AssertionError(this);
            }
            return v;
        }
    }

    /** A contiguous input. */
    static CheckedInput contiguous(String name, int[] shape, Values profile, long seed) {
        return new CheckedInput(name, shape.clone(), Layout.CONTIGUOUS, shape.clone(), UnaryOperator.identity(),
                Shape.str(shape), profile, profile.draw(seed, Shape.numel(shape)));
    }

    /** {@code base.permute(order)}: the base has dimension {@code order[i]} of the view's size {@code shape[i]}. */
    static CheckedInput transposed(String name, int[] shape, int[] order, Values profile, long seed) {
        int[] base = new int[shape.length];
        for (int i = 0; i < shape.length; i++) {
            base[order[i]] = shape[i];
        }
        int[] o = order.clone();
        return new CheckedInput(name, shape.clone(), Layout.TRANSPOSED, base, t -> t.permute(o),
                "permute" + args(o) + " of " + Shape.str(base), profile, profile.draw(seed, Shape.numel(base)));
    }

    /**
     * {@code base.expand(shape)}: the base lacks the first {@code lead} dimensions and has size 1
     * where {@code broadcast} is set; those dimensions get stride 0.
     */
    static CheckedInput expanded(String name, int[] shape, int lead, boolean[] broadcast, Values profile, long seed) {
        int[] base = Arrays.copyOfRange(shape, lead, shape.length);
        for (int i = 0; i < base.length; i++) {
            if (broadcast[i + lead]) {
                base[i] = 1;
            }
        }
        int[] s = shape.clone();
        return new CheckedInput(name, s, Layout.EXPANDED, base, t -> t.expand(s),
                "expand" + args(s) + " of " + Shape.str(base), profile, profile.draw(seed, Shape.numel(base)));
    }

    /** {@code base.narrow(d, start[d], shape[d])} for every d with {@code extra[d] > 0}; the base is larger by {@code extra}. */
    static CheckedInput sliced(String name, int[] shape, int[] extra, int[] start, Values profile, long seed) {
        int[] base = shape.clone();
        StringBuilder words = new StringBuilder();
        for (int d = 0; d < shape.length; d++) {
            base[d] += extra[d];
            if (extra[d] > 0) {
                words.append(words.length() == 0 ? "" : ".").append("narrow(").append(d).append(", ")
                        .append(start[d]).append(", ").append(shape[d]).append(')');
            }
        }
        int[] s = shape.clone();
        int[] st = start.clone();
        int[] ex = extra.clone();
        UnaryOperator<Tensor> view = t -> {
            Tensor v = t;
            for (int d = 0; d < s.length; d++) {
                if (ex[d] > 0) {
                    v = v.narrow(d, st[d], s[d]);
                }
            }
            return v;
        };
        return new CheckedInput(name, s, Layout.SLICED, base, view, words + " of " + Shape.str(base), profile,
                profile.draw(seed, Shape.numel(base)));
    }

    /** The view over a fresh base holding {@code baseValues}, made without recording: a strided leaf. */
    Tensor leaf(Backend backend, double[] baseValues) {
        Tensor base = Tensor.ofDoubles(backend, baseValues, baseShape);
        Tensor v = Autograd.noGrad(() -> view.apply(base));
        if (!Arrays.equals(v.shape(), shape)) {
            throw new IllegalStateException(name + ": the view " + recipe + " has shape " + Shape.str(v.shape())
                    + ", expected " + Shape.str(shape));
        }
        return v;
    }

    /** For the worst-case line of the report: {@code input [2, 3] transposed (permute(1, 0) of [3, 2])}. */
    String describe() {
        String s = name + " " + Shape.str(shape);
        return layout == Layout.CONTIGUOUS ? s : s + " " + layout.label() + " (" + recipe + ")";
    }

    private static String args(int[] a) {
        StringBuilder b = new StringBuilder("(");
        for (int i = 0; i < a.length; i++) {
            b.append(i == 0 ? "" : ", ").append(a[i]);
        }
        return b.append(')').toString();
    }
}
