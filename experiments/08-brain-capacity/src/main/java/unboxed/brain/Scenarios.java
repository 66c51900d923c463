package unboxed.brain;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The trends and the scenarios of the projection. Five trends are fitted to the cited tables: the
 * largest training runs (the models that set a record of training compute when they appeared), and
 * the accelerators' peak FLOP/s per dollar and per watt, at 16-bit and at FP32 precision (a chip
 * without a faster 16-bit path counts its FP32 rate). Each is bootstrapped {@code replicates} times
 * with a generator seeded by (the base seed, the trend's index), so that every scenario reads the
 * same replicates (common random numbers: two scenarios differ only by their assumptions).
 *
 * <p>The scenarios: every assumption at its most favourable value, every one at its least
 * favourable, a central case (the geometric middle of each numeric pair; the favourable choice of
 * each categorical one), and each assumption moved alone to either end from the central case.
 */
final class Scenarios {
    static final double[] QUANTILES = {0.05, 0.5, 0.95};
    static final List<String> TRENDS = List.of("largest-runs", "per-dollar-fp16", "per-dollar-fp32", "per-watt-fp16",
            "per-watt-fp32");

    private final Inputs in;
    private final Map<String, Trend.Fit> fits = new LinkedHashMap<>();
    private final Map<String, List<Trend.Fit>> replicates = new LinkedHashMap<>();

    Scenarios(Inputs in, int replicates, long seed) {
        this.in = in;
        for (int i = 0; i < TRENDS.size(); i++) {
            List<Trend.Point> pts = points(in, TRENDS.get(i));
            fits.put(TRENDS.get(i), Trend.fit(pts));
            this.replicates.put(TRENDS.get(i), Trend.bootstrap(pts, replicates, seedOf(seed, i)));
        }
    }

    /** The generator seed of trend i: the base seed and the index, so the trends' replicates are independent. */
    static long seedOf(long seed, int trend) {
        return seed * 1_000_003L + trend;
    }

    // ------------------------------------------------------------------ the trends' points

    /** The dated points of one trend, from the cited tables. */
    static List<Trend.Point> points(Inputs in, String trend) {
        List<Trend.Point> out = new ArrayList<>();
        if (trend.equals("largest-runs")) {
            // the record-setters: each model whose training compute (middle) beat every earlier one
            List<Estimate> runs = new ArrayList<>(in.models().stream().filter(e -> e.quantity().equals("training_compute"))
                    .toList());
            runs.sort((a, b) -> Double.compare(a.year(), b.year()));
            double best = 0;
            for (Estimate e : runs) {
                if (e.mid() > best) {
                    best = e.mid();
                    out.add(new Trend.Point(e.subject(), e.year(), e.low(), e.high()));
                }
            }
            return out;
        }
        String[] parts = trend.split("-");
        boolean perDollar = parts[1].equals("dollar");
        boolean fp16 = parts[2].equals("fp16");
        for (String device : CitedTable.subjects(in.computers())) {
            Estimate w = CitedTable.find(in.computers(), device, "power");
            if (!w.get("kind").equals("gpu")) {
                continue;  // the trends are the accelerators'; the CPUs are drawn beside them
            }
            Estimate flops = fp16 ? find(in, device, "fp16_peak") : null;
            flops = flops == null ? CitedTable.find(in.computers(), device, "fp32_peak") : flops;
            Estimate per = perDollar ? CitedTable.find(in.computers(), device, "price") : w;
            out.add(new Trend.Point(device, w.year(), flops.low() / per.high(), flops.high() / per.low()));
        }
        return out;
    }

    private static Estimate find(Inputs in, String device, String quantity) {
        return in.computers().stream().filter(e -> e.subject().equals(device) && e.quantity().equals(quantity))
                .findFirst().orElse(null);
    }

    /** The trends' results: points, fit, the bootstrap's spread of the rate, and bands over the years. */
    static Map<String, Object> trends(Inputs in, int replicates, long seed, int from, int to) {
        Scenarios s = new Scenarios(in, replicates, seed);
        Map<String, Object> r = new LinkedHashMap<>();
        List<Map<String, Object>> list = new ArrayList<>();
        for (int i = 0; i < TRENDS.size(); i++) {
            String id = TRENDS.get(i);
            Map<String, Object> t = new LinkedHashMap<>();
            t.put("id", id);
            t.put("unit", id.equals("largest-runs") ? "FLOP" : id.startsWith("per-dollar") ? "FLOP/s per USD"
                    : "FLOP/s per W");
            t.put("generator_seed", seedOf(seed, i));
            List<Map<String, Object>> pts = new ArrayList<>();
            for (Trend.Point p : points(in, id)) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("name", p.name());
                m.put("year", p.year());
                m.put("low", p.low());
                m.put("high", p.high());
                pts.add(m);
            }
            t.put("points", pts);
            Trend.Fit f = s.fits.get(id);
            t.put("fit", fit(f));
            List<Trend.Fit> reps = s.replicates.get(id);
            double[] slope = reps.stream().mapToDouble(Trend.Fit::slope).toArray();
            double[] doubling = reps.stream().mapToDouble(Trend.Fit::doublingYears).toArray();
            t.put("slope_quantiles", quantiles(slope));
            t.put("doubling_years_quantiles", quantiles(doubling));
            List<Double> years = new ArrayList<>();
            List<List<Double>> band = new ArrayList<>();
            for (double q : QUANTILES) {
                band.add(new ArrayList<>());
            }
            for (int y = from; y <= to; y++) {
                years.add((double) y);
                final int year = y;
                double[] v = reps.stream().mapToDouble(x -> x.log10At(year)).toArray();
                for (int k = 0; k < QUANTILES.length; k++) {
                    band.get(k).add(Trend.quantile(v, QUANTILES[k]));
                }
            }
            Map<String, Object> b = new LinkedHashMap<>();
            b.put("years", years);
            b.put("log10_quantiles", band);
            t.put("band", b);
            list.add(t);
        }
        r.put("trends", list);
        Map<String, Object> published = new LinkedHashMap<>();
        Estimate sevilla = in.constants().stream().filter(e -> e.quantity().equals("training_compute_doubling"))
                .findFirst().orElseThrow();
        published.put("training_compute_doubling_months_low", sevilla.low());
        published.put("training_compute_doubling_months_high", sevilla.high());
        published.put("source", sevilla.source());
        r.put("published", published);
        return r;
    }

    static Map<String, Object> fit(Trend.Fit f) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("intercept_log10_at_2000", f.intercept());
        m.put("slope_log10_per_year", f.slope());
        m.put("factor_per_year", f.factorPerYear());
        m.put("doubling_years", f.doublingYears());
        m.put("r2", f.r2());
        m.put("points", f.n());
        return m;
    }

    static List<Double> quantiles(double[] v) {
        List<Double> out = new ArrayList<>();
        for (double q : QUANTILES) {
            out.add(Trend.quantile(v, q));
        }
        return out;
    }

    // ------------------------------------------------------------------ the assumptions

    /** Each assumption's two ends, its central value and what it rests on (the configuration of projection.json). */
    static Map<String, Map<String, Object>> extremes(Inputs in) {
        Estimate synapses = CitedTable.find(in.brains(), "human", "synapses");
        Map<String, Map<String, Object>> m = new LinkedHashMap<>();
        m.put("synapses", end(synapses.low(), synapses.high(), "count",
                "the human brain's synapses, low and high of brains.csv"));
        m.put("flop-per-synapse-second", end(0.1, 100.0, "FLOP/s",
                "ours: with the synapse range it spans 1.5e13 to 1e17 FLOP/s, the range of Carlsmith 2020"
                        + " (constants.csv, brain_flops)"));
        m.put("definition", end("lifetime", "compute-optimal", "",
                "lifetime: a brain's compute for a person's years of learning, times the overhead; compute-optimal:"
                        + " one parameter per synapse trained on 20 tokens per parameter at 6 FLOP per parameter and"
                        + " token (constants.csv)"));
        m.put("years-of-experience", end(10.0, 30.0, "years", "ours: the years a person learns before the skills we"
                + " would want to match"));
        m.put("overhead", end(1.0, 1000.0, "×", "ours: how many times more experience a machine needs than a person;"
                + " compare the width sweep's measured gap on MNIST"));
        m.put("duration-days", end(365.0, 90.0, "days", "ours: the wall-clock time a training run may take"));
        m.put("precision", end("fp16", "fp32", "", "the peak the hardware trends count (computers.csv)"));
        m.put("budget-usd", end(1e10, 1e8, "USD", "ours: what is spent on the chips of one run"));
        m.put("power-watts", end(1e9, 1e8, "W", "ours: the power one run may draw"));
        m.put("utilisation", end(in.constant("model_flops_utilisation", false), 0.2, "",
                "favourable: PaLM's model FLOP utilisation (constants.csv); unfavourable: ours"));
        return m;
    }

    private static Map<String, Object> end(Object favourable, Object unfavourable, String unit, String basis) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("favourable", favourable);
        e.put("unfavourable", unfavourable);
        e.put("central", favourable instanceof Double f ? Math.sqrt(f * (Double) unfavourable) : favourable);
        e.put("unit", unit);
        e.put("basis", basis);
        return e;
    }

    static Projection.Assumptions at(Map<String, Map<String, Object>> ends, String side) {
        Projection.Assumptions a = new Projection.Assumptions(0, 0, Projection.Definition.LIFETIME, 0, 0, 0,
                Projection.Precision.FP16, 0, 0, 0);
        for (String id : Projection.IDS) {
            a = a.with(id, ends.get(id).get(side));
        }
        return a;
    }

    /** The scenario ids, in the order the tables list them. */
    static List<String> ids() {
        List<String> ids = new ArrayList<>(List.of("favourable", "central", "unfavourable"));
        for (String a : Projection.IDS) {
            ids.add(a + "-favourable");
            ids.add(a + "-unfavourable");
        }
        return ids;
    }

    /** One scenario: its assumptions, the compute it requires, and the years with their bootstrap quantiles. */
    Map<String, Object> scenario(String id) {
        Map<String, Map<String, Object>> ends = extremes(in);
        Projection.Assumptions a;
        String changed = null;
        String side;
        if (List.of("favourable", "central", "unfavourable").contains(id)) {
            side = id;
            a = at(ends, id);
        } else {
            side = id.endsWith("-favourable") ? "favourable" : "unfavourable";
            changed = id.substring(0, id.length() - side.length() - 1);
            if (!Projection.IDS.contains(changed)) {
                throw new IllegalArgumentException("unknown scenario '" + id + "'");
            }
            a = at(ends, "central").with(changed, ends.get(changed).get(side));
        }
        double flopPerParameterToken = in.constant("flop_per_parameter_token", false);
        double tokensPerParameter = in.constant("tokens_per_parameter", false);
        double required = Projection.requiredFlop(a, flopPerParameterToken, tokensPerParameter);
        String p = a.precision().id;
        Projection.Years point = Projection.years(a, required, new Projection.Trends(fits.get("largest-runs"),
                fits.get("per-dollar-" + p), fits.get("per-watt-" + p)));
        List<Trend.Fit> l = replicates.get("largest-runs");
        List<Trend.Fit> d = replicates.get("per-dollar-" + p);
        List<Trend.Fit> w = replicates.get("per-watt-" + p);
        int n = l.size();
        double[][] years = new double[4][n];
        for (int r = 0; r < n; r++) {
            Projection.Years y = Projection.years(a, required, new Projection.Trends(l.get(r), d.get(r), w.get(r)));
            years[0][r] = y.largestRuns();
            years[1][r] = y.budget();
            years[2][r] = y.power();
            years[3][r] = y.buyable();
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("side", side);
        m.put("changed", changed);
        m.put("assumptions", a.toMap());
        m.put("required_flop", required);
        List<String> names = List.of("largest_runs", "budget", "power", "buyable");
        double[] pointYears = {point.largestRuns(), point.budget(), point.power(), point.buyable()};
        Map<String, Object> ys = new LinkedHashMap<>();
        for (int k = 0; k < names.size(); k++) {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("fit", pointYears[k]);
            e.put("quantiles", quantiles(years[k]));
            long never = java.util.Arrays.stream(years[k]).filter(v -> v == Double.POSITIVE_INFINITY).count();
            e.put("never_share", (double) never / n);
            ys.put(names.get(k), e);
        }
        m.put("years", ys);
        // what the run would take in the year the largest-runs trend reaches it, at that year's prices
        Projection.Trends t = new Projection.Trends(fits.get("largest-runs"), fits.get("per-dollar-" + p),
                fits.get("per-watt-" + p));
        double year = point.largestRuns();
        double delivered = a.durationDays() * 86400 * a.utilisation();
        m.put("chips_cost_usd_then", required / (Math.pow(10, t.flopsPerDollar().log10At(year)) * delivered));
        m.put("power_watts_then", required / (Math.pow(10, t.flopsPerWatt().log10At(year)) * delivered));
        return m;
    }
}
