package unboxed.brain;

import java.util.Locale;

/** Numbers as the report prints them: scientific notation in AsciiDoc (1.5 × 10^14^), ranges, years. */
final class Format {
    private Format() {
    }

    /** Three significant digits between 0.01 and 100 000, else m × 10^e^ with two (10^e^ alone when m is 1). */
    static String sci(double v) {
        if (Double.isNaN(v)) {
            return "n/a";
        }
        if (Double.isInfinite(v)) {
            return v > 0 ? "∞" : "−∞";
        }
        double a = Math.abs(v);
        if (a == 0 || (a >= 0.01 && a < 1e5)) {
            return plain(v);
        }
        int e = (int) Math.floor(Math.log10(a));
        double m = v / Math.pow(10, e);
        if (Math.abs(m) >= 9.95) {
            m /= 10;
            e++;
        }
        String mant = String.format(Locale.ROOT, "%.1f", m);
        String exp = "10^" + (e < 0 ? "−" + (-e) : String.valueOf(e)) + "^";
        return mant.equals("1.0") ? exp : mant + " × " + exp;
    }

    /** Three significant digits at most, no trailing zeros, thousands grouped by commas: 19400 is "19,400". */
    static String plain(double v) {
        double a = Math.abs(v);
        if (a >= 1000 || (v == Math.rint(v) && a < 1e15)) {
            return String.format(Locale.ROOT, "%,.0f", v);
        }
        int digits = a >= 100 ? 0 : a >= 10 ? 1 : a >= 1 ? 2 : 3;
        String t = String.format(Locale.ROOT, "%." + digits + "f", v);
        return t.contains(".") ? t.replaceAll("0+$", "").replaceAll("\\.$", "") : t;
    }

    /** Plain-text scientific notation for figure legends, which AsciiDoc does not reach: "1.5e14", "1e12". */
    static String e(double v) {
        String t = String.format(Locale.ROOT, "%.1e", v).replace("e+", "e").replace("e0", "e").replace("e-0", "e-");
        return t.replace(".0e", "e");
    }

    /** As {@link #sci} with {@code digits} significant digits, for values that differ in the third. */
    static String sci(double v, int digits) {
        int e = (int) Math.floor(Math.log10(Math.abs(v)));
        double m = v / Math.pow(10, e);
        return String.format(Locale.ROOT, "%." + (digits - 1) + "f", m) + " × 10^" + (e < 0 ? "−" + (-e) : e) + "^";
    }

    /** A projected year in a sentence: "in 2031", "before 2012", "after 2500", "never on this trend". */
    static String yearPhrase(double y, double dataFrom) {
        String t = year(y, dataFrom);
        return Character.isDigit(t.charAt(0)) ? "in " + t : t;
    }

    /** "1.5 × 10^14^ to 10^15^", or one value when the sources agree. */
    static String range(double low, double high) {
        String lo = sci(low);
        String hi = sci(high);
        return lo.equals(hi) ? lo : lo + " to " + hi;
    }

    /** A fraction as a percentage with one decimal: 0.9012 is "90.1%". */
    static String pct(double v) {
        return String.format(Locale.ROOT, "%.1f%%", 100 * v);
    }

    /** A value with the given decimals. */
    static String fixed(double v, int decimals) {
        return String.format(Locale.ROOT, "%." + decimals + "f", v);
    }

    /**
     * A projected year: "2031"; "before 2012" when the trend reaches the target before its first
     * data point (it says nothing about when, only that it is already done); "after 2500" far out;
     * "never on this trend" when it never does.
     */
    static String year(double y, double dataFrom) {
        if (y == Double.POSITIVE_INFINITY) {
            return "never on this trend";
        }
        if (y < dataFrom) {
            return "before " + (int) Math.floor(dataFrom);
        }
        if (y > 2500) {
            return "after 2500";
        }
        return String.valueOf((int) Math.floor(y));
    }
}
