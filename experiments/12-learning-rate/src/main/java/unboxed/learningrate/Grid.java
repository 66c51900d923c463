package unboxed.learningrate;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.ArrayList;
import java.util.List;

/**
 * Log-spaced learning rates, each rounded to 3 significant digits so that a point's id names its
 * rate exactly: {@code lr0.0000215} is the rate 2.15e-5, no more digits hidden.
 */
final class Grid {
    private static final MathContext THREE = new MathContext(3);

    private Grid() {
    }

    /** 10^(k / perDecade) for k from fromExp·perDecade to toExp·perDecade, rounded to 3 digits. */
    static List<Double> logSpaced(int fromExp, int toExp, int perDecade) {
        if (toExp < fromExp || perDecade < 1) {
            throw new IllegalArgumentException("Grid: need fromExp <= toExp and perDecade >= 1, got " + fromExp + ", "
                    + toExp + ", " + perDecade);
        }
        List<Double> out = new ArrayList<>();
        for (int k = fromExp * perDecade; k <= toExp * perDecade; k++) {
            out.add(round(Math.pow(10, (double) k / perDecade)));
        }
        return out;
    }

    static double round(double v) {
        return new BigDecimal(v).round(THREE).doubleValue();
    }

    /** The rate as an id part: plain decimal digits, lower case ({@code 0.0000215}, {@code 3.16}, {@code 10}). */
    static String text(double v) {
        return new BigDecimal(Double.toString(v)).stripTrailingZeros().toPlainString();
    }

    /** The rate an id part names. */
    static double parse(String text) {
        try {
            double v = Double.parseDouble(text);
            if (!(v > 0) || Double.isInfinite(v)) {
                throw new NumberFormatException();
            }
            return v;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "' is not a positive learning rate");
        }
    }
}
