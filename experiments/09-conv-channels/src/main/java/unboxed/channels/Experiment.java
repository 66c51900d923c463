package unboxed.channels;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Function;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import unboxed.convolutions.Cnn;
import unboxed.data.Cifar10;
import unboxed.data.Dataset;
import unboxed.data.Datasets;
import unboxed.kit.CommonOptions;
import unboxed.kit.ExperimentMain;
import unboxed.kit.Sweep;
import unboxed.kit.SweepCommand;
import unboxed.tensor.Rng;

/**
 * Post 09's experiments: sweeps of independent points (a network and a seed), merged in point
 * order into one results file each:
 * <ul>
 *   <li>{@code fashion.json}: the post's CNN ({@link ChannelNet}, {@value #MAIN_WIDTH} channels per
 *       conv layer) trained on Fashion-MNIST; every layer looked at before and after training
 *       (maps, tuning, selectivity, dead channels, redundancy, answers to negatives and to MNIST
 *       digits) and every channel zeroed in turn;</li>
 *   <li>{@code widths.json}: the same CNN with 2 to 64 channels per conv layer, trained alike on a
 *       part of the training set: what each channel does when few are allowed, and the redundancy
 *       among many;</li>
 *   <li>{@code mnist.json}: post 02's CNN trained on MNIST, looked at and intervened on the same way;</li>
 *   <li>{@code cifar10.json}: the post's CNN trained on CIFAR-10, only when its binary files are in
 *       {@code data/datasets/cifar-10-batches-bin/} (they cannot be fetched here; see the report).</li>
 * </ul>
 * A point depends on its id, the scale and the base seed only, so the points run on a pool of
 * {@code --workers} threads and merge to the same bytes whatever the worker count.
 */
@Command(name = "09-conv-channels", mixinStandardHelpOptions = true,
        description = "Post 09 (Convolution output channels): what each output channel of a trained CNN's"
                + " convolutions detects, measured, and tested by zeroing it.")
public final class Experiment implements Callable<Integer> {
    public static final String POST = "09-conv-channels";
    /** Channels per conv layer of the post's CNN. */
    static final int MAIN_WIDTH = 16;
    /** The test accuracy the Fashion-MNIST CNN must reach (the post's target). */
    static final double TARGET = 0.90;

    @Mixin
    CommonOptions options;

    @Option(names = "--only", paramLabel = "SWEEP", description = "run one sweep: ${COMPLETION-CANDIDATES}")
    Part only;

    @Mixin
    SweepCommand sweep;

    enum Part { fashion, widths, mnist, cifar10 }

    private String[] args = new String[0];

    public static void main(String[] args) {
        Experiment e = new Experiment();
        e.args = args;
        ExperimentMain.run(e, args);
    }

    /**
     * Sizes by scale: quick (about ten minutes on 2 CPU cores, what is pinned) and full.
     *
     * @param epochs        epochs of the Fashion-MNIST (and CIFAR-10) CNN, on the whole training set
     * @param widths        channels per conv layer of the width sweep
     * @param widthImages   training images of the width sweep (a prefix of the training set)
     * @param widthEpochs   its epochs
     * @param mnistImages   training images of post 02's CNN
     * @param mnistEpochs   its epochs
     * @param seeds         seeds per point
     * @param ablatePerLayer channels zeroed per layer in the width sweep (all when a layer has no more)
     * @param ablationPerClass held-out test images per class the ablations of the two main networks are measured on
     * @param widthAblationPerClass the same for the width sweep
     */
    record Scale(int epochs, int[] widths, int widthImages, int widthEpochs, int mnistImages, int mnistEpochs,
                 int seeds, int ablatePerLayer, int ablationPerClass, int widthAblationPerClass) {
        static Scale of(boolean full) {
            return full
                    ? new Scale(10, new int[] {1, 2, 4, 8, 16, 32, 64, 128}, 60000, 5, 60000, 3, 5, 128, 500, 500)
                    : new Scale(3, new int[] {2, 4, 8, 16, 32, 64}, 10000, 2, 30000, 1, 3, 8, 200, 100);
        }

        int ablationPerClass(Part part) {
            return part == Part.widths ? widthAblationPerClass : ablationPerClass;
        }
    }

