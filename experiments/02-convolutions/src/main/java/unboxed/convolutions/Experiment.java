package unboxed.convolutions;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import unboxed.backend.Backends;
import unboxed.data.Dataset;
import unboxed.data.Datasets;
import unboxed.io.Provenance;
import unboxed.io.Results;
import unboxed.kit.CommonOptions;
import unboxed.kit.ExperimentMain;
import unboxed.kit.Progress;

/**
 * Post 02's experiments, each writing one results file:
 * <ul>
 *   <li>{@code receptive-field.json}: which input values one output of a convolution reads (autograd);</li>
 *   <li>{@code winograd-accuracy.json}: how far version 7's Winograd outputs and version 3's lie from
 *       the exact sums on the 3x3 reference shapes;</li>
 *   <li>{@code cnn-mnist.json}: the CNN trained on MNIST with the engine's conv2d and pooling, three
 *       seeds. The post's target: at least 98.5% test accuracy;</li>
 *   <li>{@code mlp-baseline.json}: post 01's MLP trained on the same data for many more epochs, three
 *       seeds, the test accuracy after each: the CNN's baseline at equal training time.</li>
 * </ul>
 */
@Command(name = "02-convolutions", mixinStandardHelpOptions = true,
        description = "Post 02 (Convolutions): the CNN on MNIST with the engine's conv2d and pooling.")
public final class Experiment implements Callable<Integer> {
    public static final String POST = "02-convolutions";
    /** The test accuracy the CNN must reach (the post's target). */
    public static final double TARGET = 0.985;

    @Mixin
    CommonOptions options;

    @Option(names = "--only", paramLabel = "NAME", description = "run one experiment: ${COMPLETION-CANDIDATES}")
    Part only;

    enum Part { receptive_field, winograd_accuracy, cnn_mnist, mlp_baseline }

    private String[] args = new String[0];

    public static void main(String[] args) {
        Experiment e = new Experiment();
        e.args = args;
        ExperimentMain.run(e, args);
    }

    /**
     * The MLP's epochs: as many as fit, on the benchmark machines, in the time of the CNN's first
     * epoch or more (an MLP epoch measured some 60 times cheaper); full trains twice as long.
     */
    static MlpBaseline.Settings baseline(boolean full) {
        return new MlpBaseline.Settings(full ? 120 : 60, 64, 0.1);
    }

    /** quick is what is pinned: three epochs (minutes on 2 cores); full trains for ten. */
    static Training.Settings settings(boolean full) {
        return new Training.Settings(full ? 10 : 3, 64, 0.01, 0.9, 50);
    }

    @Override
    public Integer call() throws Exception {
        Backends.use(Backends.create(options.backend(), options.threads()));
        Path out = options.out(POST);
        Provenance run = options.provenance(args);
        if (only == null || only == Part.receptive_field) {
            Provenance p = run.restart();
            var rf = ReceptiveField.run(); // before finish(): the clock stops once the work is done
            Results.write(out.resolve("receptive-field.json"), POST, "receptive-field", p.finish(), rf);
        }
        if (only == null || only == Part.winograd_accuracy) {
            Provenance p = run.restart();
            var acc = WinogradAccuracy.run();
            Results.write(out.resolve("winograd-accuracy.json"), POST, "winograd-accuracy", p.finish(), acc);
        }
        if (only == null || only == Part.cnn_mnist) {
            cnn(out, run.restart());
        }
        if (only == null || only == Part.mlp_baseline) {
            mlpBaseline(out, run.restart());
        }
        return 0;
    }

    private void mlpBaseline(Path out, Provenance p) throws Exception {
        Dataset train = Dataset.mnist(Datasets.root(), true);
        Dataset test = Dataset.mnist(Datasets.root(), false);
        MlpBaseline.Settings s = baseline(options.full());
        long[] seeds = seeds();
        List<MlpBaseline.Run> runs = overSeeds("mlp baseline", seeds, train, s.epochs(), s.batchSize(),
                (seed, onStep) -> MlpBaseline.train(seed, train, test, s, onStep));
        Map<String, Object> config = dataConfig(train, test);
        config.put("model", "post 01's MLP: Linear(784->256) ReLU Linear(256->10); PyTorch's default init");
        config.put("optimizer", "SGD, lr " + s.lr() + ", no momentum");
        config.put("epochs", s.epochs());
        config.put("batch_size", s.batchSize());
        config.put("lr", s.lr());
        config.put("seeds", seeds);
        Map<String, Object> results = new LinkedHashMap<>();
        results.put("config", config);
        results.put("runs", runs);
        Results.write(out.resolve("mlp-baseline.json"), POST, "mlp-baseline", p.finish(), results);
    }

    /** One training run of a seed, reporting each step. */
    interface SeedRun<R> {
        R train(long seed, java.util.function.IntConsumer onStep);
    }

    /** The three seeds every training experiment of this post runs: --seed, and the next two. */
    private long[] seeds() {
        return new long[] {options.seed(), options.seed() + 1, options.seed() + 2};
    }

    /** {@code run} on each seed in turn, with one progress bar over all their steps. */
    private static <R> List<R> overSeeds(String label, long[] seeds, Dataset train, int epochs, int batchSize,
                                         SeedRun<R> run) {
        long stepsPerRun = (long) epochs * ((train.size() + batchSize - 1) / batchSize);
        List<R> runs = new ArrayList<>();
        try (Progress progress = Progress.start(label, stepsPerRun * seeds.length)) {
            for (long seed : seeds) {
                progress.message("seed " + seed);
                runs.add(run.train(seed, step -> progress.step()));
            }
        }
        return runs;
    }

    /** The config entries naming the data: the training set and both sizes. */
    private static Map<String, Object> dataConfig(Dataset train, Dataset test) {
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("dataset", train.name());
        config.put("train_samples", train.size());
        config.put("test_samples", test.size());
        return config;
    }

    private void cnn(Path out, Provenance p) throws Exception {
        Dataset train = Dataset.mnist(Datasets.root(), true);
        Dataset test = Dataset.mnist(Datasets.root(), false);
        Training.Settings s = settings(options.full());
        long[] seeds = seeds();
        List<Training.Run> runs = overSeeds("cnn on mnist", seeds, train, s.epochs(), s.batchSize(),
                (seed, onStep) -> Training.train(seed, train, test, s, onStep));
        Map<String, Object> config = dataConfig(train, test);
        config.put("model", "conv5(1->16, pad 2) ReLU maxpool2 conv5(16->32, pad 2) ReLU maxpool2"
                + " Linear(1568->128) ReLU Linear(128->10); PyTorch's default init");
        config.put("optimizer", "SGD, lr " + s.lr() + ", momentum " + s.momentum());
        config.put("epochs", s.epochs());
        config.put("batch_size", s.batchSize());
        config.put("lr", s.lr());
        config.put("momentum", s.momentum());
        config.put("log_every_steps", s.logEvery());
        config.put("seeds", seeds);
        config.put("target_test_accuracy", TARGET);
        Map<String, Object> results = new LinkedHashMap<>();
        results.put("config", config);
        results.put("runs", runs);
        Results.write(out.resolve("cnn-mnist.json"), POST, "cnn-mnist", p.finish(), results);
    }
}
