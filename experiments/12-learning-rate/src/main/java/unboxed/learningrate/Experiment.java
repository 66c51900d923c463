package unboxed.learningrate;

import com.fasterxml.jackson.databind.JsonNode;
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
import unboxed.kit.CommonOptions;
import unboxed.kit.ExperimentMain;
import unboxed.kit.GnuParallel;
import unboxed.kit.Rounding;
import unboxed.kit.Sweep;
import unboxed.kit.SweepCommand;
import unboxed.optim.LRSchedule;
import unboxed.tensor.Rng;

/**
 * Post 12's experiments: sweeps of independent points (a configuration and a seed), each merged
 * in point order into one results file, {@code <sweep>.json}:
 * <ul>
 *   <li>{@code mlp}: post 06's 1-32-32-1 ReLU network on sin x, full-batch gradient descent at
 *       log-spaced rates from 1e-5 to 10; λ_max at initialisation and at the end;</li>
 *   <li>{@code cnn}: a small CNN on Fashion-MNIST (CIFAR-10 where its files are present),
 *       mini-batch SGD at log-spaced rates from 1e-5 to 10;</li>
 *   <li>{@code dimension}: sin(a u·x) in d dimensions, d-w-w-1 networks: λ_max at initialisation,
 *       the best rate and the divergence threshold, against d and against w;</li>
 *   <li>{@code dynamics}: long full-batch runs with the sharpness watched: the edge of stability
 *       (fixed rates) and the catapult (rates set as multiples of 2/λ₀);</li>
 *   <li>{@code batch}: the CNN's best rate against the batch size (the linear scaling rule);</li>
 *   <li>{@code warmup}: rates at and past the threshold, constant, with a warm-up, or with the same
 *       ramp at the end (a cool-down): the intervention;</li>
 *   <li>{@code schedules}: constant, step, cosine and one-cycle on the CNN;</li>
 *   <li>{@code demo} and {@code threeways}: a small sweep, and one point that reruns it three ways
 *       (a thread pool, one worker, GNU parallel over {@code --list-points} then a merge) and pins
 *       the sha256 of each merged result.</li>
 * </ul>
 * A point depends on its id, the scale and the base seed only, so the points run on a pool of
 * {@code --workers} threads and merge to the same bytes whatever the worker count; {@code
 * --list-points} prints one command per point for a scheduler, {@code --merge DIR} merges shards.
 * Every optimiser is torch.optim.SGD without momentum or weight decay.
 */
@Command(name = "12-learning-rate", mixinStandardHelpOptions = true,
        description = "Post 12 (Learning rate): the best rate and the divergence threshold of an MLP and a CNN,"
                + " against dimension and width and the 2/λ_max prediction; the edge of stability, the catapult,"
                + " batch size, warm-up and schedules.")
public final class Experiment implements Callable<Integer> {
    public static final String POST = "12-learning-rate";

    @Mixin
    CommonOptions options;

    @Option(names = "--only", paramLabel = "SWEEP", description = "run one sweep: ${COMPLETION-CANDIDATES}")
    Part only;

    @Mixin
    SweepCommand sweep;

    enum Part { mlp, cnn, dimension, dynamics, batch, warmup, schedules, demo, threeways }

    private String[] args = new String[0];

    public static void main(String[] args) {
        Experiment e = new Experiment();
        e.args = args;
        ExperimentMain.run(e, args);
    }

    /** The regression sweeps' sizes. */
    record Mlp(int points, int steps, int perDecade, int seeds) {
    }

    /** The image sweeps' sizes: training prefix, its slice for the final loss, test images, batch, epochs. */
    record Cnn(int train, int evalTrain, int test, int batch, int epochs, int perDecade, int seeds, int sharpBatch) {
    }

