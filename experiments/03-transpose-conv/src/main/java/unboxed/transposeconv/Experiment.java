package unboxed.transposeconv;

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
 * Post 03's experiments, each writing one results file:
 * <ul>
 *   <li>{@code receptive-field.json}: how stride and dilation move the receptive field of a two-layer
 *       stack, and where padding="same" puts the extra row of an even kernel;</li>
 *   <li>{@code transpose-is-gradient.json}: conv_transpose2d against autograd's gradient of conv2d
 *       (and two textbook forms), for stride, padding, dilation and groups;</li>
 *   <li>{@code upsampling.json}: Fashion-MNIST images upsampled 2x by fixed and learned transposed
 *       convolutions;</li>
 *   <li>{@code checkerboard.json}: overlap counts and constant-input responses of three ways to
 *       upsample;</li>
 *   <li>{@code autoencoder.json}: a convolutional autoencoder on Fashion-MNIST, linear and sigmoid output.</li>
 * </ul>
 */
@Command(name = "03-transpose-conv", mixinStandardHelpOptions = true,
        description = "Post 03 (Transpose convolution, custom stride and padding): receptive fields, the transposed"
                + " convolution as a gradient, upsampling, checkerboards and an autoencoder on Fashion-MNIST.")
public final class Experiment implements Callable<Integer> {
    public static final String POST = "03-transpose-conv";

    @Mixin
    CommonOptions options;

    @Option(names = "--only", paramLabel = "NAME", description = "run one experiment: ${COMPLETION-CANDIDATES}")
    Part only;

    enum Part { receptive_field, transpose_is_gradient, upsampling, checkerboard, autoencoder }

    private String[] args = new String[0];

    public static void main(String[] args) {
        Experiment e = new Experiment();
        e.args = args;
        ExperimentMain.run(e, args);
    }

    /** quick (what is pinned): a thousand steps, seconds; full: five times as many. */
    static Upsampling.Settings upsamplingSettings(boolean full) {
        return new Upsampling.Settings(full ? 5000 : 1000, 64, 0.5, 0.9, 20);
    }

    /**
     * quick (what is pinned): one pass over the first 15,000 training images per run, about two
     * minutes on 2 cores for the whole sweep (a run that diverges stops early), with the last 5,000
     * training images held out to choose the learning rate; full: 5 epochs over the first 50,000,
     * the last 10,000 held out, about an hour.
     */
    static AutoencoderTraining.Settings autoencoderSettings(boolean full) {
        return full ? new AutoencoderTraining.Settings(5, 50_000, 10_000, 64, 0.9, 50)
                : new AutoencoderTraining.Settings(1, 15_000, 5_000, 64, 0.9, 10);
    }

    /**
     * The learning rates swept for each output. One rate for both would not be a fair comparison: a
     * sigmoid multiplies every gradient that reaches the decoder by σ'(z) ≤ 1/4, so it trains as if
     * its learning rate were several times smaller.
     */
    static final double[] AUTOENCODER_LRS = {0.1, 0.3, 1.0, 3.0, 10.0};

    /** Seeds per (output, learning rate). */
    static final int AUTOENCODER_SEEDS = 3;

    @Override
    public Integer call() throws Exception {
        Backends.use(Backends.create(options.backend(), options.threads()));
        Path out = options.out(POST);
        Provenance run = options.provenance(args);
        // each part computes its results before its provenance is finished, so that the wall time covers the work
        if (only == null || only == Part.receptive_field) {
            Provenance p = run.restart();
            Map<String, Object> r = ReceptiveFields.run(options.seed());
            Results.write(out.resolve("receptive-field.json"), POST, "receptive-field", p.finish(), r);
        }
        if (only == null || only == Part.transpose_is_gradient) {
            Provenance p = run.restart();
            Map<String, Object> r = TransposeIsGradient.run(options.seed());
            Results.write(out.resolve("transpose-is-gradient.json"), POST, "transpose-is-gradient", p.finish(), r);
        }
        if (only == null || only == Part.upsampling) {
            upsampling(out, run.restart());
        }
        if (only == null || only == Part.checkerboard) {
            Provenance p = run.restart();
            Map<String, Object> r = Checkerboard.run(options.seed());
            Results.write(out.resolve("checkerboard.json"), POST, "checkerboard", p.finish(), r);
        }
        if (only == null || only == Part.autoencoder) {
            autoencoder(out, run.restart());
        }
        return 0;
    }

    private void upsampling(Path out, Provenance p) throws Exception {
        Dataset train = Dataset.fashionMnist(Datasets.root(), true);
        Dataset test = Dataset.fashionMnist(Datasets.root(), false);
        Upsampling.Settings s = upsamplingSettings(options.full());
        Map<String, Object> results;
        try (Progress progress = Progress.start("learned upsampler", s.steps())) {
            results = Upsampling.run(options.seed(), train, test, s, step -> progress.step());
        }
        Results.write(out.resolve("upsampling.json"), POST, "upsampling", p.finish(), results);
    }

