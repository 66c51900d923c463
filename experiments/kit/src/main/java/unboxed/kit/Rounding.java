package unboxed.kit;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.List;

/**
 * What the results files keep of curves and series: 4 significant digits. The figures need no
 * more, and the files stay a tenth of the size. Deterministic: BigDecimal's rounding of the exact
 * binary value, so the same double always gives the same bytes.
 */
public final class Rounding {
    private static final MathContext FOUR = new MathContext(4);

    private Rounding() {
    }

    /** v to 4 significant digits; zero, NaN and infinities unchanged. */
    public static double sig4(double v) {
        if (!Double.isFinite(v) || v == 0) {
            return v;
        }
        return new BigDecimal(v).round(FOUR).doubleValue();
    }

    public static double[] sig4(double[] v) {
        double[] o = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            o[i] = sig4(v[i]);
        }
        return o;
    }

    public static List<Double> sig4(List<Double> v) {
        return v.stream().map(Rounding::sig4).toList();
    }
}