    /** Sizes by scale: quick (minutes on 2 CPU cores, what is pinned) and full. */
    record Scale(Mlp mlp, Cnn cnn, int[] dims, int[] widths, int dimSteps, int dimPerDecade, int halvings,
                 List<Double> eosRates, List<Double> catapult, int eosSteps, int catapultSteps, int[] batches,
                 List<Double> warmupRates, int warmupSteps, int ramp, List<Double> schedulePeaks, int demoSteps) {
        static Scale of(boolean full) {
            return full
                    ? new Scale(new Mlp(256, 5000, 4, 5), new Cnn(20000, 5000, 10000, 64, 5, 4, 5, 512),
                    new int[] {1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024}, new int[] {4, 8, 16, 32, 64, 128, 256, 512},
                    1000, 8, 6, List.of(0.02, 0.03, 0.05, 0.1), List.of(0.5, 0.9, 1.2, 1.6, 2.0, 2.5, 3.0, 4.0, 6.0),
                    10000, 1000, new int[] {8, 16, 32, 128, 256, 512},
                    List.of(0.2, 0.35, 0.5, 0.7, 0.9, 1.1), 5000, 1000, List.of(0.1, 0.3, 1.0), 300)
                    : new Scale(new Mlp(256, 2000, 3, 3), new Cnn(4000, 2000, 2000, 64, 3, 3, 3, 256),
                    new int[] {1, 4, 16, 64, 256}, new int[] {8, 32, 128}, 300, 4, 5,
                    List.of(0.03, 0.05, 0.1), List.of(0.5, 0.9, 1.2, 1.6, 2.0, 2.5, 3.0, 4.0),
                    2000, 300, new int[] {16, 256},
                    List.of(0.2, 0.35, 0.5, 0.7, 0.9, 1.1), 2000, 500, List.of(0.1, 0.3, 1.0), 300);
        }
    }

    /** The network of post 06: 1-32-32-1 ReLU. */
    static final int WIDTH = 32;
    static final int DEPTH = 2;
    /** The dimensionality sweep: width when d varies, d when the width varies, and its training points. */
    static final int DIM_WIDTH = 32;
    static final int WIDTH_DIM = 16;
    static final int DIM_POINTS = 256;
    /** The CNN sweep's grid starts at 1e-5, the batch-size sweep's at 1e-3; both end at 10, with the same rates per decade. */
    static final int CNN_FROM = -5;
    static final int BATCH_FROM = -3;
    /** Warm-up and cool-down start from this fraction of the rate (LinearLR's start_factor). */
    static final double RAMP_START = 0.01;
    static final List<String> MODES = List.of("constant", "warmup", "cooldown");
    static final List<String> SCHEDULES = List.of("constant", "step", "cosine", "onecycle");
    /** StepLR: ×0.1 every third of training, so the rate drops twice, at one third and at two thirds. */
    static final double STEP_GAMMA = 0.1;
    static final int STEP_DROPS_EVERY = 3;
    /** OneCycleLR's defaults. */
    static final double ONECYCLE_PCT = 0.3;
    static final double ONECYCLE_DIV = 25;
    static final double ONECYCLE_FINAL_DIV = 1e4;
    /** The demonstration sweep's rates, and the jobs of each way of running it. */
    static final List<Double> DEMO_RATES = List.of(0.001, 0.01, 0.1, 1.0);
    static final int DEMO_JOBS = 2;
    /** The image runs log the mean loss of every this many steps. */
    static final int LOG_EVERY = 10;

