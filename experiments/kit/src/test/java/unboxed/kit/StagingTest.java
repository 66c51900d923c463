package unboxed.kit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import unboxed.io.Results;

/** RunPost replaces a results folder whole, or leaves it byte for byte as it was. */
class StagingTest {
    static final String SLUG = "99-fake";

    /** A post of two experiments, each writing one results file; the second throws while {@code failSecond} is set. */
    @Command(name = SLUG, mixinStandardHelpOptions = true)
    public static final class TwoExperiments implements Callable<Integer> {
        static volatile boolean failSecond;
        static volatile String value = "new";

        @Mixin
        CommonOptions options;

        public static void main(String[] args) {
            ExperimentMain.run(new TwoExperiments(), args);
        }

        @Override
        public Integer call() throws IOException {
            Path out = options.out(SLUG);
            Results.write(out.resolve("first.json"), SLUG, "first", ResultsTest.fixed(), Map.of("value", value));
            if (failSecond) {
                throw new IllegalStateException("stopped before the second experiment");
            }
            Results.write(out.resolve("second.json"), SLUG, "second", ResultsTest.fixed(), Map.of("value", value));
            return 0;
        }
    }

    static class FakePost implements Post {
        @Override
        public String slug() {
            return SLUG;
        }

        @Override
        public String title() {
            return "Fake";
        }

        @Override
        public String summary() {
            return "Two experiments.";
        }

        @Override
        public Class<?> experimentMain() {
            return TwoExperiments.class;
        }

        @Override
        public void generate(Path resultsDir, Path outDir) {
        }
    }

    @TempDir
    Path root;
    Path results;
    Path pinned;
    final ByteArrayOutputStream log = new ByteArrayOutputStream();

    @BeforeEach
    void pinOldResults() throws IOException {
        results = root.resolve("data/results");
        pinned = results.resolve(SLUG);
        Results.write(pinned.resolve("first.json"), SLUG, "first", ResultsTest.fixed(), Map.of("value", "old"));
        Results.write(pinned.resolve("second.json"), SLUG, "second", ResultsTest.fixed(), Map.of("value", "old"));
        // written by another command (make bench), never by the experiments
        Results.write(pinned.resolve("bench.json"), SLUG, "bench", ResultsTest.fixed(), Map.of("ms", 1.5));
        Staging.writeManifest(pinned);
        TwoExperiments.failSecond = false;
        TwoExperiments.value = "new";
    }

    @AfterEach
    void reset() {
        TwoExperiments.failSecond = false;
        assertNull(System.getProperty(CommonOptions.STAGING_PROPERTY), "the staging property outlived the run");
    }

    int runPost(String... extra) throws Exception {
        List<String> args = new ArrayList<>(List.of("--out", pinned.toString()));
        args.addAll(List.of(extra));
        return RunPost.run(new FakePost(), args.toArray(new String[0]), new PrintStream(log, true, StandardCharsets.UTF_8));
    }

