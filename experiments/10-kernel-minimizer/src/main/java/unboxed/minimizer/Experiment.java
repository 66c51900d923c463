package unboxed.minimizer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import unboxed.convolutions.Cnn;
import unboxed.convolutions.Training;
import unboxed.data.Dataset;
import unboxed.data.Datasets;
import unboxed.kit.CommonOptions;
import unboxed.kit.ExperimentMain;
import unboxed.kit.Rounding;
import unboxed.kit.Sweep;
import unboxed.kit.SweepCommand;
import unboxed.tensor.Rng;

/**
 * Post 10's experiments. Post 02's CNN is trained on MNIST (once per process, the same weights
 * for every point, since its seed is fixed); then every point runs gradient descent on the pixels
 * of one start image:
 * <ul>
 *   <li>{@code model.json}: the trained CNN's learning curve and test accuracy;</li>
 *   <li>{@code starts.json}: minimising layer 1's or layer 2's response (Σ ReLU or Σ z²) from
 *       noise, three greys and three test images of every digit;</li>
 *   <li>{@code extremes.json}: maximising the same response from some of those starts;</li>
 *   <li>{@code regularisers.json}: L2 toward grey, total variation, blur between steps;</li>
 *   <li>{@code resolution.json}: the convolutional part alone on 56 × 56 and 112 × 112 inputs;</li>
 *   <li>{@code optimizers.json}: Adam against the SGD of the other sweeps.</li>
 * </ul>
 */
@Command(name = "10-kernel-minimizer", mixinStandardHelpOptions = true,
        description = "Post 10 (Kernel minimizer): gradient descent on an image's pixels so that a conv layer of a"
                + " trained CNN responds as little as possible, and what the image becomes.")
public final class Experiment implements Callable<Integer> {
    public static final String POST = "10-kernel-minimizer";

    @Mixin
    CommonOptions options;

    @Option(names = "--only", paramLabel = "SWEEP", description = "run one sweep: ${COMPLETION-CANDIDATES}")
    Part only;

    @Mixin
    SweepCommand sweep;

    enum Part { model, starts, extremes, regularisers, resolution, optimizers }

    private String[] args = new String[0];

    public static void main(String[] args) {
        Experiment e = new Experiment();
        e.args = args;
        ExperimentMain.run(e, args);
    }

    /** Sizes by scale: quick (minutes on 2 CPU cores, what is pinned) and full. */
    record Scale(int epochs, int trainImages, int steps, int snapshotEvery, int seeds) {
        static Scale of(boolean full) {
            return full ? new Scale(3, 60000, 1000, 50, 5) : new Scale(1, 60000, 300, 30, 3);
        }
    }

    static final Training.Settings TRAINING = new Training.Settings(1, 64, 0.01, 0.9, 50);
    /** The start images: noise, a grey (three levels, one per seed), or the k-th test image of a digit. */
    static final List<String> ALL_STARTS = List.of("noise", "grey", "digit0", "digit1", "digit2", "digit3", "digit4",
            "digit5", "digit6", "digit7", "digit8", "digit9");
    static final List<String> FEW_STARTS = List.of("noise", "grey", "digit3", "digit7");
    static final double[] GREYS = {0.5, 0.25, 0.75, 0.1, 0.9};
    static final int[] SIZES = {56, 112};

    /** The point ids of a sweep, in merge order: configuration by configuration, each with its seeds. */
    static List<String> ids(Part part, Scale s) {
        List<String> c = new ArrayList<>();
        switch (part) {
            case model -> {
                return List.of("cnn-s0");
            }
            case starts -> {
                for (int layer = 1; layer <= 2; layer++) {
                    for (Minimize.Objective o : Minimize.Objective.values()) {
                        for (String st : ALL_STARTS) {
                            c.add("l" + layer + "-" + o.id + "-min-none-sgd-28-" + st);
                        }
                    }
                }
            }
            case extremes -> {
                for (int layer = 1; layer <= 2; layer++) {
                    for (String st : FEW_STARTS) {
                        c.add("l" + layer + "-relu-max-none-sgd-28-" + st);
                    }
                }
            }
            case regularisers -> {
                for (Minimize.Regulariser r : Minimize.Regulariser.values()) {
                    if (r != Minimize.Regulariser.NONE) {
                        for (String st : List.of("noise", "digit3", "digit7")) {
                            c.add("l2-relu-min-" + r.id + "-sgd-28-" + st);
                        }
                    }
                }
            }
            case resolution -> {
                for (int size : SIZES) {
                    for (String st : List.of("noise", "grey", "digit3")) {
                        c.add("l2-relu-min-none-sgd-" + size + "-" + st);
                    }
                }
            }
            case optimizers -> {
                for (int layer = 1; layer <= 2; layer++) {
                    for (String st : List.of("noise", "digit3")) {
                        c.add("l" + layer + "-relu-min-none-adam-28-" + st);
                    }
                }
            }
            default -> throw new IllegalStateException(part.name());
        }
        List<String> ids = new ArrayList<>();
        for (String config : c) {
            for (int k = 0; k < s.seeds(); k++) {
                ids.add(config + "-s" + k);
            }
        }
        return ids;
    }

