package unboxed.convolutions.bench;

import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import unboxed.convolutions.versions.Conv2dV7Winograd;

/**
 * Version 7 (Winograd F(2x2, 3x3)) forward on plain arrays, one thread, on the reference shapes
 * with a 3x3 kernel, with ConvBench's data and protocol (its own class because the version takes
 * only 3x3 kernels).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 3, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xmx6g"})
@State(Scope.Thread)
public class WinogradBench {
    @Param({"64x3x32x64x3", "64x64x32x64x3", "64x128x16x128x3"})
    public String shape;
    /** Always 1: the version runs on the calling thread (the parameter names the group it belongs to). */
    @Param({"1"})
    public int threads;

    int n;
    int c;
    int hw;
    int k;
    float[] xs;
    float[] ws;
    float[] bs;
    float[] out;

    @Setup(Level.Trial)
    public void setup() {
        String[] p = shape.split("x");
        n = Integer.parseInt(p[0]);
        c = Integer.parseInt(p[1]);
        hw = Integer.parseInt(p[2]);
        k = Integer.parseInt(p[3]);
        if (!"3".equals(p[4]) || threads != 1) {
            throw new IllegalArgumentException("WinogradBench takes 3x3 kernels on one thread, got " + shape
                    + " on " + threads);
        }
        Random rnd = new Random(42);                 // ConvBench's data: the same seed, the same order
        xs = ConvBench.random(rnd, n * c * hw * hw);
        ws = ConvBench.random(rnd, k * c * 9);
        bs = ConvBench.random(rnd, k);
        out = new float[n * k * hw * hw];
    }

    @Benchmark
    public float[] v7Forward() {
        Conv2dV7Winograd.conv2d(xs, n, c, hw, hw, ws, k, 3, 3, bs, 1, 1, out);
        return out;
    }
}
