package unboxed.backend;

/**
 * Elementwise functions of two arguments; comparisons give 1.0 for true and 0.0 for false.
 * MAX and MIN propagate NaN (from either side), as {@code torch.maximum} and {@code torch.minimum} do.
 */
public enum BinaryOp {
    ADD, SUB, MUL, DIV, POW, MAX, MIN,
    EQ, NE, GT, GE, LT, LE;

    /** Whether the op compares (its result is 1.0 or 0.0). */
    public boolean isComparison() {
        return compareTo(EQ) >= 0;
    }
}
