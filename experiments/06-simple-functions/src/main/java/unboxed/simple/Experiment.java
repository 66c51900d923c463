package unboxed.simple;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import unboxed.kit.CommonOptions;
import unboxed.kit.ExperimentMain;
import unboxed.kit.Sweep;
import unboxed.kit.SweepCommand;

/**
 * Post 06's experiments: three sweeps, each a list of independent points (a configuration and a
 * seed) merged in point order into one results file:
 * <ul>
 *   <li>{@code untrained.json}: freshly initialised MLPs 1-H-…-H-1, ReLU and tanh, three
 *       initialisations, widths 1 to 1024, depths 1 to 8: the kinks inside [−π, π], the variance
 *       and the roughness of the function each computes;</li>
 *   <li>{@code training.json}: a 1-32-32-1 network fitted to six targets, with snapshots of the
 *       function and of its kinks (moved, born, died) every few steps, and the activation-pattern
 *       churn of every step; plus the optimiser and batch-size variants on sin x;</li>
 *   <li>{@code shift.json}: sin x learned, then the target (sin(x + δ)) or the inputs
 *       ([−π + s, π + s]) changed mid-training, δ and s from tiny to total; the loss, churn,
 *       distance in weight space and kinks through the change; fine-tuning from the pretrained
 *       weights (all layers, or the first frozen) against training from scratch.</li>
 * </ul>
 * A point's result depends on its id and the scale only, so the points run on a pool of
 * {@code --workers} threads and merge to the same bytes whatever the worker count. For a sweep
 * spread over machines: {@code --list-points} prints one command per point ({@code --point
 * SWEEP/ID} writes one shard), and {@code --merge DIR} merges the shards into the results files.
 */
@Command(name = "06-simple-functions", mixinStandardHelpOptions = true,
        description = "Post 06 (Simple functions): what small MLPs compute before training, how they fit sin x,"
                + " |x|, a step and others, kink by kink, and what a mid-training change of task does.")
public final class Experiment implements Callable<Integer> {
    public static final String POST = "06-simple-functions";

    @Mixin
    CommonOptions options;

    @Option(names = "--only", paramLabel = "SWEEP", description = "run one sweep: ${COMPLETION-CANDIDATES}")
    Part only;

    @Mixin
    SweepCommand sweep;

    enum Part { untrained, training, shift }

    private String[] args = new String[0];

    public static void main(String[] args) {
        Experiment e = new Experiment();
        e.args = args;
        ExperimentMain.run(e, args);
    }

    // ------------------------------------------------------------------ the sweeps

    /** Sizes by scale: quick (minutes on 2 CPU cores, what is pinned) and full. */
    record Scale(int[] widths, int[] depths, int initSeeds, int trainWidth, int trainDepth, int trainSteps,
                 int snapshotEvery, int trainSeeds, int pretrain, int shiftSteps, int shiftSeeds) {
        static Scale of(boolean full) {
            return full
                    ? new Scale(new int[] {1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024}, new int[] {1, 2, 3, 4, 6, 8}, 10,
                    64, 3, 5000, 100, 10, 3000, 3000, 10)
                    : new Scale(new int[] {1, 4, 16, 64, 256, 1024}, new int[] {1, 2, 4, 8}, 3,
                    32, 2, 2000, 50, 3, 1500, 1500, 5);
        }
    }

    static final List<Net.Act> ACTS = List.of(Net.Act.RELU, Net.Act.TANH);
    static final List<Net.Scheme> SCHEMES = List.of(Net.Scheme.DEFAULT, Net.Scheme.HE, Net.Scheme.XAVIER);
    /** The training configurations: every target with Adam on the full batch, then sin x with the other optimisers. */
    static final List<String[]> TRAININGS = trainings();
    /** Shift sizes: δ of the target sin(x + δ), s of the inputs [−π + s, π + s], as ids. */
    static final List<String> TARGET_SHIFTS = List.of("0", "0.01", "0.1", "0.3", "1", "2", "pi");
    static final List<String> INPUT_SHIFTS = List.of("0.1", "0.3", "1", "pi", "2pi");

    private static List<String[]> trainings() {
        List<String[]> l = new ArrayList<>();
        for (Target t : Target.values()) {
            for (Net.Act a : ACTS) {
                l.add(new String[] {t.id, a.id, Fit.Optim.ADAM_FULL.id});
            }
        }
        for (Fit.Optim o : List.of(Fit.Optim.ADAM_MINI, Fit.Optim.SGD_FULL, Fit.Optim.SGD_MINI)) {
            l.add(new String[] {Target.SIN.id, Net.Act.RELU.id, o.id});
        }
        return l;
    }

    static double size(String id) {
        return switch (id) {
            case "pi" -> Math.PI;
            case "2pi" -> 2 * Math.PI;
            default -> Double.parseDouble(id);
        };
    }

