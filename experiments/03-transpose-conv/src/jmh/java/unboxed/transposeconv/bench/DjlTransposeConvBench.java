package unboxed.transposeconv.bench;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.internal.NDArrayEx;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.pytorch.jni.LibUtils;
import ai.djl.training.GradientCollector;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The in-JVM peer of {@link TransposeConvBench}: libtorch 2.7.1 (DJL's PyTorch engine, the
 * official CPU build) on the same conv2d shapes (stride 2, dilation 2, depthwise) with the same
 * operands (Random(42), drawn in the same order), one intra-op and one inter-op thread. DJL's
 * PyTorch engine does not implement the transposed convolution (PtNDArrayEx.deconvolution throws
 * "Not implemented"), so the upsampling shapes have PyTorch as their only peer; the code below
 * keeps the transposed branch for when it does. Forward: at::convolution outside any
 * GradientCollector (no graph), one output element read back. Forward +
 * backward: the same inside a GradientCollector, libtorch's backward from the same output
 * gradient (JniUtils.backward, as {@code y.backward(grad_out)}), one element of the weight
 * gradient read back, and the three gradients zeroed in place (DJL cannot drop a gradient).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 3, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xmx6g",
        "-Dai.djl.offline=true", "-DOPT_OUT_TRACKING=true",
        "-Dai.djl.pytorch.num_threads=1", "-Dai.djl.pytorch.num_interop_threads=1"})
@State(Scope.Thread)
public class DjlTransposeConvBench {
    /** The conv2d shapes only: DJL's PyTorch engine has no transposed convolution (deconvolution: "Not implemented"). */
    @Param({"s2=conv:64:64:32:64:3:2:1:1:1", "d2=conv:64:64:32:64:3:1:2:2:1", "dw=conv:64:64:32:64:3:1:1:1:64"})
    public String shape;

    NDManager manager;
    NDArray x;
    NDArray w;
    NDArray b;
    NDArray gy;
    boolean transposed;
    int groups;
    Shape stride;
    Shape padding;
    Shape dilation;

    @Setup
    public void setup() {
        String[] f = shape.substring(shape.indexOf('=') + 1).split(":");
        transposed = f[0].equals("convT");
        int n = Integer.parseInt(f[1]), c = Integer.parseInt(f[2]), hw = Integer.parseInt(f[3]),
                k = Integer.parseInt(f[4]), r = Integer.parseInt(f[5]);
        int s = Integer.parseInt(f[6]), p = Integer.parseInt(f[7]), d = Integer.parseInt(f[8]);
        groups = Integer.parseInt(f[9]);
        stride = new Shape(s, s);
        padding = new Shape(p, p);
        dilation = new Shape(d, d);
        Random rnd = new Random(42);              // TransposeConvBench's operands, drawn in its order
        float[] xs = random(rnd, n * c * hw * hw);
        long[] wShape = transposed ? new long[] {c, k / groups, r, r} : new long[] {k, c / groups, r, r};
        float[] ws = random(rnd, (int) (wShape[0] * wShape[1] * r * r));
        float[] bs = random(rnd, k);
        int out = transposed ? (hw - 1) * s - 2 * p + d * (r - 1) + 1 : (hw + 2 * p - d * (r - 1) - 1) / s + 1;
        float[] gys = random(rnd, n * k * out * out);
        manager = Engine.getEngine("PyTorch").newBaseManager(Device.cpu());
        x = manager.create(xs, new Shape(n, c, hw, hw));
        w = manager.create(ws, new Shape(wShape));
        b = manager.create(bs, new Shape(k));
        gy = manager.create(gys, new Shape(n, k, out, out));
        for (NDArray t : new NDArray[] {x, w, b}) {
            t.setRequiresGradient(true);
        }
        System.out.println("DjlTransposeConvBench: libtorch " + LibUtils.getVersion() + ", intra-op threads "
                + JniUtils.getNumThreads() + ", inter-op " + JniUtils.getNumInteropThreads());
    }

    private static float[] random(Random rnd, int size) {
        float[] v = new float[size];
        for (int i = 0; i < size; i++) {
            v[i] = rnd.nextFloat() * 2 - 1;
        }
        return v;
    }

    @TearDown
    public void tearDown() {
        manager.close();
    }

    private NDArray apply() {
        NDArrayEx ex = x.getNDArrayInternal();
        return transposed ? ex.deconvolution(x, w, b, stride, padding, new Shape(0, 0), dilation, groups).singletonOrThrow()
                : ex.convolution(x, w, b, stride, padding, dilation, groups).singletonOrThrow();
    }

    @Benchmark
    public float djlForward() {
        try (NDManager m = manager.newSubManager()) {
            NDArray y = apply();
            m.tempAttachAll(y);
            return y.getFloat(0, 0, 0, 0);
        }
    }

    @Benchmark
    public float djlForwardBackward() {
        float v;
        try (NDManager m = manager.newSubManager()) {
            try (GradientCollector gc = Engine.getEngine("PyTorch").newGradientCollector()) {
                NDArray y = apply();
                m.tempAttachAll(y);
                JniUtils.backward((PtNDArray) y, (PtNDArray) gy, false, false);
            }
            try (NDArray g = w.getGradient()) {
                v = g.getFloat(0, 0, 0, 0);
            }
        }
        for (NDArray t : new NDArray[] {x, w, b}) {
            JniUtils.zeroGrad((PtNDArray) t);
        }
        return v;
    }
}