    static final int BATCH = 64;
    static final double LR = 5e-3;
    static final int LOG_EVERY = 100;
    /** Post 02's settings for its CNN: SGD, lr 0.01, momentum 0.9, batch 64. */
    static final Training.Settings MNIST_SGD = new Training.Settings(Training.Optim.SGD_MOMENTUM, 0, 64, 0.01, 0.9,
            LOG_EVERY);

    /** The images whose maps the figures show, for a network of each dataset. */
    static Study.Shown shown(Part part) {
        // dataset groups are class by class, PER_CLASS each: 900 is the first ankle boot, 700 the first 7, ...
        int per = ProbeSet.PER_CLASS;
        // gratings: orientation-major, then frequency, then phase; 45°, 3.5 cycles, phase 0
        int grating = (3 * ProbeSet.FREQUENCIES.length + 1) * ProbeSet.PHASES.length;
        return switch (part) {
            case fashion, widths, cifar10 -> {
                List<String> names = part == Part.cifar10 ? Cifar10.CLASS_NAMES : Dataset.FASHION_MNIST_CLASSES;
                yield new Study.Shown(
                        List.of("dataset", "dataset", "inverted", "ood", "gratings", "edges", "checkerboards"),
                        List.of(9 * per, 1 * per, 9 * per, 7 * per, grating, 6, 1),
                        List.of(names.get(9), names.get(1), names.get(9) + ", negative", "MNIST digit 7",
                                "grating, 45°", "edge, white left", "checkerboard"));
            }
            case mnist -> new Study.Shown(List.of("dataset", "inverted", "ood", "gratings", "edges"),
                    List.of(7 * per, 7 * per, 9 * per, grating, 6),
                    List.of("digit 7", "digit 7, negative", "Fashion-MNIST " + Dataset.FASHION_MNIST_CLASSES.get(9),
                            "grating, 45°", "edge, white left"));
        };
    }

    /** The point ids of a sweep, in merge order: configuration by configuration, each with its seeds. */
    static List<String> ids(Part part, Scale s) {
        List<String> configs = new ArrayList<>();
        switch (part) {
            case fashion, cifar10 -> configs.add("w" + MAIN_WIDTH);
            case widths -> {
                // widest first: the longest points start first, so that the pool's last ones are short
                for (int i = s.widths().length - 1; i >= 0; i--) {
                    configs.add("w" + s.widths()[i]);
                }
            }
            case mnist -> configs.add("cnn");
            default -> throw new IllegalStateException(part.name());
        }
        List<String> ids = new ArrayList<>();
        for (String c : configs) {
            for (int k = 0; k < s.seeds(); k++) {
                ids.add(c + "-s" + k);
            }
        }
        return ids;
    }

    /** The seed of a point: its seed index k, offset by --seed, shared across configurations (common random numbers). */
    long seedOf(String id) {
        return options.seed() * 1000 + Sweep.seedIndex(id);
    }

