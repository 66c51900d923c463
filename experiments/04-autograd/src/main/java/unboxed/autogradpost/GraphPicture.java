package unboxed.autogradpost;

import java.util.Map;

/** Placeholder until this experiment lands: fails loudly rather than write an empty results file. */
final class GraphPicture {
    private GraphPicture() {
    }

    static Map<String, Object> run(long seed) {
        throw new UnsupportedOperationException("GraphPicture is not written yet");
    }
}
