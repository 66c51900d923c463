package unboxed.basics.bench;

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
import unboxed.basics.Mlp;
import unboxed.data.DataLoader;
import unboxed.data.Dataset;
import unboxed.kit.BenchData;
import unboxed.nn.Sequential;
import unboxed.nn.functional.F;
import unboxed.optim.SGD;
import unboxed.tensor.Rng;
import unboxed.tensor.Tensor;

/**
 * One training epoch of the post's MLP (784-256-10, batch 64, cross-entropy, SGD lr 0.1) on the
 * 60,000 MNIST training images, one thread: the unit of work the PyTorch peer
 * (tools/bench/torch_peer.py) and the libtorch-through-DJL peer (DjlPeerBench) time the same way.
 * Each measured call is a whole epoch, so the mode is single-shot: JIT warm-up happens in the
 * warm-up epochs.
 *
 * <p>Equal work on every side: the epoch's shuffled batches are assembled before the timed call
 * (the peers too), and a step is forward, loss, zero_grad with set_to_none (our zeroGrad drops the
 * gradients), backward, the SGD update in place, and {@code loss.item()}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
// ten warm-up epochs: on one core the JIT compiler shares the CPU with the benchmark, and the
// epoch time settled only after eight epochs (450-480 ms in epochs 3-6, 390-400 ms from epoch 9 on)
@Warmup(iterations = 10)
@Measurement(iterations = 5)
@Fork(value = 3, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xmx4g"})
public class EpochBench {
    private Dataset train;
    private Sequential model;
    private SGD opt;
    private DataLoader loader;
    private List<DataLoader.Batch> batches;

    @Setup
    public void setup() throws IOException {
        Backends.use(new CpuBackend(1));
        train = BenchData.mnistTrain();
        Rng rng = new Rng(0);
        model = Mlp.create(rng);
        opt = new SGD(model.parameters(), 0.1);
        loader = new DataLoader(train, 64, true, false, true, rng.fork("shuffle"));
    }

    /** The next epoch's batches, in their shuffled order, before the clock starts (kept tensors: see BenchData). */
    @Setup(Level.Iteration)
    public void assembleBatches() {
        batches = BenchData.epochBatches(loader, batches);
    }

    @Benchmark
    public float trainOneEpoch(CpuOverWall cpu) {
        float last = 0;
        for (DataLoader.Batch b : batches) {
            Tensor loss = F.crossEntropy(model.forward(b.images()), b.labels());
            opt.zeroGrad();
            loss.backward();
            opt.step();
            last = loss.item();
        }
        cpu.update();
        return last;
    }
}
