package unboxed.backend.cpu;

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
            case STEP: return x > 0f ? 1f : 0f;
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
            case RELU:
                for (int i = 0; i < n; i++) {
                    float v = x[xo + i];
                    o[oo + i] = v < 0f ? 0f : v;
                }
                return;
            case STEP:
                for (int i = 0; i < n; i++) {
                    o[oo + i] = x[xo + i] > 0f ? 1f : 0f;
                }
                return;
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

    /** The common case in a training step: both operands contiguous, same shape; plain loops the JIT vectorises. */
    static void binaryContiguous(BinaryOp op, float[] a, int ao, float[] b, int bo, float[] o, int oo, int n) {
        switch (op) {
            case ADD:
                for (int i = 0; i < n; i++) {
                    o[oo + i] = a[ao + i] + b[bo + i];
                }
                return;
            case SUB:
                for (int i = 0; i < n; i++) {
                    o[oo + i] = a[ao + i] - b[bo + i];
                }
                return;
            case MUL:
                for (int i = 0; i < n; i++) {
                    o[oo + i] = a[ao + i] * b[bo + i];
                }
                return;
            default:
                for (int i = 0; i < n; i++) {
                    o[oo + i] = binary(op, a[ao + i], b[bo + i]);
                }
        }
    }

    static void binaryScalarRight(BinaryOp op, float[] a, int ao, float s, float[] o, int oo, int n) {
        switch (op) {
            case ADD:
                for (int i = 0; i < n; i++) {
                    o[oo + i] = a[ao + i] + s;
                }
                return;
            case MUL:
                for (int i = 0; i < n; i++) {
                    o[oo + i] = a[ao + i] * s;
                }
                return;
            default:
                for (int i = 0; i < n; i++) {
                    o[oo + i] = binary(op, a[ao + i], s);
                }
        }
    }
}
