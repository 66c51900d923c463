package unboxed.channels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;
import unboxed.tensor.Rng;

/** The per-channel measures on responses whose answers are known. */
class MeasuresTest {
    @Test
    void polarityTellsOneSidedEdgesFromTwoSided() {
        double[] edges = new double[24];
        edges[3] = 2;               // answers the edge at 45° with white on one side only
        assertEquals(1, Measures.polarity(edges), 1e-12);
        edges[15] = 2;              // and now the same edge with white on the other side as much
        assertEquals(0, Measures.polarity(edges), 1e-12);
        assertTrue(Double.isNaN(Measures.polarity(new double[24])), "silent");
    }

    @Test
    void effectiveRankCountsDifferentChannelsNotLoudOnes() {
        Rng rng = new Rng(7);
        double[][] r = new double[200][4];
        for (double[] row : r) {
            double a = rng.nextDouble();
            row[0] = a;
            row[1] = 100 * a;        // a louder copy of channel 0
            row[2] = rng.nextDouble();
            row[3] = 0;              // dead: not counted
        }
        double rank = Measures.effectiveRank(r);
        assertTrue(rank > 1.8 && rank < 2.2, "two different signals among three live channels: " + rank);
        assertEquals(0, Measures.meanAbsCorrelation(new double[][] {{1, 0}, {0, 1}}), 1e-12);
    }

    @Test
    void quantisedMapsKeepTheirScaleAndGreyLevels() {
        Map<String, Object> q = Study.quantised(new double[][] {{0, 1, 2}, {4, 0, 0}});
        assertEquals(4.0, q.get("scale"));
        @SuppressWarnings("unchecked")
        java.util.List<String> maps = (java.util.List<String>) q.get("q");
        assertEquals(java.util.List.of(0, 64, 128), java.util.Arrays.stream(Study.levels(maps.get(0))).boxed().toList());
        assertEquals(255, Study.levels(maps.get(1))[0]);
    }

    @Test
    void choosingChannelsIsSeededAndTakesAllOfASmallLayer() {
        assertEquals(4, Study.choose(4, 8, new Rng(1)).length);
        int[] a = Study.choose(64, 8, new Rng(1));
        assertEquals(8, a.length);
        assertEquals(java.util.Arrays.toString(a), java.util.Arrays.toString(Study.choose(64, 8, new Rng(1))));
        for (int i = 1; i < a.length; i++) {
            assertTrue(a[i] > a[i - 1], "distinct, in increasing order");
        }
    }
}
