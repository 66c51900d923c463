package unboxed.optim;

/**
 * A learning rate as a function of the step: what {@code torch.optim.lr_scheduler}'s schedulers
 * compute, written in closed form so that a run can ask for the rate of any step without
 * replaying the ones before it. {@link #apply} sets it on every parameter group, as a scheduler's
 * {@code step()} does.
 *
 * <p>Step t is 0-based: {@code lr(t)} is the rate the (t+1)-th {@code optimizer.step()} uses, that
 * is, the value of {@code optimizer.param_groups[0]['lr']} after t calls of {@code scheduler.step()}.
 * The schedules and their PyTorch counterparts (same argument names):
 * <ul>
 *   <li>{@link #constant}: no scheduler;</li>
 *   <li>{@link #step}: {@code StepLR(step_size, gamma)}, lr · gamma^⌊t / step_size⌋;</li>
 *   <li>{@link #cosine}: {@code CosineAnnealingLR(T_max, eta_min)},
 *       eta_min + (lr − eta_min)(1 + cos(π t / T_max)) / 2;</li>
 *   <li>{@link #oneCycle}: {@code OneCycleLR(max_lr, total_steps, pct_start, anneal_strategy='cos',
 *       div_factor, final_div_factor, three_phase=False, cycle_momentum=False)}: a cosine rise from
 *       max_lr / div_factor to max_lr, then a cosine fall to that start / final_div_factor;</li>
 *   <li>{@link #withWarmup}: {@code SequentialLR([LinearLR(start_factor, total_iters=w), then],
 *       milestones=[w])}: a linear ramp from start_factor · lr to lr over w steps, then the
 *       schedule from its own step 0.</li>
 * </ul>
 * PyTorch's schedulers update the rate recursively (each step multiplies the last rate); the
 * closed forms here agree with them to a few ulp (the fixtures of post 12 check it).
 */
@FunctionalInterface
public interface LRSchedule {
    /** The learning rate of step t (0-based). */
    double lr(int step);

    /** The same rate at every step. */
    static LRSchedule constant(double lr) {
        checkLr(lr);
        return t -> {
            checkStep(t);
            return lr;
        };
    }

    /** {@code StepLR(step_size, gamma)}: multiplied by gamma every {@code stepSize} steps. */
    static LRSchedule step(double lr, int stepSize, double gamma) {
        checkLr(lr);
        if (stepSize < 1 || !(gamma > 0)) {
            throw new IllegalArgumentException("LRSchedule.step: step_size must be >= 1 and gamma > 0, got " + stepSize
                    + ", " + gamma);
        }
        return t -> lr * Math.pow(gamma, Math.floorDiv(checkStep(t), stepSize));
    }

    /** {@code CosineAnnealingLR(T_max, eta_min)}: half a cosine from lr down to etaMin over tMax steps. */
    static LRSchedule cosine(double lr, int tMax, double etaMin) {
        checkLr(lr);
        if (tMax < 1 || etaMin < 0 || etaMin > lr) {
            throw new IllegalArgumentException("LRSchedule.cosine: T_max must be >= 1 and 0 <= eta_min <= lr, got T_max "
                    + tMax + ", eta_min " + etaMin + ", lr " + lr);
        }
        return t -> etaMin + (lr - etaMin) * (1 + Math.cos(Math.PI * checkStep(t) / tMax)) / 2;
    }

    /**
     * {@code OneCycleLR} with cosine annealing and two phases: up from maxLr / divFactor to maxLr
     * over the first pctStart of totalSteps, then down to maxLr / divFactor / finalDivFactor at
     * the last step. (PyTorch's default also cycles momentum; plain SGD has none to cycle.)
     */
    static LRSchedule oneCycle(double maxLr, int totalSteps, double pctStart, double divFactor, double finalDivFactor) {
        checkLr(maxLr);
        if (totalSteps < 2 || !(pctStart > 0 && pctStart < 1) || !(divFactor > 0) || !(finalDivFactor > 0)) {
            throw new IllegalArgumentException("LRSchedule.oneCycle: total_steps must be >= 2, 0 < pct_start < 1 and"
                    + " both div factors > 0, got " + totalSteps + ", " + pctStart + ", " + divFactor + ", " + finalDivFactor);
        }
        double initial = maxLr / divFactor;
        double min = initial / finalDivFactor;
        // PyTorch's phase boundaries: float(pct_start * total_steps) - 1, then total_steps - 1
        double up = pctStart * totalSteps - 1;
        double end = totalSteps - 1;
        return t -> {
            int s = checkStep(t);
            if (s > end) {
                throw new IllegalArgumentException("LRSchedule.oneCycle: step " + s + " is past total_steps " + totalSteps
                        + " (PyTorch raises here too); give total_steps the number of optimizer steps");
            }
            return s <= up ? cosineAnneal(initial, maxLr, s / up) : cosineAnneal(maxLr, min, (s - up) / (end - up));
        };
    }

    /** PyTorch's {@code _annealing_cos}: from start (pct 0) to end (pct 1) along half a cosine. */
    private static double cosineAnneal(double start, double end, double pct) {
        double cos = Math.cos(Math.PI * pct) + 1;
        return end + (start - end) / 2.0 * cos;
    }

    /**
     * Warm-up: the rate of step 0 of this schedule, times a factor rising linearly from
     * {@code startFactor} at step 0 to 1 at step {@code steps}; from step {@code steps} on, this
     * schedule from its own step 0.
     */
    default LRSchedule withWarmup(int steps, double startFactor) {
        if (steps < 1 || !(startFactor > 0 && startFactor <= 1)) {
            throw new IllegalArgumentException("LRSchedule.withWarmup: steps must be >= 1 and 0 < start_factor <= 1, got "
                    + steps + ", " + startFactor);
        }
        LRSchedule then = this;
        return t -> checkStep(t) < steps ? then.lr(0) * (startFactor + (1 - startFactor) * t / steps) : then.lr(t - steps);
    }

    /** Sets the rate of step t on every parameter group of the optimizer (what a scheduler's step() does). */
    default void apply(Optimizer optimizer, int step) {
        double lr = lr(step);
        for (ParamGroup g : optimizer.paramGroups()) {
            g.set("lr", lr);
        }
    }

    private static void checkLr(double lr) {
        if (!(lr > 0) || Double.isInfinite(lr)) {
            throw new IllegalArgumentException("LRSchedule: the learning rate must be positive and finite, got " + lr);
        }
    }

    private static int checkStep(int t) {
        if (t < 0) {
            throw new IllegalArgumentException("LRSchedule: step " + t + " is negative; steps count from 0");
        }
        return t;
    }
}