    private void autoencoder(Path out, Provenance p) throws Exception {
        AutoencoderTraining.Settings s = autoencoderSettings(options.full());
        Dataset all = Dataset.fashionMnist(Datasets.root(), true);
        Dataset train = all.subset(s.trainSamples());
        Dataset validation = all.slice(all.size() - s.validationSamples(), all.size());
        Dataset test = Dataset.fashionMnist(Datasets.root(), false);
        int[] figureImages = Upsampling.firstOfEachClass(test, Upsampling.FIGURE_IMAGES);
        long stepsPerRun = (long) s.epochs() * ((train.size() + s.batchSize() - 1) / s.batchSize());
        List<AutoencoderTraining.Run> runs = new ArrayList<>();
        Map<String, Object> chosen = new LinkedHashMap<>();
        List<AutoencoderTraining.Details> details = new ArrayList<>();
        try (Progress progress = Progress.start("autoencoder", stepsPerRun * 2 * AUTOENCODER_LRS.length
                * AUTOENCODER_SEEDS)) {
            for (boolean sigmoid : new boolean[] {false, true}) {
                String output = sigmoid ? "sigmoid" : "linear";
                double bestLr = Double.NaN;
                double bestMse = Double.POSITIVE_INFINITY;
                AutoencoderTraining.Trained bestFirst = null;
                for (double lr : AUTOENCODER_LRS) {
                    double sum = 0;
                    AutoencoderTraining.Trained first = null;
                    for (int i = 0; i < AUTOENCODER_SEEDS; i++) {
                        long seed = options.seed() + i;
                        long done = progress.current();
                        progress.message(output + " output, lr " + lr + ", seed " + seed);
                        AutoencoderTraining.Trained t = AutoencoderTraining.train(seed, sigmoid, lr, train, validation,
                                test, s, step -> progress.stepTo(done + step));
                        progress.stepTo(done + stepsPerRun);   // a diverged run stops early
                        runs.add(t.run());
                        // a diverged run never wins: NaN would compare as neither larger nor smaller
                        sum += t.run().divergedAtStep() == null ? t.run().validationMse() : Double.POSITIVE_INFINITY;
                        first = first == null ? t : first;
                    }
                    double mean = sum / AUTOENCODER_SEEDS;
                    if (mean < bestMse) {
                        bestMse = mean;
                        bestLr = lr;
                        bestFirst = first;
                    }
                }
                if (bestFirst == null) {
                    throw new IllegalStateException("autoencoder, " + output + " output: every learning rate diverged");
                }
                Map<String, Object> c = new LinkedHashMap<>();
                c.put("lr", bestLr);
                c.put("mean_validation_mse", bestMse);
                chosen.put(output, c);
                details.add(AutoencoderTraining.details(bestFirst, test, figureImages));
            }
        }
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("dataset", all.name());
        config.put("train_samples", train.size());
        config.put("validation", "the last " + validation.size() + " training images, held out");
        config.put("validation_samples", validation.size());
        config.put("test_samples", test.size());
        config.put("model", "conv(1->16, k3, s2, p1) ReLU conv(16->32, k3, s2, p1) ReLU"
                + " conv_transpose(32->16, k4, s2, p1) ReLU conv_transpose(16->1, k4, s2, p1) [sigmoid];"
                + " PyTorch's default init");
        config.put("loss", "mse_loss against the input, mean over pixels");
        config.put("optimizer", "SGD, momentum " + s.momentum());
        config.put("epochs", s.epochs());
        config.put("batch_size", s.batchSize());
        config.put("learning_rates", AUTOENCODER_LRS);
        config.put("momentum", s.momentum());
        config.put("log_every_steps", s.logEvery());
        config.put("seeds", AUTOENCODER_SEEDS);
        config.put("selection", "per output, the learning rate with the lowest mean validation MSE over seeds;"
                + " its first seed's run is the one the figures show");
        config.put("figure_test_indices", figureImages);
        config.put("constant_code", "mean code of the first " + AutoencoderTraining.CODE_IMAGES
                + " test images, averaged over the 7x7 positions");
        // the floor every run must beat: one grey level for every pixel of every image (the training
        // set's mean pixel), which is what a decoder whose ReLUs have all died can still output
        double mean = train.channelMean()[0];
        double sq = 0;
        for (float v : test.images()) {
            sq += (v - mean) * (v - mean);
        }
        Map<String, Object> baseline = new LinkedHashMap<>();
        baseline.put("value", mean);
        baseline.put("test_mse", sq / test.images().length);
        Map<String, Object> results = new LinkedHashMap<>();
        results.put("config", config);
        results.put("constant_baseline", baseline);
        results.put("chosen", chosen);
        results.put("runs", runs);
        results.put("details", details);
        Results.write(out.resolve("autoencoder.json"), POST, "autoencoder", p.finish(), results);
    }
}
