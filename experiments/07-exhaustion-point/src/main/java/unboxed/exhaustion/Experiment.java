package unboxed.exhaustion;

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
import unboxed.simple.Net;

/**
 * Post 07's experiments: three sweeps of independent points (a configuration and a seed),
 * merged in point order into one results file each:
 * <ul>
 *   <li>{@code fatigue.json}: the metal-fatigue test: the target alternates sin x ↔ sin(x + δ)
 *       every {@code budget} steps until the network fails to reach the loss threshold within a
 *       cycle; cycles to failure against the load a = 2 sin(δ/2), for the 1-32-32-1 ReLU network,
 *       then for other widths, depths and tanh;</li>
 *   <li>{@code interventions.json}: the same test at two loads with something done between
 *       cycles: dead units re-initialised, Adam's state reset, weight decay, shrink and perturb;</li>
 *   <li>{@code attacks.json}: every attack we tried (alternation, random targets, learning-rate
 *       spikes, an input shift, extreme initialisations), then the probe: how fast the network
 *       learns a new target, x², against a new network.</li>
 * </ul>
 * A point depends on its id, the scale and the base seed only, so the points run on a pool of
 * {@code --workers} threads and merge to the same bytes whatever the worker count; {@code
 * --list-points} prints one command per point for a scheduler, {@code --merge DIR} merges shards.
 */
@Command(name = "07-exhaustion-point", mixinStandardHelpOptions = true,
        description = "Post 07 (Exhaustion point): wearing a small network out by changing its target again and"
                + " again, what breaks, and what repairs it.")
public final class Experiment implements Callable<Integer> {
    public static final String POST = "07-exhaustion-point";

    @Mixin
    CommonOptions options;

    @Option(names = "--only", paramLabel = "SWEEP", description = "run one sweep: ${COMPLETION-CANDIDATES}")
    Part only;

    @Mixin
    SweepCommand sweep;

    enum Part { fatigue, interventions, attacks }

    private String[] args = new String[0];

    public static void main(String[] args) {
        Experiment e = new Experiment();
        e.args = args;
        ExperimentMain.run(e, args);
    }

    /** Sizes by scale: quick (minutes on 2 CPU cores, what is pinned) and full. */
    record Scale(List<String> deltas, List<String> coarseDeltas, int[] widths, int[] depths, int seeds,
                 int variantSeeds, int maxCycles, int attackSteps) {
        static Scale of(boolean full) {
            return full
                    ? new Scale(List.of("0.05", "0.1", "0.2", "0.3", "0.5", "0.7", "1", "1.5", "2", "pi"),
                    List.of("0.1", "0.2", "0.5", "0.7", "1", "2", "pi"), new int[] {8, 16, 64, 128, 256},
                    new int[] {1, 3, 4, 6}, 10, 5, 1000, 10000)
                    : new Scale(List.of("0.1", "0.2", "0.3", "0.5", "0.7", "1", "1.5", "2", "pi"),
                    List.of("0.2", "0.5", "1", "2", "pi"), new int[] {8, 128}, new int[] {1, 4}, 5, 3, 200, 3000);
        }
    }

    /** The network every sweep starts from: 1-32-32-1 ReLU (post 06's). */
    static final int WIDTH = 32;
    static final int DEPTH = 2;
    /** Steps per cycle: about three times what a new network needs to reach the threshold on sin x. */
    static final int BUDGET = 150;
    /** The loss threshold: MSE / Var(target). */
    static final double THRESHOLD = 1e-2;
    static final int PROBE_BUDGET = 2000;
    /** The loads at which the interventions are tried: one near the endurance limit, the heaviest. */
    static final List<String> INTERVENTION_DELTAS = List.of("1", "pi");
    /** The fatigue runs drawn as dashboards (seed 0): one below the endurance limit, two above. */
    static final List<String> TRAIL_DELTAS = List.of("0.3", "1", "pi");
    static final List<Net.Act> ACTS = List.of(Net.Act.RELU, Net.Act.TANH);

    static double delta(String id) {
        return id.equals("pi") ? Math.PI : Double.parseDouble(id);
    }

    /** The point ids of a sweep, in merge order: configuration by configuration, each with its seeds. */
    static List<String> ids(Part part, Scale s) {
        List<String> ids = new ArrayList<>();
        switch (part) {
            case fatigue -> {
                add(ids, s.seeds(), configs("relu", WIDTH, DEPTH, s.deltas()));
                for (int w : s.widths()) {
                    add(ids, s.variantSeeds(), configs("relu", w, DEPTH, s.coarseDeltas()));
                }
                for (int d : s.depths()) {
                    add(ids, s.variantSeeds(), configs("relu", WIDTH, d, s.coarseDeltas()));
                }
                add(ids, s.variantSeeds(), configs("tanh", WIDTH, DEPTH, s.coarseDeltas()));
            }
            case interventions -> {
                List<String> c = new ArrayList<>();
                for (String d : INTERVENTION_DELTAS) {
                    for (Cycling.Intervention i : Cycling.Intervention.values()) {
                        c.add(i.id + "-delta" + d);
                    }
                }
                add(ids, s.seeds(), c);
            }
            case attacks -> {
                List<String> c = new ArrayList<>();
                for (Net.Act a : ACTS) {
                    for (Attacks.Attack at : Attacks.Attack.values()) {
                        c.add(a.id + "-" + at.id);
                    }
                }
                add(ids, s.seeds(), c);
            }
            default -> throw new IllegalStateException(part.name());
        }
        return ids;
    }

