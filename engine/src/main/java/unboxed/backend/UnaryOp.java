package unboxed.backend;

/** Elementwise functions of one argument that every backend implements. */
public enum UnaryOp {
    NEG, EXP, LOG, SQRT, RSQRT, ABS, SIGN, RECIPROCAL, SQUARE,
    RELU,
    /** 1 where x &gt; 0, else 0: the derivative of ReLU, with PyTorch's choice of 0 at x = 0. */
    STEP,
    SIGMOID, TANH, LOG1P
}
