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
import org.openjdk.jmh.infra.Blackhole;
import unboxed.autograd.Autograd;
import unboxed.backend.Backends;
import unboxed.backend.cpu.CpuBackend;
import unboxed.convolutions.versions.Conv2dV3Im2col;
import unboxed.convolutions.versions.Conv2dV4ImplicitGemm;
import unboxed.convolutions.versions.Conv2dV5Direct;
import unboxed.convolutions.versions.Conv2dV6Threads;
import unboxed.nn.functional.F;
import unboxed.tensor.Tensor;

/**
 * The engine's conv2d on post 02's five reference shapes (N, C, H = W, K, kernel; padding "same",
 * stride 1; the fifth is the MNIST CNN's second convolution, batch 64, the layer most of its epoch
 * goes to), forward alone and forward + backward (gradients of input, weight and bias), on
 * {@code threads} workers; and the numbered versions 3 to 5 forward on plain arrays, one thread,
 * and version 6 on {@code threads}. The PyTorch peer (tools/bench/torch_peer.py --conv) times F.conv2d on the same
 * shapes with the same protocol.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 3, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xmx6g"})
@State(Scope.Thread)
public class ConvBench {
    @Param({"64x3x32x64x3", "64x64x32x64x3", "64x128x16x128x3", "128x1x28x32x5", "64x16x14x32x5"})
    public String shape;
    @Param({"1", "2"})
    public int threads;

    int n;
    int c;
    int hw;
    int k;
    int r;
    float[] xs;
    float[] ws;
    float[] bs;
    float[] out;
    Tensor x;
    Tensor w;
    Tensor b;
    Tensor gy;

    @Setup(Level.Trial)
    public void setup() {
        String[] p = shape.split("x");
        n = Integer.parseInt(p[0]);
        c = Integer.parseInt(p[1]);
        hw = Integer.parseInt(p[2]);
        k = Integer.parseInt(p[3]);
        r = Integer.parseInt(p[4]);
        Backends.use(new CpuBackend(threads));
        Random rnd = new Random(42);
        xs = random(rnd, n * c * hw * hw);
        ws = random(rnd, k * c * r * r);
        bs = random(rnd, k);
        out = new float[n * k * hw * hw];
        x = Tensor.of(xs, n, c, hw, hw).requiresGrad(true);
        w = Tensor.of(ws, k, c, r, r).requiresGrad(true);
        b = Tensor.of(bs, k).requiresGrad(true);
        gy = Tensor.of(random(rnd, n * k * hw * hw), n, k, hw, hw);
    }

    /** size floats uniform in [-1, 1) (WinogradBench draws the same data). */
    static float[] random(Random rnd, int size) {
        float[] v = new float[size];
        for (int i = 0; i < size; i++) {
            v[i] = rnd.nextFloat() * 2 - 1;
        }
        return v;
    }

    @Benchmark
    public Tensor engineForward() {
        return Autograd.noGrad(() -> F.conv2d(x, w, b, r / 2));
    }

    @Benchmark
    public void engineForwardBackward(Blackhole bh) {
        Tensor y = F.conv2d(x, w, b, r / 2);
        x.setGrad(null);
        w.setGrad(null);
        b.setGrad(null);
        y.backward(gy);
        bh.consume(w.grad());
    }

    @Benchmark
    public float[] v3Forward() {
        Conv2dV3Im2col.conv2d(xs, n, c, hw, hw, ws, k, r, r, bs, r / 2, r / 2, out);
        return out;
    }

    @Benchmark
    public float[] v4Forward() {
        Conv2dV4ImplicitGemm.conv2d(xs, n, c, hw, hw, ws, k, r, r, bs, r / 2, r / 2, out);
        return out;
    }

    @Benchmark
    public float[] v5Forward() {
        Conv2dV5Direct.conv2d(xs, n, c, hw, hw, ws, k, r, r, bs, r / 2, r / 2, out);
        return out;
    }

    /** Version 6 on {@code threads} threads (versions 3 to 5 run on one). */
    @Benchmark
    public float[] v6Forward() {
        Conv2dV6Threads.conv2d(xs, n, c, hw, hw, ws, k, r, r, bs, r / 2, r / 2, out, threads);
        return out;
    }
}
