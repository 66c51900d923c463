package unboxed.basics.bench;

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
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import unboxed.backend.Backends;
import unboxed.backend.cpu.CpuBackend;
import unboxed.basics.Mlp;
import unboxed.data.DataLoader;
import unboxed.data.Dataset;
import unboxed.kit.BenchData;
import unboxed.nn.Linear;
import unboxed.nn.Sequential;
import unboxed.tensor.Rng;

/**
 * The second peer, inside the JVM: libtorch (DJL's PyTorch engine, pytorch-native-cpu) doing the
 * work of {@link MatmulBench#sgemm_1024} and {@link EpochBench#trainOneEpoch}, measured by JMH in
 * the same run with the same protocol. tools/bench/run.sh turns the scores into the ratios
 * {@code sgemm_1024_ours_over_libtorch_djl} and {@code mlp_epoch_ours_over_djl_speed}.
 *
 * <p>Offline: {@code ai.djl.offline=true} (which also keeps DJL's telemetry call from running;
 * OPT_OUT_TRACKING=true says so twice); DJL's LibUtils finds libtorch in the
 * pytorch-native-cpu jar shaded into benchmarks.jar (its {@code native/lib/pytorch.properties})
 * and extracts it once into {@code ~/.djl.ai/pytorch/2.7.1-...-cpu-linux-x86_64/}, with the JNI
 * glue from pytorch-jni beside it; nothing is downloaded.
 *
 * <p>One thread: the fork sets {@code ai.djl.pytorch.num_threads=1} and
 * {@code num_interop_threads=1} (DJL's PtEngine applies them with at::set_num_threads when it
 * starts) and run.sh exports OMP_NUM_THREADS=1 before JMH. Each benchmark reports, as JMH
 * secondary metrics ({@link Pin}), libtorch's own thread counts and CPU time over wall time of
 * the measured calls: about 1.0 says one core did the work, about 2.0 would say the pin failed.
 */
@Fork(value = 3, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xmx4g",
        "-Dai.djl.offline=true", "-DOPT_OUT_TRACKING=true",
        "-Dai.djl.pytorch.num_threads=1", "-Dai.djl.pytorch.num_interop_threads=1"})
public class DjlPeerBench {

    /** The libtorch engine and the manager that owns the long-lived arrays. */
    static NDManager baseManager() {
        return Engine.getEngine("PyTorch").newBaseManager(Device.cpu());
    }

    /**
     * JMH secondary metrics: libtorch's thread pools as it reports them, and CPU time over wall
     * time since the iteration began, of the whole process ({@code cpuOverWall}: the JVM's own
     * threads, JIT and GC, count too) and of the benchmark thread alone (updated after every
     * call, so the value read at the end of an iteration covers all of it). Work done by any
     * libtorch worker thread would show as the difference between the two.
     */
    @AuxCounters(AuxCounters.Type.EVENTS)
    @State(Scope.Thread)
    public static class Pin {
        public double cpuOverWall;
        public double benchThreadCpuOverWall;
        public double torchIntraOpThreads;
        public double torchInteropThreads;
        private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
        private long cpu0;
        private long threadCpu0;
        private long wall0;

        @Setup(Level.Iteration)
        public void start() {
            Engine.getEngine("PyTorch"); // loads libtorch (once) before JniUtils is asked
            cpu0 = processCpuNanos();
            threadCpu0 = THREADS.getCurrentThreadCpuTime();
            wall0 = System.nanoTime();
        }

        /** After every call: JMH zeroes the public fields when an iteration starts, so all are set here. */
        void update() {
            long wall = System.nanoTime() - wall0;
            cpuOverWall = wall > 0 ? (double) (processCpuNanos() - cpu0) / wall : 0;
            benchThreadCpuOverWall = wall > 0 ? (double) (THREADS.getCurrentThreadCpuTime() - threadCpu0) / wall : 0;
            torchIntraOpThreads = JniUtils.getNumThreads();
            torchInteropThreads = JniUtils.getNumInteropThreads();
        }

        private static long processCpuNanos() {
            return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                    .getProcessCpuTime();
        }
    }

    // ---- 1024^3 matmul: MatmulBench's protocol and operands -----------------------------------

    /** MatmulBench's N1024 operands (Random(42), uniform in [-1, 1)) as libtorch tensors. */
    @State(Scope.Thread)
    public static class Matmul {
        static final int N = 1024;
        NDManager manager;
        NDArray a;
        NDArray b;

        @Setup
        public void setup() {
            Random rnd = new Random(42);
            float[] x = new float[N * N];
            float[] y = new float[N * N];
            for (int i = 0; i < N * N; i++) {
                x[i] = rnd.nextFloat() * 2 - 1;
                y[i] = rnd.nextFloat() * 2 - 1;
            }
            manager = baseManager();
            a = manager.create(x, new Shape(N, N));
            b = manager.create(y, new Shape(N, N));
            System.out.println("DjlPeerBench: libtorch " + LibUtils.getVersion() + " from " + LibUtils.getLibtorchPath()
                    + ", intra-op threads " + JniUtils.getNumThreads() + ", inter-op " + JniUtils.getNumInteropThreads());
        }

        @TearDown
        public void tearDown() {
            manager.close();
        }
    }

