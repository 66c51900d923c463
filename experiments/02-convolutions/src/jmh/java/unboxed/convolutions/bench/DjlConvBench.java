package unboxed.convolutions.bench;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
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
 * The in-JVM peer of {@link ConvBench}: libtorch 2.7.1 (DJL's PyTorch engine, the official CPU
 * build, whose convolutions are oneDNN's) on the same five shapes with the same operands
 * (Random(42), uniform in [-1, 1), made in the same order), one intra-op and one inter-op thread
 * (set when the engine starts; run.sh pins the fork to one core).
 *
 * <ul>
 *   <li>{@link #djlForward}: at::convolution without autograd (DJL records no graph outside a
 *       GradientCollector), reading one output element back; the fresh output is freed at once.</li>
 *   <li>{@link #djlForwardBackward}: the same inside a GradientCollector, then libtorch's backward
 *       from the same output gradient (JniUtils.backward, as {@code y.backward(grad_out)}), one
 *       element of the weight gradient read back, and the three gradients zeroed in place: DJL
 *       cannot drop a gradient (set_to_none), one more pass over them than the other sides make
 *       (the report's work-parity table says so).</li>
 * </ul>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 3, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xmx6g",
        "-Dai.djl.offline=true", "-DOPT_OUT_TRACKING=true",
        "-Dai.djl.pytorch.num_threads=1", "-Dai.djl.pytorch.num_interop_threads=1"})
@State(Scope.Thread)
public class DjlConvBench {
    @Param({"64x3x32x64x3", "64x64x32x64x3", "64x128x16x128x3", "128x1x28x32x5", "64x16x14x32x5"})
    public String shape;

    NDManager manager;
    NDArray x;
    NDArray w;
    NDArray b;
    NDArray gy;
    Shape padding;
    Shape ones = new Shape(1, 1);

    @Setup
    public void setup() {
        String[] p = shape.split("x");
        int n = Integer.parseInt(p[0]);
        int c = Integer.parseInt(p[1]);
        int hw = Integer.parseInt(p[2]);
        int k = Integer.parseInt(p[3]);
        int r = Integer.parseInt(p[4]);
        Random rnd = new Random(42);              // ConvBench's operands, drawn in its order
        float[] xs = random(rnd, n * c * hw * hw);
        float[] ws = random(rnd, k * c * r * r);
        float[] bs = random(rnd, k);
        float[] gys = random(rnd, n * k * hw * hw);
        manager = Engine.getEngine("PyTorch").newBaseManager(Device.cpu());
        x = manager.create(xs, new Shape(n, c, hw, hw));
        w = manager.create(ws, new Shape(k, c, r, r));
        b = manager.create(bs, new Shape(k));
        gy = manager.create(gys, new Shape(n, k, hw, hw));
        for (NDArray t : new NDArray[] {x, w, b}) {
            t.setRequiresGradient(true);
        }
        padding = new Shape(r / 2, r / 2);
        System.out.println("DjlConvBench: libtorch " + LibUtils.getVersion() + ", intra-op threads "
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

    @Benchmark
    public float djlForward() {
        try (NDManager m = manager.newSubManager()) {
            NDArray y = JniUtils.convolution((PtNDArray) x, (PtNDArray) w, (PtNDArray) b, ones, padding, ones, 1);
            m.tempAttachAll(y);
            return y.getFloat(0, 0, 0, 0);
        }
    }

    @Benchmark
    public float djlForwardBackward() {
        float v;
        try (NDManager m = manager.newSubManager()) {
            try (GradientCollector gc = Engine.getEngine("PyTorch").newGradientCollector()) {
                NDArray y = JniUtils.convolution((PtNDArray) x, (PtNDArray) w, (PtNDArray) b, ones, padding, ones, 1);
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