    /** The point ids of a sweep, in merge order: configuration by configuration, each with its seeds. */
    static List<String> ids(Part part, Scale s) {
        List<String> c = new ArrayList<>();
        int seeds = s.mlp().seeds();
        switch (part) {
            case mlp -> Grid.logSpaced(-5, 1, s.mlp().perDecade()).forEach(lr -> c.add("lr" + Grid.text(lr)));
            case cnn -> {
                Grid.logSpaced(CNN_FROM, 1, s.cnn().perDecade()).forEach(lr -> c.add("lr" + Grid.text(lr)));
                seeds = s.cnn().seeds();
            }
            case dimension -> {
                for (int d : s.dims()) {
                    c.add("d" + d + "-w" + DIM_WIDTH);
                }
                for (int w : s.widths()) {
                    if (w != DIM_WIDTH) {
                        c.add("d" + WIDTH_DIM + "-w" + w);
                    }
                }
            }
            case dynamics -> {
                s.eosRates().forEach(lr -> c.add("eos-lr" + Grid.text(lr)));
                s.catapult().forEach(k -> c.add("catapult-c" + Grid.text(k)));
            }
            case batch -> {
                for (int b : s.batches()) {
                    if (b == s.cnn().batch()) {
                        throw new IllegalStateException("batch sweep: batch " + b + " is the CNN sweep's own; leave it out");
                    }
                    Grid.logSpaced(BATCH_FROM, 1, s.cnn().perDecade()).forEach(lr -> c.add("b" + b + "-lr" + Grid.text(lr)));
                }
                seeds = s.cnn().seeds();
            }
            case warmup -> {
                for (String mode : MODES) {
                    s.warmupRates().forEach(lr -> c.add(mode + "-lr" + Grid.text(lr)));
                }
            }
            case schedules -> {
                for (String sched : SCHEDULES) {
                    s.schedulePeaks().forEach(lr -> c.add(sched + "-lr" + Grid.text(lr)));
                }
                seeds = s.cnn().seeds();
            }
            case demo -> DEMO_RATES.forEach(lr -> c.add("lr" + Grid.text(lr)));
            case threeways -> {
                c.add("demo");
                seeds = 1;
            }
            default -> throw new IllegalStateException(part.name());
        }
        List<String> ids = new ArrayList<>();
        for (String config : c) {
            for (int k = 0; k < seeds; k++) {
                ids.add(config + "-s" + k);
            }
        }
        return ids;
    }

    /** The seed of a point: its seed index k, offset by --seed, shared across configurations (common random numbers). */
    long seedOf(String id) {
        return options.seed() * 1000 + Sweep.seedIndex(id);
    }

    private static String after(String config, String key) {
        int at = config.indexOf(key);
        if (at < 0) {
            throw new IllegalArgumentException("point configuration '" + config + "' has no '" + key + "'");
        }
        int end = config.indexOf('-', at + key.length());
        // a rate may hold an exponent's '-' only in 'e-', which Grid.text never writes
        return config.substring(at + key.length(), end < 0 ? config.length() : end);
    }

    /** The configuration a point's id names. */
    static Map<String, Object> describe(Part part, String id) {
        String config = Sweep.configOf(id);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", id);
        switch (part) {
            case mlp, cnn, demo -> m.put("lr", Grid.parse(after(config, "lr")));
            case dimension -> {
                m.put("d", Integer.parseInt(after(config, "d")));
                m.put("width", Integer.parseInt(after(config, "-w")));
            }
            case dynamics -> {
                if (config.startsWith("eos-")) {
                    m.put("kind", "eos");
                    m.put("lr", Grid.parse(after(config, "lr")));
                } else if (config.startsWith("catapult-")) {
                    m.put("kind", "catapult");
                    m.put("multiple", Grid.parse(after(config, "-c")));
                } else {
                    throw new IllegalArgumentException("dynamics point '" + id + "': expected eos-lr… or catapult-c…");
                }
            }
            case batch -> {
                m.put("batch", Integer.parseInt(after(config, "b")));
                m.put("lr", Grid.parse(after(config, "-lr")));
            }
            case warmup, schedules -> {
                String mode = config.substring(0, config.indexOf("-lr"));
                if (!(part == Part.warmup ? MODES : SCHEDULES).contains(mode)) {
                    throw new IllegalArgumentException(part + " point '" + id + "': no mode '" + mode + "' (one of "
                            + (part == Part.warmup ? MODES : SCHEDULES) + ")");
                }
                m.put(part == Part.warmup ? "mode" : "schedule", mode);
                m.put("lr", Grid.parse(after(config, "-lr")));
            }
            case threeways -> {
                if (!config.equals("demo")) {
                    throw new IllegalArgumentException("threeways point '" + id + "': the only point is demo-s0");
                }
                m.put("sweep", "demo");
            }
            default -> throw new IllegalStateException(part.name());
        }
        return m;
    }

