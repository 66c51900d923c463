package unboxed.simple;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import unboxed.io.AtomicFiles;
import unboxed.kit.Figures;
import unboxed.kit.Filmstrip;
import unboxed.kit.ImageGrid;
import unboxed.kit.Pinned;
import unboxed.kit.Post;
import unboxed.kit.SweepPoints;
import unboxed.kit.Tables;
import unboxed.kit.stats.Describe;

/**
 * Post 06's figures and tables, drawn from its pinned results only; every number the prose quotes
 * is a fact computed here ({@code facts.adoc}).
 */
public final class SimplePost implements Post {
    /** Depth 1's expected kinks per unit under PyTorch's default: P(|b/w| ≤ π) for b, w uniform in ±1, 1 − 1/(2π). */
    static final double DEFAULT_DEPTH1_KINKS_PER_UNIT = 1 - 1 / (2 * Math.PI);

    @Override
    public String slug() {
        return Experiment.POST;
    }

    @Override
    public String title() {
        return "Simple functions: what small networks do with sin x";
    }

    @Override
    public String summary() {
        return "MLPs of one input and one output, widths 1 to 1024 and depths 1 to 8: the functions they compute"
                + " before training, kink by kink; training in slow motion on sin x, sin 5x, x², |x|, a step and a"
                + " sawtooth; and what happens when the task changes mid-training.";
    }

    @Override
    public Class<?> experimentMain() {
        return Experiment.class;
    }

    @Override
    public String finding(Path resultsDir) throws IOException {
        Pinned u = Pinned.load(resultsDir, "untrained");
        Pinned sh = Pinned.load(resultsDir, "shift");
        SweepPoints up = new SweepPoints(u);
        SweepPoints sp = new SweepPoints(sh);
        int wMax = max(u.at("/config/widths"));
        int dMax = max(u.at("/config/depths"));
        return String.format(Locale.ROOT, "Pinned results (`data/results/%s/`): a fresh 1-%d-1 ReLU network with"
                        + " PyTorch's default initialisation has %.0f kinks in [−π, π] (%s per unit; %s predicted),"
                        + " %d layers of width %d have %.0f, about %s per unit, not exponentially many; with He's"
                        + " zero biases every kink sits at x = 0. After sin x → sin(x + π) mid-training the fraction"
                        + " of inputs whose activation pattern changes per step peaks at %s (%s for δ = 0.01), and"
                        + " continuing from sin x reaches 10⁻² relative loss in %s steps against %s from scratch (%d seeds).",
                Experiment.POST, wMax, mean(up.values("relu-default-w" + wMax + "-d1", "kinks")),
                fmt3(mean(up.values("relu-default-w" + wMax + "-d1", "kinks")) / wMax),
                fmt3(DEFAULT_DEPTH1_KINKS_PER_UNIT), dMax, wMax,
                mean(up.values("relu-default-w" + wMax + "-d" + dMax, "kinks")),
                fmt3(mean(up.values("relu-default-w" + wMax + "-d" + dMax, "kinks")) / (wMax * dMax)),
                pct(mean(peakAfterSwitch(sp, "target-pi", "churn_inputs"))),
                pct(mean(peakAfterSwitch(sp, "target-0.01", "churn_inputs"))),
                fmtSteps(stepsTo(sp.seeds("target-pi"), "/steps_to/0.01")),
                fmtSteps(stepsTo(sp.seeds("scratch-target-pi"), "/steps_to/0.01")),
                sh.at("/config/seeds").asInt());
    }

    @Override
    public void generate(Path resultsDir, Path outDir) throws IOException {
        Pinned u = Pinned.load(resultsDir, "untrained");
        Pinned t = Pinned.load(resultsDir, "training");
        Pinned sh = Pinned.load(resultsDir, "shift");
        Map<String, String> facts = new LinkedHashMap<>();
        untrained(u, outDir, facts);
        training(t, outDir, facts);
        shift(sh, outDir, facts);
        unboxed.kit.Facts.fixtures(Experiment.POST, facts);
        StringBuilder s = new StringBuilder("// Generated from pinned results: ")
                .append(Pinned.citation(List.of(u, t, sh))).append('\n');
        facts.forEach((k, v) -> s.append(':').append(k.replace(".", "")).append(": ").append(v).append('\n'));
        AtomicFiles.write(outDir.resolve("facts.adoc"), s.toString().getBytes(StandardCharsets.UTF_8));
    }

    // ------------------------------------------------------------------ reading points

    static double[] numbers(JsonNode arr) {
        double[] v = new double[arr.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = arr.get(i).asDouble();
        }
        return v;
    }

    static int[] ints(JsonNode arr) {
        int[] v = new int[arr.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = arr.get(i).asInt();
        }
        return v;
    }

    static int max(JsonNode arr) {
        int m = Integer.MIN_VALUE;
        for (int v : ints(arr)) {
            m = Math.max(m, v);
        }
        return m;
    }

    static double mean(double[] v) {
        return Describe.mean(v);
    }

    static double std(double[] v) {
        return Describe.std(v);
    }

