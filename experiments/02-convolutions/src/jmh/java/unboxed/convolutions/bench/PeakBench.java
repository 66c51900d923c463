package unboxed.convolutions.bench;

import java.util.concurrent.TimeUnit;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
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
import unboxed.convolutions.Roofline;

/**
 * The two ceilings of the roofline in post 02's report, measured on the machine of the run, one
 * thread, in the same JVM setting as the convolutions:
 *
 * <ul>
 *   <li>{@link #fmaPeak}: the most float32 FLOP/s this JVM's vectors reach: twelve
 *       independent chains of fused multiply-adds on the preferred vector species, in registers
 *       (enough chains to cover an FMA's latency times its throughput on the machines seen so
 *       far), no memory traffic. {@link Roofline#PEAK_FLOPS_PER_CALL} floating-point operations a call;</li>
 *   <li>{@link #triad}: the memory bandwidth one core sustains, STREAM's triad
 *       {@code a[i] = b[i] + s * c[i]} over three arrays of 64 MiB, far beyond the caches;
 *       {@link Roofline#TRIAD_BYTES_PER_CALL} bytes a call by STREAM's count (two reads and a write).</li>
 * </ul>
 *
 * <p>The two also tell the shared machines' slow state apart from a slow kernel. Timed by hand on
 * the Zen 5 (2026-12-03) right after a run of this post's benchmarks whose third round had it, in
 * two JVMs a minute apart: fmaPeak 1.86 and 1.91-1.95 ms, as in the pinned run (1.81-1.97), but
 * triad 7.36 and 7.3-10.5 ms, against 5.2-6.2 in the pinned run's calmer forks; in the same
 * minutes CnnEpochBench took 13.6-14.6 s an epoch, against 10.0-11.3 s in the pinned run's first two forks, and
 * PyTorch's second convolution 1.6 ms forward against 1.50. So that state is the core's memory
 * bandwidth, shared with neighbours, not its arithmetic.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 3, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xmx2g"})
@State(Scope.Thread)
public class PeakBench {
    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    static final int ACCUMULATORS = 12;
    /** As many steps as make {@link Roofline#PEAK_FLOPS_PER_CALL} (2 per lane per FMA) on any vector width. */
    static final int FMA_STEPS = (int) (Roofline.PEAK_FLOPS_PER_CALL / (2L * ACCUMULATORS * S.length()));
    /** Floats per triad array: {@link Roofline#TRIAD_BYTES_PER_CALL} bytes a call, b and c read, a written. */
    static final int TRIAD_LENGTH = (int) (Roofline.TRIAD_BYTES_PER_CALL / 12);

    float[] operands;
    float[] a;
    float[] b;
    float[] c;
    float scale = 0.5f;

    @Setup
    public void setup() {
        operands = new float[2 * S.length()];
        for (int i = 0; i < operands.length; i++) {
            operands[i] = 1f - 1e-7f * i;     // close to 1: the chains neither overflow nor underflow
        }
        a = new float[TRIAD_LENGTH];
        b = new float[TRIAD_LENGTH];
        c = new float[TRIAD_LENGTH];
        for (int i = 0; i < TRIAD_LENGTH; i++) {
            b[i] = i;
            c[i] = 1;
        }
    }

    @Benchmark
    public float fmaPeak() {
        FloatVector x = FloatVector.fromArray(S, operands, 0);
        FloatVector y = FloatVector.fromArray(S, operands, S.length());
        FloatVector c0 = y, c1 = y, c2 = y, c3 = y, c4 = y, c5 = y;
        FloatVector c6 = y, c7 = y, c8 = y, c9 = y, c10 = y, c11 = y;
        for (int i = 0; i < FMA_STEPS; i++) {
            c0 = c0.fma(x, y);
            c1 = c1.fma(x, y);
            c2 = c2.fma(x, y);
            c3 = c3.fma(x, y);
            c4 = c4.fma(x, y);
            c5 = c5.fma(x, y);
            c6 = c6.fma(x, y);
            c7 = c7.fma(x, y);
            c8 = c8.fma(x, y);
            c9 = c9.fma(x, y);
            c10 = c10.fma(x, y);
            c11 = c11.fma(x, y);
        }
        return c0.add(c1).add(c2).add(c3).add(c4).add(c5).add(c6).add(c7).add(c8).add(c9).add(c10).add(c11)
                .reduceLanes(jdk.incubator.vector.VectorOperators.ADD);
    }

    @Benchmark
    public float[] triad() {
        float s = scale;
        for (int i = 0; i < TRIAD_LENGTH; i++) {
            a[i] = b[i] + s * c[i];
        }
        return a;
    }
}
