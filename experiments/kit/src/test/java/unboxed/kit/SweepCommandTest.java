package unboxed.kit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import unboxed.io.Results;

class SweepCommandTest {
    @TempDir
    Path out;

    enum Part { alpha, beta }

    @Command(name = "t")
    static final class Main {
        @Mixin
        CommonOptions options;
        @Mixin
        SweepCommand sweep;
    }

    static final SweepCommand.Sweeps<Part> SWEEPS = new SweepCommand.Sweeps<>() {
        @Override
        public List<String> ids(Part part) {
            return List.of(part + "-s0", part + "-s1");
        }

        @Override
        public Object config(Part part) {
            return Map.of("part", part.name());
        }

        @Override
        public Function<String, Object> points(Part part) {
            return id -> Map.of("config", Map.of("part", part.name()), "point", Map.of("id", id));
        }
    };

    int run(String... args) throws Exception {
        Main m = new Main();
        new CommandLine(m).parseArgs(args);
        return m.sweep.run("00-test", Main.class, m.options, args, Part.class, null, SWEEPS);
    }

    static boolean computesHere(String... args) {
        Main m = new Main();
        new CommandLine(m).parseArgs(args);
        return m.sweep.computesHere();
    }

    @Test
    void onlyAPlainRunComputesHere() {
        assertTrue(computesHere("--workers", "2"));
        assertTrue(!computesHere("--point", "alpha/alpha-s0"));
        assertTrue(!computesHere("--merge", "shards"));
        assertTrue(!computesHere("--list-points"));
    }

    @Test
    void runsEverySweepIntoItsResultsFileAndOnePointAsAShard() throws Exception {
        assertEquals(0, run("--out", out.toString(), "--workers", "2"));
        assertEquals("beta-s1", Results.read(out.resolve("beta.json")).at("/results/points/1/id").asText());
        Path shards = out.resolve("shards");
        assertEquals(0, run("--out", shards.toString(), "--point", "alpha/alpha-s1"));
        assertTrue(Files.isRegularFile(Sweep.shardFile(shards, "alpha", "alpha-s1")));
    }

    @Test
    void aSweepThatCannotRunHereIsLeftOutUnlessAskedFor() throws Exception {
        SweepCommand.Sweeps<Part> noBeta = new SweepCommand.Sweeps<>() {
            @Override
            public List<String> ids(Part part) {
                return SWEEPS.ids(part);
            }

            @Override
            public Object config(Part part) {
                return SWEEPS.config(part);
            }

            @Override
            public Function<String, Object> points(Part part) throws java.io.IOException {
                return SWEEPS.points(part);
            }

            @Override
            public String skipReason(Part part) {
                return part == Part.beta ? "its data is absent" : null;
            }
        };
        Main m = new Main();
        String[] args = {"--out", out.toString()};
        new CommandLine(m).parseArgs(args);
        assertEquals(0, m.sweep.run("00-test", Main.class, m.options, args, Part.class, null, noBeta));
        assertTrue(Files.isRegularFile(out.resolve("alpha.json")));
        assertTrue(!Files.exists(out.resolve("beta.json")), "left out when every sweep runs");
        assertEquals(0, m.sweep.run("00-test", Main.class, m.options, args, Part.class, Part.beta, noBeta));
        assertTrue(Files.isRegularFile(out.resolve("beta.json")), "run when asked for by name");
    }

    @Test
    void aBadPointNamesWhatIsWrong() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> run("--out", out.toString(), "--point", "gamma/x-s0"));
        assertTrue(e.getMessage().contains("[alpha, beta]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> run("--out", out.toString(), "--point", "alpha/alpha-s9"));
        assertTrue(e.getMessage().contains("no such point"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> run("--out", out.toString(), "--workers", "0"));
        assertTrue(e.getMessage().contains("--workers"), e.getMessage());
    }

    /** --list-points prints one command per point (shards into --out when given, else shards/), then the merge. */
    @Test
    void listPointsPrintsOneCommandPerPointAndTheMerge() throws Exception {
        PrintStream before = System.out;
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        System.setOut(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        try {
            assertEquals(0, run("--list-points", "--seed", "3"));
            assertEquals(0, run("--list-points", "--out", out.resolve("my shards").toString()));
        } finally {
            System.setOut(before);
        }
        List<String> lines = bytes.toString(StandardCharsets.UTF_8).lines().toList();
        assertEquals(10, lines.size(), String.join("\n", lines));
        assertTrue(lines.get(0).startsWith("tools/java.sh experiments/00-test " + Main.class.getName()), lines.get(0));
        assertTrue(lines.get(0).endsWith("--seed 3 --threads 1 --point alpha/alpha-s0 --out shards"), lines.get(0));
        assertTrue(lines.get(4).startsWith("# then: ") && lines.get(4).endsWith("--seed 3 --merge shards"), lines.get(4));
        String quoted = "'" + out.resolve("my shards").toAbsolutePath() + "'";
        assertTrue(lines.get(8).endsWith("--point beta/beta-s1 --out " + quoted), lines.get(8));
        assertTrue(lines.get(9).endsWith("--merge " + quoted), lines.get(9));
    }
}
