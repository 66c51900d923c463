package unboxed.kit;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The points of a pinned sweep results file ({@link Sweep#merge}), grouped by configuration: the
 * point id without its {@code -s<k>} suffix, each with its seeds in order.
 */
public final class SweepPoints {
    private final Pinned pinned;
    private final Map<String, List<JsonNode>> byConfig = new LinkedHashMap<>();

    public SweepPoints(Pinned pinned) {
        this.pinned = pinned;
        for (JsonNode p : pinned.at("/points")) {
            byConfig.computeIfAbsent(Sweep.configOf(p.get("id").asText()), k -> new ArrayList<>()).add(p);
        }
    }

    /** The points of one configuration, one per seed; a configuration the file lacks is an error naming the fix. */
    public List<JsonNode> seeds(String config) {
        List<JsonNode> l = byConfig.get(config);
        if (l == null) {
            throw new IllegalArgumentException(pinned.relativePath() + " has no configuration " + config
                    + ": regenerate with `" + pinned.regenerateCommand() + "`");
        }
        return l;
    }

    /** One number per seed. */
    public double[] values(String config, String field) {
        List<JsonNode> l = seeds(config);
        double[] v = new double[l.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = l.get(i).at("/" + field).asDouble();
        }
        return v;
    }

    /** One array per seed (non-finite values, written as strings, read back as such). */
    public double[][] rows(String config, String field) {
        List<JsonNode> l = seeds(config);
        double[][] out = new double[l.size()][];
        for (int i = 0; i < out.length; i++) {
            out[i] = numbers(l.get(i).at("/" + field));
        }
        return out;
    }

    /** A JSON array of numbers; "Infinity", "-Infinity" and anything else not a number as ±∞ and NaN. */
    public static double[] numbers(JsonNode arr) {
        double[] v = new double[arr.size()];
        for (int i = 0; i < v.length; i++) {
            JsonNode n = arr.get(i);
            v[i] = n.isNumber() ? n.doubleValue() : switch (n.asText()) {
                case "Infinity" -> Double.POSITIVE_INFINITY;
                case "-Infinity" -> Double.NEGATIVE_INFINITY;
                default -> Double.NaN;
            };
        }
        return v;
    }
}