    /** The configuration of a whole sweep at this scale (every shard records it; a merge checks it). */
    Map<String, Object> config(Part part, Scale s) {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("scale", options.scale().name());
        c.put("base_seed", options.seed());
        c.put("seeds", s.seeds());
        c.put("orientations", ProbeSet.ORIENTATIONS);
        c.put("frequencies", ProbeSet.FREQUENCIES);
        c.put("phases", ProbeSet.PHASES);
        c.put("edge_directions", ProbeSet.EDGE_DIRECTIONS);
        c.put("checker_squares", ProbeSet.CHECKER_SQUARES);
        c.put("probe_per_class", ProbeSet.PER_CLASS);
        c.put("ablation_per_class", s.ablationPerClass(part));
        Study.Shown sh = shown(part);
        c.put("shown", sh.captions());
        switch (part) {
            case fashion, widths, cifar10 -> {
                c.put("dataset", part == Part.cifar10 ? "cifar10" : "fashion-mnist");
                c.put("ood_dataset", "mnist");
                c.put("model", "conv5(c->w, pad 2) ReLU, conv3(w->w, stride 2, pad 1) ReLU, conv3(w->w, stride 2,"
                        + " pad 1) ReLU, Linear(w*(s/4)^2->" + ChannelNet.HIDDEN + ") ReLU, Linear("
                        + ChannelNet.HIDDEN + "->10); PyTorch's default init");
                c.put("optimizer", "Adam, lr decayed linearly from " + LR + " to 0");
                c.put("lr", LR);
                c.put("batch_size", BATCH);
                c.put("normalised", true);
                if (part == Part.widths) {
                    c.put("widths", s.widths());
                    c.put("train_images", s.widthImages());
                    c.put("epochs", s.widthEpochs());
                    c.put("ablate_per_layer", s.ablatePerLayer());
                } else {
                    c.put("width", MAIN_WIDTH);
                    c.put("train_images", part == Part.cifar10 ? 50000 : 60000);
                    c.put("epochs", s.epochs());
                    c.put("target_test_accuracy", TARGET);
                }
            }
            case mnist -> {
                c.put("dataset", "mnist");
                c.put("ood_dataset", "fashion-mnist");
                c.put("model", "post 02's CNN: conv5(1->16, pad 2) ReLU maxpool2 conv5(16->32, pad 2) ReLU maxpool2"
                        + " Linear(1568->128) ReLU Linear(128->10); PyTorch's default init");
                c.put("optimizer", "SGD, lr " + MNIST_SGD.lr() + ", momentum " + MNIST_SGD.momentum());
                c.put("lr", MNIST_SGD.lr());
                c.put("momentum", MNIST_SGD.momentum());
                c.put("batch_size", MNIST_SGD.batch());
                c.put("normalised", false);
                c.put("train_images", s.mnistImages());
                c.put("epochs", s.mnistEpochs());
            }
            default -> throw new IllegalStateException(part.name());
        }
        c.put("log_every_steps", LOG_EVERY);
        return c;
    }

    /** The data a sweep's points share. */
    static Study.Data load(Part part, Scale s) throws IOException {
        Dataset train;
        Dataset test;
        Dataset other;
        switch (part) {
            case fashion, widths -> {
                train = Dataset.fashionMnist(true);
                test = Dataset.fashionMnist(false);
                other = Dataset.mnist(false);
            }
            case cifar10 -> {
                train = Dataset.cifar10(true);
                test = Dataset.cifar10(false);
                other = Dataset.mnist(false);
            }
            case mnist -> {
                train = Dataset.mnist(true);
                test = Dataset.mnist(false);
                other = Dataset.fashionMnist(false);
            }
            default -> throw new IllegalStateException(part.name());
        }
        return data(part, s, train, test, other);
    }

    static Study.Data data(Part part, Scale s, Dataset train, Dataset test, Dataset other) {
        int images = switch (part) {
            case widths -> s.widthImages();
            case mnist -> s.mnistImages();
            default -> train.size();
        };
        train = train.subset(images);
        float[] mean;
        float[] std;
        if (part == Part.mnist) {
            // post 02 feeds its CNN the pixels as they are, in [0, 1]
            mean = new float[] {0};
            std = new float[] {1};
        } else {
            mean = train.channelMean();
            std = train.channelStd();
        }
        // the same probe images for every point and seed (its noise drawn from a fixed stream)
        ProbeSet probe = ProbeSet.of(test, other, 0);
        Study.Shown sh = shown(part);
        probe.addPicked("shown", sh.groups(), sh.indices());
        Dataset testN = test.normalized(mean, std);
        // the ablations are measured on test images the probe set does not hold (its are the first of each class)
        Dataset ablation = Training.stratified(testN, ProbeSet.PER_CLASS, s.ablationPerClass(part));
        return new Study.Data(train.normalized(mean, std), testN, probe, mean, std, ablation);
    }

