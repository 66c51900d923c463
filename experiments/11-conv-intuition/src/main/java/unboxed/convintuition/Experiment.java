package unboxed.convintuition;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
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
import unboxed.kit.SweepCommand;

/**
 * Post 11's experiments: three sweeps of independent points (a configuration and a seed), merged
 * in point order into one results file each, and one measurement of time:
 * <ul>
 *   <li>{@code cost.json}: every network of the cost table built once: its parameters and FLOPs
 *       per image from its shape, against the parameters it holds and the FLOPs the engine's
 *       {@code FlopCounter} counts in a forward pass and a training step; and the whole-image
 *       convolution and locally connected layer against the fully connected one;</li>
 *   <li>{@code accuracy.json}: every network trained, one point per dataset, network, training-set
 *       size and seed: the fully connected, locally connected and 3x3 convolutional networks at
 *       equal parameter budgets and at equal FLOP budgets, the three reference networks (equal
 *       FLOPs) at every training-set size, the kernel sizes between the extremes, and the pooling
 *       variants; the points at the reference size also test on shifted images and measure the
 *       equivariance and invariance of their feature maps;</li>
 *   <li>{@code interventions.json}: the reference networks on images whose pixels are permuted
 *       (no locality left to use), and a locally connected network that starts as the
 *       convolution does (sharing at initialisation only);</li>
 *   <li>{@code timing.json} ({@code timing-cuda.json} on the GPU): the wall-clock time of a training
 *       step of each network of the cost table, one network at a time on all the threads given,
 *       and what it makes an epoch of 60,000 images; not compared by {@code make reproduce}.</li>
 * </ul>
 * A point depends on its id, the scale and the base seed only, so the points run on a pool of
 * {@code --workers} threads and merge to the same bytes whatever the worker count; {@code
 * --list-points} prints one command per point for a scheduler, {@code --merge DIR} merges shards.
 */
@Command(name = "11-conv-intuition", mixinStandardHelpOptions = true,
        description = "Post 11 (Convolution performance and intuition): from a fully connected layer to a 3x3"
                + " convolution through a locally connected layer: cost, accuracy at equal budgets, data efficiency,"
                + " translation, and which of locality and weight sharing buys what.")
public final class Experiment implements Callable<Integer> {
    public static final String POST = "11-conv-intuition";

    @Mixin
    CommonOptions options;

    @Option(names = "--only", paramLabel = "PART", description = "run one part: ${COMPLETION-CANDIDATES}")
    Only only;

    @Mixin
    SweepCommand sweep;

    /** The sweeps, each a results file. */
    enum Part { cost, accuracy, interventions }

    /** What --only can name: a sweep, or the timing. */
    enum Only { cost, accuracy, interventions, timing }

    private String[] args = new String[0];

    public static void main(String[] args) {
        Experiment e = new Experiment();
        e.args = args;
        ExperimentMain.run(e, args);
    }

    /**
     * Sizes by scale: quick (minutes on 2 CPU cores, what is pinned) and full.
     *
     * @param refImages      the training-set size of every comparison but the data-efficiency sweep
     * @param sizes          the training-set sizes of the data-efficiency sweep
     * @param testImages     test images per accuracy
     * @param shiftImages    test images per accuracy on shifted images (9 shifts x 4 directions)
     * @param steps          Adam steps of batch 64 per training run, whatever the set's size
     * @param paramLevels    the parameter budgets, as the widths of the 3x3 convolutional network that set them
     * @param flopLevels     the FLOP budgets, likewise
     * @param kernels        the kernel sizes between the extremes (then 28: the fully connected network)
     * @param dataDatasets   the datasets of the data-efficiency sweep
     * @param probeDatasets  the datasets of the kernel, translation and pooling comparisons
     * @param timedSteps     training steps timed per network (after {@link #WARMUP_STEPS})
     */
    record Scale(int refImages, int[] sizes, int testImages, int shiftImages, int steps, int seeds, int[] paramLevels,
                 int[] flopLevels, int[] kernels, List<String> dataDatasets, List<String> probeDatasets,
                 int timedSteps) {
        static Scale of(boolean full) {
            return full
                    ? new Scale(60000, new int[] {500, 1000, 2000, 5000, 10000, 20000, 60000}, 10000, 10000, 6000, 5,
                    new int[] {5, 20, 80}, new int[] {4, 16, 64}, new int[] {3, 5, 9, 15}, DATASETS, DATASETS, 200)
                    : new Scale(4000, new int[] {500, 1000, 2000, 4000, 8000}, 2000, 1000, 400, 3,
                    new int[] {5, 20, 80}, new int[] {4, 16}, new int[] {3, 9, 15}, DATASETS, List.of("mnist"), 20);
        }

        int maxImages() {
            int m = refImages;
            for (int n : sizes) {
                m = Math.max(m, n);
            }
            return m;
        }
    }

