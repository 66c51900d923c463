package unboxed.autogradpost;

import java.util.Map;

/** Placeholder until this experiment lands: fails loudly rather than write an empty results file. */
final class GraphCost {
    private GraphCost() {
    }

    static Map<String, Object> run(long seed) {
        throw new UnsupportedOperationException("GraphCost is not written yet");
    }
}