    /** Computes one point: its configuration, the sweep's configuration and its measurements. */
    Object compute(Part part, Scale s, String id, Study.Data d) {
        long seed = seedOf(id);
        boolean first = Sweep.seedIndex(id) == 0;
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("id", id);
        p.put("seed", seed);
        Rng rng = new Rng(seed);
        Study.Subject subject;
        Training.Settings settings;
        Study.Keep keep;
        switch (part) {
            case fashion, widths, cifar10 -> {
                int width = Integer.parseInt(Sweep.configOf(id).substring(1));
                p.put("width", width);
                ChannelNet net = new ChannelNet(d.test().channels(), d.test().height(), width, rng.fork("init"));
                subject = new Study.Subject(net, net.convs(), net.outputs(), new int[] {width, width, width});
                settings = new Training.Settings(Training.Optim.ADAM_LINEAR,
                        part == Part.widths ? s.widthEpochs() : s.epochs(), BATCH, LR, 0, LOG_EVERY);
                boolean narrowest = width == s.widths()[0];
                boolean widest = width == s.widths()[s.widths().length - 1];
                keep = part == Part.widths
                        // the width sweep keeps the curves and maps of its narrowest net and the correlations of its widest
                        ? new Study.Keep(first && narrowest, first && widest, first && narrowest, false, s.ablatePerLayer())
                        : new Study.Keep(true, false, first, true, Integer.MAX_VALUE);
            }
            case mnist -> {
                Cnn net = new Cnn(rng.fork("init"));
                subject = new Study.Subject(net, net.convs(), net.channelOutputs(), new int[] {16, 32});
                settings = new Training.Settings(MNIST_SGD.optim(), s.mnistEpochs(), MNIST_SGD.batch(), MNIST_SGD.lr(),
                        MNIST_SGD.momentum(), LOG_EVERY);
                keep = new Study.Keep(true, false, first, true, s.ablatePerLayer() * 2);
            }
            default -> throw new IllegalStateException(part.name());
        }
        Study.Shown sh = shown(part);
        if (keep.maps()) {
            // the shown images as the figures draw them beside their maps: 256 grey levels, as the maps
            List<String> inputs = new ArrayList<>();
            for (int i = 0; i < sh.groups().size(); i++) {
                inputs.add(Study.levels(d.probe().image("shown", i), 1));
            }
            p.put("inputs", inputs);
        }
        p.put("init", Study.look(subject, d, keep, sh));
        Training.Curve curve = Training.train(subject.net(), d.train(), d.test(), settings, rng.fork("shuffle"));
        p.put("curve", curve);
        int[] correct = Training.correctByClass(subject.net(), d.test());
        p.put("test_correct", correct);
        p.put("test_counts", d.test().classCounts());
        p.put("test_accuracy", Training.accuracy(correct, d.test().classCounts()));
        p.put("trained", Study.look(subject, d, keep, sh));
        p.put("ablation", Study.intervene(subject, d, keep, rng.fork("ablation")));
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("config", config(part, s));
        out.put("point", p);
        return out;
    }

    ObjectNode mergeTrees(Part part, Scale s, List<String> ids, List<JsonNode> points) {
        return Sweep.merge(config(part, s), part.name(), ids, points);
    }

    /** Whether CIFAR-10's binary files are where {@link Dataset#cifar10} looks for them. */
    static boolean cifarPresent() {
        Path dir = Datasets.root().resolve(Cifar10.FOLDER);
        for (String f : Cifar10.TRAIN_FILES) {
            if (!Files.isRegularFile(dir.resolve(f))) {
                return false;
            }
        }
        return Files.isRegularFile(dir.resolve(Cifar10.TEST_FILES.get(0)));
    }

    @Override
    public Integer call() throws Exception {
        Scale s = Scale.of(options.full());
        SweepCommand.Sweeps<Part> sweeps = new SweepCommand.Sweeps<>() {
            @Override
            public List<String> ids(Part part) {
                return Experiment.ids(part, s);
            }

            @Override
            public Object config(Part part) {
                return Experiment.this.config(part, s);
            }

            @Override
            public Function<String, Object> points(Part part) throws IOException {
                Study.Data d = load(part, s);
                return id -> compute(part, s, id, d);
            }

            @Override
            public String skipReason(Part part) {
                // CIFAR-10 cannot be fetched here: without its files there is nothing to pin for it
                return part == Part.cifar10 && !cifarPresent() ? "its binary files are not in "
                        + Datasets.root().resolve(Cifar10.FOLDER) + " (download cifar-10-binary.tar.gz from"
                        + " https://www.cs.toronto.edu/~kriz/cifar.html and extract it into " + Datasets.root()
                        + " to train on it too)" : null;
            }
        };
        return sweep.run(POST, Experiment.class, options, args, Part.class, only, sweeps);
    }
}
