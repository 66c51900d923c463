package unboxed.convintuition;

import java.util.function.ToLongFunction;

/**
 * Networks of equal cost: the width at which a family's network has a given number of parameters,
 * or of FLOPs per image. Both grow linearly with the width, so the width is the nearest whole one
 * (in ratio, at least 1); the cost tables show how close each comes.
 */
final class Budgets {
    private Budgets() {
    }

    /** {@code family} (any width) at the width whose parameter count is nearest {@code budget}. */
    static Arch matchParams(Arch family, long budget) {
        return match(family, budget, Arch::params);
    }

    /** {@code family} at the width whose forward FLOPs per image are nearest {@code budget}. */
    static Arch matchFlops(Arch family, long budget) {
        return match(family, budget, Arch::flops);
    }

    private static Arch match(Arch family, long budget, ToLongFunction<Arch> cost) {
        if (budget < 1) {
            throw new IllegalArgumentException("budget must be positive, got " + budget);
        }
        long c1 = cost.applyAsLong(family.withWidth(1));
        long c2 = cost.applyAsLong(family.withWidth(2));
        double perUnit = c2 - c1;
        double w = Math.max(1, (budget - (c1 - perUnit)) / perUnit);
        int lo = Math.max(1, (int) Math.floor(w));
        int hi = lo + 1;
        double rLo = Math.abs(Math.log(cost.applyAsLong(family.withWidth(lo)) / (double) budget));
        double rHi = Math.abs(Math.log(cost.applyAsLong(family.withWidth(hi)) / (double) budget));
        return family.withWidth(rHi < rLo ? hi : lo);
    }
}
