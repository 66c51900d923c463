package unboxed.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Every kernel method of the engine compiles at the JIT's first tier. A method too large for C1
 * ("COMPILE SKIPPED: out of virtual registers in linear scan") can be left at C1's lowest tier
 * for good when C1 compiled it there first (which it does while the optimizing compiler's queue
 * is busy, as when a network's other kernels warm up at the same time): its vectors then run as
 * heap objects. ConvWinograd5's output transform, in one method, made the 5x5 Winograd forward
 * of a 64-channel layer three times slower that way in a JVM whose direct kernels had run first.
 * This runs {@link KernelWorkout} in a child JVM with -XX:+PrintCompilation and fails on any
 * engine method whose compilation was skipped (with the old output transform put back, the
 * workout prints that skip for it).
 */
class JitCompilesTheKernelsTest {
    @Test
    void noKernelIsTooLargeForTheFirstTier() throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-modules", "jdk.incubator.vector",
                "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED",
                "-XX:+PrintCompilation"));
        // the vector width and the engine's settings this JVM runs with (-Dtest.jvm.extra=-XX:UseAVX=2)
        for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (arg.startsWith("-XX:UseAVX") || arg.startsWith("-Dunboxed.")) {
                command.add(arg);
            }
        }
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), KernelWorkout.class.getName(), "300"));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), "the workout failed:\n" + tail(out));
        // (a compile skipped for concurrent class loading is retried: not a method's size)
        List<String> skipped = out.lines().filter(l -> l.contains("COMPILE SKIPPED") && l.contains("unboxed.")
                && !l.contains("concurrent class loading")).toList();
        assertTrue(skipped.isEmpty(), "engine methods the JIT could not compile (split them):\n"
                + String.join("\n", skipped));
        assertTrue(out.contains("unboxed.backend.cpu.ConvWinograd5::lastColumnsAndRows"),
                "the workout reached the 5x5 Winograd path (else this test sees nothing)");
    }

    private static String tail(String s) {
        return s.length() <= 4000 ? s : s.substring(s.length() - 4000);
    }
}