    /** The configuration a run's id names: layer, objective, direction, regulariser, optimiser, size, start. */
    static Map<String, Object> describe(String id) {
        String[] w = Sweep.configOf(id).split("-");
        if (w.length != 7 || !w[0].startsWith("l")) {
            throw new IllegalArgumentException("point id '" + id + "': expected l<layer>-<objective>-<min|max>-"
                    + "<regulariser>-<sgd|adam>-<size>-<start>-s<k>");
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", id);
        m.put("layer", Integer.parseInt(w[0].substring(1)));
        m.put("objective", Minimize.Objective.byId(w[1]).id);
        m.put("maximise", w[2].equals("max"));
        m.put("regulariser", Minimize.Regulariser.byId(w[3]).id);
        m.put("optimizer", w[4]);
        m.put("size", Integer.parseInt(w[5]));
        if (!ALL_STARTS.contains(w[6])) {
            throw new IllegalArgumentException("point id '" + id + "': no start '" + w[6] + "' (one of " + ALL_STARTS + ")");
        }
        m.put("start", w[6]);
        return m;
    }

    long seedOf(String id) {
        return options.seed() * 1000 + Sweep.seedIndex(id);
    }

    Map<String, Object> config(Part part, Scale s) {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("scale", options.scale().name());
        c.put("base_seed", options.seed());
        c.put("model", "post 02's CNN: conv5(1->16, pad 2) ReLU maxpool2 conv5(16->32, pad 2) ReLU maxpool2"
                + " Linear(1568->128) ReLU Linear(128->10)");
        Map<String, Object> tr = new LinkedHashMap<>();
        tr.put("dataset", "mnist-train");
        tr.put("images", s.trainImages());
        tr.put("epochs", s.epochs());
        tr.put("batch_size", TRAINING.batchSize());
        tr.put("lr", TRAINING.lr());
        tr.put("momentum", TRAINING.momentum());
        tr.put("seed", options.seed());
        c.put("training", tr);
        if (part != Part.model) {
            c.put("steps", s.steps());
            c.put("seeds", s.seeds());
            c.put("snapshot_every", s.snapshotEvery());
            c.put("sgd_lr_relu", Minimize.SGD_LR_RELU);
            c.put("sgd_lr_square", Minimize.SGD_LR_SQUARE);
            c.put("adam_lr", Minimize.ADAM_LR);
            c.put("l2_weight", Minimize.L2_WEIGHT);
            c.put("tv_weight", Minimize.TV_WEIGHT);
            c.put("blur_every", Minimize.BLUR_EVERY);
            c.put("greys", GREYS);
            c.put("start_images", "the k-th image of each digit in mnist-test, k = seed index");
        }
        return c;
    }

    // ------------------------------------------------------------------ the shared model

    private Training.Trained trained;
    private Dataset test;

    /** Post 02's CNN trained on MNIST with this run's seed: once per process, whatever point asks first. */
    synchronized Training.Trained model(Scale s) {
        if (trained == null) {
            try {
                Dataset all = Dataset.mnist(Datasets.root(), true);
                Dataset train = s.trainImages() < all.size() ? all.subset(s.trainImages()) : all;
                test = Dataset.mnist(Datasets.root(), false);
                Training.Settings t = new Training.Settings(s.epochs(), TRAINING.batchSize(), TRAINING.lr(),
                        TRAINING.momentum(), TRAINING.logEvery());
                trained = Training.trainModel(options.seed(), train, test, t, step -> { });
            } catch (IOException e) {
                throw new UncheckedIOException("MNIST is missing: run `make data` first", e);
            }
        }
        return trained;
    }

    /** The start image of a run, size × size. */
    double[][] start(String start, int size, int k, long seed) {
        double[][] m;
        if (start.equals("noise")) {
            m = Images.noise(28, new Rng(seed).fork("noise"));
        } else if (start.equals("grey")) {
            m = Images.constant(28, GREYS[k % GREYS.length]);
        } else {
            int digit = Integer.parseInt(start.substring(5));
            m = Images.of(test, Images.nthOfClass(test, digit, k));
        }
        return size == 28 ? m : Images.upsample(m, size / 28);
    }

    Object compute(Part part, Scale s, String id) {
        Training.Trained t = model(s);
        Map<String, Object> d;
        if (part == Part.model) {
            d = new LinkedHashMap<>();
            d.put("id", id);
            d.put("steps", t.run().steps());
            d.put("train_loss", Rounding.sig4(t.run().trainLoss()));
            d.put("test_accuracy", t.run().finalTestAccuracy());
        } else {
            d = describe(id);
            int k = Sweep.seedIndex(id);
            long seed = seedOf(id);
            d.put("seed", seed);
            int size = (Integer) d.get("size");
            boolean keep = k == 0 && size == 28;
            Minimize.Settings ms = new Minimize.Settings((Integer) d.get("layer"),
                    Minimize.Objective.byId((String) d.get("objective")), (Boolean) d.get("maximise"),
                    Minimize.Regulariser.byId((String) d.get("regulariser")), d.get("optimizer").equals("adam"),
                    s.steps(), keep ? s.snapshotEvery() : 0);
            Map<String, Object> r = Minimize.run(t.model(), start((String) d.get("start"), size, k, seed), ms);
            if (size != 28 && k != 0) {
                r.remove("image"); // a large image is kept for the first seed only: the figures show one
            }
            d.putAll(r);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("config", config(part, s));
        out.put("point", d);
        return out;
    }

    ObjectNode mergeTrees(Part part, Scale s, List<String> ids, List<JsonNode> points) {
        return Sweep.merge(config(part, s), part.name(), ids, points);
    }

    @Override
    public Integer call() throws Exception {
        Scale s = Scale.of(options.full());
        return sweep.run(POST, Experiment.class, options, args, Part.class, only,
                SweepCommand.Sweeps.of(part -> ids(part, s), part -> config(part, s), (part, id) -> compute(part, s, id)));
    }
}
