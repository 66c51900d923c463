package unboxed.brain;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Function;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import unboxed.data.Dataset;
import unboxed.io.RepoRoot;
import unboxed.kit.CommonOptions;
import unboxed.kit.ExperimentMain;
import unboxed.kit.Pinned;
import unboxed.kit.Sweep;
import unboxed.kit.SweepCommand;

/**
 * Post 08's experiments, each a sweep of independent points merged in point order into one
 * results file (the kit's {@link SweepCommand}: {@code --workers}, {@code --point},
 * {@code --merge}, {@code --list-points}):
 * <ul>
 *   <li>{@code width.json}: MLPs 784-H-10 trained on MNIST, H from 2 to 1024, several seeds each:
 *       the examples (and FLOP) each needs to reach 90% and 95% test accuracy;</li>
 *   <li>{@code baselines.json}: the same question asked of the pinned runs of posts 01 (the MLP) and
 *       02 (the CNN), at the resolution they were evaluated at, and of a person (cited);</li>
 *   <li>{@code scale.json}: the cited tables of brains, chips and models, and this repository's own
 *       measured FLOP/s with the power it draws;</li>
 *   <li>{@code thermal.json}: Landauer's bound at body temperature against the energy per operation
 *       of a brain, the chips and this CPU;</li>
 *   <li>{@code trends.json}: exponential fits of the largest training runs, FLOP/s per dollar and
 *       FLOP/s per watt, with seeded bootstrap bands;</li>
 *   <li>{@code projection.json}: the year a whole human brain could be trained, for the most and
 *       least favourable assumptions, a central case, and each assumption moved alone.</li>
 * </ul>
 * Everything but the width sweep is arithmetic on the committed tables and other posts' pinned
 * results (named with their sha256 in each file's configuration), so {@code make reproduce} can
 * check it bit for bit, the bootstrap included: its generator is seeded with {@code --seed}.
 */
@Command(name = "08-brain-capacity", mixinStandardHelpOptions = true,
        description = "Post 08 (Brain capacity): brains against the machines we train, in scale, energy and"
                + " examples; and when a whole human brain could be trained.")
public final class Experiment implements Callable<Integer> {
    public static final String POST = "08-brain-capacity";

    @Mixin
    CommonOptions options;

    @Option(names = "--only", paramLabel = "SWEEP", description = "run one sweep: ${COMPLETION-CANDIDATES}")
    Part only;

    @Mixin
    SweepCommand sweep;

    enum Part { width, baselines, scale, thermal, trends, projection }

    private String[] args = new String[0];

    public static void main(String[] args) {
        Experiment e = new Experiment();
        e.args = args;
        ExperimentMain.run(e, args);
    }

    // ------------------------------------------------------------------ sizes and fixed choices

    /** Sizes by scale: quick (minutes on 2 CPU cores, what is pinned) and full. */
    record Scale(int[] widths, int seeds, int epochs, int perOctave, int replicates) {
        static Scale of(boolean full) {
            return full
                    ? new Scale(new int[] {1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096}, 5, 10, 8, 10000)
                    : new Scale(new int[] {2, 4, 8, 16, 32, 64, 128, 256, 512, 1024}, 3, 3, 6, 2000);
        }
    }

    /** The test accuracies whose examples the width sweep counts. */
    static final double[] TARGETS = {0.90, 0.95};
    /** The targets for the pinned runs of posts 01 and 02 (the CNN goes further). */
    static final double[] BASELINE_TARGETS = {0.90, 0.95, 0.98};
    static final int BATCH = 64;
    static final double LR = 0.1;
    /** Body temperature (K), at which Landauer's bound is quoted; constants.csv gives the measured range. */
    static final double KELVIN = 310;
    /** Bits a synaptic event conveys at most (one spike or none), and an FP32 multiply forgets (32 of its 64 input bits). */
    static final double BITS_PER_EVENT = 1;
    static final double BITS_PER_FLOP = 32;
    /** The years over which the trends' bands are drawn. */
    static final int BAND_FROM = 2010;
    static final int BAND_TO = 2060;

    // ------------------------------------------------------------------ the sweeps

    static List<String> ids(Part part, Scale s) {
        List<String> ids = new ArrayList<>();
        switch (part) {
            case width -> {
                for (int w : s.widths()) {
                    for (int k = 0; k < s.seeds(); k++) {
                        ids.add("w" + w + "-s" + k);
                    }
                }
            }
            case baselines, scale, thermal, trends -> ids.add("all");
            case projection -> ids.addAll(Scenarios.ids());
            default -> throw new IllegalStateException(part.name());
        }
        return ids;
    }

    /** The seed of a width point: its seed index k, offset by --seed, shared across widths (common random numbers). */
    long seedOf(String id) {
        return options.seed() * 1000 + Sweep.seedIndex(id);
    }