    /** The configuration of a whole sweep at this scale (every shard records it; a merge checks it). */
    Map<String, Object> config(Part part, Scale s) {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("scale", options.scale().name());
        c.put("base_seed", options.seed());
        c.put("optimizer", "sgd (no momentum, no weight decay)");
        switch (part) {
            case mlp, demo -> {
                c.put("task", "sin x at " + s.mlp().points() + " points equally spaced on [-pi, pi]");
                c.put("points", s.mlp().points());
                c.put("network", "1-" + WIDTH + "-" + WIDTH + "-1 relu, pytorch default init");
                c.put("batch", "full");
                c.put("steps", part == Part.demo ? s.demoSteps() : s.mlp().steps());
                c.put("seeds", s.mlp().seeds());
                c.put("lrs", part == Part.demo ? DEMO_RATES : Grid.logSpaced(-5, 1, s.mlp().perDecade()));
                c.put("curve_every", Runs.CURVE_EVERY);
                c.put("constant_share", Runs.CONSTANT);
                c.put("blow_up", FullBatch.BLOW_UP);
            }
            case cnn, batch, schedules -> {
                cnnConfig(c, s);
                switch (part) {
                    case cnn -> {
                        c.put("lrs", Grid.logSpaced(CNN_FROM, 1, s.cnn().perDecade()));
                        c.put("batch", s.cnn().batch());
                        c.put("sharpness_batch", s.cnn().sharpBatch());
                    }
                    case batch -> {
                        c.put("lrs", Grid.logSpaced(BATCH_FROM, 1, s.cnn().perDecade()));
                        c.put("batches", s.batches());
                        c.put("batch_of_the_cnn_sweep", s.cnn().batch());
                    }
                    default -> {
                        c.put("schedules", SCHEDULES);
                        c.put("peaks", s.schedulePeaks());
                        c.put("batch", s.cnn().batch());
                        c.put("step_gamma", STEP_GAMMA);
                        c.put("step_size", "a third of the steps");
                        // an ordered map: Map.of iterates in an order that changes from run to run
                        Map<String, Object> onecycle = new LinkedHashMap<>();
                        onecycle.put("pct_start", ONECYCLE_PCT);
                        onecycle.put("div_factor", ONECYCLE_DIV);
                        onecycle.put("final_div_factor", ONECYCLE_FINAL_DIV);
                        onecycle.put("anneal_strategy", "cos");
                        onecycle.put("cycle_momentum", false);
                        c.put("onecycle", onecycle);
                    }
                }
            }
            case dimension -> {
                c.put("task", "sin(" + Regression.RIDGE_FREQUENCY + " u.x), x ~ N(0, I_d), u a random unit vector");
                c.put("points", DIM_POINTS);
                c.put("network", "d-w-w-1 relu, pytorch default init");
                c.put("dims", s.dims());
                c.put("dim_width", DIM_WIDTH);
                c.put("widths", s.widths());
                c.put("width_dim", WIDTH_DIM);
                c.put("steps", s.dimSteps());
                c.put("lrs", Grid.logSpaced(-3, 1, s.dimPerDecade()));
                c.put("halvings", s.halvings());
                c.put("seeds", s.mlp().seeds());
                c.put("batch", "full");
                c.put("constant_share", Runs.CONSTANT);
            }
            case dynamics -> {
                c.put("task", "sin x at " + s.mlp().points() + " points equally spaced on [-pi, pi]");
                c.put("network", "1-" + WIDTH + "-" + WIDTH + "-1 relu, pytorch default init");
                c.put("batch", "full");
                c.put("eos_rates", s.eosRates());
                c.put("eos_steps", s.eosSteps());
                c.put("catapult_multiples", s.catapult());
                c.put("catapult_steps", s.catapultSteps());
                c.put("eos_look_every", lookEvery(s.eosSteps()));
                c.put("catapult_look_every", CATAPULT_LOOK);
                c.put("eos_curve_every", Runs.CURVE_EVERY);
                c.put("catapult_curve_every", 1);
                c.put("seeds", s.mlp().seeds());
            }
            case warmup -> {
                c.put("task", "sin x at " + s.mlp().points() + " points equally spaced on [-pi, pi]");
                c.put("network", "1-" + WIDTH + "-" + WIDTH + "-1 relu, pytorch default init");
                c.put("batch", "full");
                c.put("modes", MODES);
                c.put("lrs", s.warmupRates());
                c.put("steps", s.warmupSteps());
                c.put("ramp", s.ramp());
                c.put("ramp_start_factor", RAMP_START);
                c.put("look_every", lookEvery(s.warmupSteps()));
                c.put("seeds", s.mlp().seeds());
            }
            case threeways -> {
                c.put("sweep", "demo");
                c.put("jobs", DEMO_JOBS);
                c.put("hash", "sha256 of the merged results, serialised as a results file holds them");
            }
            default -> throw new IllegalStateException(part.name());
        }
        return c;
    }