    static String spread(double[] v) {
        return fmt(mean(v)) + " ± " + fmt(std(v));
    }

    static double[] scale(double[] v, double by) {
        double[] o = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            o[i] = v[i] * by;
        }
        return o;
    }

    static double[] steps(int n, double first, double every) {
        double[] x = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = first + i * every;
        }
        return x;
    }

    /** Every {@code k}-th element of each row, so that a line has at most about 256 points. */
    static double[][] thin(double[][] rows, int k) {
        double[][] out = new double[rows.length][];
        for (int r = 0; r < rows.length; r++) {
            out[r] = thin(rows[r], k);
        }
        return out;
    }

    static double[] thin(double[] v, int k) {
        double[] o = new double[(v.length + k - 1) / k];
        for (int i = 0; i < o.length; i++) {
            o[i] = v[i * k];
        }
        return o;
    }

    /** Values floored at {@code floor} (a logarithmic axis cannot show zeros). */
    static double[][] floor(double[][] rows, double floor) {
        double[][] out = new double[rows.length][];
        for (int r = 0; r < rows.length; r++) {
            out[r] = new double[rows[r].length];
            for (int i = 0; i < rows[r].length; i++) {
                out[r][i] = Math.max(floor, rows[r][i]);
            }
        }
        return out;
    }

    // ------------------------------------------------------------------ untrained

    private void untrained(Pinned p, Path outDir, Map<String, String> facts) throws IOException {
        SweepPoints pts = new SweepPoints(p);
        int[] widths = ints(p.at("/config/widths"));
        int[] depths = ints(p.at("/config/depths"));
        int wMax = widths[widths.length - 1];
        int dMax = depths[depths.length - 1];
        facts.put("init-seeds", p.at("/config/seeds").asText());
        facts.put("init-grid", p.at("/config/grid").asText());
        facts.put("init-widths", join(widths));
        facts.put("init-depths", join(depths));
        facts.put("init-points", String.valueOf(p.at("/points").size()));
        facts.put("default-depth1-kinks-per-unit", fmt3(DEFAULT_DEPTH1_KINKS_PER_UNIT));
        // the grid of functions: the extremes of width and depth, per activation and initialisation
        double[] x = grid(p.at("/config/shown_points").asInt());
        Filmstrip fs = Filmstrip.of("untrained-functions", "Functions computed by freshly initialised networks on"
                        + " [−π, π], seed 0, each panel on its own vertical scale (its ends written in the corner)")
                .columns(widths.length).panelSize(120, 80).ownScale();
        String[][] rowsShown = {{"relu", "default", "1"}, {"relu", "default", String.valueOf(dMax)},
            {"relu", "he", String.valueOf(dMax)}, {"tanh", "default", String.valueOf(dMax)},
            {"tanh", "he", String.valueOf(dMax)}};
        for (String[] r : rowsShown) {
            for (int w : widths) {
                JsonNode pt = pts.seeds(r[0] + "-" + r[1] + "-w" + w + "-d" + r[2]).get(0);
                fs.frame(Net.Act.byId(r[0]).label + ", " + r[1] + ", " + r[2] + "×" + w, x, null, numbers(pt.get("f")));
            }
        }
        fs.from(p).save(outDir);
        // kinks against width, ReLU with the default initialisation, per depth
        Figures.LineFigure kinks = Figures.line("untrained-kinks", "Fresh ReLU networks (default init): kinks in"
                        + " [−π, π]; dashed: 0.841 × width")
                .axes("width", "kinks in [−π, π]").logX().logY().size(720, 440);
        double[] wx = new double[widths.length];
        for (int i = 0; i < widths.length; i++) {
            wx[i] = widths[i];
        }
        for (int d : depths) {
            double[][] bySeed = new double[p.at("/config/seeds").asInt()][widths.length];
            for (int i = 0; i < widths.length; i++) {
                double[] v = pts.values("relu-default-w" + widths[i] + "-d" + d, "kinks");
                for (int s = 0; s < v.length; s++) {
                    bySeed[s][i] = Math.max(0.5, v[s]);
                }
            }
            kinks.seeds("depth " + d, wx, bySeed);
        }
        kinks.dashed("0.841 × width", wx, scale(wx, DEFAULT_DEPTH1_KINKS_PER_UNIT));
        kinks.from(p).save(outDir);
        // roughness against depth at the widest width, per activation and initialisation
        Figures.LineFigure rough = Figures.line("untrained-roughness", "Fresh networks of width " + wMax + ": roughness"
                        + " mean |f''| against depth")
                .axes("depth (hidden layers)", "mean |f''|").logY().size(720, 440);
        double[] dx = new double[depths.length];
        for (int i = 0; i < depths.length; i++) {
            dx[i] = depths[i];
        }
        for (Net.Act a : Experiment.ACTS) {
            for (Net.Scheme sc : Experiment.SCHEMES) {
                double[][] bySeed = new double[p.at("/config/seeds").asInt()][depths.length];
                for (int i = 0; i < depths.length; i++) {
                    double[] v = pts.values(a.id + "-" + sc.id + "-w" + wMax + "-d" + depths[i], "roughness");
                    for (int s = 0; s < v.length; s++) {
                        bySeed[s][i] = Math.max(1e-6, v[s]);
                    }
                }
                rough.seeds(a.label + ", " + sc.label, dx, bySeed);
            }
        }
        rough.from(p).save(outDir);
        // the extremes, as a table
        List<List<?>> rows = new ArrayList<>();
        for (Net.Act a : Experiment.ACTS) {
            for (Net.Scheme sc : Experiment.SCHEMES) {
                for (int d : new int[] {1, dMax}) {
                    for (int w : new int[] {1, wMax}) {
                        String c = a.id + "-" + sc.id + "-w" + w + "-d" + d;
                        boolean relu = a == Net.Act.RELU;
                        rows.add(List.of(a.label, sc.label, d, w,
                                relu ? spread(pts.values(c, "kinks")) : "–",
                                relu ? spread(pts.values(c, "linear_regions")) : "–",
                                relu ? pct(mean(pts.values(c, "dead_fraction"))) : "–",
                                spread(pts.values(c, "variance")), spread(pts.values(c, "roughness"))));
                        String key = a.id + "-" + sc.id + "-w" + w + "-d" + d;
                        if (relu) {
                            facts.put(key + "-kinks", fmt(mean(pts.values(c, "kinks"))));
                            facts.put(key + "-regions", fmt(mean(pts.values(c, "linear_regions"))));
                            facts.put(key + "-dead", pct(mean(pts.values(c, "dead_fraction"))));
                        }
                        facts.put(key + "-variance", fmt(mean(pts.values(c, "variance"))));
                        facts.put(key + "-roughness", fmt(mean(pts.values(c, "roughness"))));
                    }
                }
            }
        }
        Tables.write(outDir, "untrained-extremes", "The extremes: depth 1 against depth " + dMax + ", width 1"
                        + " against width " + wMax + ": kinks in [−π, π] (sign changes of some unit's pre-activation),"
                        + " distinct activation patterns along the " + p.at("/config/grid").asText() + "-point grid"
                        + " (linear pieces), units dead on the whole range, variance of f over the range and its"
                        + " roughness mean |f''|; mean ± std over " + p.at("/config/seeds").asText() + " seeds",
                List.of("φ", "initialisation", "depth", "width", "kinks", "linear pieces", "dead units", "Var f",
                        "mean |f''|"), rows, List.of(p));
        facts.put("kinks-per-unit-d1", fmt3(mean(pts.values("relu-default-w" + wMax + "-d1", "kinks")) / wMax));
        facts.put("kinks-per-unit-dmax", fmt3(mean(pts.values("relu-default-w" + wMax + "-d" + dMax, "kinks"))
                / (wMax * (double) dMax)));
        facts.put("init-wmax", String.valueOf(wMax));
        facts.put("init-dmax", String.valueOf(dMax));
    }

    static double[] grid(int n) {
        double[] x = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = -Math.PI + 2 * Math.PI * i / (n - 1);
        }
        return x;
    }

    // ------------------------------------------------------------------ training

    private void training(Pinned p, Path outDir, Map<String, String> facts) throws IOException {
        SweepPoints pts = new SweepPoints(p);
        int steps = p.at("/config/steps").asInt();
        int every = p.at("/config/snapshot_every").asInt();
        facts.put("train-width", p.at("/config/width").asText());
        facts.put("train-depth", p.at("/config/depth").asText());
        facts.put("train-steps", String.valueOf(steps));
        facts.put("train-every", String.valueOf(every));
        facts.put("train-seeds", p.at("/config/seeds").asText());
        facts.put("train-points", p.at("/config/points").asText());
        facts.put("adam-lr", p.at("/config/adam_lr").asText());
        facts.put("sgd-lr", p.at("/config/sgd_lr").asText());
        facts.put("sgd-momentum", p.at("/config/sgd_momentum").asText());
        facts.put("mini-batch", p.at("/config/mini_batch").asText());
        // loss curves, ReLU and tanh, every target
        for (Net.Act a : Experiment.ACTS) {
            Figures.LineFigure f = Figures.line("training-loss-" + a.id, "1-"
                            + p.at("/config/width").asText() + "-" + p.at("/config/width").asText() + "-1 " + a.label
                            + ", Adam: loss / Var(target)")
                    .axes("step", "MSE / Var(target)").logY().size(720, 440);
            for (Target t : Target.values()) {
                String c = t.id + "-" + a.id + "-adam-full";
                double var = pts.values(c, "target_variance")[0];
                double[][] l = floor(pts.rows(c, "snapshot_loss"), 1e-7);
                for (double[] r : l) {
                    for (int i = 0; i < r.length; i++) {
                        r[i] /= var;
                    }
                }
                f.seeds(t.label, steps(l[0].length, 0, every), l);
            }
            f.from(p).save(outDir);
        }
        // the table of final losses and kinks
        List<List<?>> rows = new ArrayList<>();
        for (String[] cfg : Experiment.TRAININGS) {
            String c = cfg[0] + "-" + cfg[1] + "-" + cfg[2];
            boolean relu = cfg[1].equals("relu");
            List<JsonNode> seeds = pts.seeds(c);
            double[] k0 = new double[seeds.size()];
            double[] k1 = new double[seeds.size()];
            double[] born = new double[seeds.size()];
            double[] died = new double[seeds.size()];
            for (int i = 0; i < seeds.size(); i++) {
                if (relu) {
                    double[] k = numbers(seeds.get(i).get("kinks"));
                    k0[i] = k[0];
                    k1[i] = k[k.length - 1];
                    born[i] = sum(numbers(seeds.get(i).get("kinks_born")));
                    died[i] = sum(numbers(seeds.get(i).get("kinks_died")));
                }
            }
            rows.add(List.of(Target.byId(cfg[0]).label, Net.Act.byId(cfg[1]).label, Fit.Optim.byId(cfg[2]).label,
                    spread(pts.values(c, "final_relative_loss")), relu ? spread(k0) : "–", relu ? spread(k1) : "–",
                    relu ? spread(born) : "–", relu ? spread(died) : "–"));
            facts.put("final-" + c, fmt(mean(pts.values(c, "final_relative_loss"))));
            if (relu) {
                facts.put("kinks-start-" + c, fmt(mean(k0)));
                facts.put("kinks-end-" + c, fmt(mean(k1)));
                facts.put("born-" + c, fmt(mean(born)));
                facts.put("died-" + c, fmt(mean(died)));
            }
        }
        Tables.write(outDir, "training-final", "After " + steps + " steps: the loss relative to the target's"
                        + " variance, the kinks inside [−π, π] at the start and the end, and the kinks born and died"
                        + " between snapshots " + every + " steps apart (summed over the run); mean ± std over "
                        + p.at("/config/seeds").asText() + " seeds",
                List.of("target", "φ", "optimiser", "MSE / Var", "kinks at 0", "kinks at end", "born", "died"), rows,
                List.of(p));
        // the optimisers on sin x
        Figures.LineFigure opt = Figures.line("training-optimisers", "sin x, ReLU: four optimisers, loss / Var(sin)")
                .axes("step", "MSE / Var(target)").logY().size(720, 400);
        for (Fit.Optim o : Fit.Optim.values()) {
            String c = "sin-relu-" + o.id;
            double var = pts.values(c, "target_variance")[0];
            double[][] l = floor(pts.rows(c, "snapshot_loss"), 1e-7);
            for (double[] r : l) {
                for (int i = 0; i < r.length; i++) {
                    r[i] /= var;
                }
            }
            opt.seeds(o.label, steps(l[0].length, 0, every), l);
        }
        opt.from(p).save(outDir);
        // slow motion: sin 5x, seed 0
        for (String target : List.of("sin5", "step")) {
            String c = target + "-relu-adam-full";
            JsonNode pt = pts.seeds(c).get(0);
            JsonNode frames = pt.get("frames");
            JsonNode kinkPos = pt.get("kink_positions");
            int[] snapSteps = ints(pt.get("snapshot_steps"));
            double[] x = grid(p.at("/config/shown_points").asInt());
            double[] y = Target.byId(target).at(x);
            Filmstrip film = Filmstrip.of("filmstrip-" + target, Target.byId(target).label + ", ReLU 1-"
                            + p.at("/config/width").asText() + "-" + p.at("/config/width").asText()
                            + "-1, seed 0: the fitted function every few steps (grey: the target; red ticks: kinks)")
                    .columns(6).panelSize(120, 80).legend("target", "network");
            Filmstrip anim = Filmstrip.of("filmstrip-" + target + "-all", "all").panelSize(240, 150)
                    .legend("target", "network");
            int[] chosen = {0, 1, 2, 4, 6, 8, 10, 14, 20, 28, 34, snapSteps.length - 1};
            for (int k = 0; k < snapSteps.length; k++) {
                double[] marks = allKinks(kinkPos.get(k));
                anim.frame("step " + snapSteps[k], x, y, numbers(frames.get(k))).marks(marks);
                for (int ch : chosen) {
                    if (ch == k) {
                        film.frame("step " + snapSteps[k], x, y, numbers(frames.get(k))).marks(marks);
                    }
                }
            }
            film.from(p).save(outDir);
            anim.from(p).saveAnimation(outDir, "animation-" + target, "The same run as an animation, a frame"
                    + " every " + every + " steps (an animated SVG drawn from the pinned snapshots)", 0.25);
        }
        // kink maps: x across, step down, kinks per bin
        ImageGrid map = ImageGrid.of("kink-map", "Kink maps: where the kinks of the ReLU network are (x across,"
                + " −π to π in 64 bins) at every snapshot (step down, 0 at the top, one row per " + every
                + " steps), seed 0; first hidden layer left, second right; the colour saturates at 3 kinks per bin");
        List<String> cols = new ArrayList<>();
        for (String target : List.of("sin5", "abs", "step", "saw")) {
            JsonNode pt = pts.seeds(target + "-relu-adam-full").get(0);
            JsonNode kinkPos = pt.get("kink_positions");
            int layers = kinkPos.get(0).size();
            ImageGrid.Panel[] panels = new ImageGrid.Panel[layers];
            for (int l = 0; l < layers; l++) {
                double[][] m = new double[kinkPos.size()][64];
                for (int k = 0; k < kinkPos.size(); k++) {
                    for (JsonNode v : kinkPos.get(k).get(l)) {
                        int b = (int) Math.min(63, Math.floor((v.asDouble() + Math.PI) / (2 * Math.PI) * 64));
                        m[k][Math.max(0, b)]++;
                    }
                }
                panels[l] = ImageGrid.panel(m, ImageGrid.Scale.blues(0, 3));
            }
            map.row(switch (target) {
                case "step" -> "step";
                case "saw" -> "sawtooth";
                default -> Target.byId(target).label;
            }, 4, panels);
            cols.add(target);
        }
        map.columns("layer 1", "layer 2").from(p).save(outDir);
        // kink events over training, all seeds
        Figures.LineFigure ev = Figures.line("kink-events", "ReLU, Adam: kinks born plus died per " + every
                        + " steps")
                .axes("step", "kinks born + died per " + every + " steps").size(720, 400);
        for (String target : List.of("sin", "sin5", "abs", "step")) {
            String c = target + "-relu-adam-full";
            double[][] b = pts.rows(c, "kinks_born");
            double[][] d = pts.rows(c, "kinks_died");
            for (int s = 0; s < b.length; s++) {
                for (int i = 0; i < b[s].length; i++) {
                    b[s][i] += d[s][i];
                }
            }
            ev.seeds(Target.byId(target).label, steps(b[0].length, every, every), b);
            double[] early = new double[b.length];
            double[] late = new double[b.length];
            for (int s = 0; s < b.length; s++) {
                int n = b[s].length;
                for (int i = 0; i < 4; i++) {
                    early[s] += b[s][i];
                    late[s] += b[s][n - 1 - i];
                }
            }
            facts.put("events-early-" + target, fmt(mean(early)));
            facts.put("events-late-" + target, fmt(mean(late)));
        }
        facts.put("events-window", String.valueOf(4 * every));
        ev.from(p).save(outDir);
        // activation-pattern churn during training
        Figures.LineFigure ch = Figures.line("training-churn", "ReLU, Adam: share of inputs whose pattern changes"
                        + " per step")
                .axes("step", "inputs with a changed pattern").logY().size(720, 400);
        for (String target : List.of("sin", "sin5", "abs", "step")) {
            String c = target + "-relu-adam-full";
            double[][] r = floor(pts.rows(c, "churn_inputs"), 1e-4);
            ch.seeds(Target.byId(target).label, thin(steps(r[0].length, 10, 10), 4), thin(r, 4));
            double[][] raw = pts.rows(c, "churn_inputs");
            double[] first = new double[raw.length];
            double[] last = new double[raw.length];
            for (int s = 0; s < raw.length; s++) {
                first[s] = raw[s][0];
                last[s] = raw[s][raw[s].length - 1];
            }
            facts.put("churn-first-" + target, pct(mean(first)));
            facts.put("churn-last-" + target, pct(mean(last)));
        }
        ch.from(p).save(outDir);
    }

    static double[] allKinks(JsonNode byLayer) {
        List<Double> l = new ArrayList<>();
        for (JsonNode layer : byLayer) {
            for (JsonNode v : layer) {
                l.add(v.asDouble());
            }
        }
        return l.stream().mapToDouble(Double::doubleValue).toArray();
    }

    static double sum(double[] v) {
        double s = 0;
        for (double x : v) {
            s += x;
        }
        return s;
    }

    // ------------------------------------------------------------------ shift

    /** Per seed, the largest value of a block series after the switch. */
    static double[] peakAfterSwitch(SweepPoints pts, String config, String field) {
        List<JsonNode> seeds = pts.seeds(config);
        double[] out = new double[seeds.size()];
        for (int i = 0; i < out.length; i++) {
            JsonNode pt = seeds.get(i);
            int from = switchIndex(pt);
            double[] v = numbers(pt.get(field));
            double m = 0;
            for (int k = from; k < v.length; k++) {
                m = Math.max(m, v[k]);
            }
            out[i] = m;
        }
        return out;
    }

    /** The index, in a point's block series, of the first block after the switch. */
    static int switchIndex(JsonNode pt) {
        return pt.get("switch_at").asInt() / pt.get("block").asInt() - pt.get("series_start_block").asInt();
    }

    /** Steps to a threshold per seed (−1 where it was not reached). */
    static double[] stepsTo(List<JsonNode> seeds, String pointer) {
        double[] out = new double[seeds.size()];
        for (int i = 0; i < out.length; i++) {
            JsonNode n = seeds.get(i).at(pointer);
            out[i] = n.isNull() || n.isMissingNode() ? -1 : n.asDouble();
        }
        return out;
    }

    static String fmtSteps(double[] v) {
        List<Double> ok = new ArrayList<>();
        for (double x : v) {
            if (x >= 0) {
                ok.add(x);
            }
        }
        if (ok.isEmpty()) {
            return "never (0 of " + v.length + ")";
        }
        double[] a = ok.stream().mapToDouble(Double::doubleValue).toArray();
        String s = String.format(Locale.ROOT, "%.0f ± %.0f", mean(a), std(a));
        return ok.size() == v.length ? s : s + " (" + ok.size() + " of " + v.length + ")";
    }

    private void shift(Pinned p, Path outDir, Map<String, String> facts) throws IOException {
        SweepPoints pts = new SweepPoints(p);
        int pre = p.at("/config/pretrain_steps").asInt();
        int steps = p.at("/config/steps").asInt();
        int block = p.at("/config/block").asInt();
        facts.put("shift-pretrain", String.valueOf(pre));
        facts.put("shift-steps", String.valueOf(steps));
        facts.put("shift-seeds", p.at("/config/seeds").asText());
        facts.put("shift-block", String.valueOf(block));
        facts.put("shift-bins", p.at("/config/histogram_bins").asText());
        // the series kept: from a few blocks before the switch to the end
        int from = 0;
        int firstBlock = pts.seeds("target-0").get(0).get("series_start_block").asInt();
        String[][] families = {{"target", "δ"}, {"input", "s"}};
        for (String[] fam : families) {
            List<String> sizes = fam[0].equals("target") ? Experiment.TARGET_SHIFTS : Experiment.INPUT_SHIFTS;
            Figures.LineFigure loss = Figures.line("shift-" + fam[0] + "-loss", (fam[0].equals("target")
                            ? "sin x → sin(x + δ) at step " + pre : "[−π, π] → [−π + s, π + s] at step " + pre)
                            + ": loss / Var(new target), mean per " + block + " steps")
                    .axes("step", "MSE / Var(target)").logY().size(720, 440);
            Figures.LineFigure churn = Figures.line("shift-" + fam[0] + "-churn", (fam[0].equals("target")
                            ? "Target shift δ" : "Input shift s") + ": share of inputs whose pattern changes per step")
                    .axes("step", "inputs with a changed pattern").logY().size(720, 400);
            Figures.LineFigure ent = Figures.line("shift-" + fam[0] + "-entropy", (fam[0].equals("target")
                            ? "Target shift δ" : "Input shift s") + ": kinks inside the current input range")
                    .axes("step", "kinks in range").size(720, 400);
            for (String sz : sizes) {
                String c = fam[0] + "-" + sz;
                double var = pts.values(c, "target_variance")[0];
                double[][] l = pts.rows(c, "loss");
                double[][] cut = new double[l.length][];
                for (int s = 0; s < l.length; s++) {
                    double[] v = java.util.Arrays.copyOfRange(l[s], from, l[s].length);
                    cut[s] = scale(v, 1 / var);
                }
                double[] x = steps(cut[0].length, (firstBlock + 1) * block, block);
                String label = fam[1] + " = " + sz.replace("pi", "π");
                loss.seeds(label, thin(x, 3), floor(thin(cut, 3), 1e-7));
                double[][] cr = pts.rows(c, "churn_inputs");
                double[][] cc = new double[cr.length][];
                for (int s = 0; s < cr.length; s++) {
                    cc[s] = java.util.Arrays.copyOfRange(cr[s], from, cr[s].length);
                }
                churn.seeds(label, thin(x, 3), floor(thin(cc, 3), 1e-4));
                double[][] kr = pts.rows(c, "kinks_in_range");
                double[][] kc = new double[kr.length][];
                for (int s = 0; s < kr.length; s++) {
                    kc[s] = java.util.Arrays.copyOfRange(kr[s], from, kr[s].length);
                }
                ent.seeds(label, thin(x, 3), thin(kc, 3));
            }
            loss.from(p).save(outDir);
            churn.from(p).save(outDir);
            ent.from(p).save(outDir);
            // the summary table
            List<List<?>> rows = new ArrayList<>();
            for (String sz : sizes) {
                String c = fam[0] + "-" + sz;
                List<JsonNode> seeds = pts.seeds(c);
                int n = seeds.size();
                double[] peakLoss = new double[n];
                double[] peakChurn = peakAfterSwitch(pts, c, "churn_inputs");
                double[] churnBefore = new double[n];
                double[] disp = new double[n];
                double[] path = new double[n];
                double[] entBefore = new double[n];
                double[] entPeak = new double[n];
                double[] entEnd = new double[n];
                double[] kBefore = new double[n];
                double[] kMin = new double[n];
                double[] kEnd = new double[n];
                double[] fin = new double[n];
                for (int i = 0; i < n; i++) {
                    JsonNode pt = seeds.get(i);
                    double var = pt.get("target_variance").asDouble();
                    int sw = switchIndex(pt);
                    double[] lm = numbers(pt.get("loss_max"));
                    double[] ci = numbers(pt.get("churn_inputs"));
                    double[] pl = numbers(pt.get("path_length"));
                    double[] dp = numbers(pt.get("displacement"));
                    double[] en = numbers(pt.get("kink_entropy_bits"));
                    double[] kr = numbers(pt.get("kinks_in_range"));
                    for (int k = sw; k < lm.length; k++) {
                        peakLoss[i] = Math.max(peakLoss[i], lm[k] / var);
                        entPeak[i] = Math.max(entPeak[i], en[k]);
                    }
                    kMin[i] = Double.POSITIVE_INFINITY;
                    for (int k = sw; k < kr.length; k++) {
                        kMin[i] = Math.min(kMin[i], kr[k]);
                    }
                    churnBefore[i] = ci[sw - 1];
                    disp[i] = dp[dp.length - 1];
                    path[i] = pl[pl.length - 1] - pl[sw - 1];
                    entBefore[i] = en[sw - 1];
                    entEnd[i] = en[en.length - 1];
                    kBefore[i] = kr[sw - 1];
                    kEnd[i] = kr[kr.length - 1];
                    fin[i] = pt.get("final_relative_loss").asDouble();
                }
                rows.add(List.of(sz.replace("pi", "π"), spread(peakLoss), pct(mean(churnBefore)) + " → "
                                + pct(mean(peakChurn)), spread(path), spread(disp), fmt(mean(kBefore)) + " → "
                                + fmt(mean(kMin)) + " → " + fmt(mean(kEnd)),
                        fmt3(mean(entBefore)) + " → " + fmt3(mean(entPeak)) + " → " + fmt3(mean(entEnd)),
                        spread(fin)));
                String key = "shift-" + fam[0] + "-" + sz;
                facts.put(key + "-peak-loss", fmt(mean(peakLoss)));
                facts.put(key + "-churn-before", pct(mean(churnBefore)));
                facts.put(key + "-churn-peak", pct(mean(peakChurn)));
                facts.put(key + "-path", fmt(mean(path)));
                facts.put(key + "-displacement", fmt(mean(disp)));
                facts.put(key + "-kinks-before", fmt(mean(kBefore)));
                facts.put(key + "-kinks-min", fmt(mean(kMin)));
                facts.put(key + "-kinks-end", fmt(mean(kEnd)));
                facts.put(key + "-entropy-before", fmt3(mean(entBefore)));
                facts.put(key + "-entropy-peak", fmt3(mean(entPeak)));
                facts.put(key + "-entropy-end", fmt3(mean(entEnd)));
                facts.put(key + "-final", fmt(mean(fin)));
            }
            Tables.write(outDir, "shift-" + fam[0] + "-summary", (fam[0].equals("target")
                            ? "Target shift sin x → sin(x + δ)" : "Input shift [−π, π] → [−π + s, π + s]")
                            + ": the peak loss after the switch (relative), the fraction of inputs whose pattern"
                            + " changes per step (just before → peak after), the distance travelled in weight space"
                            + " after the switch and the displacement at the end, the kinks in the input range"
                            + " (before → fewest after → end), the entropy of the kinks' positions in bits over "
                            + p.at("/config/histogram_bins").asText() + " bins (before → peak → end) and the final"
                            + " relative loss; mean ± std over " + p.at("/config/seeds").asText() + " seeds",
                    List.of(fam[1], "peak loss", "churn", "path", "displacement", "kinks", "entropy", "final loss"),
                    rows, List.of(p));
        }
        // kink histograms before, during and after, for a few shifts
        ImageGrid hist = ImageGrid.of("shift-kink-histograms", "Kinks per bin over the window that holds both input"
                + " ranges, summed over seeds: rows are the snapshots just before the switch, 20 and 100 steps after,"
                + " and at the end");
        for (String c : List.of("target-0.1", "target-1", "target-pi", "input-1", "input-pi", "input-2pi")) {
            List<JsonNode> seeds = pts.seeds(c);
            String[] when = {"hist_before", "hist_after_20", "hist_after_100", "hist_end"};
            int bins = seeds.get(0).get("hist_before").size();
            double[][] m = new double[when.length][bins];
            for (JsonNode pt : seeds) {
                for (int r = 0; r < when.length; r++) {
                    double[] h = numbers(pt.get(when[r]));
                    for (int b = 0; b < bins; b++) {
                        m[r][b] += h[b];
                    }
                }
            }
            JsonNode w = seeds.get(0).get("window");
            hist.row(c.replace("target-", "δ = ").replace("input-", "s = ").replace("2pi", "2π").replace("pi", "π")
                            + String.format(Locale.ROOT, " [%.2f, %.2f]", w.get(0).asDouble(), w.get(1).asDouble()), 10,
                    ImageGrid.panel(m, ImageGrid.Scale.blues(0, 4 * seeds.size())));
        }
        hist.from(p).save(outDir);
        // where the behaviour changes: the response against the size of the shift
        Figures.LineFigure resp = Figures.line("shift-response", "Displacement ‖θ_end − θ_switch‖ against the size"
                        + " of the shift")
                .axes("size of the shift (δ or s)", "‖θ_end − θ_switch‖").logX().logY().size(720, 420);
        for (String[] fam : families) {
            List<String> sizes = new ArrayList<>(fam[0].equals("target") ? Experiment.TARGET_SHIFTS
                    : Experiment.INPUT_SHIFTS);
            sizes.remove("0");
            double[] xs = new double[sizes.size()];
            double[][] ys = new double[p.at("/config/seeds").asInt()][sizes.size()];
            for (int i = 0; i < sizes.size(); i++) {
                xs[i] = Experiment.size(sizes.get(i));
                List<JsonNode> seeds = pts.seeds(fam[0] + "-" + sizes.get(i));
                for (int s = 0; s < seeds.size(); s++) {
                    double[] d = numbers(seeds.get(s).get("displacement"));
                    ys[s][i] = Math.max(1e-6, d[d.length - 1]);
                }
            }
            resp.seeds(fam[0].equals("target") ? "target shift δ" : "input shift s", xs, ys);
        }
        resp.from(p).save(outDir);
        // transfer: steps to a threshold
        List<List<?>> rows = new ArrayList<>();
        for (String[] fam : families) {
            List<String> sizes = fam[0].equals("target") ? Experiment.TARGET_SHIFTS : Experiment.INPUT_SHIFTS;
            for (String sz : sizes) {
                List<JsonNode> seeds = pts.seeds(fam[0] + "-" + sz);
                List<JsonNode> scratch = pts.seeds("scratch-" + fam[0] + "-" + sz);
                double[] sd = new double[scratch.size()];
                for (int i = 0; i < sd.length; i++) {
                    double[] d = numbers(scratch.get(i).get("displacement"));
                    sd[i] = d[d.length - 1];
                }
                facts.put("scratch-" + fam[0] + "-" + sz + "-displacement", fmt(mean(sd)));
                for (String thr : List.of("0.01", "0.001")) {
                    boolean target = fam[0].equals("target");
                    rows.add(List.of((target ? "sin x → sin(x + " : "[−π, π] → [−π + ") + sz.replace("pi", "π")
                                    + (target ? ")" : ", π + " + sz.replace("pi", "π") + "]"), thr,
                            fmtSteps(stepsTo(seeds, "/steps_to/" + thr)),
                            fmtSteps(stepsTo(seeds, "/phase2/fresh_adam_all/steps_to/" + thr)),
                            fmtSteps(stepsTo(seeds, "/phase2/fresh_adam_frozen_first/steps_to/" + thr)),
                            fmtSteps(stepsTo(scratch, "/steps_to/" + thr))));
                    String key = "transfer-" + fam[0] + "-" + sz + "-" + thr.replace(".", "");
                    facts.put(key + "-continued", fmtSteps(stepsTo(seeds, "/steps_to/" + thr)));
                    facts.put(key + "-fresh", fmtSteps(stepsTo(seeds, "/phase2/fresh_adam_all/steps_to/" + thr)));
                    facts.put(key + "-frozen", fmtSteps(stepsTo(seeds,
                            "/phase2/fresh_adam_frozen_first/steps_to/" + thr)));
                    facts.put(key + "-scratch", fmtSteps(stepsTo(scratch, "/steps_to/" + thr)));
                }
            }
        }
        Tables.write(outDir, "transfer", "Transfer: steps until the loss falls below a threshold (relative to the"
                        + " target's variance) on the second task, within " + steps + " steps: continuing the"
                        + " pretraining run (same Adam state), fine-tuning the pretrained weights with a fresh Adam"
                        + " (all layers, or the first layer frozen), and training from scratch; mean ± std over the"
                        + " seeds that reached it (of " + p.at("/config/seeds").asText() + ")",
                List.of("pair (f → g)", "threshold", "continued", "fine-tune all", "first layer frozen", "scratch"),
                rows, List.of(p));
    }

    // ------------------------------------------------------------------ formatting

    static String join(int[] v) {
        List<String> s = new ArrayList<>();
        for (int x : v) {
            s.add(String.valueOf(x));
        }
        return String.join(", ", s);
    }

    static String fmt(double v) {
        if (!Double.isFinite(v)) {
            return Double.isNaN(v) ? "NaN" : (v > 0 ? "∞" : "−∞");
        }
        if (v == Math.rint(v) && Math.abs(v) < 1e5) {
            return String.valueOf((long) v);
        }
        if (v == 0) {
            return "0";
        }
        double a = Math.abs(v);
        if (a >= 1e5 || a < 1e-3) {
            String[] parts = String.format(Locale.ROOT, "%.2e", v).split("e");
            StringBuilder e = new StringBuilder();
            for (char c : String.valueOf(Integer.parseInt(parts[1])).toCharArray()) {
                e.append(c == '-' ? '⁻' : "⁰¹²³⁴⁵⁶⁷⁸⁹".charAt(c - '0'));
            }
            return parts[0] + "·10" + e;
        }
        return String.format(Locale.ROOT, a >= 100 ? "%.0f" : a >= 10 ? "%.1f" : a >= 1 ? "%.2f" : "%.3f", v);
    }

    static String fmt3(double v) {
        return String.format(Locale.ROOT, "%.3g", v);
    }

    static String pct(double v) {
        return String.format(Locale.ROOT, "%.1f%%", 100 * v);
    }
}