    static final List<String> DATASETS = List.of("mnist", "fashion");
    /** The width of the reference convolutional and locally connected networks, and of the kernel sweep. */
    static final int REF_WIDTH = 16;
    /** The three families compared at every budget. */
    static final List<Arch> FAMILIES = List.of(Arch.fc(1), Arch.lc(3, 1), Arch.conv(3, 1));
    /** Shifts of the test images, 0 to 8 pixels, each in the four directions. */
    static final int MAX_SHIFT = 8;
    static final int[][] DIRECTIONS = {{0, 1}, {0, -1}, {1, 0}, {-1, 0}};
    /** Test images on which the equivariance and invariance of the feature maps are measured. */
    static final int MAP_IMAGES = 100;
    /** The pooling windows compared: none, the reference 2, and 4. */
    static final int[] POOLS = {1, 2, 4};
    /** The fixed permutation of the pixels of the intervention (the same for every image, train and test). */
    static final long PERMUTATION_SEED = 784;
    static final int WARMUP_STEPS = 5;
    static final int EPOCH_IMAGES = 60000;

    /** conv3 at the reference width, and the locally connected and fully connected networks of equal FLOPs. */
    static List<Arch> reference() {
        Arch conv = Arch.conv(3, REF_WIDTH);
        return List.of(Budgets.matchFlops(Arch.fc(1), conv.flops()), Arch.lc(3, REF_WIDTH), conv);
    }

    /** The networks of the cost table: the kernel axis at the reference width, then the fc network of equal FLOPs. */
    static List<Arch> costNetworks(Scale s) {
        List<Arch> l = new ArrayList<>();
        l.add(Arch.fc(REF_WIDTH));
        for (int i = s.kernels().length - 1; i >= 0; i--) {
            l.add(Arch.lc(s.kernels()[i], REF_WIDTH));
            l.add(Arch.conv(s.kernels()[i], REF_WIDTH));
        }
        l.add(reference().get(0));
        return l;
    }

    /** The networks whose points also test on shifted images: the reference three and conv3 with each pooling. */
    static List<Arch> translationNetworks() {
        List<Arch> l = new ArrayList<>(reference());
        for (int p : POOLS) {
            Arch a = Arch.conv(3, REF_WIDTH).withPool(p);
            if (!l.contains(a)) {
                l.add(a);
            }
        }
        return l;
    }

    static String config(String dataset, Arch a, int n) {
        return dataset + "-" + a.id() + "-n" + n;
    }

    /** The point ids of a sweep, in merge order: configuration by configuration, each with its seeds. */
    static List<String> ids(Part part, Scale s) {
        LinkedHashSet<String> configs = new LinkedHashSet<>();
        switch (part) {
            case cost -> costNetworks(s).forEach(a -> configs.add(a.id()));
            case accuracy -> {
                for (String ds : DATASETS) {
                    for (int level : s.paramLevels()) {
                        long budget = Arch.conv(3, level).params();
                        FAMILIES.forEach(f -> configs.add(config(ds, Budgets.matchParams(f, budget), s.refImages())));
                    }
                    for (int level : s.flopLevels()) {
                        long budget = Arch.conv(3, level).flops();
                        FAMILIES.forEach(f -> configs.add(config(ds, Budgets.matchFlops(f, budget), s.refImages())));
                    }
                }
                for (String ds : s.dataDatasets()) {
                    for (Arch a : reference()) {
                        for (int n : s.sizes()) {
                            configs.add(config(ds, a, n));
                        }
                    }
                }
                for (String ds : s.probeDatasets()) {
                    for (int k : s.kernels()) {
                        configs.add(config(ds, Arch.lc(k, REF_WIDTH), s.refImages()));
                        configs.add(config(ds, Arch.conv(k, REF_WIDTH), s.refImages()));
                    }
                    configs.add(config(ds, Arch.fc(REF_WIDTH), s.refImages()));
                    translationNetworks().forEach(a -> configs.add(config(ds, a, s.refImages())));
                }
            }
            case interventions -> {
                for (String ds : s.probeDatasets()) {
                    reference().forEach(a -> configs.add(config(ds, a, s.refImages()) + "-permuted"));
                    configs.add(config(ds, Arch.lc(3, REF_WIDTH), s.refImages()) + "-tied");
                }
            }
            default -> throw new IllegalStateException(part.name());
        }
        List<String> ids = new ArrayList<>();
        int seeds = part == Part.cost ? 1 : s.seeds();
        for (String c : configs) {
            for (int k = 0; k < seeds; k++) {
                ids.add(c + "-s" + k);
            }
        }
        return ids;
    }

    /** The seed of a point: its seed index k, offset by --seed, shared across configurations (common random numbers). */
    long seedOf(String id) {
        return options.seed() * 1000 + Sweep.seedIndex(id);
    }