    private static void cnnConfig(Map<String, Object> c, Scale s) {
        c.put("network", "conv3(8)-relu-maxpool2-conv3(16)-relu-maxpool2-linear, pytorch default init");
        c.put("dataset", Images.datasetName());
        c.put("train_images", s.cnn().train());
        c.put("final_loss_images", s.cnn().evalTrain());
        c.put("test_images", s.cnn().test());
        c.put("epochs", s.cnn().epochs());
        c.put("seeds", s.cnn().seeds());
        c.put("log_every", LOG_EVERY);
        c.put("blow_up", FullBatch.BLOW_UP);
    }

    static final int CATAPULT_LOOK = 5;

    /** Looks at the sharpness: about a hundred per run. */
    static int lookEvery(int steps) {
        return Math.max(1, steps / 100);
    }

    /** The schedule of a CNN run of {@code steps} optimiser steps peaking at {@code lr}. */
    static LRSchedule cnnSchedule(String name, double lr, int steps) {
        return switch (name) {
            case "constant" -> LRSchedule.constant(lr);
            case "step" -> LRSchedule.step(lr, Math.max(1, steps / STEP_DROPS_EVERY), STEP_GAMMA);
            case "cosine" -> LRSchedule.cosine(lr, steps, 0);
            case "onecycle" -> LRSchedule.oneCycle(lr, steps, ONECYCLE_PCT, ONECYCLE_DIV, ONECYCLE_FINAL_DIV);
            default -> throw new IllegalArgumentException("no schedule '" + name + "' (one of " + SCHEDULES + ")");
        };
    }

    /** The computation of a sweep's points; what the image sweeps share (the data) is loaded once. */
    Function<String, Object> points(Part part, Scale s) throws IOException {
        Images.Data data = switch (part) {
            case cnn, batch, schedules -> Images.load(s.cnn().train(), s.cnn().evalTrain(), s.cnn().test());
            default -> null;
        };
        Regression.Task sine = Regression.sine(s.mlp().points());
        return id -> {
            Map<String, Object> d = describe(part, id);
            long seed = seedOf(id);
            d.put("seed", seed);
            d.putAll(switch (part) {
                case mlp -> Runs.sweepPoint(sine, WIDTH, DEPTH, (Double) d.get("lr"), s.mlp().steps(), seed);
                case demo -> Runs.sweepPoint(sine, WIDTH, DEPTH, (Double) d.get("lr"), s.demoSteps(), seed);
                case dimension -> Runs.dimensionPoint((Integer) d.get("d"), (Integer) d.get("width"), DEPTH, DIM_POINTS,
                        Grid.logSpaced(-3, 1, s.dimPerDecade()), s.dimSteps(), s.halvings(), seed);
                case dynamics -> d.get("kind").equals("eos")
                        ? Runs.dynamicsPoint(sine, WIDTH, DEPTH, (Double) d.get("lr"), 0, s.eosSteps(),
                        lookEvery(s.eosSteps()), Runs.CURVE_EVERY, seed)
                        : Runs.dynamicsPoint(sine, WIDTH, DEPTH, 0, (Double) d.get("multiple"), s.catapultSteps(),
                        CATAPULT_LOOK, 1, seed);
                case warmup -> Runs.warmupPoint(sine, WIDTH, DEPTH, (String) d.get("mode"), (Double) d.get("lr"),
                        s.warmupSteps(), s.ramp(), RAMP_START, lookEvery(s.warmupSteps()), seed);
                // λ₀ depends on the seed only: measured once per seed, at the grid's first rate
                case cnn -> imagePoint(data, s, s.cnn().batch(), "constant", (Double) d.get("lr"),
                        d.get("lr").equals(Grid.logSpaced(CNN_FROM, 1, s.cnn().perDecade()).get(0)), seed);
                case batch -> imagePoint(data, s, (Integer) d.get("batch"), "constant", (Double) d.get("lr"), false, seed);
                case schedules -> imagePoint(data, s, s.cnn().batch(), (String) d.get("schedule"), (Double) d.get("lr"),
                        false, seed);
                case threeways -> threeWays(s);
            });
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("config", config(part, s));
            out.put("point", d);
            return out;
        };
    }

