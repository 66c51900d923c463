package unboxed.autogradpost;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import unboxed.autograd.Autograd;
import unboxed.fixtures.AutogradProbes;
import unboxed.fixtures.AutogradProbes.Behaviour;
import unboxed.io.Safetensors;
import unboxed.tensor.Tensor;

/**
 * One test per behaviour of torch.autograd that post 04 probes: the engine runs the probe on the
 * fixture's inputs and must reach every fact PyTorch reached (a .grad that is None, a flag, a
 * grad_fn's name, a call that raised and its kind) and every tensor it observed, within the probes'
 * tolerance. The report's table names these methods (see {@link Probes#TESTS}).
 */
class ProbesTest {
    private static final TypeReference<TreeMap<String, String>> STRINGS = new TypeReference<>() { };

    @TempDir
    Path tmp;

    /** Runs a probe against its fixture and fails with every difference. */
    private static AutogradProbes.Check agrees(Behaviour b) {
        AutogradProbes.Check c = Probes.check(Probes.fixture(b.probe()));
        assertEquals(b.probe(), c.probe());
        assertFalse(c.tensors().isEmpty(), b.probe() + " compares no tensor");
        assertTrue(c.agrees(), b.probe() + " (" + b.sentence() + ") differs from PyTorch: " + c.failure());
        return c;
    }

    @Test
    void p01GradientsAccumulate() {
        agrees(Behaviour.P01);
    }

    @Test
    void p02SecondBackwardNeedsRetainGraph() {
        AutogradProbes.Check c = agrees(Behaviour.P02);
        assertEquals("raises RuntimeError", c.torchFacts().get("second_backward_without_retain_graph"));
    }

    @Test
    void p03NonLeafGradNeedsRetainGrad() {
        agrees(Behaviour.P03);
    }

    @Test
    void p04RequiresGradPropagatesAndStopsAtConstants() {
        agrees(Behaviour.P04);
    }

    @Test
    void p05NoGradRecordsNothingEnableGradRecordsAgain() {
        agrees(Behaviour.P05);
    }

    @Test
    void p06DetachSharesStorageAndCutsTheGraph() {
        agrees(Behaviour.P06);
    }

    @Test
    void p07TensorUsedTwiceSumsItsGradients() {
        agrees(Behaviour.P07);
    }

    @Test
    void p08BroadcastGradientsAreReducedToTheInputShape() {
        agrees(Behaviour.P08);
    }

    @Test
    void p09InPlaceChangeOfASavedValueRaises() {
        AutogradProbes.Check c = agrees(Behaviour.P09);
        assertEquals("raises RuntimeError", c.torchFacts().get("backward_after_modifying_saved_leaf"));
        assertEquals("ok", c.torchFacts().get("backward_after_modifying_unsaved_leaf"));
    }

    @Test
    void p10NonScalarBackwardNeedsAGradient() {
        agrees(Behaviour.P10);
    }

    @Test
    void p11ZeroGradWithAndWithoutSetToNone() {
        agrees(Behaviour.P11);
    }

    @Test
    void p12HooksSeeAndReplaceGradients() {
        agrees(Behaviour.P12);
    }

    @Test
    void p13HigherOrderGradientsThroughCreateGraph() {
        agrees(Behaviour.P13);
    }

    @Test
    void p14AutogradGradWithInputsAndAllowUnused() {
        agrees(Behaviour.P14);
    }

    @Test
    void p15GradientsThroughViewsAndSlices() {
        agrees(Behaviour.P15);
    }

    @Test
    void p16LeafWithoutRequiresGradGetsNoGrad() {
        agrees(Behaviour.P16);
    }

    // ---------------------------------------------------------------- the comparison itself