    /** The point ids of a sweep, in merge order: configuration by configuration, each with its seeds. */
    static List<String> ids(Part part, Scale s) {
        List<String> configs = new ArrayList<>();
        int seeds;
        switch (part) {
            case untrained -> {
                for (Net.Act a : ACTS) {
                    for (Net.Scheme sc : SCHEMES) {
                        for (int d : s.depths()) {
                            for (int w : s.widths()) {
                                configs.add(a.id + "-" + sc.id + "-w" + w + "-d" + d);
                            }
                        }
                    }
                }
                seeds = s.initSeeds();
            }
            case training -> {
                TRAININGS.forEach(t -> configs.add(t[0] + "-" + t[1] + "-" + t[2]));
                seeds = s.trainSeeds();
            }
            case shift -> {
                TARGET_SHIFTS.forEach(d -> configs.add("target-" + d));
                INPUT_SHIFTS.forEach(d -> configs.add("input-" + d));
                TARGET_SHIFTS.forEach(d -> configs.add("scratch-target-" + d));
                INPUT_SHIFTS.forEach(d -> configs.add("scratch-input-" + d));
                seeds = s.shiftSeeds();
            }
            default -> throw new IllegalStateException(part.name());
        }
        List<String> ids = new ArrayList<>();
        for (String c : configs) {
            for (int k = 0; k < seeds; k++) {
                ids.add(c + "-s" + k);
            }
        }
        return ids;
    }

    static int seedIndex(String id) {
        return Sweep.seedIndex(id);
    }

    /** The seed of a point: its seed index k, offset by --seed, shared across configurations (common random numbers). */
    long seedOf(String id) {
        return options.seed() * 1000 + seedIndex(id);
    }

    /** The configuration a point's id names. */
    static Map<String, Object> describe(Part part, String id) {
        String config = id.substring(0, id.lastIndexOf("-s"));
        String[] w = config.split("-");
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", id);
        switch (part) {
            case untrained -> {
                m.put("activation", Net.Act.byId(w[0]).id);
                m.put("scheme", Net.Scheme.byId(w[1]).id);
                m.put("width", Integer.parseInt(w[2].substring(1)));
                m.put("depth", Integer.parseInt(w[3].substring(1)));
            }
            case training -> {
                m.put("target", Target.byId(w[0]).id);
                m.put("activation", Net.Act.byId(w[1]).id);
                m.put("optimizer", Fit.Optim.byId(w[2] + "-" + w[3]).id);
            }
            case shift -> {
                String kind = w[0].equals("scratch") ? w[0] + "-" + w[1] : w[0];
                String sizeId = config.substring(kind.length() + 1);
                m.put("kind", Shift.Kind.byId(kind).id);
                m.put("size_id", sizeId);
                m.put("size", size(sizeId));
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
        switch (part) {
            case untrained -> {
                c.put("seeds", s.initSeeds());
                c.put("widths", s.widths());
                c.put("depths", s.depths());
                c.put("range", new double[] {-Math.PI, Math.PI});
                c.put("grid", Untrained.GRID);
                c.put("roughness_stride", Untrained.ROUGH_STRIDE);
                c.put("shown_points", Untrained.SHOWN);
            }
            case training -> {
                c.put("seeds", s.trainSeeds());
                c.put("width", s.trainWidth());
                c.put("depth", s.trainDepth());
                c.put("steps", s.trainSteps());
                c.put("snapshot_every", s.snapshotEvery());
                c.put("points", Training.POINTS);
                c.put("init", Net.Scheme.DEFAULT.id);
                c.put("adam_lr", Fit.ADAM_LR);
                c.put("sgd_lr", Fit.SGD_LR);
                c.put("sgd_momentum", Fit.SGD_MOMENTUM);
                c.put("mini_batch", Fit.MINI_BATCH);
                c.put("grid", Untrained.GRID);
                c.put("shown_points", Untrained.SHOWN);
            }
            case shift -> {
                c.put("seeds", s.shiftSeeds());
                c.put("width", s.trainWidth());
                c.put("depth", s.trainDepth());
                c.put("pretrain_steps", s.pretrain());
                c.put("steps", s.shiftSteps());
                c.put("points", Training.POINTS);
                c.put("optimizer", "adam-full");
                c.put("adam_lr", Fit.ADAM_LR);
                c.put("block", Shift.BLOCK);
                c.put("histogram_bins", Shift.HIST_BINS);
                c.put("thresholds", Shift.THRESHOLDS);
                c.put("grid", Untrained.GRID);
            }
            default -> throw new IllegalStateException(part.name());
        }
        return c;
    }

    /** Computes one point: its configuration, the sweep's configuration and its measurements. */
    Object compute(Part part, Scale s, String id) {
        Map<String, Object> d = describe(part, id);
        long seed = seedOf(id);
        d.put("seed", seed);
        Map<String, Object> result = switch (part) {
            case untrained -> Untrained.run((Integer) d.get("width"), (Integer) d.get("depth"),
                    Net.Act.byId((String) d.get("activation")), Net.Scheme.byId((String) d.get("scheme")), seed,
                    seedIndex(id) == 0);
            case training -> Training.run(Target.byId((String) d.get("target")),
                    Net.Act.byId((String) d.get("activation")), Fit.Optim.byId((String) d.get("optimizer")),
                    s.trainWidth(), s.trainDepth(), s.trainSteps(), s.snapshotEvery(), seed, seedIndex(id) == 0);
            case shift -> Shift.run(Shift.Kind.byId((String) d.get("kind")), (Double) d.get("size"), s.trainWidth(),
                    s.trainDepth(), s.pretrain(), s.shiftSteps(), seed);
        };
        d.putAll(result);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("config", config(part, s));
        out.put("point", d);
        return out;
    }

    /** The merged results of a sweep: its configuration, then every point in order; checks each point's configuration. */
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
