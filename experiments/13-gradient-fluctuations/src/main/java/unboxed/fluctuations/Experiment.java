package unboxed.fluctuations;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
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
import unboxed.kit.Sweep;
import unboxed.kit.SweepCommand;

/**
 * Post 13's experiments: four sweeps, each a list of independent points (a configuration and a
 * seed) merged in point order into one results file:
 * <ul>
 *   <li>{@code stacks.json}: 100 affine layers fed random inputs, for every activation (none,
 *       tanh, ReLU, sigmoid) and initialisation (N(0, 1), N(0, 0.01²), PyTorch's default, Glorot,
 *       He): per-layer means and standard deviations forward and backward, weight-gradient norms,
 *       histograms at a few depths;</li>
 *   <li>{@code fan.json}: a funnel whose width doubles every four layers, without activation:
 *       1/fan_in against 1/fan_out against Glorot's compromise;</li>
 *   <li>{@code interventions.json}: one layer's weights multiplied by 4 in the middle of a
 *       stack (the theory says a ReLU stack keeps the jump and a tanh stack forgets it), and
 *       the same variance drawn from another distribution (the theory says nothing changes);</li>
 *   <li>{@code trainability.json}: a 20-layer MLP trained on MNIST with each initialisation, with
 *       its per-layer statistics at step 0.</li>
 * </ul>
 * A point's result depends on its id and the scale only, so the points run on a pool of
 * {@code --workers} threads and merge to the same bytes whatever the worker count. For a sweep
 * spread over machines: {@code --list-points} prints one command per point ({@code --point
 * SWEEP/ID} writes one shard), and {@code --merge DIR} merges the shards into the results files.
 */
@Command(name = "13-gradient-fluctuations", mixinStandardHelpOptions = true,
        description = "Post 13 (Gradient fluctuations): activations and gradients through depth, per initialisation"
                + " and activation, against the variance argument; and which networks train.")
public final class Experiment implements Callable<Integer> {
    public static final String POST = "13-gradient-fluctuations";

    @Mixin
    CommonOptions options;

    @Option(names = "--only", paramLabel = "SWEEP", description = "run one sweep: ${COMPLETION-CANDIDATES}")
    Part only;

    @Mixin
    SweepCommand sweep;

    enum Part { stacks, fan, interventions, trainability }

    private String[] args = new String[0];

    public static void main(String[] args) {
        Experiment e = new Experiment();
        e.args = args;
        ExperimentMain.run(e, args);
    }

    // ------------------------------------------------------------------ the sweeps

    /** Sizes by scale: quick (minutes on 2 CPU cores, what is pinned) and full. */
    record Scale(int width, int batch, int depth, int seeds, int[] histogramsAt, int funnelStart, int funnelLayers,
                 int mlpDepth, int mlpWidth, int trainImages, int testImages, int epochs, int mlpBatch, double lr,
                 double momentum, int evalEvery) {
        static Scale of(boolean full) {
            return full
                    ? new Scale(1024, 1024, 100, 5, new int[] {1, 10, 50, 100}, 64, 16,
                    20, 256, 60000, 10000, 5, 64, 0.01, 0.9, 235)
                    : new Scale(256, 256, 100, 3, new int[] {1, 10, 50, 100}, 64, 16,
                    20, 128, 20000, 5000, 3, 64, 0.01, 0.9, 94);
        }

        int[] funnel() {
            int[] w = new int[funnelLayers + 1];
            for (int l = 0; l <= funnelLayers; l++) {
                w[l] = (int) Math.round(funnelStart * Math.pow(2, l / 4.0));
            }
            return w;
        }
    }

    static final List<Activation> ACTIVATIONS = List.of(Activation.NONE, Activation.TANH, Activation.RELU,
            Activation.SIGMOID);
    static final List<Scheme> SCHEMES = List.of(Scheme.NORMAL_1, Scheme.NORMAL_001, Scheme.DEFAULT, Scheme.XAVIER,
            Scheme.HE);
    static final List<Scheme> FAN_SCHEMES = List.of(Scheme.FAN_IN, Scheme.FAN_OUT, Scheme.XAVIER);
    static final List<Activation> TRAIN_ACTIVATIONS = List.of(Activation.RELU, Activation.TANH);
    /** The interventions: {kind, activation, scheme}; a rescale multiplies the middle layer's weights by {@link #RESCALE}. */
    static final List<String[]> INTERVENTIONS = List.of(
            new String[] {"rescale", "relu", "he"}, new String[] {"rescale", "tanh", "xavier"},
            new String[] {"rescale", "none", "xavier"}, new String[] {"shape", "relu", "he-uniform"},
            new String[] {"shape", "tanh", "xavier-normal"});
    static final double RESCALE = 4;

