package unboxed.autogradpost;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import unboxed.backend.Backends;
import unboxed.fixtures.AutogradProbes;
import unboxed.fixtures.AutogradProbes.Behaviour;
import unboxed.fixtures.Tolerances;
import unboxed.io.RepoRoot;
import unboxed.io.Safetensors;

/**
 * Post 04's first experiment: each behaviour of torch.autograd, as PyTorch showed it
 * ({@code data/fixtures/04-autograd}, written by {@code tools/fixtures/export_04_autograd.py}), beside
 * what the engine does on the same inputs ({@link AutogradProbes}). The report's central table
 * (behaviour | PyTorch's outcome | ours | test) is drawn from the file this writes, {@code probes.json}.
 *
 * <p>Every value here is a fact, a message or an error computed from fixed inputs, so a rerun gives
 * the same file bit for bit.
 */
final class Probes {
    /** The fixtures, relative to the repository root. */
    static final String FIXTURES = "data/fixtures/" + Experiment.POST;

    /** The test that fails when a probe's outcome differs from PyTorch's, per behaviour (ProbesTest's methods). */
    static final Map<Behaviour, String> TESTS = Map.ofEntries(
            Map.entry(Behaviour.P01, "p01GradientsAccumulate"),
            Map.entry(Behaviour.P02, "p02SecondBackwardNeedsRetainGraph"),
            Map.entry(Behaviour.P03, "p03NonLeafGradNeedsRetainGrad"),
            Map.entry(Behaviour.P04, "p04RequiresGradPropagatesAndStopsAtConstants"),
            Map.entry(Behaviour.P05, "p05NoGradRecordsNothingEnableGradRecordsAgain"),
            Map.entry(Behaviour.P06, "p06DetachSharesStorageAndCutsTheGraph"),
            Map.entry(Behaviour.P07, "p07TensorUsedTwiceSumsItsGradients"),
            Map.entry(Behaviour.P08, "p08BroadcastGradientsAreReducedToTheInputShape"),
            Map.entry(Behaviour.P09, "p09InPlaceChangeOfASavedValueRaises"),
            Map.entry(Behaviour.P10, "p10NonScalarBackwardNeedsAGradient"),
            Map.entry(Behaviour.P11, "p11ZeroGradWithAndWithoutSetToNone"),
            Map.entry(Behaviour.P12, "p12HooksSeeAndReplaceGradients"),
            Map.entry(Behaviour.P13, "p13HigherOrderGradientsThroughCreateGraph"),
            Map.entry(Behaviour.P14, "p14AutogradGradWithInputsAndAllowUnused"),
            Map.entry(Behaviour.P15, "p15GradientsThroughViewsAndSlices"),
            Map.entry(Behaviour.P16, "p16LeafWithoutRequiresGradGetsNoGrad"));

    private static final ObjectMapper JSON = new ObjectMapper();

    private Probes() {
    }

    /** {@code ProbesTest#<method>}: the test of a behaviour, as the report names it. */
    static String test(Behaviour b) {
        return "ProbesTest#" + TESTS.get(b);
    }

    /** The fixture file of a probe. */
    static Path fixture(String probe) {
        return RepoRoot.get().resolve(FIXTURES).resolve(probe + ".safetensors");
    }

    /** Every fixture file of the post, sorted by name. */
    static List<Path> fixtures() {
        Path dir = RepoRoot.get().resolve(FIXTURES);
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".safetensors")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(dir + ": cannot list the probes' fixtures (`make fixtures` exports them)", e);
        }
    }

    /** Runs the probe a fixture file names, on the current backend, and compares it with the file. */
    static AutogradProbes.Check check(Path file) {
        try {
            Safetensors.File f = Safetensors.read(file);
            if (!AutogradProbes.OP.equals(f.meta("op"))) {
                throw new IOException(file + ": op is '" + f.meta("op") + "', not " + AutogradProbes.OP);
            }
            JsonNode args = JSON.readTree(f.meta("args"));
            return AutogradProbes.check(f, args, tolerance());
        } catch (IOException e) {
            throw new UncheckedIOException(e.getMessage(), e);
        }
    }

    static Tolerances.Tolerance tolerance() {
        return Tolerances.of(AutogradProbes.OP, Backends.current().name());
    }

    /** Every fixture through its probe: the results of {@code probes.json}. */
    static Map<String, Object> run() {
        List<Map<String, Object>> probes = new ArrayList<>();
        int agree = 0;
        for (Path file : fixtures()) {
            AutogradProbes.Check c = check(file);
            Behaviour b = Behaviour.of(c.probe());
            if (c.agrees()) {
                agree++;
            }
            Map<String, Object> p = new LinkedHashMap<>();
            p.put("number", b.number());
            p.put("probe", c.probe());
            p.put("behaviour", b.sentence());
            Map<String, Object> torch = new LinkedHashMap<>();
            torch.put("facts", new TreeMap<>(c.torchFacts()));
            torch.put("messages", new TreeMap<>(c.torchMessages()));
            torch.put("torch_version", c.torchVersion());
            p.put("torch", torch);
            Map<String, Object> ours = new LinkedHashMap<>();
            ours.put("facts", new TreeMap<>(c.ours().facts()));
            ours.put("messages", new TreeMap<>(c.ours().messages()));
            p.put("ours", ours);
            List<Map<String, Object>> tensors = new ArrayList<>();
            for (AutogradProbes.TensorCheck t : c.tensors()) {
                Map<String, Object> e = new LinkedHashMap<>();
                e.put("name", t.name());
                e.put("shape", t.shape());
                e.put("max_abs_error", t.maxAbsError());
                tensors.add(e);
            }
            p.put("tensors", tensors);
            p.put("facts_agree", c.factsAgree());
            p.put("tensors_agree", c.tensorsAgree());
            if (!c.agrees()) {
                p.put("difference", c.failure());
            }
            p.put("test", test(b));
            probes.add(p);
        }
        probes.sort((x, y) -> Integer.compare((Integer) x.get("number"), (Integer) y.get("number")));
        Tolerances.Tolerance tol = tolerance();
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("fixtures_dir", FIXTURES);
        Map<String, Object> tolerance = new LinkedHashMap<>();
        tolerance.put("atol", tol.atol());
        tolerance.put("rtol", tol.rtol());
        tolerance.put("why", tol.why());
        r.put("tolerance", tolerance);
        r.put("probes", probes);
        r.put("agree", agree);
        r.put("total", probes.size());
        return r;
    }
}
