package unboxed.nn.functional;

import java.util.Locale;

/** How a loss turns per-element losses into its result, named as in PyTorch. */
public enum Reduction {
    NONE, MEAN, SUM;

    /** Parses PyTorch's spelling ("none", "mean", "sum"). */
    public static Reduction of(String name) {
        for (Reduction r : values()) {
            if (r.name().toLowerCase(Locale.ROOT).equals(name)) {
                return r;
            }
        }
        throw new IllegalArgumentException("reduction: '" + name + "' is not a valid value; expected 'none', 'mean' or 'sum'");
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