    /** A fixture whose PyTorch outcome was changed (one fact, then one tensor by 1e-3) no longer agrees. */
    @Test
    void aDifferentOutcomeIsDetected() throws IOException {
        Safetensors.File f = Safetensors.read(Probes.fixture("p04-requires-grad"));
        Map<String, Tensor> tensors = new TreeMap<>();
        for (String name : f.entries().keySet()) {
            tensors.put(name, f.tensor(name));
        }
        ObjectMapper json = new ObjectMapper();

        Map<String, String> facts = new TreeMap<>(json.readValue(f.meta("facts"), STRINGS));
        assertEquals("True", facts.get("y_requires_grad"));
        facts.put("y_requires_grad", "False");
        Map<String, String> metadata = new HashMap<>(f.metadata());
        metadata.put("facts", json.writeValueAsString(facts));
        Path changedFact = tmp.resolve("fact.safetensors");
        Safetensors.write(changedFact, tensors, metadata);
        AutogradProbes.Check c = Probes.check(changedFact);
        assertFalse(c.factsAgree());
        assertTrue(c.tensorsAgree());
        assertTrue(c.failure().contains("fact y_requires_grad: engine 'True', PyTorch 'False'"), c.failure());

        Map<String, Tensor> moved = new TreeMap<>(tensors);
        float[] grad = tensors.get("out.x_grad").toArray();
        grad[1] += 1e-3f;
        moved.put("out.x_grad", Tensor.of(grad, tensors.get("out.x_grad").shape()));
        Path changedTensor = tmp.resolve("tensor.safetensors");
        Safetensors.write(changedTensor, moved, f.metadata());
        AutogradProbes.Check t = Probes.check(changedTensor);
        assertTrue(t.factsAgree());
        assertFalse(t.tensorsAgree());
        assertTrue(t.failure().startsWith("out.x_grad[1]"), t.failure());

        // a fact PyTorch observed that the engine's probe does not, and an exception of another kind
        facts = new TreeMap<>(json.readValue(f.meta("facts"), STRINGS));
        facts.put("never_observed", "ok");
        metadata.put("facts", json.writeValueAsString(facts));
        Path extraFact = tmp.resolve("extra.safetensors");
        Safetensors.write(extraFact, tensors, metadata);
        assertTrue(Probes.check(extraFact).failure().contains("fact never_observed: engine '(not observed)'"));
        assertEquals("UnsupportedOperationException", AutogradProbes.kind(new UnsupportedOperationException("x")),
                "an engine exception without a PyTorch counterpart keeps its own name");
    }

    /** Every fixture in the folder has a probe in the engine and a test here, and every probe has a fixture. */
    @Test
    void everyFixtureHasAProbeAndEveryProbeHasAFixture() throws IOException {
        Set<String> files = Probes.fixtures().stream()
                .map(p -> p.getFileName().toString().replace(".safetensors", ""))
                .collect(Collectors.toCollection(TreeSet::new));
        assertEquals(new TreeSet<>(AutogradProbes.names()), files,
                "fixtures in " + Probes.FIXTURES + " against the engine's probes");
        for (Path p : Probes.fixtures()) {
            Safetensors.File f = Safetensors.read(p);
            String stem = p.getFileName().toString().replace(".safetensors", "");
            assertEquals("{\"probe\": \"" + stem + "\"}", f.meta("args"), p + " names another probe");
        }
        Set<String> methods = Arrays.stream(ProbesTest.class.getDeclaredMethods())
                .filter(m -> m.isAnnotationPresent(Test.class)).map(Method::getName).collect(Collectors.toSet());
        assertEquals(Set.of(Behaviour.values()), Probes.TESTS.keySet(), "a test per behaviour");
        for (Behaviour b : Behaviour.values()) {
            String method = Probes.TESTS.get(b);
            assertTrue(methods.contains(method), "ProbesTest has no test " + method + " for " + b.probe());
            assertTrue(method.startsWith(String.format("p%02d", b.number())), method);
        }
        assertEquals(16, Behaviour.values().length);
    }

    /** The results file's content: every probe agrees, in the post's order, and a rerun gives the same values. */
    @Test
    void theResultsListEveryProbeInOrderAndRepeat() {
        Map<String, Object> r = Probes.run();
        assertEquals(16, r.get("total"));
        assertEquals(16, r.get("agree"));
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> probes = (List<Map<String, Object>>) r.get("probes");
        for (int i = 0; i < probes.size(); i++) {
            Map<String, Object> p = probes.get(i);
            assertEquals(i + 1, p.get("number"));
            assertEquals(Behaviour.values()[i].probe(), p.get("probe"));
            assertTrue((Boolean) p.get("facts_agree") && (Boolean) p.get("tensors_agree"), p.toString());
            assertNotNull(p.get("test"));
        }
        assertEquals(Probes.FIXTURES, r.get("fixtures_dir"));
        assertEquals(new ObjectMapper().valueToTree(r), new ObjectMapper().valueToTree(Probes.run()));
        assertTrue(Autograd.isEnabled(), "the probes leave gradient recording on");
    }
}