    private static List<String> configs(String act, int width, int depth, List<String> deltas) {
        List<String> c = new ArrayList<>();
        for (String d : deltas) {
            c.add(act + "-w" + width + "-d" + depth + "-delta" + d);
        }
        return c;
    }

    private static void add(List<String> ids, int seeds, List<String> configs) {
        for (String c : configs) {
            for (int k = 0; k < seeds; k++) {
                ids.add(c + "-s" + k);
            }
        }
    }

    /** The seed of a point: its seed index k, offset by --seed, shared across configurations (common random numbers). */
    long seedOf(String id) {
        return options.seed() * 1000 + Sweep.seedIndex(id);
    }

    /** The configuration a point's id names. */
    static Map<String, Object> describe(Part part, String id) {
        String config = Sweep.configOf(id);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", id);
        switch (part) {
            case fatigue -> {
                String[] w = config.split("-");
                m.put("activation", Net.Act.byId(w[0]).id);
                m.put("width", Integer.parseInt(w[1].substring(1)));
                m.put("depth", Integer.parseInt(w[2].substring(1)));
                String d = config.substring(config.indexOf("-delta") + 6);
                m.put("delta_id", d);
                m.put("delta", delta(d));
            }
            case interventions -> {
                String d = config.substring(config.indexOf("-delta") + 6);
                m.put("intervention", Cycling.Intervention.byId(config.substring(0, config.indexOf("-delta"))).id);
                m.put("delta_id", d);
                m.put("delta", delta(d));
            }
            case attacks -> {
                int dash = config.indexOf('-');
                m.put("activation", Net.Act.byId(config.substring(0, dash)).id);
                m.put("attack", Attacks.Attack.byId(config.substring(dash + 1)).id);
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
        c.put("points", Cycling.POINTS);
        c.put("optimizer", "adam-full");
        c.put("lr", Learner.LR);
        c.put("threshold", THRESHOLD);
        c.put("trail_grid", Trail.GRID);
        switch (part) {
            case fatigue -> {
                c.put("seeds", s.seeds());
                c.put("variant_seeds", s.variantSeeds());
                c.put("width", WIDTH);
                c.put("depth", DEPTH);
                c.put("deltas", s.deltas());
                c.put("coarse_deltas", s.coarseDeltas());
                c.put("widths", s.widths());
                c.put("depths", s.depths());
                c.put("budget", BUDGET);
                c.put("max_cycles", s.maxCycles());
                c.put("trail_deltas", TRAIL_DELTAS);
            }
            case interventions -> {
                c.put("seeds", s.seeds());
                c.put("width", WIDTH);
                c.put("depth", DEPTH);
                c.put("deltas", INTERVENTION_DELTAS);
                c.put("budget", BUDGET);
                c.put("max_cycles", s.maxCycles());
                c.put("weight_decay", Cycling.WEIGHT_DECAY);
                c.put("shrink", Cycling.SHRINK);
                c.put("perturb", Cycling.PERTURB);
            }
            case attacks -> {
                c.put("seeds", s.seeds());
                c.put("width", WIDTH);
                c.put("depth", DEPTH);
                c.put("attack_steps", s.attackSteps());
                c.put("cycle", BUDGET);
                c.put("probe_target", Attacks.PROBE.id);
                c.put("probe_budget", PROBE_BUDGET);
                c.put("probe_loss_at", Attacks.PROBE_LOSS_AT);
                c.put("spike_lr", Attacks.SPIKE_LR);
                c.put("spike_steps", Attacks.SPIKE_STEPS);
                c.put("input_shift", Attacks.INPUT_SHIFT);
            }
            default -> throw new IllegalStateException(part.name());
        }
        return c;
    }

    /** Looks per trail: the dashboards need no more. */
    static final int TRAIL_LOOKS = 300;

    /** Computes one point: its configuration, the sweep's configuration and its measurements. */
    Object compute(Part part, Scale s, String id) {
        Map<String, Object> d = describe(part, id);
        long seed = seedOf(id);
        boolean first = Sweep.seedIndex(id) == 0;
        d.put("seed", seed);
        int cycleTrail = Math.max(25, BUDGET * s.maxCycles() / TRAIL_LOOKS);
        Map<String, Object> result = switch (part) {
            case fatigue -> {
                int w = (Integer) d.get("width");
                int dp = (Integer) d.get("depth");
                String act = (String) d.get("activation");
                boolean trail = first && w == WIDTH && dp == DEPTH && act.equals("relu")
                        && TRAIL_DELTAS.contains((String) d.get("delta_id"));
                yield Cycling.run(w, dp, Net.Act.byId(act), (Double) d.get("delta"), BUDGET, s.maxCycles(), THRESHOLD,
                        Cycling.Intervention.NONE, trail ? cycleTrail : 0, seed);
            }
            case interventions -> Cycling.run(WIDTH, DEPTH, Net.Act.RELU, (Double) d.get("delta"), BUDGET,
                    s.maxCycles(), THRESHOLD, Cycling.Intervention.byId((String) d.get("intervention")),
                    first ? cycleTrail : 0, seed);
            case attacks -> Attacks.run(Attacks.Attack.byId((String) d.get("attack")),
                    Net.Act.byId((String) d.get("activation")), WIDTH, DEPTH, s.attackSteps(), BUDGET, PROBE_BUDGET,
                    THRESHOLD, first ? Math.max(10, (s.attackSteps() + PROBE_BUDGET) / TRAIL_LOOKS) : 0, seed);
        };
        d.putAll(result);
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
