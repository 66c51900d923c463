package unboxed.brain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.Map;
import org.junit.jupiter.api.Test;
import unboxed.io.RepoRoot;
import unboxed.kit.Sweep;

/** The projection's arithmetic, on numbers worked out by hand; and the scenarios' order on the committed tables. */
class ProjectionTest {
    static Projection.Assumptions lifetime(double synapses, double flop, double years, double overhead) {
        return new Projection.Assumptions(synapses, flop, Projection.Definition.LIFETIME, years, overhead, 100,
                Projection.Precision.FP16, 1e9, 1e8, 0.5);
    }

    @Test
    void theComputeOfABrainUnderEachDefinition() {
        // 1e14 synapses × 1 FLOP/s each × 10 years of 31,557,600 s × overhead 1
        assertEquals(3.15576e22, Projection.requiredFlop(lifetime(1e14, 1, 10, 1), 6, 20), 1e8);
        assertEquals(3.15576e25, Projection.requiredFlop(lifetime(1e14, 10, 10, 100), 6, 20), 1e11);
        // 6 FLOP × 1e14 parameters × 20 tokens per parameter × 1e14 parameters
        Projection.Assumptions a = lifetime(1e14, 1, 10, 1).with("definition", "compute-optimal");
        assertEquals(1.2e30, Projection.requiredFlop(a, 6, 20), 1e16);
        assertEquals(1.2e30, Projection.requiredFlop(a.with("flop-per-synapse-second", 1000.0), 6, 20), 1e16,
                "the compute-optimal network does not depend on the lifetime's assumptions");
    }

    @Test
    void theYearsEachTrendReachesIt() {
        // every trend at 10^20 in 2000 and a tenfold a year
        Trend.Fit tenfold = new Trend.Fit(20, 1, 1, 5);
        Projection.Trends t = new Projection.Trends(tenfold, tenfold, tenfold);
        Projection.Assumptions a = lifetime(1e14, 1, 10, 1);
        Projection.Years y = Projection.years(a, 1e25, t);
        assertEquals(2005, y.largestRuns(), 1e-9);
        // budget: 1e9 USD × 100 days × 86400 s × 0.5 = 4.32e15 USD·s; 1e25 / 4.32e15 = 2.3148e9 FLOP/s per USD
        assertEquals(2000 + (Math.log10(1e25 / (1e9 * 100 * 86400 * 0.5)) - 20), y.budget(), 1e-9);
        assertEquals(2000 + (Math.log10(1e25 / (1e8 * 100 * 86400 * 0.5)) - 20), y.power(), 1e-9);
        assertEquals(Math.max(y.budget(), y.power()), y.buyable());
        Projection.Years flat = Projection.years(a, 1e25, new Projection.Trends(tenfold, new Trend.Fit(20, 0, 1, 5),
                tenfold));
        assertEquals(Double.POSITIVE_INFINITY, flat.buyable());
    }

    @Test
    void theAssumptionsRoundTripByName() {
        Projection.Assumptions a = lifetime(1e14, 1, 10, 1);
        for (String id : Projection.IDS) {
            assertEquals(a, a.with(id, a.get(id)), id);
        }
    }

    @Test
    void theExtremesBracketEveryScenarioOnTheCommittedTables() throws IOException {
        Scenarios s = new Scenarios(Inputs.read(RepoRoot.get()), 200, 3);
        double fav = year(s.scenario("favourable"));
        double cen = year(s.scenario("central"));
        double unf = year(s.scenario("unfavourable"));
        assertTrue(fav < cen && cen < unf, fav + " " + cen + " " + unf);
        for (String id : Scenarios.ids()) {
            double y = year(s.scenario(id));
            assertTrue(y >= fav && y <= unf, id + ": " + y);
        }
        // the duration of the run does not enter the largest runs' projection
        assertEquals(cen, year(s.scenario("duration-days-unfavourable")));
        assertEquals(Sweep.canonical(s.scenario("central")), Sweep.canonical(new Scenarios(Inputs.read(RepoRoot.get()),
                200, 3).scenario("central")), "the same seed gives the same bootstrap");
    }

    static double year(Map<String, Object> scenario) {
        JsonNode n = Sweep.canonical(scenario);
        return n.at("/years/largest_runs/fit").asDouble();
    }
}
