package unboxed.adampost;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import unboxed.backend.Backends;
import unboxed.io.Provenance;
import unboxed.io.RepoRoot;
import unboxed.io.Results;
import unboxed.kit.CommonOptions;
import unboxed.kit.ExperimentMain;
import unboxed.kit.Progress;

/**
 * Post 05's experiments, each writing one results file:
 * <ul>
 *   <li>{@code torch-check.json}: every PyTorch trajectory of data/fixtures/05-adam replayed step by
 *       step by the engine's Adam, AdamW and SGD, and by three near misses of Adam;</li>
 *   <li>{@code scale-invariance.json}: the MLP trained on c · cross-entropy, c from 1e−12 to 1e6,
 *       with Adam and with SGD;</li>
 *   <li>{@code bias-correction.json}: Adam with and without bias correction, every step logged;</li>
 *   <li>{@code betas.json}: a β1 × β2 sweep of Adam on the MLP;</li>
 *   <li>{@code optimizers.json}: SGD, SGD with momentum and Adam on one budget of steps, each at the
 *       best learning rate of a small sweep;</li>
 *   <li>{@code loss-family.json}: the losses −log x, 1/√x, 1 − x, 1/x, x^−3, x^−5 with SGD and Adam,
 *       and the gradient each sends to the correct logit as a function of x;</li>
 *   <li>{@code interventions.json}: the same losses with SGD whose gradient norm is clipped, and with
 *       Adam whose eps is huge.</li>
 * </ul>
 */
@Command(name = "05-adam", mixinStandardHelpOptions = true,
        description = "Post 05 (Adam): the engine's Adam, AdamW and SGD replayed against PyTorch's trajectories with"
                + " near misses beside them; scale invariance, bias correction, a betas sweep, Adam against SGD,"
                + " and the loss family that SGD cannot train and Adam can.")
public final class Experiment implements Callable<Integer> {
    public static final String POST = "05-adam";

    @Mixin
    CommonOptions options;

    @Option(names = "--only", paramLabel = "NAME", description = "run one experiment: ${COMPLETION-CANDIDATES}")
    Part only;

    enum Part { torch_check, scale_invariance, bias_correction, betas, optimizers, loss_family, interventions }

    private String[] args = new String[0];

    public static void main(String[] args) {
        Experiment e = new Experiment();
        e.args = args;
        ExperimentMain.run(e, args);
    }

    /** Seeds per configuration, at both scales. */
    static final int SEEDS = 3;

    /**
     * Steps per run and how often a run logs, by experiment. quick (what is pinned, about four
     * minutes on 2 cores for everything): 150 to 1,500 steps of batch 64, at most 1.75 epochs of the
     * 55,000 training images; full: five times as many steps (about nine epochs for the longest).
     */
    static MlpTraining.Settings settings(Part part, boolean full) {
        int k = full ? 5 : 1;
        switch (part) {
            case scale_invariance:
                return new MlpTraining.Settings(150 * k, 64, 10 * k);
            case bias_correction:
                return new MlpTraining.Settings(300 * k, 64, 1);
            case betas:
                return new MlpTraining.Settings(500 * k, 64, 25 * k);
            case optimizers:
                return new MlpTraining.Settings(1000 * k, 64, 25 * k);
            case loss_family:
            case interventions:
                return new MlpTraining.Settings(1500 * k, 64, 50 * k);
            default:
                throw new IllegalArgumentException(part + " trains no network");
        }
    }

    @Override
    public Integer call() throws Exception {
        Backends.use(Backends.create(options.backend(), options.threads()));
        Path out = options.out(POST);
        Provenance run = options.provenance(args);
        long[] seeds = new long[SEEDS];
        for (int i = 0; i < SEEDS; i++) {
            seeds[i] = options.seed() + i;
        }
        // each part computes its results before its provenance is finished, so that the wall time covers the work
        if (only == null || only == Part.torch_check) {
            Provenance p = run.restart();
            Map<String, Object> r = TorchCheck.run(RepoRoot.get().resolve("data").resolve("fixtures")
                    .resolve(TorchCheck.FIXTURES));
            Results.write(out.resolve("torch-check.json"), POST, "torch-check", p.finish(), r);
        }
        MnistSplit data = null;
        for (Part part : Part.values()) {
            if (part == Part.torch_check || (only != null && only != part)) {
                continue;
            }
            if (data == null) {
                data = MnistSplit.load();
            }
            Provenance p = run.restart();
            MlpTraining.Settings s = settings(part, options.full());
            Map<String, Object> r;
            String name = part.name().replace('_', '-');
            switch (part) {
                case scale_invariance:
                    try (Progress progress = Progress.start(name, ScaleInvariance.totalSteps(SEEDS, s))) {
                        r = ScaleInvariance.run(seeds, data, s, progress);
                    }
                    break;
                case bias_correction:
                    try (Progress progress = Progress.start(name, BiasCorrection.totalSteps(SEEDS, s))) {
                        r = BiasCorrection.run(seeds, data, s, progress);
                    }
                    break;
                case betas:
                    try (Progress progress = Progress.start(name, BetaSweep.totalSteps(SEEDS, s))) {
                        r = BetaSweep.run(seeds, data, s, progress);
                    }
                    break;
                case optimizers:
                    try (Progress progress = Progress.start(name, OptimizerBudget.totalSteps(SEEDS, s))) {
                        r = OptimizerBudget.run(seeds, data, s, progress);
                    }
                    break;
                case loss_family:
                    try (Progress progress = Progress.start(name, LossFamily.totalSteps(2, SEEDS, s))) {
                        r = LossFamily.table(seeds, data, s, progress);
                    }
                    break;
                case interventions:
                    try (Progress progress = Progress.start(name, LossFamily.totalSteps(2, SEEDS, s))) {
                        r = LossFamily.interventions(seeds, data, s, progress);
                    }
                    break;
                default:
                    throw new AssertionError(part);
            }
            Results.write(out.resolve(name + ".json"), POST, name, p.finish(), r);
        }
        return 0;
    }
}
