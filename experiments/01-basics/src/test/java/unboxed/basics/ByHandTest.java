package unboxed.basics;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import unboxed.io.RepoRoot;
import unboxed.tensor.Tensor;

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
        // the fixture check of the first test, run again with one element of every hand-derived
        // gradient moved by 1% (at least 0.01): every case whose gradients have an element to move must fail
        List<Path> files;
        try (Stream<Path> s = Files.list(FIXTURES)) {
            files = s.filter(p -> p.toString().endsWith(".safetensors")).sorted().toList();
        }
        int caught = 0;
        for (Path file : files) {
            ByHandFixtures.Case honest = ByHandFixtures.check(file, UnaryOperator.identity());
            if (honest == null) {
                continue;  // a form the hand-derived layers do not implement
            }
            boolean[] moved = {false};
            ByHandFixtures.Case wrong = ByHandFixtures.check(file, g -> {
                Tensor w = oneElementOff(g);
                moved[0] |= w != g;
                return w;
            });
            assertTrue(honest.passed(), file.getFileName() + ": " + honest.detail());
            if (moved[0]) {
                assertFalse(wrong.passed(), file.getFileName() + ": a gradient with one element off passed the check");
                assertTrue(wrong.detail().startsWith("grad.") || wrong.detail().startsWith("out.params["),
                        file.getFileName() + ": failed for another reason: " + wrong.detail());
                caught++;
            }
        }
        assertTrue(caught > 50, "only " + caught + " fixture cases had a gradient to corrupt");
    }

    /** A copy of {@code g} with its first finite element moved by 1% of its size, at least 0.01; {@code g} itself when it has none. */
    static Tensor oneElementOff(Tensor g) {
        float[] a = Arrays.copyOf(g.toArray(), g.numel());
        for (int i = 0; i < a.length; i++) {
            if (Float.isFinite(a[i])) {
                a[i] += (float) Math.max(0.01, 0.01 * Math.abs(a[i]));
                return Tensor.of(a, g.shape());
            }
        }
        return g;
    }
}
