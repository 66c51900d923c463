package unboxed.kit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

class OptionsTest {
    @Command(name = "demo", mixinStandardHelpOptions = true)
    static final class Demo implements Callable<Integer> {
        @Mixin
        CommonOptions common;
        boolean fail;

        @Override
        public Integer call() {
            if (common.backend().equals("cuda")) {
                unboxed.backend.Backends.create("cuda", 1); // this machine may have no GPU
                return 0;
            }
            if (fail) {
                throw new IllegalStateException("missing dataset data/datasets/mnist: run `make data`");
            }
            return common.full() ? 3 : 0;
        }
    }

    final StringWriter out = new StringWriter();
    final StringWriter err = new StringWriter();

    int run(Demo d, String... args) {
        return ExperimentMain.execute(d, args, new PrintWriter(out, true), new PrintWriter(err, true));
    }

    @Test
    void aBackendThisMachineCannotRunIsOneSentenceAndAUsageExit() {
        org.junit.jupiter.api.Assumptions.assumeFalse(java.nio.file.Files.exists(
                java.nio.file.Paths.get("/usr/lib/x86_64-linux-gnu/libcuda.so.1")), "this machine has an NVIDIA driver");
        assertEquals(ExperimentMain.USAGE, run(new Demo(), "--backend", "cuda"));
        String e = err.toString().strip();
        assertTrue(e.startsWith("error: ") && e.contains("libcuda.so.1") && e.contains("--backend cpu"), e);
        assertEquals(1, e.split("\n").length, "one sentence, no stack trace: " + e);
    }

    @Test
    void defaults() {
        Demo d = new Demo();
        assertEquals(0, run(d));
        assertEquals(0, d.common.seed());
        assertEquals("cpu", d.common.backend());
        assertEquals(CommonOptions.Scale.quick, d.common.scale());
        assertEquals(Math.max(1, Runtime.getRuntime().availableProcessors()), d.common.threads());
        assertTrue(d.common.out("01-basics").endsWith("data/results/01-basics"));
    }

    @Test
    void optionsAreParsed() {
        Demo d = new Demo();
        assertEquals(3, run(d, "--seed", "5", "--scale", "full", "--threads", "3", "--out", "/tmp/r"));
        assertEquals(5, d.common.seed());
        assertEquals(3, d.common.threads());
        assertEquals(java.nio.file.Paths.get("/tmp/r"), d.common.out("01-basics"));
        assertTrue(d.common.provenance(new String[] {"--seed", "5", "--out", "/tmp/a b"}).command()
                .endsWith(" --seed 5 --out '/tmp/a b'"));
    }

    @Test
    void anUnknownScaleIsAUsageErrorListingTheValidValues() {
        assertEquals(ExperimentMain.USAGE, run(new Demo(), "--scale", "huge"));
        assertTrue(err.toString().contains("error: Invalid value for option '--scale'"), err.toString());
        assertTrue(err.toString().contains("[quick, full]"), err.toString());
        assertTrue(err.toString().contains("Usage: demo"), err.toString());
    }

    @Test
    void nonPositiveThreadsAreRejected() {
        assertEquals(ExperimentMain.USAGE, run(new Demo(), "--threads", "0"));
        assertTrue(err.toString().contains("must be at least 1"), err.toString());
    }

    @Test
    void aFailureIsOneClearLineAndExitCodeOne() {
        Demo d = new Demo();
        d.fail = true;
        assertEquals(ExperimentMain.FAILED, run(d));
        assertTrue(err.toString().startsWith("error: missing dataset data/datasets/mnist: run `make data`\n"), err.toString());
        assertTrue(!err.toString().contains("\tat "), err.toString());
    }

    @Test
    void plainProgressPrintsAboutTenLines() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (Progress p = Progress.start("train", 200, new PrintStream(bytes, true, StandardCharsets.UTF_8), Progress.Mode.PLAIN)) {
            for (int i = 0; i < 200; i++) {
                p.step();
            }
            p.message("loss 0.1");
        }
        String text = bytes.toString(StandardCharsets.UTF_8);
        assertEquals(10, text.lines().count(), text);
        assertTrue(text.lines().findFirst().orElseThrow().startsWith("train: 10% (20/200)"), text);
        assertTrue(text.lines().reduce((a, b) -> b).orElseThrow().startsWith("train: 100% (200/200)"), text);
    }
}
