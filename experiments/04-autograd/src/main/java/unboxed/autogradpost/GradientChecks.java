package unboxed.autogradpost;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitrary;
import net.jqwik.engine.SourceOfRandomness;
import unboxed.autogradpost.CheckedInput.Layout;
import unboxed.tensor.Op;

/**
 * The experiment {@code gradient-check.json}: the gradient checker ({@link GradientChecker}) over
 * random cases ({@link GradientCases}) of every op of the registry, in double precision. For
 * each op: the cases run, the largest error, the largest error as a fraction of its tolerance,
 * and the case it came from. A failing case does not stop the run: it is counted and described,
 * so that the report shows it (and the property tests fail on it).
 *
 * <p>Cases are drawn from jqwik's generators outside a property, from a source of randomness
 * seeded by the run's seed and the op ({@link #draw}), so the same seed draws the same cases, and
 * the file reproduces bit for bit (the float64 backend is single-threaded and deterministic).
 */
final class GradientChecks {
    /** Cases per op in a quick run (about a minute on two cores); a full run draws ten times as many. */
    static final int QUICK_CASES = 300;
    /** Failing cases described in the file (all are counted). */
    static final int FAILURES_KEPT = 10;

    private GradientChecks() {
    }

    static Map<String, Object> run(long seed, boolean full) {
        return run(seed, full ? 10 * QUICK_CASES : QUICK_CASES);
    }

    /** {@code perOp} cases of every op, drawn from {@code seed}. */
    static Map<String, Object> run(long seed, int perOp) {
        Map<String, Long> layouts = new LinkedHashMap<>();
        for (Layout l : Layout.values()) {
            layouts.put(l.label(), 0L);
        }
        List<Map<String, Object>> ops = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        long total = 0;
        long failed = 0;
        for (Op op : Op.values()) {
            List<GradientCase> cases = draw(op, seed, perOp);
            double maxAbs = 0;
            double maxRatio = 0;
            String worst = "";
            int opFailed = 0;
            for (GradientCase c : cases) {
                for (CheckedInput in : c.inputs()) {
                    layouts.merge(in.layout().label(), 1L, Long::sum);
                }
                GradientChecker.Outcome o = GradientChecker.check(c);
                if (!o.passed()) {
                    opFailed++;
                    if (failures.size() < FAILURES_KEPT) {
                        failures.add(o.failure());
                    }
                    continue;
                }
                maxAbs = Math.max(maxAbs, o.maxAbsError());
                if (o.maxErrorOverTolerance() > maxRatio || worst.isEmpty()) {
                    maxRatio = Math.max(maxRatio, o.maxErrorOverTolerance());
                    worst = c.describe();
                }
            }
            total += cases.size();
            failed += opFailed;
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("op", op.name());
            r.put("torch_name", op.torchName());
            r.put("grad_fn", op.gradFn());
            r.put("cases", cases.size());
            r.put("failed_cases", opFailed);
            r.put("max_abs_error", maxAbs);
            r.put("max_error_over_tolerance", maxRatio);
            r.put("worst_case", worst);
            ops.add(r);
        }
        if (failed > 0) {
            System.err.println("gradient check: " + failed + " of " + total + " cases failed (recorded in the results;"
                    + " the first: " + failures.get(0) + ")");
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("method", GradientChecker.METHOD);
        out.put("step", GradientChecker.STEP);
        Map<String, Object> tolerance = new LinkedHashMap<>();
        tolerance.put("atol", GradientChecker.ATOL);
        tolerance.put("rtol", GradientChecker.RTOL);
        tolerance.put("rule", "|numeric - analytic| <= atol + rtol * max(|numeric|, |analytic|), per base element");
        out.put("tolerance", tolerance);
        out.put("backend", GradientChecker.F64.name());
        out.put("generator", "jqwik arbitraries (GradientCases), sampled with jqwik's source"
                + " of randomness seeded per op from the run's seed (seed * 1000003 + op ordinal)");
        out.put("cases_per_op", perOp);
        out.put("total_cases", total);
        out.put("failed_cases", failed);
        out.put("failures", failures);
        out.put("layouts", layouts);
        out.put("ops", ops);
        return out;
    }

    /**
     * {@code n} cases of {@code op}, the same ones for the same seed. jqwik's generators need its
     * lifecycle (they memoize per property), which {@link Arbitrary#sampleStream()} provides outside a
     * property; it draws from jqwik's thread-local source of randomness (genSize 1000, edge cases
     * mixed in), which is seeded here, per op, from the run's seed. Not for use inside a property,
     * whose own randomness this would replace.
     */
    static List<GradientCase> draw(Op op, long seed, int n) {
        SourceOfRandomness.create(Long.toString(seed * 1_000_003L + op.ordinal()));
        return GradientCases.of(op).sampleStream().limit(n).toList();
    }
}
