package unboxed.gpukit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the GPU check does without a GPU, and the statistics its verdicts rest on. */
class GpuCheckTest {
    static boolean driverPresent() {
        for (String dir : new String[] {"/usr/lib/x86_64-linux-gnu", "/usr/lib64", "/usr/lib"}) {
            if (Files.exists(Paths.get(dir, "libcuda.so.1"))) {
                return true;
            }
        }
        return false;
    }

    static String stderrOf(Runnable r) {
        PrintStream old = System.err;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setErr(new PrintStream(buf, true, StandardCharsets.UTF_8));
        try {
            r.run();
        } finally {
            System.setErr(old);
        }
        return buf.toString(StandardCharsets.UTF_8);
    }

    @Test
    void unknownStepIsAUsageError() {
        int[] code = new int[1];
        String err = stderrOf(() -> code[0] = GpuCheck.run(new String[] {"everything"}));
        assertEquals(2, code[0]);
        assertTrue(err.contains("usage: GpuCheck"), err);
    }

    @Test
    void withoutAGpuAStepSaysSoAndWritesNothing(@TempDir Path out) throws Exception {
        assumeFalse(driverPresent(), "this machine has an NVIDIA driver: the no-GPU path cannot be observed here");
        int[] code = new int[1];
        String err = stderrOf(() -> code[0] = GpuCheck.run(new String[] {"fixtures", "--out", out.toString()}));
        assertEquals(2, code[0]);
        assertTrue(err.contains("libcuda.so.1"), err);
        assertEquals(1, err.strip().split("\n").length, "one sentence, no stack trace: " + err);
        try (var s = Files.list(out)) {
            assertEquals(0, s.count());
        }
    }

    @Test
    void ratioVerdictsFollowTheInterval() {
        double[] ours = {1.0, 1.01, 0.99, 1.0, 1.02, 0.98, 1.0, 1.0};
        double[] fasterPeer = {0.5, 0.51, 0.49, 0.5, 0.5, 0.5, 0.52, 0.48};
        ObjectNode missed = Stats.ratio(ours, fasterPeer, 0.7);
        assertEquals(0.5, missed.get("point").asDouble(), 0.01);
        assertEquals("missed", missed.get("verdict").asText());
        ObjectNode met = Stats.ratio(fasterPeer, ours, 0.7);
        assertEquals("met", met.get("verdict").asText());
        ObjectNode close = Stats.ratio(ours, ours, 1.0);
        assertEquals("not settled", close.get("verdict").asText());
        assertTrue(close.get("ci99_low").asDouble() <= 1 && close.get("ci99_high").asDouble() >= 1);
    }

    @Test
    void medianOfEvenAndOddCounts() {
        assertEquals(2.0, Stats.median(new double[] {3, 1, 2}));
        assertEquals(2.5, Stats.median(new double[] {4, 1, 3, 2}));
    }
}
