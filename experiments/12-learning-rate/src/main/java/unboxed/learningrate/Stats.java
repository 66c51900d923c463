package unboxed.learningrate;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import unboxed.kit.SweepPoints;
import unboxed.kit.stats.Describe;

/** The summaries and number formats the figure step uses: seeds summarised, rates written as the grid names them. */
final class Stats {
    private Stats() {
    }

    static double mean(double[] v) {
        return Describe.mean(v);
    }

    static double std(double[] v) {
        return Describe.std(v);
    }

    /** exp(mean(log v)): the middle of rates and losses that span decades. */
    static double geomean(double[] v) {
        double s = 0;
        for (double x : v) {
            s += Math.log(x);
        }
        return Math.exp(s / v.length);
    }

    static double min(double[] v) {
        double m = Double.POSITIVE_INFINITY;
        for (double x : v) {
            m = Math.min(m, x);
        }
        return m;
    }

    static double max(double[] v) {
        double m = Double.NEGATIVE_INFINITY;
        for (double x : v) {
            m = Math.max(m, x);
        }
        return m;
    }

    static boolean allFinite(double[] v) {
        for (double x : v) {
            if (!Double.isFinite(x)) {
                return false;
            }
        }
        return true;
    }

    /** A JSON value as a number; the strings "Infinity" and "-Infinity" as such, any other text as NaN. */
    static double num(JsonNode n) {
        if (n.isNumber()) {
            return n.doubleValue();
        }
        return switch (n.asText()) {
            case "Infinity" -> Double.POSITIVE_INFINITY;
            case "-Infinity" -> Double.NEGATIVE_INFINITY;
            default -> Double.NaN;
        };
    }

    static double[] doubles(List<Double> l) {
        return l.stream().mapToDouble(Double::doubleValue).toArray();
    }

    static List<Double> list(JsonNode arr) {
        List<Double> out = new ArrayList<>();
        for (double v : SweepPoints.numbers(arr)) {
            out.add(v);
        }
        return out;
    }

    static List<String> strings(JsonNode arr) {
        List<String> out = new ArrayList<>();
        arr.forEach(n -> out.add(n.asText()));
        return out;
    }

    /** Three significant digits, scientific below 1e-3 and from 1e4. */
    static String fmt(double v) {
        if (v == 0) {
            return "0";
        }
        if (!Double.isFinite(v)) {
            return Double.isNaN(v) ? "n/a" : v > 0 ? "∞" : "−∞";
        }
        double a = Math.abs(v);
        if (a >= 1e4 || a < 1e-3) {
            String s = String.format(Locale.ROOT, "%.2e", v);
            return s.replace("e-0", "e-").replace("e+0", "e");
        }
        return String.format(Locale.ROOT, a >= 100 ? "%.0f" : a >= 10 ? "%.1f" : "%.3g", v);
    }

    /** A rate as the grid writes it (its exact value: 0.0000215, 0.316, 10). */
    static String rate(double lr) {
        return Grid.text(lr);
    }

    static String spread(double[] v) {
        return fmt(mean(v)) + " ± " + fmt(std(v));
    }

    static String pct(double share) {
        return String.format(Locale.ROOT, "%.1f%%", 100 * share);
    }

    /** How many of the statuses are {@code status}. */
    static int count(List<String> statuses, String status) {
        int n = 0;
        for (String s : statuses) {
            n += s.equals(status) ? 1 : 0;
        }
        return n;
    }

    /** "3 trained", "2 died, 1 blew up": the statuses of a configuration's seeds, counted. */
    static String outcome(List<String> statuses) {
        List<String> parts = new ArrayList<>();
        for (String s : List.of("trained", "untrained", "died", "blew-up")) {
            int n = count(statuses, s);
            if (n > 0) {
                parts.add(n + " " + s.replace("blew-up", "blew up"));
            }
        }
        return String.join(", ", parts);
    }
}
