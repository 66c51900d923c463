package unboxed.transposeconv.bench;

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
import org.openjdk.jmh.infra.Blackhole;
import unboxed.autograd.Autograd;
import unboxed.backend.Backends;
import unboxed.backend.cpu.CpuBackend;
import unboxed.nn.functional.F;
import unboxed.tensor.Tensor;

/**
 * Post 03's shapes: conv2d with stride 2, with dilation 2, and depthwise 3x3 on (N, C, H) =
 * (64, 64, 32); conv_transpose2d with kernel 4, stride 2, padding 1 upsampling (64, 64, 8 -> 16),
 * (64, 32, 16 -> 32) and (32, 16, 32 -> 64). Forward alone and forward + backward (gradients of
 * input, weight and bias), on {@code threads} workers. A shape is written as tools/bench/torch_peer.py
 * --conv-spec takes it, NAME=conv|convT:N:C:HW:K:R:stride:pad:dilation:groups, so that both sides
 * read the same string.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 3, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xmx6g"})
@State(Scope.Thread)
public class TransposeConvBench {
    @Param({"s2=conv:64:64:32:64:3:2:1:1:1", "d2=conv:64:64:32:64:3:1:2:2:1", "dw=conv:64:64:32:64:3:1:1:1:64",
            "up8=convT:64:64:8:64:4:2:1:1:1", "up16=convT:64:32:16:32:4:2:1:1:1", "up32=convT:32:16:32:16:4:2:1:1:1"})
    public String shape;
    @Param({"1", "2"})
    public int threads;

    boolean transposed;
    int stride;
    int pad;
    int dil;
    int groups;
    Tensor x;
    Tensor w;
    Tensor b;
    Tensor gy;

    @Setup(Level.Trial)
    public void setup() {
        String[] f = shape.substring(shape.indexOf('=') + 1).split(":");
        transposed = f[0].equals("convT");
        int n = Integer.parseInt(f[1]), c = Integer.parseInt(f[2]), hw = Integer.parseInt(f[3]),
                k = Integer.parseInt(f[4]), r = Integer.parseInt(f[5]);
        stride = Integer.parseInt(f[6]);
        pad = Integer.parseInt(f[7]);
        dil = Integer.parseInt(f[8]);
        groups = Integer.parseInt(f[9]);
        Backends.use(new CpuBackend(threads));
        Random rnd = new Random(42);
        x = Tensor.of(random(rnd, n * c * hw * hw), n, c, hw, hw).requiresGrad(true);
        w = transposed ? Tensor.of(random(rnd, c * (k / groups) * r * r), c, k / groups, r, r).requiresGrad(true)
                : Tensor.of(random(rnd, k * (c / groups) * r * r), k, c / groups, r, r).requiresGrad(true);
        b = Tensor.of(random(rnd, k), k).requiresGrad(true);
        Tensor y0 = Autograd.noGrad(this::apply);
        int[] shapeOut = y0.shape();
        int numel = 1;
        for (int s : shapeOut) {
            numel *= s;
        }
        gy = Tensor.of(random(rnd, numel), shapeOut);
    }

    private static float[] random(Random rnd, int size) {
        float[] v = new float[size];
        for (int i = 0; i < size; i++) {
            v[i] = rnd.nextFloat() * 2 - 1;
        }
        return v;
    }

    Tensor apply() {
        int[] s = {stride, stride};
        int[] p = {pad, pad};
        int[] d = {dil, dil};
        return transposed ? F.convTranspose2d(x, w, b, s, p, new int[] {0, 0}, groups, d)
                : F.conv2d(x, w, b, s, p, d, groups);
    }

    @Benchmark
    public Tensor engineForward() {
        return Autograd.noGrad(this::apply);
    }

    @Benchmark
    public void engineForwardBackward(Blackhole bh) {
        Tensor y = apply();
        x.setGrad(null);
        w.setGrad(null);
        b.setGrad(null);
        y.backward(gy);
        bh.consume(w.grad());
    }
}