    static int widthOf(String id) {
        return Integer.parseInt(id.substring(1, id.lastIndexOf("-s")));
    }

    private Inputs inputs;

    Inputs inputs() throws IOException {
        if (inputs == null) {
            inputs = Inputs.read();
        }
        return inputs;
    }

    /** The configuration of a whole sweep at this scale (every shard records it; a merge checks it). */
    Map<String, Object> config(Part part, Scale s) throws IOException {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("scale", options.scale().name());
        c.put("base_seed", options.seed());
        switch (part) {
            case width -> {
                c.put("dataset", "mnist (60000 training, 10000 test images, pixels in [0, 1])");
                c.put("model", "784-H-10 MLP (Linear, ReLU, Linear), PyTorch's default init");
                c.put("widths", s.widths());
                c.put("seeds", s.seeds());
                c.put("epochs", s.epochs());
                c.put("batch", BATCH);
                c.put("optimizer", "SGD");
                c.put("lr", LR);
                c.put("evaluations_per_octave", s.perOctave());
                c.put("targets", TARGETS);
                c.put("flop_rule", "6 per weight per example (Kaplan et al. 2020), biases and ReLU left out");
            }
            case baselines -> {
                c.put("targets", BASELINE_TARGETS);
                c.put("inputs", Baselines.sources(RepoRoot.get()));
                c.put("tables", inputs().sha256());
            }
            case scale -> {
                c.put("tables", inputs().sha256());
                c.put("measured_cpu_comparison", Machines.CPU_COMPARISON);
            }
            case thermal -> {
                c.put("tables", inputs().sha256());
                c.put("kelvin", KELVIN);
                c.put("bits_per_synaptic_event", BITS_PER_EVENT);
                c.put("bits_per_flop", BITS_PER_FLOP);
            }
            case trends, projection -> {
                c.put("tables", inputs().sha256());
                c.put("bootstrap_seed", options.seed());
                c.put("replicates", s.replicates());
                c.put("quantiles", Scenarios.QUANTILES);
                if (part == Part.trends) {
                    c.put("band_years", new int[] {BAND_FROM, BAND_TO});
                } else {
                    c.put("assumptions", Scenarios.extremes(inputs()));
                }
            }
            default -> throw new IllegalStateException(part.name());
        }
        return c;
    }

    /** The point computations of a sweep; what its points share (MNIST, the tables, the bootstrap) is loaded once. */
    Function<String, Object> points(Part part, Scale s) throws IOException {
        Map<String, Object> config = config(part, s);
        Function<String, Map<String, Object>> body = switch (part) {
            case width -> {
                Dataset train = Dataset.mnist(true);
                Dataset test = Dataset.mnist(false);
                yield id -> {
                    Map<String, Object> d = new LinkedHashMap<>();
                    d.put("id", id);
                    d.put("width", widthOf(id));
                    d.put("seed", seedOf(id));
                    d.putAll(new WidthRun(widthOf(id), s.epochs(), BATCH, LR, s.perOctave(), TARGETS)
                            .run(seedOf(id), train, test));
                    return d;
                };
            }
            case baselines -> {
                Map<String, Object> r = Baselines.compute(RepoRoot.get(), inputs(), BASELINE_TARGETS);
                yield id -> r;
            }
            case scale -> {
                Map<String, Object> r = ScaleTables.compute(RepoRoot.get().resolve("data").resolve("results"), inputs());
                yield id -> r;
            }
            case thermal -> {
                Map<String, Object> r = Thermal.compute(RepoRoot.get().resolve("data").resolve("results"), inputs(),
                        KELVIN, BITS_PER_EVENT, BITS_PER_FLOP);
                yield id -> r;
            }
            case trends -> {
                Map<String, Object> r = Scenarios.trends(inputs(), s.replicates(), options.seed(), BAND_FROM, BAND_TO);
                yield id -> r;
            }
            case projection -> {
                Scenarios sc = new Scenarios(inputs(), s.replicates(), options.seed());
                yield sc::scenario;
            }
        };
        return id -> {
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("config", config);
            Map<String, Object> point = new LinkedHashMap<>();
            if (part != Part.width) {
                point.put("id", id);
            }
            point.putAll(body.apply(id));
            out.put("point", point);
            return out;
        };
    }

    /** The merged results of a sweep (what the tests compare across a pool, one thread and shards). */
    ObjectNode mergeTrees(Part part, Scale s, List<String> ids, List<JsonNode> points) throws IOException {
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
                try {
                    return Experiment.this.config(part, s);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }

            @Override
            public Function<String, Object> points(Part part) throws IOException {
                return Experiment.this.points(part, s);
            }
        });
    }

    /** A pinned results file of another post, as this post's configuration names it. */
    static Map<String, Object> source(Pinned p) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("file", p.relativePath());
        m.put("sha256", p.sha256());
        return m;
    }
}
