package unboxed.backend;

/** Reductions over a set of dimensions. MAX and MIN propagate NaN, as {@code torch.amax} does. */
public enum ReduceOp {
    SUM, MAX, MIN
}
