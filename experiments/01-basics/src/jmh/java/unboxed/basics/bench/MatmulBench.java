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
import unboxed.basics.matmul.MatmulV1Naive;
import unboxed.basics.matmul.MatmulV2LoopOrder;
import unboxed.basics.matmul.MatmulV3Blocked;
import unboxed.basics.matmul.MatmulV4Vector;

/**
 * The matmul versions of post 01, float32, one thread, C = A * B with square n x n matrices: the
 * story of the post, version by version ({@code version} and {@code n} are JMH parameters; version
 * 1, naive, only at 256: at 1024 it takes seconds a call). The engine's Sgemm against OpenBLAS,
 * on one and two threads, is {@link SgemmBench}.
 *
 * <p>A score in ms/op converts to GFLOP/s as {@code 2 n^3 / (score * 1e6)}; tools/bench/compare.py
 * does that conversion.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 3, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class MatmulBench {

    /** Operands of one n x n x n product, uniform in [-1, 1), seeded. */
    @State(Scope.Thread)
    public static class Operands {
        @Param({"256", "1024"})
        public int n;
        @Param({"v2LoopOrder", "v3Blocked", "v4Vector", "sgemm"})
        public String version;
        float[] a;
        float[] b;
        float[] c;

        @Setup
        public void setup() {
            fill(n);
        }

        void fill(int size) {
            Random rnd = new Random(42);
            a = new float[size * size];
            b = new float[size * size];
            c = new float[size * size];
            for (int i = 0; i < size * size; i++) {
                a[i] = rnd.nextFloat() * 2 - 1;
                b[i] = rnd.nextFloat() * 2 - 1;
            }
        }
    }

    /** Version 1 only at 256 (seconds a call at 1024). */
    @State(Scope.Thread)
    public static class Naive256 {
        static final int N = 256;
        final Operands s = new Operands();

        @Setup
        public void setup() {
            s.fill(N);
        }
    }

    @Benchmark
    public float[] v1Naive_256(Naive256 st) {
        MatmulV1Naive.matmul(Naive256.N, Naive256.N, Naive256.N, st.s.a, st.s.b, st.s.c);
        return st.s.c;
    }

    @Benchmark
    public float[] matmul(Operands s) {
        int n = s.n;
        switch (s.version) {
            case "v2LoopOrder":
                MatmulV2LoopOrder.matmul(n, n, n, s.a, s.b, s.c);
                break;
            case "v3Blocked":
                MatmulV3Blocked.matmul(n, n, n, s.a, s.b, s.c);
                break;
            case "v4Vector":
                MatmulV4Vector.matmul(n, n, n, s.a, s.b, s.c);
                break;
            case "sgemm":
                Sgemm.sgemm(n, n, n, 1f, s.a, 0, n, 1, s.b, 0, n, 1, 0f, s.c, 0, n, 1);
                break;
            default:
                throw new IllegalArgumentException("unknown version " + s.version);
        }
        return s.c;
    }
}
