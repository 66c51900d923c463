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
        String out = workout(List.of("-XX:+PrintCompilation"));
        // (a compile skipped for concurrent class loading is retried: not a method's size)
        List<String> skipped = out.lines().filter(l -> l.contains("COMPILE SKIPPED") && l.contains("unboxed.")
                && !l.contains("concurrent class loading")).toList();
        assertTrue(skipped.isEmpty(), "engine methods the JIT could not compile (split them):\n"
                + String.join("\n", skipped));
        assertTrue(out.contains("unboxed.backend.cpu.ConvWinograd5::lastColumnsAndRows"),
                "the workout reached the 5x5 Winograd path (else this test sees nothing)");
    }

    /**
     * The AVX2 SGEMM kernel's loop is compiled in a method of its own, never inlined into Sgemm's
     * tile loop, where C2 could run short of general registers for it (Kernel256x4's notes: half
     * the forks of post 01's MLP epoch then ran 1.6 times slower). With its bounds check taken
     * out (307 bytes of bytecode, under the 325 of -XX:FreqInlineSize), C2 inlines it and this
     * fails.
     */
    @Test
    void theAvx2SgemmKernelIsNotInlined() throws IOException, InterruptedException {
        String out = workout(List.of("-Dunboxed.sgemm.kernel=avx2", "-XX:+UnlockDiagnosticVMOptions",
                "-XX:+PrintCompilation", "-XX:+PrintInlining"));
        List<String> sums = out.lines().filter(l -> l.contains("unboxed.backend.cpu.Kernel256x4::sums")).toList();
        assertTrue(sums.stream().anyMatch(l -> l.matches("\\s*\\d+\\s+\\d+\\s+4\\s+unboxed\\.backend\\.cpu\\.Kernel256x4::sums .*")),
                "the workout ran the AVX2 kernel long enough for C2 to compile it (else this test sees nothing):\n"
                        + String.join("\n", sums));
        List<String> inlined = sums.stream().filter(l -> l.contains("inline (hot)")).toList();
        assertTrue(inlined.isEmpty(), "C2 inlined Kernel256x4.sums (keep it over -XX:FreqInlineSize):\n"
                + String.join("\n", inlined));
        assertTrue(sums.stream().anyMatch(l -> l.contains("too big")), "C2 considered inlining it:\n"
                + String.join("\n", sums));
    }

    /** KernelWorkout's output in a child JVM with these flags, this JVM's vector width and the engine's settings. */
    private static String workout(List<String> flags) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-modules", "jdk.incubator.vector",
                "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED"));
        // the vector width and the engine's settings this JVM runs with (-Dtest.jvm.extra=-XX:UseAVX=2)
        for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (arg.startsWith("-XX:UseAVX") || arg.startsWith("-Dunboxed.")) {
                command.add(arg);
            }
        }
        command.addAll(flags);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), KernelWorkout.class.getName(), "300"));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), "the workout failed:\n" + tail(out));
        return out;
    }

    private static String tail(String s) {
        return s.length() <= 4000 ? s : s.substring(s.length() - 4000);
    }
}
