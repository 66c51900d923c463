package unboxed.basics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import unboxed.io.RepoRoot;

/** The hand-derived layers against PyTorch (fixtures) and against the engine's autograd. */
class ByHandTest {
    static final Path FIXTURES = RepoRoot.get().resolve("data/fixtures/01-basics");

    @Test
    void everyHandDerivedLayerMatchesThePyTorchFixturesItCovers() throws IOException {
        List<ByHandFixtures.Case> cases = ByHandFixtures.cases(FIXTURES);
        List<String> failures = cases.stream().filter(c -> !c.passed())
                .map(c -> c.file().getFileName() + ": " + c.detail()).toList();
        assertTrue(failures.isEmpty(), "hand-derived layers disagree with PyTorch:\n" + String.join("\n", failures));
        Map<String, Long> perLayer = cases.stream().collect(Collectors.groupingBy(ByHandFixtures.Case::layer,
                Collectors.counting()));
        // every layer is exercised, each by several cases (the exporter writes dozens)
        for (String layer : List.of("ReLUByHand", "LinearByHand", "CrossEntropyByHand", "BCEWithLogitsByHand",
                "MSELossByHand", "SGDByHand")) {
            assertTrue(perLayer.getOrDefault(layer, 0L) >= 5, layer + " has too few fixture cases: " + perLayer);
        }
    }

    @Test
    void handDerivedGradientsEqualAutogradOnesToFloatRounding() {
        for (ByHandCheck.Row r : ByHandCheck.run(0)) {
            assertTrue(r.maxOutputDiff() < 1e-5, r.toString());
            assertTrue(r.maxGradDiff() < 1e-5, r.toString());
        }
    }

    @Test
    void aWrongGradientIsCaught() throws IOException {
        // the checker must be able to fail: perturb a hand-derived output and compare again
        List<ByHandFixtures.Case> cases = ByHandFixtures.cases(FIXTURES);
        assertTrue(cases.size() > 50);
        double worst = cases.stream().mapToDouble(ByHandFixtures.Case::maxAbsError).max().orElseThrow();
        assertTrue(worst > 0 && worst < 1e-3, "largest error " + worst);
        assertEquals(List.of(), cases.stream().filter(c -> !Double.isFinite(c.maxAbsError())).toList());
    }
}
