package unboxed.simple;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
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
import unboxed.backend.Backends;
import unboxed.io.Provenance;
import unboxed.io.Results;
import unboxed.kit.CommonOptions;
import unboxed.kit.ExperimentMain;
import unboxed.kit.Sweep;

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

    @Option(names = "--workers", paramLabel = "N",
            description = "points computed at once, each on one thread (default: --threads; 1 on a GPU backend)")
    Integer workers;

    @Option(names = "--point", paramLabel = "SWEEP/ID",
            description = "compute one point and write it as a shard, <out>/<sweep>--<id>.json")
    String point;

    @Option(names = "--merge", paramLabel = "DIR", description = "merge the shards in DIR into the results files")
    Path merge;

    @Option(names = "--list-points", description = "print the command line of every point, one per line, and exit")
    boolean listPoints;

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
        return Integer.parseInt(id.substring(id.lastIndexOf("-s") + 2));
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
        JsonNode config = Sweep.canonical(config(part, s));
        ObjectNode merged = Results.mapper().createObjectNode();
        merged.set("config", config);
        ArrayNode arr = merged.putArray("points");
        for (int i = 0; i < points.size(); i++) {
            JsonNode p = points.get(i);
            if (!config.equals(p.get("config"))) {
                throw new IllegalArgumentException("point " + part + "/" + ids.get(i) + " was computed with "
                        + p.get("config") + ", this run's configuration is " + config + " (same --scale and --seed?)");
            }
            arr.add(p.get("point"));
        }
        return merged;
    }

    @Override
    public Integer call() throws Exception {
        Scale s = Scale.of(options.full());
        List<Part> parts = only == null ? List.of(Part.values()) : List.of(only);
        boolean cpu = options.backend().equals("cpu");
        int w = workers != null ? workers : (cpu ? options.threads() : 1);
        if (w < 1) {
            throw new IllegalArgumentException("--workers must be at least 1, got " + w);
        }
        if (!cpu && w > 1) {
            throw new IllegalArgumentException("--workers " + w + ": points run one at a time on the " + options.backend()
                    + " backend");
        }
        // each point computes on one thread when several run at once; results do not depend on the thread count
        Backends.use(Backends.create(options.backend(), w > 1 ? 1 : options.threads()));
        Path out = options.out(POST);
        Provenance run = options.provenance(args);
        if (listPoints) {
            for (Part part : parts) {
                for (String id : ids(part, s)) {
                    System.out.println("tools/java.sh experiments/" + POST + " " + Experiment.class.getName()
                            + " --scale " + options.scale() + " --seed " + options.seed() + " --threads 1"
                            + " --point " + part + "/" + id + " --out shards");
                }
            }
            System.out.println("# then: tools/java.sh experiments/" + POST + " unboxed.kit.RunPost " + POST
                    + " --scale " + options.scale() + " --seed " + options.seed() + " --merge shards");
            return 0;
        }
        if (point != null) {
            int slash = point.indexOf('/');
            if (slash < 0) {
                throw new IllegalArgumentException("--point " + point + ": expected SWEEP/ID, e.g. untrained/relu-default-w16-d4-s0");
            }
            Part part = Part.valueOf(point.substring(0, slash));
            String id = point.substring(slash + 1);
            if (!ids(part, s).contains(id)) {
                throw new IllegalArgumentException("--point " + point + ": no such point at --scale " + options.scale()
                        + " (--list-points prints them)");
            }
            Provenance p = run.restart();
            Object r = compute(part, s, id);
            Path f = Sweep.writeShard(out, POST, part.name(), id, p.finish(), r);
            System.err.println("wrote " + f);
            return 0;
        }
        for (Part part : parts) {
            Provenance p = run.restart();
            List<String> ids = ids(part, s);
            List<JsonNode> points;
            if (merge != null) {
                points = Sweep.readShards(merge, POST, part.name(), ids);
            } else {
                Function<String, Object> body = id -> compute(part, s, id);
                points = Sweep.run(ids, body, w, part.name());
            }
            Results.write(out.resolve(part.name() + ".json"), POST, part.name(), p.finish(),
                    mergeTrees(part, s, ids, points));
        }
        return 0;
    }
}