    /** What an accuracy or intervention point's id names: dataset, network, training-set size, intervention. */
    record Point(String dataset, Arch arch, int images, String intervention) {
        static Point parse(String id) {
            String config = Sweep.configOf(id);
            String intervention = null;
            for (String i : List.of("permuted", "tied")) {
                if (config.endsWith("-" + i)) {
                    intervention = i;
                    config = config.substring(0, config.length() - i.length() - 1);
                }
            }
            int dash = config.indexOf('-');
            int n = config.lastIndexOf("-n");
            if (dash < 0 || n <= dash) {
                throw new IllegalArgumentException("point '" + id + "': expected <dataset>-<network>-n<images>[-permuted"
                        + "|-tied]-s<seed index>");
            }
            String ds = config.substring(0, dash);
            if (!DATASETS.contains(ds)) {
                throw new IllegalArgumentException("point '" + id + "': dataset '" + ds + "', expected one of " + DATASETS);
            }
            return new Point(ds, Arch.parse(config.substring(dash + 1, n)), Integer.parseInt(config.substring(n + 2)),
                    intervention);
        }
    }

    /** The configuration of a whole sweep at this scale (every shard records it; a merge checks it). */
    Map<String, Object> config(Part part, Scale s) {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("scale", options.scale().name());
        c.put("base_seed", options.seed());
        c.put("ref_width", REF_WIDTH);
        c.put("kernels", s.kernels());
        if (part == Part.cost) {
            c.put("networks", costNetworks(s).stream().map(Arch::id).toList());
            c.put("count_batch", Cost.BATCH);
            return c;
        }
        c.put("seeds", s.seeds());
        c.put("train_images", s.refImages());
        c.put("test_images", s.testImages());
        c.put("steps", s.steps());
        c.put("batch", Training.BATCH);
        c.put("optimizer", "Adam");
        c.put("lr", Training.LR);
        c.put("reference", reference().stream().map(Arch::id).toList());
        if (part == Part.accuracy) {
            c.put("datasets", DATASETS);
            c.put("param_levels", s.paramLevels());
            c.put("flop_levels", s.flopLevels());
            c.put("sizes", s.sizes());
            c.put("data_datasets", s.dataDatasets());
            c.put("probe_datasets", s.probeDatasets());
            c.put("translation_networks", translationNetworks().stream().map(Arch::id).toList());
            c.put("max_shift", MAX_SHIFT);
            c.put("shift_images", s.shiftImages());
            c.put("map_images", MAP_IMAGES);
        } else {
            c.put("permutation_seed", PERMUTATION_SEED);
            c.put("map_images", MAP_IMAGES);
            c.put("max_shift", MAX_SHIFT);
        }
        return c;
    }

    /** Computes one point: its configuration, the sweep's configuration and its measurements. */
    Object compute(Part part, Scale s, String id, Map<String, Training.Data> data) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("id", id);
        long seed = seedOf(id);
        d.put("seed", seed);
        if (part == Part.cost) {
            d.putAll(Cost.measure(Arch.parse(Sweep.configOf(id)), seed));
        } else {
            Point p = Point.parse(id);
            boolean translation = p.intervention() == null && p.images() == s.refImages()
                    && s.probeDatasets().contains(p.dataset()) && translationNetworks().contains(p.arch());
            d.putAll(Runs.run(p, s, data.get(p.dataset()), seed, translation));
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("config", config(part, s));
        out.put("point", d);
        return out;
    }

    ObjectNode mergeTrees(Part part, Scale s, List<String> ids, List<JsonNode> points) {
        return Sweep.merge(config(part, s), part.name(), ids, points);
    }

    /** The datasets a sweep's points read, loaded once (none for the cost sweep). */
    static Map<String, Training.Data> load(Part part, Scale s, List<String> ids) throws IOException {
        Map<String, Training.Data> data = new LinkedHashMap<>();
        if (part == Part.cost) {
            return data;
        }
        for (String id : ids) {
            String ds = Point.parse(id).dataset();
            if (!data.containsKey(ds)) {
                data.put(ds, Training.Data.load(ds, s.maxImages(), s.testImages()));
            }
        }
        return data;
    }

    @Override
    public Integer call() throws Exception {
        Scale s = Scale.of(options.full());
        if (only != Only.timing) {
            int code = sweep.run(POST, Experiment.class, options, args, Part.class,
                    only == null ? null : Part.valueOf(only.name()), new SweepCommand.Sweeps<>() {
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
                            List<String> ids = Experiment.ids(part, s);
                            Map<String, Training.Data> data = load(part, s, ids);
                            return id -> compute(part, s, id, data);
                        }
                    });
            if (code != 0) {
                return code;
            }
        }
        if ((only == null || only == Only.timing) && sweep.computesHere()) {
            // timing needs the machine to itself: after the sweeps, one network at a time, on every thread given
            Backends.use(Backends.create(options.backend(), options.threads()));
            Provenance p = options.provenance(args);
            Map<String, Object> results = Timing.measure(costNetworks(s), s.timedSteps(), seedOf("timing-s0"),
                    options.backend(), options.threads());
            String name = options.backend().equals("cpu") ? "timing" : "timing-" + options.backend();
            Results.write(options.out(POST).resolve(name + ".json"), POST, name, p.finish(), results);
        }
        return 0;
    }
}
