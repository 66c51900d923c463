package unboxed.autogradpost;

import java.io.IOException;
import java.util.List;
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
import unboxed.autograd.Autograd;
import unboxed.backend.Backends;
import unboxed.backend.cpu.CpuBackend;
import unboxed.data.DataLoader;
import unboxed.data.Dataset;
import unboxed.nn.Sequential;
import unboxed.nn.functional.F;
import unboxed.tensor.Rng;
import unboxed.tensor.Tensor;

/**
 * What recording the graph costs in time, on one thread. The MNIST MLP step of post 01 (batch 64)
 * through autograd and through the hand-derived layers, the same work as graph-cost.json; and for
 * MLPs of 1, 4, 16 and 64 layers ({@link DeepMlp}), the forward pass without recording, with
 * recording, and forward + backward, the same models as graph-depth.json.
 *
 * <p>Five warm-up iterations, not three: a deep graph's many small ops keep the JIT busy longer
 * than one large product does (a 16-layer step still ran 70% slower in its third second than in
 * its fifth).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 3, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xmx4g"})
public class GraphBench {

    /** Post 01's MLP on its first MNIST batch, both ways. */
    @State(Scope.Thread)
    public static class MlpStep {
        MnistMlpStep step;
        MnistMlpStep.ByHand hand;

        @Setup(Level.Trial)
        public void setup() throws IOException {
            Backends.use(new CpuBackend(1));
            step = MnistMlpStep.firstBatch(0);
            hand = step.new ByHand();
        }
    }

    /** A deep MLP and one MNIST batch. */
    @State(Scope.Thread)
    public static class Deep {
        @Param({"1", "4", "16", "64"})
        public int layers;
        Sequential model;
        Tensor images;
        Tensor labels;

        @Setup(Level.Trial)
        public void setup() throws IOException {
            Backends.use(new CpuBackend(1));
            model = DeepMlp.create(layers, new Rng(0));
            DataLoader.Batch b = new DataLoader(Dataset.mnist(true), MnistMlpStep.BATCH, false, true, true, new Rng(0))
                    .epoch().iterator().next();
            images = b.images();
            labels = b.labels();
        }

        Tensor loss() {
            return F.crossEntropy(model.forward(images), labels);
        }
    }

    @Benchmark
    public List<Tensor> mlpAutogradStep(MlpStep s) {
        return s.step.autogradGradients();
    }

    @Benchmark
    public List<Tensor> mlpByHandStep(MlpStep s) {
        s.hand.forward();
        return s.hand.backward();
    }

    @Benchmark
    public Tensor mlpForwardNoGrad(MlpStep s) {
        return Autograd.noGrad(s.step::recordedLoss);
    }

    @Benchmark
    public Tensor deepForwardNoGrad(Deep d) {
        return Autograd.noGrad(d::loss);
    }

    @Benchmark
    public Tensor deepForwardRecorded(Deep d) {
        return d.loss();
    }

    @Benchmark
    public Tensor deepForwardBackward(Deep d) {
        d.model.zeroGrad();
        Tensor loss = d.loss();
        loss.backward();
        return loss;
    }
}
