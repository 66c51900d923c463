package unboxed.basics.bench;

import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import unboxed.backend.cpu.Sgemm;
import unboxed.basics.matmul.MatmulV1Naive;
import unboxed.basics.matmul.MatmulV2LoopOrder;
import unboxed.basics.matmul.MatmulV3Blocked;
import unboxed.basics.matmul.MatmulV4Vector;

/**
 * The matmul versions of post 01, float32, one thread, C = A * B with square n x n matrices.
 *
 * <p>Naming: every benchmark ends in {@code _<n>}, the size of its product, so a score in ms/op
 * converts to GFLOP/s as {@code 2 n^3 / (score * 1e6)}; tools/bench/run.sh does that conversion
 * and sets the engine's {@code sgemm_1024} beside PyTorch's (OpenBLAS) 1024^3 from the peer
 * (tools/bench/torch_peer.py, same protocol: warm-up, then the median of timed iterations).
 *
 * <p>The story: versions 1-5 at 256, where everything fits in L2; versions 2-5 at 1024, where B
 * (4 MiB) no longer does and blocking and packing start to matter (version 1 would take seconds
 * a call).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class MatmulBench {

    /** Operands of one n x n x n product, uniform in [-1, 1), seeded. */
    abstract static class Operands {
        float[] a;
        float[] b;
        float[] c;

        void fill(int n) {
            Random rnd = new Random(42);
            a = new float[n * n];
            b = new float[n * n];
            c = new float[n * n];
            for (int i = 0; i < n * n; i++) {
                a[i] = rnd.nextFloat() * 2 - 1;
                b[i] = rnd.nextFloat() * 2 - 1;
            }
        }
    }

    @State(Scope.Thread)
    public static class N256 extends Operands {
        static final int N = 256;

        @Setup
        public void setup() {
            fill(N);
        }
    }

    @State(Scope.Thread)
    public static class N1024 extends Operands {
        static final int N = 1024;

        @Setup
        public void setup() {
            fill(N);
        }
    }

    private static float[] sgemm(int n, Operands s) {
        Sgemm.sgemm(n, n, n, 1f, s.a, 0, n, 1, s.b, 0, n, 1, 0f, s.c, 0, n, 1);
        return s.c;
    }

    // ---- 256^3: the whole story, versions 1 to 5 -------------------------------------------

    @Benchmark
    public float[] v1Naive_256(N256 s) {
        MatmulV1Naive.matmul(N256.N, N256.N, N256.N, s.a, s.b, s.c);
        return s.c;
    }

    @Benchmark
    public float[] v2LoopOrder_256(N256 s) {
        MatmulV2LoopOrder.matmul(N256.N, N256.N, N256.N, s.a, s.b, s.c);
        return s.c;
    }

    @Benchmark
    public float[] v3Blocked_256(N256 s) {
        MatmulV3Blocked.matmul(N256.N, N256.N, N256.N, s.a, s.b, s.c);
        return s.c;
    }

    @Benchmark
    public float[] v4Vector_256(N256 s) {
        MatmulV4Vector.matmul(N256.N, N256.N, N256.N, s.a, s.b, s.c);
        return s.c;
    }

    @Benchmark
    public float[] sgemm_256(N256 s) {
        return sgemm(N256.N, s);
    }

    // ---- 1024^3: the engine against OpenBLAS, and versions 2-4 (version 1: seconds a call) ---

    @Benchmark
    public float[] v2LoopOrder_1024(N1024 s) {
        MatmulV2LoopOrder.matmul(N1024.N, N1024.N, N1024.N, s.a, s.b, s.c);
        return s.c;
    }

    @Benchmark
    public float[] v3Blocked_1024(N1024 s) {
        MatmulV3Blocked.matmul(N1024.N, N1024.N, N1024.N, s.a, s.b, s.c);
        return s.c;
    }

    @Benchmark
    public float[] v4Vector_1024(N1024 s) {
        MatmulV4Vector.matmul(N1024.N, N1024.N, N1024.N, s.a, s.b, s.c);
        return s.c;
    }

    @Benchmark
    public float[] sgemm_1024(N1024 s) {
        return sgemm(N1024.N, s);
    }
}
