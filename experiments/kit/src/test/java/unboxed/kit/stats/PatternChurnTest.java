package unboxed.kit.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.BitSet;
import java.util.List;
import org.junit.jupiter.api.Test;

class PatternChurnTest {
    @Test
    void churnCountsFlippedBitsAndChangedInputs() {
        // two layers (2 units, 1 unit), three inputs
        List<double[][]> before = List.of(new double[][] {{1, -1, 2}, {-1, -1, 3}}, new double[][] {{0.5, 0.5, -2}});
        List<double[][]> after = List.of(new double[][] {{1, 1, 2}, {-1, -1, 3}}, new double[][] {{0.5, -0.5, -2}});
        BitSet[] a = PatternChurn.patterns(before);
        BitSet[] b = PatternChurn.patterns(after);
        assertEquals(3, PatternChurn.units(before));
        PatternChurn.Churn c = PatternChurn.between(a, b, 3);
        assertEquals(2.0 / 9, c.unitFlips(), 1e-12);
        assertEquals(1.0 / 3, c.inputsChanged(), 1e-12);
        assertEquals(3, PatternChurn.distinct(a));
        assertEquals(0, PatternChurn.deadFraction(a, 3), 1e-12);
        assertEquals(0, PatternChurn.between(a, a, 3).unitFlips(), 0);
    }

    @Test
    void deadUnitsAreOffForEveryInput() {
        BitSet[] p = PatternChurn.patterns(List.<double[][]>of(new double[][] {{-1, -2}, {1, -1}}));
        assertEquals(0.5, PatternChurn.deadFraction(p, 2), 1e-12);
        assertEquals(2, PatternChurn.distinct(p));
    }
}
