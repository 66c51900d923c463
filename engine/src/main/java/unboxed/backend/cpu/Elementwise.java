package unboxed.backend.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import unboxed.backend.BinaryOp;
import unboxed.backend.UnaryOp;

/** The scalar definitions of the elementwise ops, shared by every CPU loop. */
final class Elementwise {
    private Elementwise() {
    }

    static float unary(UnaryOp op, float x) {
        switch (op) {
            case NEG: return -x;
            case EXP: return (float) Math.exp(x);
            case LOG: return (float) Math.log(x);
            case SQRT: return (float) Math.sqrt(x);
            case RSQRT: return (float) (1.0 / Math.sqrt(x));
            case ABS: return Math.abs(x);
            case SIGN: return Math.signum(x);
            case RECIPROCAL: return 1f / x;
            case SQUARE: return x * x;
            case RELU: return x < 0f ? 0f : x; // keeps NaN and -0.0, as torch.relu does
            case SIGMOID: return (float) (1.0 / (1.0 + Math.exp(-x)));
            case TANH: return (float) Math.tanh(x);
            case LOG1P: return (float) Math.log1p(x);
            default: throw new AssertionError(op);
        }
    }

    static float binary(BinaryOp op, float a, float b) {
        switch (op) {
            case ADD: return a + b;
            case SUB: return a - b;
            case MUL: return a * b;
            case DIV: return a / b;
            case POW: return (float) Math.pow(a, b);
            case MAX: return (a > b || Float.isNaN(a)) ? a : b;
            case MIN: return (a < b || Float.isNaN(a)) ? a : b;
            case EQ: return a == b ? 1f : 0f;
            case NE: return a != b ? 1f : 0f;
            case GT: return a > b ? 1f : 0f;
            case GE: return a >= b ? 1f : 0f;
            case LT: return a < b ? 1f : 0f;
            case LE: return a <= b ? 1f : 0f;
            default: throw new AssertionError(op);
        }
    }

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    /**
     * out = op(x) over contiguous memory. The switch sits outside the loops so that each loop body
     * is a single expression the JIT can vectorise; a per-element switch costs more than the math.
     */
    static void unaryContiguous(UnaryOp op, float[] x, int xo, float[] o, int oo, int n) {
        switch (op) {
            case NEG:
                for (int i = 0; i < n; i++) {
                    o[oo + i] = -x[xo + i];
                }
                return;
            case RELU: {
                // a blend, not a branch: half of a layer's inputs are negative, at random, and a
                // mispredicted branch per element costs more than the whole vector loop
                int i = 0;
                FloatVector zero = FloatVector.zero(S);
                for (int bound = S.loopBound(n); i < bound; i += S.length()) {
                    FloatVector v = FloatVector.fromArray(S, x, xo + i);
                    v.blend(zero, v.lt(zero)).intoArray(o, oo + i); // keeps NaN and -0.0, like torch.relu
                }
                for (; i < n; i++) {
                    o[oo + i] = unary(op, x[xo + i]);
                }
                return;
            }
            case SQUARE:
                for (int i = 0; i < n; i++) {
                    float v = x[xo + i];
                    o[oo + i] = v * v;
                }
                return;
            default:
                for (int i = 0; i < n; i++) {
                    o[oo + i] = unary(op, x[xo + i]);
                }
        }
    }