    /** One CNN run; {@code sharpness}: also λ_max at initialisation on a batch of the training prefix. */
    static Map<String, Object> imagePoint(Images.Data data, Scale s, int batch, String schedule, double lr,
                                          boolean sharpness, long seed) {
        Rng rng = new Rng(seed);
        SmallCnn net = Images.model(data, rng.fork("init"));
        Map<String, Object> m = new LinkedHashMap<>();
        if (sharpness) {
            var e = Images.sharpness(net, data, s.cnn().sharpBatch(), rng.fork("power0"));
            m.put("lambda0", Rounding.sig4(e.lambda()));
            m.put("lambda0_iterations", e.iterations());
        }
        int steps = s.cnn().epochs() * (data.train().size() / batch);
        LRSchedule sched = cnnSchedule(schedule, lr, steps);
        Images.Run r = Images.train(net, data, sched, batch, s.cnn().epochs(), LOG_EVERY, rng);
        m.put("status", r.diverged() ? "blew-up" : r.finalLoss() >= Math.log(data.train().numClasses()) ? "untrained"
                : "trained");
        m.put("final_loss", Rounding.sig4(r.finalLoss()));
        m.put("test_accuracy", Rounding.sig4(r.testAccuracy()));
        m.put("steps", r.steps());
        m.put("curve", Rounding.sig4(r.loss()));
        if (!schedule.equals("constant")) {
            List<Double> lrs = new ArrayList<>();
            for (int t = 0; t < steps; t += LOG_EVERY) {
                lrs.add(Rounding.sig4(sched.lr(t)));
            }
            m.put("lr_curve", lrs);
        }
        return m;
    }

    /**
     * The demonstration: the demo sweep computed on a pool of {@link #DEMO_JOBS} threads, on one
     * worker, and as shards by GNU parallel running the lines of {@code --list-points}, each merged;
     * the sha256 of every merged result.
     */
    private Map<String, Object> threeWays(Scale s) {
        List<String> ids = ids(Part.demo, s);
        Function<String, Object> body;
        try {
            body = points(Part.demo, s);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        Object cfg = config(Part.demo, s);
        List<Map<String, Object>> ways = new ArrayList<>();
        ways.add(way("thread-pool", DEMO_JOBS, Sweep.merge(cfg, "demo", ids, Sweep.run(ids, body, DEMO_JOBS, "demo, pool"))));
        ways.add(way("one-worker", 1, Sweep.merge(cfg, "demo", ids, Sweep.run(ids, body, 1, "demo, one worker"))));
        try {
            Path shards = Files.createTempDirectory("sweep-demo-shards");
            try {
                List<String> extra = List.of("--only", Part.demo.name(), "--scale", options.scale().name(),
                        "--seed", String.valueOf(options.seed()));
                int commands = GnuParallel.runPoints(POST, Experiment.class, extra, shards, DEMO_JOBS);
                Map<String, Object> w = way("gnu-parallel", DEMO_JOBS,
                        Sweep.merge(cfg, "demo", ids, Sweep.readShards(shards, POST, "demo", ids)));
                w.put("commands", commands);
                ways.add(w);
            } finally {
                GnuParallel.deleteTree(shards);
            }
        } catch (IOException e) {
            throw new IllegalStateException("the GNU parallel way of the demonstration failed: " + e.getMessage(), e);
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("points", ids.size());
        m.put("ways", ways);
        m.put("identical", ways.stream().map(w -> w.get("sha256")).distinct().count() == 1);
        return m;
    }

    private static Map<String, Object> way(String name, int workers, JsonNode merged) {
        Map<String, Object> w = new LinkedHashMap<>();
        w.put("way", name);
        w.put("workers", workers);
        w.put("sha256", GnuParallel.sha256(merged));
        return w;
    }

    @Override
    public Integer call() throws Exception {
        Scale s = Scale.of(options.full());
        return sweep.run(POST, Experiment.class, options, args, Part.class, only, new SweepCommand.Sweeps<>() {
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
                return Experiment.this.points(part, s);
            }
        });
    }
}