    /**
     * {@code torch.matmul(a, b)} through DJL: libtorch is eager, so the product is computed when
     * matMul returns; reading one element back makes that visible, and the fresh 4 MiB result is
     * freed at once (the Python peer writes into a preallocated {@code out=c} instead).
     */
    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    @Warmup(iterations = 3, time = 1)
    @Measurement(iterations = 5, time = 1)
    public float djlMatmul_1024(Matmul s, Pin pin) {
        float v;
        try (NDArray c = s.a.matMul(s.b)) {
            v = c.getFloat(Matmul.N - 1, Matmul.N - 1);
        }
        pin.update();
        return v;
    }

    // ---- one MNIST epoch of the MLP: EpochBench's data, initial weights and batches -----------

    /**
     * EpochBench's set-up, then its parameters copied into libtorch: the same data (MNIST, or the
     * same synthetic stand-in), the same initial weights (Mlp.create(new Rng(0)), PyTorch's
     * layout: weight [out, in]) and the same loader (same seed, so the same batch order).
     */
    @State(Scope.Benchmark)
    public static class Epoch {
        NDManager params;
        NDArray w1;
        NDArray b1;
        NDArray w2;
        NDArray b2;
        List<NDArray> all;
        DataLoader loader;
        Engine engine;

        @Setup
        public void setup() throws IOException {
            Backends.use(new CpuBackend(1));
            Dataset train = BenchData.mnistTrain();
            Rng rng = new Rng(0);
            Sequential model = Mlp.create(rng);
            loader = new DataLoader(train, 64, true, false, true, rng.fork("shuffle"));
            engine = Engine.getEngine("PyTorch");
            params = engine.newBaseManager(Device.cpu());
            Linear l1 = (Linear) model.get(0);
            Linear l2 = (Linear) model.get(2);
            w1 = param(l1.weight().data().toArray(), Mlp.HIDDEN, Mlp.INPUT);
            b1 = param(l1.bias().data().toArray(), Mlp.HIDDEN);
            w2 = param(l2.weight().data().toArray(), Mlp.CLASSES, Mlp.HIDDEN);
            b2 = param(l2.bias().data().toArray(), Mlp.CLASSES);
            all = List.of(w1, b1, w2, b2);
        }

        private NDArray param(float[] values, long... shape) {
            NDArray p = params.create(values, new Shape(shape));
            p.setRequiresGradient(true);
            return p;
        }

        @TearDown
        public void tearDown() {
            params.close();
        }
    }

    /** The next epoch's batches uploaded into libtorch before the clock starts, as the other sides assemble theirs. */
    @State(Scope.Thread)
    public static class Batches {
        List<NDArray[]> xy;
        NDManager manager;

        @Setup(Level.Iteration)
        public void upload(Epoch s) {
            manager = s.params.newSubManager();
            xy = new ArrayList<>();
            for (DataLoader.Batch b : s.loader.epoch()) {
                int n = b.size();
                float[] labels = b.labels().toArray();
                long[] y = new long[n];
                for (int i = 0; i < n; i++) {
                    y[i] = (long) labels[i];
                }
                xy.add(new NDArray[] {manager.create(b.images().toArray(), new Shape(n, Mlp.INPUT)),
                    manager.create(y, new Shape(n, 1))});
            }
        }

        @TearDown(Level.Iteration)
        public void free() {
            manager.close();
        }
    }

    /**
     * One epoch, batch 64, the step of the Python peer written against DJL's engine-level API:
     * {@code loss = cross_entropy(linear(relu(linear(x, W1, b1)), W2, b2), y)} (libtorch's
     * at::linear, as nn.Linear calls it; cross-entropy as log_softmax, gather, mean, neg),
     * backward through DJL's GradientCollector (libtorch autograd), then SGD in place with
     * autograd off and no temporary (the gradient scaled in place, then subtracted), and
     * {@code loss.item()} every batch, like the peer. One difference remains, and the report's
     * work-parity table lists it: DJL cannot drop a gradient (set_to_none), so it zeroes it in
     * place, one more pass over the 0.2 M weights per step.
     */
    @Benchmark
    @BenchmarkMode(Mode.SingleShotTime)
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    @Warmup(iterations = 10)   // as EpochBench
    @Measurement(iterations = 5)
    public float djlTrainOneEpoch(Epoch s, Batches data, Pin pin) {
        float last = 0;
        for (NDArray[] b : data.xy) {
            try (NDManager m = s.params.newSubManager()) {
                NDArray x = b[0];
                NDArray loss;
                try (GradientCollector gc = s.engine.newGradientCollector()) {
                    NDArrayEx ex = x.getNDArrayInternal();
                    NDArray h = ex.linear(x, s.w1, s.b1).singletonOrThrow().getNDArrayInternal().relu();
                    NDArray logits = ex.linear(h, s.w2, s.b2).singletonOrThrow();
                    loss = logits.logSoftmax(1).gather(b[1], 1).mean().neg();
                    m.tempAttachAll(h, logits, loss);
                    gc.backward(loss);
                }
                for (NDArray p : s.all) {
                    try (NDArray g = p.getGradient()) {
                        p.subi(g.muli(0.1f));
                    }
                    JniUtils.zeroGrad((PtNDArray) p);
                }
                last = loss.getFloat();
            }
        }
        pin.update();
        return last;
    }
}
