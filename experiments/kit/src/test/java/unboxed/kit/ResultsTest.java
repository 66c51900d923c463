package unboxed.kit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import unboxed.io.Provenance;
import unboxed.io.Results;

class ResultsTest {
    @TempDir
    Path dir;

    static Provenance fixed() {
        return new Provenance("0123456789abcdef0123456789abcdef01234567", false, "java unboxed.basics.Experiment --seed 0",
                0, "cpu", "quick", 2, "OpenJDK 64-Bit Server VM 17", "Test CPU", 2, null, "Linux", Instant.parse("2025-01-02T03:04:05Z"), 1.5);
    }

    record Curve(String label, double[] loss) {
    }

    static Map<String, Object> results(double last) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("steps", 3);
        r.put("curves", List.of(new Curve("sgd", new double[] {1.0, 0.5, last})));
        return r;
    }

    @Test
    void writesTheDocumentedLayoutDeterministically() throws IOException {
        Path f = dir.resolve("01-basics").resolve("loss.json");
        Results.write(f, "01-basics", "loss", fixed(), results(0.1));
        byte[] first = Files.readAllBytes(f);
        Results.write(f, "01-basics", "loss", fixed(), results(0.1));
        assertArrayEquals(first, Files.readAllBytes(f), "same inputs, same bytes");
        String text = new String(first, StandardCharsets.UTF_8);
        assertTrue(text.startsWith("{\n  \"format\": \"unboxed-results/1\",\n  \"post\": \"01-basics\",\n  \"name\": \"loss\",\n"
                + "  \"provenance\": {\n    \"git_commit\": \"0123456789abcdef0123456789abcdef01234567\",\n"
                + "    \"git_dirty\": false,\n"), text);
        assertTrue(text.contains("\"loss\": [ 1.0, 0.5, 0.1 ]"), text);
        assertTrue(text.endsWith("}\n"));
        assertFalse(text.contains("\r"));

        JsonNode doc = Results.read(f);
        assertEquals(0.1, doc.at("/results/curves/0/loss/2").doubleValue());
        assertEquals("quick", doc.at("/provenance/scale").asText());
        assertEquals(1.5, doc.at("/provenance/wall_seconds").doubleValue());
        assertTrue(doc.at("/provenance/gpu").isNull());
    }

    @Test
    void aFailedWriteLeavesTheOldFileUntouchedAndNoTemporaryFile() throws IOException {
        Path f = dir.resolve("loss.json");
        Results.write(f, "01-basics", "loss", fixed(), results(0.1));
        byte[] before = Files.readAllBytes(f);

        Map<String, Object> bad = new LinkedHashMap<>();
        bad.put("fine", 1.0);
        bad.put("unserialisable", new Object());
        IOException e = assertThrows(IOException.class, () -> Results.write(f, "01-basics", "loss", fixed(), bad));
        assertTrue(e.getMessage().contains(f.toString()), e.getMessage());
        assertArrayEquals(before, Files.readAllBytes(f));
        assertEquals(List.of(f), list(dir));
    }

    @Test
    void aFailedRenameDeletesTheTemporaryFile() throws IOException {
        Path target = dir.resolve("taken.json");
        Files.createDirectories(target.resolve("occupied"));  // a non-empty directory cannot be replaced
        assertThrows(IOException.class, () -> Results.write(target, "01-basics", "taken", fixed(), results(0.1)));
        assertTrue(Files.isDirectory(target.resolve("occupied")));
        assertEquals(List.of(target), list(dir));
    }

    @Test
    void aMissingFileNamesThePathAndTheCommandThatRegeneratesIt() {
        Path f = dir.resolve("data/results/01-basics/nope.json");
        FileNotFoundException e = assertThrows(FileNotFoundException.class, () -> Results.read(f));
        assertTrue(e.getMessage().contains(f.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("make experiments POST=01-basics"), e.getMessage());
    }

    @Test
    void corruptJsonAndAWrongFormatNameThePathAndTheFault() throws IOException {
        Path corrupt = dir.resolve("corrupt.json");
        Files.writeString(corrupt, "{\"format\": \"unboxed-results/1\", \"results\": [1, 2,");
        IOException e = assertThrows(IOException.class, () -> Results.read(corrupt));
        assertTrue(e.getMessage().startsWith("corrupt results file " + corrupt), e.getMessage());

        Path empty = dir.resolve("empty.json");
        Files.writeString(empty, "");
        e = assertThrows(IOException.class, () -> Results.read(empty));
        assertTrue(e.getMessage().contains("empty"), e.getMessage());

        Path wrong = dir.resolve("wrong.json");
        Files.writeString(wrong, "{\"format\": \"something-else/2\", \"provenance\": {}, \"results\": {}}");
        e = assertThrows(IOException.class, () -> Results.read(wrong));
        assertTrue(e.getMessage().contains(wrong.toString()) && e.getMessage().contains("something-else/2"), e.getMessage());

        Path trailing = dir.resolve("trailing.json");
        Files.writeString(trailing, "{\"format\": \"unboxed-results/1\", \"provenance\": {}, \"results\": {}} {}");
        e = assertThrows(IOException.class, () -> Results.read(trailing));
        assertTrue(e.getMessage().contains("trailing"), e.getMessage());
    }

    @Test
    void captureDescribesThisRun() {
        Provenance p = Provenance.capture(7, "cpu", "quick", 2, "java X --seed 7");
        assertTrue(p.gitCommit().equals(Provenance.UNKNOWN) || p.gitCommit().matches("[0-9a-f]{40,64}"), p.gitCommit());
        assertEquals(7, p.seed());
        assertEquals("java X --seed 7", p.command());
        assertTrue(p.jdk().contains(System.getProperty("java.runtime.version")));
        assertFalse(p.cpu().isBlank());
        assertTrue(p.cores() >= 1);
        assertEquals(null, p.gpu());
        assertEquals(null, p.wallSeconds());
        assertTrue(p.started().isBefore(Instant.now().plusSeconds(1)));
        p.finish();
        assertTrue(p.wallSeconds() >= 0);
        JsonNode json = p.toJson();
        assertEquals(List.of("git_commit", "git_dirty", "command", "seed", "backend", "scale", "threads", "jdk", "cpu",
                "cores", "gpu", "os", "started", "wall_seconds"), fieldNames(json));
        assertEquals(json, Provenance.fromJson(json).toJson());
    }

    private static List<String> fieldNames(JsonNode n) {
        List<String> names = new java.util.ArrayList<>();
        n.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private static List<Path> list(Path d) throws IOException {
        try (Stream<Path> s = Files.list(d)) {
            return s.sorted().toList();
        }
    }
}
