package unboxed.kit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import unboxed.io.Provenance;
import unboxed.io.Results;

class ReproduceTest {
    @TempDir
    Path tmp;
    Path pinned;
    Path fresh;
    String output;

    @BeforeEach
    void dirs() throws IOException {
        pinned = Files.createDirectories(tmp.resolve("pinned"));
        fresh = Files.createDirectories(tmp.resolve("fresh"));
    }

    static Map<String, Object> results(double value, int n) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("value", value);
        double[] curve = new double[n];
        for (int i = 0; i < n; i++) {
            curve[i] = i / 3.0;
        }
        r.put("curve", curve);
        r.put("label", "sgd");
        return r;
    }

    void write(Path dir, String name, Object results, String command) throws IOException {
        Provenance p = new Provenance("unknown", true, command, 0, "cpu", "quick", 2, "jdk", "cpu", 2, null, "os",
                java.time.Instant.EPOCH, 1.0);
        Results.write(dir.resolve(name + ".json"), "01-basics", name, p, results);
    }

    int compare() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int code = Reproduce.compare(pinned, fresh, new PrintStream(bytes, true, StandardCharsets.UTF_8));
        output = bytes.toString(StandardCharsets.UTF_8);
        return code;
    }

    @Test
    void identicalResultsReproduceWhateverTheProvenance() throws IOException {
        write(pinned, "a", results(0.1, 4), "java Experiment --seed 0");
        write(fresh, "a", results(0.1, 4), "java Experiment --seed 0 --out /tmp/x");
        write(pinned, "bench-matmul", results(1.0, 2), "bench");
        write(fresh, "bench-matmul", results(2.0, 2), "bench");
        // an experiment's own wall-clock measurements, pinned for one backend only
        write(pinned, "timing", results(3.0, 2), "java Experiment");
        write(fresh, "timing", results(4.0, 2), "java Experiment");
        write(pinned, "timing-cuda", results(0.5, 2), "java Experiment --backend cuda");
        assertEquals(0, compare(), output);
        assertTrue(output.contains("reproduced: 1 files identical"), output);
        assertTrue(output.contains("bench-matmul.json: skipped"), output);
        assertTrue(output.contains("timing.json: skipped (wall-clock times"), output);
        assertTrue(output.contains("timing-cuda.json: skipped"), output);
        assertTrue(output.contains("a.json: command pinned: java Experiment --seed 0\n"), output);
        assertTrue(output.contains("fresh:  java Experiment --seed 0 --out /tmp/x"), output);
    }

    @Test
    void aOneUlpDifferenceIsADifference() throws IOException {
        write(pinned, "a", results(0.1, 4), "c");
        write(fresh, "a", results(Math.nextUp(0.1), 4), "c");
        assertEquals(1, compare(), output);
        assertTrue(output.contains("a.json: /value: pinned 0.1, fresh 0.10000000000000002"), output);
        assertTrue(output.contains("NOT reproduced: 1 difference in 1 of 1 files"), output);
    }

    @Test
    void numbersAreComparedByTheirTextNotTheirRoundedValue() throws IOException {
        // 1.0 and 1 are the same double but not the same result: an int became a float.
        Files.writeString(pinned.resolve("t.json"), "{\"format\":\"unboxed-results/1\",\"provenance\":{},\"results\":{\"x\":1}}");
        Files.writeString(fresh.resolve("t.json"), "{\"format\":\"unboxed-results/1\",\"provenance\":{},\"results\":{\"x\":1.0}}");
        assertEquals(1, compare(), output);
        assertTrue(output.contains("t.json: /x: pinned 1, fresh 1.0"), output);
    }

    @Test
    void missingAndExtraFilesAreDifferences() throws IOException {
        write(pinned, "a", results(0.1, 4), "c");
        write(pinned, "b", results(0.1, 4), "c");
        write(fresh, "a", results(0.1, 4), "c");
        write(fresh, "c", results(0.1, 4), "c");
        assertEquals(1, compare(), output);
        assertTrue(output.contains("b.json: missing from the fresh results"), output);
        assertTrue(output.contains("c.json: not pinned, only in the fresh results"), output);
        assertFalse(output.contains("\nreproduced: "), output);
    }

    @Test
    void manyDifferencesAreCappedThenCounted() throws IOException {
        write(pinned, "a", results(0.1, 30), "c");
        write(fresh, "a", results(0.1, 5), "c");
        assertEquals(1, compare(), output);
        assertTrue(output.contains("a.json: /curve/5: pinned 1.6666666666666667, fresh (absent)"), output);
        assertEquals(Reproduce.MAX_SHOWN, output.lines().filter(l -> l.startsWith("a.json: /curve/")).count(), output);
        assertTrue(output.contains("a.json: ... and 5 more differences (25 in all)"), output);
    }

    @Test
    void aCorruptFreshFileIsADifferenceNotACrash() throws IOException {
        write(pinned, "a", results(0.1, 4), "c");
        Files.writeString(fresh.resolve("a.json"), "{ not json");
        assertEquals(1, compare(), output);
        assertTrue(output.contains("a.json: cannot compare: corrupt results file"), output);
    }

    @Test
    void nothingToCompareFails() throws IOException {
        assertEquals(1, compare(), output);
        assertTrue(output.contains("nothing to compare"), output);
    }

    @Test
    void usageErrors() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        assertEquals(2, Reproduce.run(new String[] {"only-one"}, new PrintStream(bytes)));
        assertEquals(2, Reproduce.run(new String[] {tmp.resolve("nope").toString(), fresh.toString()}, new PrintStream(bytes)));
    }
}
