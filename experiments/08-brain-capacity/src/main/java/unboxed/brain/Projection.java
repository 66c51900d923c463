package unboxed.brain;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * When could we train a whole human brain? The compute it takes (FLOP), under stated assumptions,
 * and the year three fitted trends reach it:
 * <ul>
 *   <li>the largest training runs (what the field has actually spent, extrapolated);</li>
 *   <li>what a fixed budget buys: FLOP/s per dollar × budget × duration × utilisation;</li>
 *   <li>what a fixed power supply runs: FLOP/s per watt × power × duration × utilisation.</li>
 * </ul>
 * A budget or a power supply alone is not enough: "buyable" is the later of those two years.
 */
public final class Projection {
    /** A Julian year, in seconds. */
    public static final double SECONDS_PER_YEAR = 365.25 * 86400;

    /** What "train a brain" means. */
    public enum Definition {
        /**
         * The lifetime anchor: run a brain-sized computation for as long as a person learns, then
         * multiply by how much more experience a machine needs than a person (the overhead).
         */
        LIFETIME("lifetime"),
        /**
         * A network with one parameter per synapse, trained compute-optimally: C = 6 N D with
         * D = 20 N tokens (Kaplan et al. 2020; Hoffmann et al. 2022).
         */
        COMPUTE_OPTIMAL("compute-optimal");

        public final String id;

        Definition(String id) {
            this.id = id;
        }

        public static Definition byId(String id) {
            for (Definition d : values()) {
                if (d.id.equals(id)) {
                    return d;
                }
            }
            throw new IllegalArgumentException("unknown definition '" + id + "': lifetime or compute-optimal");
        }
    }

    /** Which peak the hardware trends use: 16-bit tensor-core FLOP/s, or FP32. */
    public enum Precision {
        FP16("fp16"), FP32("fp32");

        public final String id;

        Precision(String id) {
            this.id = id;
        }

        public static Precision byId(String id) {
            for (Precision p : values()) {
                if (p.id.equals(id)) {
                    return p;
                }
            }
            throw new IllegalArgumentException("unknown precision '" + id + "': fp16 or fp32");
        }
    }

    /** One scenario: every assumption the answer depends on. */
    public record Assumptions(double synapses, double flopPerSynapseSecond, Definition definition, double years,
                              double overhead, double durationDays, Precision precision, double budgetUsd,
                              double powerWatts, double utilisation) {

        /** The value of one assumption by its id (see {@link Projection#IDS}), as written to the results. */
        public Object get(String id) {
            return switch (id) {
                case "synapses" -> synapses;
                case "flop-per-synapse-second" -> flopPerSynapseSecond;
                case "definition" -> definition.id;
                case "years-of-experience" -> years;
                case "overhead" -> overhead;
                case "duration-days" -> durationDays;
                case "precision" -> precision.id;
                case "budget-usd" -> budgetUsd;
                case "power-watts" -> powerWatts;
                case "utilisation" -> utilisation;
                default -> throw new IllegalArgumentException("unknown assumption '" + id + "'");
            };
        }

        /** This scenario with one assumption changed (the value as {@link #get} gives it). */
        public Assumptions with(String id, Object v) {
            return new Assumptions(
                    id.equals("synapses") ? (double) v : synapses,
                    id.equals("flop-per-synapse-second") ? (double) v : flopPerSynapseSecond,
                    id.equals("definition") ? Definition.byId((String) v) : definition,
                    id.equals("years-of-experience") ? (double) v : years,
                    id.equals("overhead") ? (double) v : overhead,
                    id.equals("duration-days") ? (double) v : durationDays,
                    id.equals("precision") ? Precision.byId((String) v) : precision,
                    id.equals("budget-usd") ? (double) v : budgetUsd,
                    id.equals("power-watts") ? (double) v : powerWatts,
                    id.equals("utilisation") ? (double) v : utilisation);
        }

        public Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            for (String id : IDS) {
                m.put(id, get(id));
            }
            return m;
        }
    }

    /** The assumptions, in the order the tables list them. */
    public static final java.util.List<String> IDS = java.util.List.of("synapses", "flop-per-synapse-second",
            "definition", "years-of-experience", "overhead", "duration-days", "precision", "budget-usd",
            "power-watts", "utilisation");

    /** The three trends a projection reads, fitted or bootstrapped together. */
    public record Trends(Trend.Fit largestRuns, Trend.Fit flopsPerDollar, Trend.Fit flopsPerWatt) {
    }

    /** The years one scenario gives on one set of trends. */
    public record Years(double largestRuns, double budget, double power) {
        /** The year a fixed budget and a fixed power supply both suffice. */
        public double buyable() {
            return Math.max(budget, power);
        }
    }

    private Projection() {
    }

    /**
     * The training compute (FLOP) of a whole human brain under {@code a}: for the lifetime
     * anchor, synapses × FLOP per synapse per second × seconds of experience × overhead; for the
     * compute-optimal network, flopPerParameterToken × N × tokensPerParameter × N with N = synapses.
     */
    public static double requiredFlop(Assumptions a, double flopPerParameterToken, double tokensPerParameter) {
        return switch (a.definition()) {
            case LIFETIME -> a.synapses() * a.flopPerSynapseSecond() * a.years() * SECONDS_PER_YEAR * a.overhead();
            case COMPUTE_OPTIMAL -> flopPerParameterToken * a.synapses() * tokensPerParameter * a.synapses();
        };
    }

    /**
     * The years the trends reach the scenario's requirement; the caller passes the hardware trends
     * of the scenario's precision.
     */
    public static Years years(Assumptions a, double requiredFlop, Trends t) {
        double log10c = Math.log10(requiredFlop);
        double seconds = a.durationDays() * 86400;
        double budget = t.flopsPerDollar().yearReaching(log10c - Math.log10(a.budgetUsd() * seconds * a.utilisation()));
        double power = t.flopsPerWatt().yearReaching(log10c - Math.log10(a.powerWatts() * seconds * a.utilisation()));
        return new Years(t.largestRuns().yearReaching(log10c), budget, power);
    }
}
