package unboxed.autogradpost;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import unboxed.autogradpost.CheckedInput.Layout;
import unboxed.tensor.Op;

/** The experiment's catalogue and run: every op has cases that exercise it, every layout occurs, a seed reproduces. */
class GradientChecksTest {
    private static final int DRAWN = 40;

    /** Every Op has an arbitrary whose cases record the op's node, with strided inputs among them. */
    @Test
    void everyOpHasCasesThatExerciseIt() {
        List<String> problems = new ArrayList<>();
        Map<Layout, Integer> layouts = new EnumMap<>(Layout.class);
        for (Op op : Op.values()) {
            List<GradientCase> cases = GradientChecks.draw(op, 11, DRAWN);
            int strided = 0;
            for (GradientCase c : cases) {
                if (c.op() != op) {
                    problems.add(op + ": drew a case of " + c.op());
                }
                for (CheckedInput in : c.inputs()) {
                    layouts.merge(in.layout(), 1, Integer::sum);
                    strided += in.layout() == Layout.CONTIGUOUS ? 0 : 1;
                }
            }
            if (strided == 0) {
                problems.add(op + ": no strided input in " + DRAWN + " cases");
            }
            GradientChecker.Outcome o = GradientChecker.check(cases.get(0));
            if (!o.passed()) {
                problems.add(o.failure());
            }
        }
        assertEquals(List.of(), problems);
        for (Layout l : Layout.values()) {
            assertTrue(layouts.getOrDefault(l, 0) > 0, l + " never drawn: " + layouts);
        }
    }

    @Test
    void aSeedDrawsTheSameCasesAndTheSameNumbers() {
        Map<String, Object> a = GradientChecks.run(3, 4);
        Map<String, Object> b = GradientChecks.run(3, 4);
        assertEquals(a, b);
        assertEquals(0L, a.get("failed_cases"), () -> "failures: " + a.get("failures"));
        assertEquals(4L * Op.values().length, a.get("total_cases"));
        List<?> ops = (List<?>) a.get("ops");
        assertEquals(Op.values().length, ops.size());
        assertNotEquals(a.get("ops"), GradientChecks.run(4, 4).get("ops"), "another seed drew the same cases");
    }
}
