package unboxed.basics.bench;

import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import unboxed.backend.cpu.Sgemm;

/**
 * The engine's Sgemm, 1024^3 float32, on {@code threads} workers: the work the PyTorch peer's
 * {@code matmul_1024} does through OpenBLAS with as many threads (tools/bench/torch_peer.py). The
 * harness pins both sides to the same cores (taskset, and -XX:ActiveProcessorCount for the JVM) and
 * records CPU time over wall time on both.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 3, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
@State(Scope.Thread)
public class SgemmBench {
    static final int N = 1024;

    @Param({"1", "2"})
    public int threads;
    float[] a;
    float[] b;
    float[] c;

    @Setup
    public void setup() {
        Random rnd = new Random(42);
        a = new float[N * N];
        b = new float[N * N];
        c = new float[N * N];
        for (int i = 0; i < N * N; i++) {
            a[i] = rnd.nextFloat() * 2 - 1;
            b[i] = rnd.nextFloat() * 2 - 1;
        }
    }

    @Benchmark
    public float[] sgemm_1024(CpuOverWall cpu) {
        Sgemm.sgemm(N, N, N, 1f, a, 0, N, 1, b, 0, N, 1, 0f, c, 0, N, threads);
        cpu.update();
        return c;
    }
}