    /** Every file under {@code dir}, by relative path, with its sha256. */
    static Map<String, String> snapshot(Path dir) throws IOException {
        Map<String, String> out = new TreeMap<>();
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.filter(Files::isRegularFile).toList()) {
                out.put(dir.relativize(p).toString(), Pinned.sha256(Files.readAllBytes(p)));
            }
        }
        return out;
    }

    static List<String> list(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    static long deadPid() throws IOException, InterruptedException {
        Process p = new ProcessBuilder("true").start();
        p.waitFor();
        return p.pid();
    }

    @Test
    void anInterruptedRunLeavesThePinnedFolderByteForByte() throws Exception {
        Map<String, String> before = snapshot(pinned);
        TwoExperiments.failSecond = true;
        assertEquals(ExperimentMain.FAILED, runPost());
        assertEquals(before, snapshot(pinned), log.toString(StandardCharsets.UTF_8));
        assertEquals(List.of(SLUG), list(results), "no staging folder is left behind");
        assertTrue(log.toString(StandardCharsets.UTF_8).contains("is unchanged"), log.toString(StandardCharsets.UTF_8));
    }

    @Test
    void aSuccessfulRunReplacesTheFolderWhole() throws Exception {
        byte[] bench = Files.readAllBytes(pinned.resolve("bench.json"));
        Files.writeString(pinned.resolve(".left-by-the-old-folder"), "x");
        assertEquals(0, runPost());
        assertEquals(List.of(SLUG), list(results), "no staging or old folder is left behind");
        assertEquals(List.of("SHA256SUMS", "bench.json", "first.json", "second.json"), list(pinned),
                "a new folder (the old one's hidden file is gone), the pinned file the run does not write kept");
        assertEquals("new", Results.read(pinned.resolve("first.json")).at("/results/value").asText());
        assertEquals("new", Results.read(pinned.resolve("second.json")).at("/results/value").asText());
        assertArrayEquals(bench, Files.readAllBytes(pinned.resolve("bench.json")));
        String expected = "";
        for (String name : List.of("bench.json", "first.json", "second.json")) {
            expected += Pinned.sha256(Files.readAllBytes(pinned.resolve(name))) + "  " + name + "\n";
        }
        assertEquals(expected, Files.readString(pinned.resolve("SHA256SUMS")));
    }

    @Test
    void aRunThatWritesNothingChangesNothing() throws Exception {
        Map<String, String> before = snapshot(pinned);
        assertEquals(0, runPost("--help"));
        assertEquals(before, snapshot(pinned));
        assertEquals(List.of(SLUG), list(results));
    }

    @Test
    void staleStagingFoldersOfDeadRunsAreDeletedAndAHalfSwapIsUndone() throws Exception {
        Map<String, String> before = snapshot(pinned);
        long dead = deadPid();
        Path staleStaging = results.resolve(".staging-" + SLUG + "-" + dead);
        Files.createDirectories(staleStaging);
        Files.writeString(staleStaging.resolve("first.json"), "half-written");
        // a swap killed between its renames: the pins are aside, the target is missing
        Path aside = results.resolve(".staging-" + SLUG + "-" + deadPid() + ".old");
        Files.move(pinned, aside);
        // a staging folder of a live process (this one, in another run) or of another post is left alone
        Path otherPost = Files.createDirectories(results.resolve(".staging-98-other-" + dead));

        TwoExperiments.failSecond = true;
        assertEquals(ExperimentMain.FAILED, runPost());
        assertEquals(before, snapshot(pinned), "the old folder is back, and the failed run left it alone");
        assertEquals(List.of(".staging-98-other-" + dead, SLUG), list(results));
        assertTrue(Files.isDirectory(otherPost));

        TwoExperiments.failSecond = false;
        assertEquals(0, runPost());
        assertEquals("new", Results.read(pinned.resolve("second.json")).at("/results/value").asText());
    }

    @Test
    void theManifestIsSha256sumsFormatSortedByName() throws Exception {
        Path dir = Files.createDirectories(root.resolve("m"));
        Files.writeString(dir.resolve("b.json"), "{}\n");
        Files.writeString(dir.resolve("B-upper.json"), "[]\n");
        Files.writeString(dir.resolve("a.json"), "");
        Files.writeString(dir.resolve("notes.txt"), "not listed");
        Files.writeString(dir.resolve("SHA256SUMS"), "stale");
        String m = Staging.manifest(dir);
        assertEquals("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855  a.json\n",
                m.lines().filter(l -> l.endsWith(" a.json")).findFirst().orElseThrow() + "\n");
        assertEquals(List.of("B-upper.json", "a.json", "b.json"), m.lines().map(l -> l.substring(66)).toList());
        // and exactly what the coreutils tool prints, where it is installed
        Assumptions.assumeTrue(Files.isExecutable(Paths.get("/usr/bin/sha256sum")));
        Process p = new ProcessBuilder("/usr/bin/sha256sum", "B-upper.json", "a.json", "b.json").directory(dir.toFile())
                .redirectErrorStream(true).start();
        String tool = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor());
        assertEquals(tool, m);
    }

    @Test
    void pinningFilesKeepsTheRestAndRewritesTheManifest() throws Exception {
        Path fresh = Files.createDirectories(root.resolve("bench-out")).resolve("bench.json");
        Results.write(fresh, SLUG, "bench", ResultsTest.fixed(), Map.of("ms", 0.5));
        byte[] first = Files.readAllBytes(pinned.resolve("first.json"));
        PrintStream out = new PrintStream(log, true, StandardCharsets.UTF_8);
        assertEquals(0, Staging.pinFiles(new String[] {pinned.toString(), fresh.toString()}, out));
        assertArrayEquals(Files.readAllBytes(fresh), Files.readAllBytes(pinned.resolve("bench.json")));
        assertArrayEquals(first, Files.readAllBytes(pinned.resolve("first.json")));
        assertEquals(Staging.manifest(pinned), Files.readString(pinned.resolve("SHA256SUMS")));
        assertEquals(List.of(SLUG), list(results));
        assertEquals(2, Staging.pinFiles(new String[] {pinned.toString(), root.resolve("nope.json").toString()}, out));
    }

    @Test
    void aFailingStepAfterTheRunLeavesTheFolderAndRemovesTheStaging() throws Exception {
        Map<String, String> before = snapshot(pinned);
        IOException e = assertThrows(IOException.class, () -> Staging.replace(pinned, staging -> {
            Files.writeString(staging.resolve("first.json"), "partial");
            throw new IOException("disk full");
        }, new PrintStream(log, true, StandardCharsets.UTF_8)));
        assertEquals("disk full", e.getMessage());
        assertEquals(before, snapshot(pinned));
        assertEquals(List.of(SLUG), list(results));
    }

    @Test
    void theOutOptionIsFoundInBothSpellings() {
        assertEquals(Paths.get("/tmp/a").toAbsolutePath(), RunPost.outOption(new String[] {"--seed", "1", "--out", "/tmp/a"}));
        assertEquals(Paths.get("/tmp/b"), RunPost.outOption(new String[] {"--out=/tmp/b"}));
        assertNull(RunPost.outOption(new String[] {"--seed", "1"}));
        assertNull(RunPost.outOption(new String[] {"--", "--out", "/tmp/c"}));
        assertFalse(RunPost.outOption(new String[] {"--out", "rel"}).toString().equals("rel"));
    }
}
