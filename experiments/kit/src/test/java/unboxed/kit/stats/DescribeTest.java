package unboxed.kit.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class DescribeTest {
    @Test
    void meanSampleStdAndMedian() {
        double[] v = {4, 1, 3, 2};
        assertEquals(2.5, Describe.mean(v));
        // squared deviations 2.25 + 2.25 + 0.25 + 0.25 = 5, over n − 1 = 3
        assertEquals(Math.sqrt(5.0 / 3), Describe.std(v), 1e-15);
        assertEquals(2.5, Describe.median(v));
        assertEquals(3, Describe.median(new double[] {5, 3, 1}));
        assertEquals(0, Describe.std(new double[] {7}));
        assertEquals(4, v[0], "the input is not sorted in place");
        assertEquals(Double.NaN, Describe.median(new double[0]));
        assertEquals(Double.NaN, Describe.mean(new double[0]));
    }
}
