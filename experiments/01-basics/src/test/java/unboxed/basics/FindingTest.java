package unboxed.basics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import unboxed.io.Provenance;
import unboxed.io.Results;
import unboxed.kit.Pinned;

/** README's line for post 01 names whichever loss the pinned runs put first, with cross-entropy's accuracy. */
class FindingTest {
    @TempDir
    Path root;

    Pinned pin(double ce, double invSqrt, double invP) throws IOException {
        Map<String, Object> losses = new LinkedHashMap<>();
        losses.put("cross_entropy", loss("-log p", ce, ce + 0.002));
        losses.put("inv_sqrt_p", loss("1/sqrt(p)", invSqrt, invSqrt - 0.002));
        losses.put("inv_p", loss("1/p", invP, invP));
        Map<String, Object> results = new LinkedHashMap<>();
        results.put("config", Map.of("epochs", 2, "seeds", List.of(0, 1)));
        results.put("losses", losses);
        Path f = root.resolve("data/results/01-basics/loss-alternatives.json");
        Provenance p = new Provenance("unknown", false, "c", 0, "cpu", "quick", 1, "jdk", "cpu", 1, null, "os",
                Instant.EPOCH, 1.0);
        Results.write(f, "01-basics", "loss-alternatives", p, results);
        return Pinned.load(f, root);
    }

    static Map<String, Object> loss(String formula, double a, double b) {
        List<Map<String, Object>> runs = new ArrayList<>();
        for (double acc : new double[] {a, b}) {
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("finalTestAccuracy", acc);
            r.put("divergedAtStep", null);
            runs.add(r);
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("formula", formula);
        m.put("logit_gradient", "g");
        m.put("runs", runs);
        return m;
    }

    @Test
    void anotherLossAhead() throws IOException {
        assertEquals("Pinned result (`data/results/01-basics/loss-alternatives.json`: 3 losses, 2 seeds each, 2 epochs):"
                + " the best mean test accuracy, 95.1%, is that of `1/sqrt(p)`; cross-entropy (`-log p`) reaches 94.8%.",
                BasicsPost.finding(pin(0.947, 0.952, 0.1)));
    }

    @Test
    void crossEntropyAhead() throws IOException {
        assertEquals("Pinned result (`data/results/01-basics/loss-alternatives.json`: 3 losses, 2 seeds each, 2 epochs):"
                + " the best mean test accuracy, 96.1%, is that of cross-entropy (`-log p`); next is `1/sqrt(p)` with 95.1%.",
                BasicsPost.finding(pin(0.96, 0.952, 0.1)));
    }
}