    /**
     * One row of a binary op: n elements of a (stride sa) and b (stride sb) into contiguous out.
     * Every tensor op reaches here one innermost row at a time, so the common layouts of a
     * training step — same-shape operands (strides 1, 1), a bias or a scalar broadcast along the
     * row (stride 0) — run as Vector API loops. Lanewise +, -, *, / round exactly like the scalar
     * operators, so the vector and scalar paths give the same bits.
     */
    static void binaryRow(BinaryOp op, float[] a, int ao, int sa, float[] b, int bo, int sb, float[] o, int oo, int n) {
        if (op.isComparison()) {
            compareRow(op, a, ao, sa, b, bo, sb, o, oo, n);
            return;
        }
        int i = 0;
        boolean vectorisable = op == BinaryOp.ADD || op == BinaryOp.SUB || op == BinaryOp.MUL || op == BinaryOp.DIV;
        if (vectorisable && (sa | sb) >= 0 && sa <= 1 && sb <= 1 && (sa | sb) != 0) {
            // a or b may be one value broadcast along the row (stride 0)
            FloatVector fixedA = sa == 0 ? FloatVector.broadcast(S, a[ao]) : null;
            FloatVector fixedB = sb == 0 ? FloatVector.broadcast(S, b[bo]) : null;
            for (int bound = S.loopBound(n); i < bound; i += S.length()) {
                FloatVector x = fixedA != null ? fixedA : FloatVector.fromArray(S, a, ao + i);
                FloatVector y = fixedB != null ? fixedB : FloatVector.fromArray(S, b, bo + i);
                // one call per operator, each a constant: the Vector API compiles a lanewise op to a
                // single instruction only when the JIT can see which operator it is
                FloatVector r;
                switch (op) {
                    case ADD:
                        r = x.add(y);
                        break;
                    case SUB:
                        r = x.sub(y);
                        break;
                    case MUL:
                        r = x.mul(y);
                        break;
                    default:
                        r = x.div(y);
                }
                r.intoArray(o, oo + i);
            }
        }
        for (; i < n; i++) {
            o[oo + i] = binary(op, a[ao + i * sa], b[bo + i * sb]);
        }
    }

    /**
     * A comparison row: 1.0 where it holds, 0.0 elsewhere, as a vector compare and blend (a gradient
     * mask is one of these per layer per step). Compares follow IEEE like the scalar operators: any
     * comparison with NaN is false, except NE, computed as not-EQ.
     */
    private static void compareRow(BinaryOp op, float[] a, int ao, int sa, float[] b, int bo, int sb, float[] o, int oo,
                                   int n) {
        int i = 0;
        if ((sa | sb) >= 0 && sa <= 1 && sb <= 1 && (sa | sb) != 0) {
            FloatVector fixedA = sa == 0 ? FloatVector.broadcast(S, a[ao]) : null;
            FloatVector fixedB = sb == 0 ? FloatVector.broadcast(S, b[bo]) : null;
            FloatVector zero = FloatVector.zero(S);
            FloatVector one = FloatVector.broadcast(S, 1f);
            for (int bound = S.loopBound(n); i < bound; i += S.length()) {
                FloatVector x = fixedA != null ? fixedA : FloatVector.fromArray(S, a, ao + i);
                FloatVector y = fixedB != null ? fixedB : FloatVector.fromArray(S, b, bo + i);
                VectorMask<Float> m;
                switch (op) {
                    case EQ:
                        m = x.compare(VectorOperators.EQ, y);
                        break;
                    case NE:
                        m = x.compare(VectorOperators.EQ, y).not();
                        break;
                    case GT:
                        m = x.compare(VectorOperators.GT, y);
                        break;
                    case GE:
                        m = x.compare(VectorOperators.GE, y);
                        break;
                    case LT:
                        m = x.compare(VectorOperators.LT, y);
                        break;
                    default:
                        m = x.compare(VectorOperators.LE, y);
                }
                zero.blend(one, m).intoArray(o, oo + i);
            }
        }
        for (; i < n; i++) {
            o[oo + i] = binary(op, a[ao + i * sa], b[bo + i * sb]);
        }
    }

