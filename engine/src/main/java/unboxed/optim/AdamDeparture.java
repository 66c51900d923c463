package unboxed.optim;

/**
 * Departures from Adam that look almost right, for experiments that need them: an ablation of bias
 * correction, or the near misses that show the fixtures can tell them from the real update (post
 * 05's "make sure it is actually Adam"). {@link #NONE} is PyTorch's Adam, the default everywhere;
 * the others change one line of {@link AdamUpdate} and nothing else.
 */
public enum AdamDeparture {
    /** PyTorch's Adam. */
    NONE,
    /** m and v used as they are, without dividing by 1 - beta^step (the step size is lr). */
    NO_BIAS_CORRECTION,
    /** sqrt(v_hat + eps) instead of sqrt(v_hat) + eps. */
    EPS_INSIDE_SQRT
}
