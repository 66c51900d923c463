package unboxed.backend;

/** Elementwise functions of one argument that every backend implements. */
public enum UnaryOp {
    NEG, EXP, LOG, SQRT, RSQRT, ABS, SIGN, RECIPROCAL, SQUARE,
    RELU,
    SIGMOID, TANH, LOG1P
}
