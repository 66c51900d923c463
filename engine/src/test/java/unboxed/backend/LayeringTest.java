package unboxed.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import unboxed.fixtures.CaseResult;
import unboxed.fixtures.Verifier;
import unboxed.io.RepoRoot;
import unboxed.tensor.Tensor;

/**
 * The engine's layering: backend knows nothing above it, autograd knows nothing of tensors or
 * backends, tensor sits on both; backends arrive through ServiceLoader, and a second one runs
 * post 01's fixtures without anything above the interface noticing.
 */
class LayeringTest {
    private static final Path MAIN = RepoRoot.get().resolve("engine/src/main/java/unboxed");

    /** The unboxed.* packages each source file of {@code pkg} (and its subpackages) imports or names. */
    private static List<String> references(String pkg) throws IOException {
        // a class reference (an import or a qualified name): package segments, then a capitalised
        // class name; a system property such as unboxed.cpu.l2 is not one
        Pattern ref = Pattern.compile("unboxed\\.([a-z]+)(?:\\.[a-z]+)*\\.[A-Z*]");
        List<String> out = new ArrayList<>();
        try (Stream<Path> files = Files.walk(MAIN.resolve(pkg))) {
            for (Path p : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                String src = Files.readString(p).replaceAll("(?s)/\\*.*?\\*/", "").replaceAll("//[^\n]*", "");
                Matcher m = ref.matcher(src);
                while (m.find()) {
                    if (!m.group(1).equals(pkg)) {
                        out.add(p.getFileName() + " -> unboxed." + m.group(1));
                    }
                }
            }
        }
        return out;
    }

    @Test
    void backendDependsOnNothingAboveIt() throws IOException {
        assertEquals(List.of(), references("backend"));
    }

    @Test
    void autogradDependsOnNothingButItself() throws IOException {
        assertEquals(List.of(), references("autograd"));
    }

    @Test
    void tensorDependsOnlyOnBackendAndAutograd() throws IOException {
        List<String> refs = references("tensor");
        refs.removeIf(r -> r.endsWith("unboxed.backend") || r.endsWith("unboxed.autograd"));
        assertEquals(List.of(), refs);
    }

    @Test
    void theEngineNamesNoBackendButItsOwn() throws IOException {
        List<String> named = new ArrayList<>();
        try (Stream<Path> files = Files.walk(MAIN)) {
            for (Path p : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                String code = Files.readString(p).replaceAll("(?s)/\\*.*?\\*/", "").replaceAll("//[^\n]*", "");
                if (code.toLowerCase(java.util.Locale.ROOT).contains("cuda")) {
                    named.add(MAIN.relativize(p).toString());
                }
            }
        }
        assertEquals(List.of(), named, "engine code (outside comments) that names a GPU backend");
    }

    @Test
    void backendsAreFoundThroughServiceLoader() {
        List<String> names = Backends.available();
        assertTrue(names.contains("cpu") && names.contains("float64") && names.contains("recording"), names.toString());
        assertEquals(names.size(), names.stream().distinct().count(), "a backend registered twice: " + names);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Backends.create("tpu", 1));
        assertTrue(e.getMessage().contains("unknown backend 'tpu'") && e.getMessage().contains("cpu"), e.getMessage());
    }

    @Test
    void post01FixturesPassOnASecondBackend() {
        RecordingBackend rec = assertInstanceOf(RecordingBackend.class, Backends.create("recording", 1));
        Backend before = Backends.current();
        Backends.use(rec);
        List<CaseResult> results;
        try {
            results = Verifier.verifyDirectory(RepoRoot.get().resolve("data/fixtures/01-basics"));
        } finally {
            Backends.use(before);
        }
        assertTrue(results.size() > 100, "post 01 has " + results.size() + " fixtures");
        for (CaseResult r : results) {
            assertTrue(r.passed(), r.file() + ": " + r.message());
        }
        Map<String, Integer> calls = rec.calls();
        for (String kernel : List.of("matmul", "softmax", "softmaxBackward", "gather", "scatterAdd", "where", "axpy")) {
            assertTrue(calls.getOrDefault(kernel, 0) > 0, kernel + " never ran on the recording backend: " + calls);
        }
    }

    @Test
    void aClosedStorageFreesItsMemoryAndRefusesUse() {
        Backend cpu = Backends.create("cpu", 1);
        long live = cpu.memory().liveBytes();
        Tensor t = Tensor.zeros(cpu, 1000);
        assertEquals(live + 4000, cpu.memory().liveBytes());
        t.close();
        t.close();
        assertEquals(live, cpu.memory().liveBytes(), "closing twice frees once");
        assertTrue(cpu.memory().peakBytes() >= live + 4000);
        IllegalStateException e = assertThrows(IllegalStateException.class, t::toArray);
        assertTrue(e.getMessage().contains("closed"), e.getMessage());
    }
}