    /**
     * out = c != 0 ? a : b over n elements, each operand contiguous (stride 1) or one broadcast
     * value (stride 0): a blend, so no branch mispredicts on a random mask.
     */
    static void whereRow(float[] c, int co, int sc, float[] a, int ao, int sa, float[] b, int bo, int sb,
                         float[] o, int oo, int n) {
        int i = 0;
        FloatVector zero = FloatVector.zero(S);
        FloatVector fixedC = sc == 0 ? FloatVector.broadcast(S, c[co]) : null;
        FloatVector fixedA = sa == 0 ? FloatVector.broadcast(S, a[ao]) : null;
        FloatVector fixedB = sb == 0 ? FloatVector.broadcast(S, b[bo]) : null;
        for (int bound = S.loopBound(n); i < bound; i += S.length()) {
            FloatVector vc = fixedC != null ? fixedC : FloatVector.fromArray(S, c, co + i);
            FloatVector va = fixedA != null ? fixedA : FloatVector.fromArray(S, a, ao + i);
            FloatVector vb = fixedB != null ? fixedB : FloatVector.fromArray(S, b, bo + i);
            // NaN counts as true, like any non-zero condition: b only where c == 0 (a blend
            // on the comparison itself: negating the mask cost a third of the loop)
            va.blend(vb, vc.compare(VectorOperators.EQ, zero)).intoArray(o, oo + i);
        }
        for (; i < n; i++) {
            o[oo + i] = c[co + i * sc] != 0f ? a[ao + i * sa] : b[bo + i * sb];
        }
    }

    /** out = x <= 0 ? 0 : g over n contiguous elements (ReLU's backward): a blend, as in {@link #whereRow}. */
    static void reluBackward(float[] g, int go, float[] x, int xo, float[] o, int oo, int n) {
        int i = 0;
        FloatVector zero = FloatVector.zero(S);
        for (int bound = S.loopBound(n); i < bound; i += S.length()) {
            FloatVector vx = FloatVector.fromArray(S, x, xo + i);
            FloatVector.fromArray(S, g, go + i).blend(zero, vx.compare(VectorOperators.LE, zero)).intoArray(o, oo + i);
        }
        for (; i < n; i++) {
            o[oo + i] = x[xo + i] <= 0f ? 0f : g[go + i];
        }
    }

    /**
     * out = fma(a, b, c) over n elements, each operand contiguous (stride 1), broadcast along the row
     * (stride 0) or strided: one rounding per element, in the vector loop ({@code FloatVector.fma} is
     * {@code Math.fma} lane by lane) as in the scalar one, so both paths give the same bits.
     */
    static void fmaRow(float[] a, int ao, int sa, float[] b, int bo, int sb, float[] c, int co, int sc,
                       float[] o, int oo, int n) {
        int i = 0;
        if ((sa | sb | sc) >= 0 && sa <= 1 && sb <= 1 && sc <= 1) {
            FloatVector fixedA = sa == 0 ? FloatVector.broadcast(S, a[ao]) : null;
            FloatVector fixedB = sb == 0 ? FloatVector.broadcast(S, b[bo]) : null;
            FloatVector fixedC = sc == 0 ? FloatVector.broadcast(S, c[co]) : null;
            for (int bound = S.loopBound(n); i < bound; i += S.length()) {
                FloatVector x = fixedA != null ? fixedA : FloatVector.fromArray(S, a, ao + i);
                FloatVector y = fixedB != null ? fixedB : FloatVector.fromArray(S, b, bo + i);
                FloatVector z = fixedC != null ? fixedC : FloatVector.fromArray(S, c, co + i);
                x.fma(y, z).intoArray(o, oo + i);
            }
        }
        for (; i < n; i++) {
            o[oo + i] = Math.fma(a[ao + i * sa], b[bo + i * sb], c[co + i * sc]);
        }
    }

    /** y += alpha * x over n contiguous elements; the product is rounded before the sum (no FMA), as a separate mul and add would. */
    static void axpy(float alpha, float[] x, int xo, float[] y, int yo, int n) {
        int i = 0;
        int bound = S.loopBound(n);
        FloatVector va = FloatVector.broadcast(S, alpha);
        for (; i < bound; i += S.length()) {
            FloatVector.fromArray(S, x, xo + i).mul(va).add(FloatVector.fromArray(S, y, yo + i)).intoArray(y, yo + i);
        }
        for (; i < n; i++) {
            y[yo + i] += alpha * x[xo + i];
        }
    }
}
