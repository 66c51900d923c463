package unboxed.basics;

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
 * Post 01's experiments, each writing one results file:
 * <ul>
 *   <li>{@code byhand-check.json}: hand-derived layers against the engine's autograd;</li>
 *   <li>{@code gradient-magnitude.json}: |dL/dz_y| as a function of p for each loss of p;</li>
 *   <li>{@code loss-alternatives.json}: the MNIST MLP trained with each loss, three seeds each.</li>
 * </ul>
 */
@Command(name = "01-basics", mixinStandardHelpOptions = true,
        description = "Post 01 (Basics): hand-derived gradients and the cross-entropy alternatives on MNIST.")
public final class Experiment implements Callable<Integer> {
    public static final String POST = "01-basics";

    @Mixin
    CommonOptions options;

    @Option(names = "--only", paramLabel = "NAME", description = "run one experiment: ${COMPLETION-CANDIDATES}")
    Part only;

    enum Part { byhand_check, gradient_magnitude, loss_alternatives }

    private String[] args = new String[0];

    public static void main(String[] args) {
        Experiment e = new Experiment();
        e.args = args;
        ExperimentMain.run(e, args);
    }

    /** Sizes of the two scales: quick is what is pinned (minutes on 2 cores). */
    static Training.Settings settings(boolean full) {
        return new Training.Settings(full ? 10 : 2, 64, 0.1, 50);
    }

    @Override
    public Integer call() throws Exception {
        Backends.use(Backends.create(options.backend(), options.threads()));
        Path out = options.out(POST);
        Provenance run = options.provenance(args);
        if (only == null || only == Part.byhand_check) {
            Provenance p = run.restart();
            List<ByHandCheck.Row> rows = ByHandCheck.run(options.seed());
            Results.write(out.resolve("byhand-check.json"), POST, "byhand-check", p.finish(), ByHandCheck.toJson(rows));
        }
        if (only == null || only == Part.gradient_magnitude) {
            Provenance p = run.restart();
            Results.write(out.resolve("gradient-magnitude.json"), POST, "gradient-magnitude", p.finish(),
                    GradientMagnitude.run(199));
        }
        if (only == null || only == Part.loss_alternatives) {
            lossAlternatives(out, run.restart());
        }
        return 0;
    }

    private void lossAlternatives(Path out, Provenance p) throws Exception {
        Dataset train = Dataset.mnist(Datasets.root(), true);
        Dataset test = Dataset.mnist(Datasets.root(), false);
        Training.Settings s = settings(options.full());
        long[] seeds = {options.seed(), options.seed() + 1, options.seed() + 2};
        LossOfP[] losses = LossOfP.values();
        long stepsPerRun = (long) s.epochs() * ((train.size() + s.batchSize() - 1) / s.batchSize());
        Map<String, Object> byLoss = new LinkedHashMap<>();
        try (Progress progress = Progress.start("loss alternatives", stepsPerRun * seeds.length * losses.length)) {
            for (LossOfP loss : losses) {
                List<Training.Run> runs = new ArrayList<>();
                for (long seed : seeds) {
                    progress.message(loss.id() + " seed " + seed);
                    long before = progress.current();
                    Training.Run r = Training.train(loss, seed, train, test, s, progress::step);
                    progress.stepTo(before + stepsPerRun); // a diverged run stops early
                    runs.add(r);
                }
                Map<String, Object> entry = new LinkedHashMap<>();
                entry.put("formula", loss.formula());
                entry.put("logit_gradient", loss.logitGradient());
                entry.put("runs", runs);
                byLoss.put(loss.id(), entry);
            }
        }
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("dataset", train.name());
        config.put("train_samples", train.size());
        config.put("test_samples", test.size());
        config.put("model", "784-256-10 MLP (Linear, ReLU, Linear), PyTorch's default init");
        config.put("optimizer", "SGD, lr " + s.lr() + ", no momentum");
        config.put("epochs", s.epochs());
        config.put("batch_size", s.batchSize());
        config.put("lr", s.lr());
        config.put("log_every_steps", s.logEvery());
        config.put("seeds", seeds);
        Map<String, Object> results = new LinkedHashMap<>();
        results.put("config", config);
        results.put("losses", byLoss);
        Results.write(out.resolve("loss-alternatives.json"), POST, "loss-alternatives", p.finish(), results);
    }
}
