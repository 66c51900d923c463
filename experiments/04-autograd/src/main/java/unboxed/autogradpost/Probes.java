package unboxed.autogradpost;

import java.util.Map;

/** Placeholder until this experiment lands: fails loudly rather than write an empty results file. */
final class Probes {
    private Probes() {
    }

    static Map<String, Object> run() {
        throw new UnsupportedOperationException("Probes is not written yet");
    }
}