    /** The point ids of a sweep, in merge order: configuration by configuration, each with its seeds. */
    static List<String> ids(Part part, Scale s) {
        List<String> configs = new ArrayList<>();
        switch (part) {
            case stacks -> ACTIVATIONS.forEach(a -> SCHEMES.forEach(sc -> configs.add(a.id + "-" + sc.id)));
            case fan -> FAN_SCHEMES.forEach(sc -> configs.add(sc.id));
            case interventions -> INTERVENTIONS.forEach(i -> configs.add(i[0] + "-" + i[1] + "-" + i[2]));
            case trainability -> TRAIN_ACTIVATIONS.forEach(a -> SCHEMES.forEach(sc -> configs.add(a.id + "-" + sc.id)));
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

    /** The configuration a point's id names. */
    static Map<String, Object> describe(Part part, String id) {
        String[] w = id.substring(0, id.lastIndexOf("-s")).split("-", 2);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", id);
        switch (part) {
            case stacks, trainability -> {
                m.put("activation", Activation.byId(w[0]).id);
                m.put("scheme", Scheme.byId(w[1]).id);
            }
            case fan -> m.put("scheme", Scheme.byId(id.substring(0, id.lastIndexOf("-s"))).id);
            case interventions -> {
                String[] v = w[1].split("-", 2);
                m.put("kind", w[0]);
                m.put("activation", Activation.byId(v[0]).id);
                m.put("scheme", Scheme.byId(v[1]).id);
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
        c.put("seeds", s.seeds());
        switch (part) {
            case stacks, interventions -> {
                c.put("width", s.width());
                c.put("depth", s.depth());
                c.put("batch", s.batch());
                c.put("histograms_at", s.histogramsAt());
                c.put("histogram_range", Stack.HISTOGRAM_RANGE);
                c.put("histogram_bins", Stack.HISTOGRAM_BINS);
                if (part == Part.interventions) {
                    c.put("rescale_layer", s.depth() / 2);
                    c.put("rescale_factor", RESCALE);
                }
            }
            case fan -> {
                c.put("widths", s.funnel());
                c.put("batch", s.batch());
            }
            case trainability -> {
                c.put("depth", s.mlpDepth());
                c.put("width", s.mlpWidth());
                c.put("train_images", s.trainImages());
                c.put("test_images", s.testImages());
                c.put("epochs", s.epochs());
                c.put("batch", s.mlpBatch());
                c.put("optimizer", "SGD");
                c.put("lr", s.lr());
                c.put("momentum", s.momentum());
                c.put("eval_every", s.evalEvery());
            }
            default -> throw new IllegalStateException(part.name());
        }
        return c;
    }

    /** Computes one point: its configuration, the sweep's configuration and its measurements. */
    Object compute(Part part, Scale s, String id, Trainability.Data data) {
        Map<String, Object> d = describe(part, id);
        long seed = seedOf(id);
        d.put("seed", seed);
        Map<String, Object> result = switch (part) {
            case stacks -> new Stack(Stack.square(s.width(), s.depth()), Activation.byId((String) d.get("activation")),
                    Scheme.byId((String) d.get("scheme")), s.batch(), 0, 1, s.histogramsAt()).run(seed);
            case fan -> new Stack(s.funnel(), Activation.NONE, Scheme.byId((String) d.get("scheme")), s.batch(), 0, 1,
                    new int[0]).run(seed);
            case interventions -> {
                boolean rescale = d.get("kind").equals("rescale");
                yield new Stack(Stack.square(s.width(), s.depth()), Activation.byId((String) d.get("activation")),
                        Scheme.byId((String) d.get("scheme")), s.batch(), rescale ? s.depth() / 2 : 0,
                        rescale ? RESCALE : 1, new int[0]).run(seed);
            }
            case trainability -> new Trainability(s.mlpDepth(), s.mlpWidth(),
                    Activation.byId((String) d.get("activation")), Scheme.byId((String) d.get("scheme")),
                    s.trainImages(), s.testImages(), s.epochs(), s.mlpBatch(), s.lr(), s.momentum(), s.evalEvery())
                    .run(seed, data);
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
            public Function<String, Object> points(Part part) throws java.io.IOException {
                Trainability.Data data = part == Part.trainability
                        ? Trainability.load(s.trainImages(), s.testImages()) : null;
                return id -> compute(part, s, id, data);
            }
        });
    }
}
