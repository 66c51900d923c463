package unboxed.convolutions.bench;

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
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import unboxed.backend.Backends;
import unboxed.backend.cpu.CpuBackend;
import unboxed.convolutions.Cnn;
import unboxed.data.DataLoader;
import unboxed.kit.BenchData;
import unboxed.nn.functional.F;
import unboxed.optim.SGD;
import unboxed.tensor.Rng;
import unboxed.tensor.Tensor;

/**
 * One training epoch of the post's CNN (conv5 1→16, ReLU, max-pool, conv5 16→32, ReLU, max-pool,
 * Linear 1568→128, ReLU, Linear 128→10) on the 60,000 MNIST training images, batch 64,
 * cross-entropy, SGD with lr 0.01 and momentum 0.9 (the post's training settings), one thread:
 * the unit of work of the epoch target. The PyTorch peer
 * (tools/bench/torch_peer.py --cnn-epoch) times the same epoch the same way.
 *
 * <p>Equal work on every side: the epoch's shuffled batches are assembled before the timed call,
 * into tensors kept across epochs (see BenchData); a step is forward, loss, zero_grad with
 * set_to_none, backward, the SGD update with momentum in place, and {@code loss.item()}. An epoch
 * takes seconds, so two warm-up epochs compile everything it runs.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2)
@Measurement(iterations = 3)
@Fork(value = 3, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xmx4g"})
public class CnnEpochBench {
    /** The post's training settings (Experiment: batch 64, lr 0.01, momentum 0.9). */
    static final int BATCH = 64;
    static final double LR = 0.01;
    static final double MOMENTUM = 0.9;

    private Cnn model;
    private SGD opt;
    private DataLoader loader;
    private List<DataLoader.Batch> batches;

    @Setup
    public void setup() throws IOException {
        Backends.use(new CpuBackend(1));
        Rng rng = new Rng(0);
        model = new Cnn(rng.fork("init"));
        opt = new SGD(model.parameters(), LR, MOMENTUM, 0, 0, false, false);
        loader = new DataLoader(BenchData.mnistTrain(), BATCH, true, false, true, rng.fork("shuffle"));
    }

    /** The next epoch's batches, in their shuffled order, before the clock starts. */
    @Setup(Level.Iteration)
    public void assembleBatches() {
        batches = BenchData.epochBatches(loader, batches);
    }

    @Benchmark
    public float trainOneEpoch() {
        float last = 0;
        for (DataLoader.Batch b : batches) {
            Tensor loss = F.crossEntropy(model.forward(b.images()), b.labels());
            opt.zeroGrad();
            loss.backward();
            opt.step();
            last = loss.item();
        }
        return last;
    }
}
