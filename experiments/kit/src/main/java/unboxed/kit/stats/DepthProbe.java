package unboxed.kit.stats;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import unboxed.tensor.Tensor;

/**
 * Per-layer statistics over depth, forward and backward: a network's forward pass hands each
 * tensor it wants followed to {@link #watch}, which summarises its values at once and registers a
 * gradient hook ({@code register_hook}) that summarises the gradient when backward reaches it.
 *
 * <pre>{@code
 * DepthProbe probe = new DepthProbe(Set.of("layer10"), 5, 50);
 * Tensor x = input;
 * for (int l = 1; l <= depth; l++) {
 *     x = probe.watch("layer" + l, layers[l].forward(x));
 * }
 * x.mul(target).sum().backward();
 * List<TensorStats> forward = probe.forward();    // one per watched tensor, in watch order
 * List<TensorStats> backward = probe.backward();  // the gradient of the loss with respect to each
 * }</pre>
 *
 * <p>Only summaries are kept, not the tensors, so a probe on a 100-layer stack costs no more
 * memory than the stack's own graph. A tensor that does not require grad (under no_grad) is
 * summarised forward only. The probe is used by one forward and one backward; watch names must
 * be distinct.
 */
public final class DepthProbe {
    private final Set<String> histogramsAt;
    private final double histogramRange;
    private final int histogramBins;
    private final Map<String, TensorStats> forward = new LinkedHashMap<>();
    private final Map<String, TensorStats> backward = new LinkedHashMap<>();
    private final Map<String, Histogram> histograms = new LinkedHashMap<>();
    private final List<AutoCloseable> hooks = new ArrayList<>();

    /** A probe that keeps statistics only. */
    public DepthProbe() {
        this(Set.of(), 1, 1);
    }

    /**
     * A probe that also keeps, for the watched names in {@code histogramsAt}, a standardized
     * histogram ({@link Histogram#standardized}) of the values over [−range, range) in {@code bins} bins.
     */
    public DepthProbe(Set<String> histogramsAt, double range, int bins) {
        this.histogramsAt = Set.copyOf(histogramsAt);
        this.histogramRange = range;
        this.histogramBins = bins;
    }

    /** Summarises {@code t} under {@code name}, arranges for its gradient to be summarised, and returns {@code t}. */
    public Tensor watch(String name, Tensor t) {
        if (forward.containsKey(name)) {
            throw new IllegalArgumentException("DepthProbe: '" + name + "' is already watched; names must be distinct");
        }
        forward.put(name, TensorStats.of(t));
        if (histogramsAt.contains(name)) {
            histograms.put(name, Histogram.standardized(t, histogramRange, histogramBins));
        }
        if (t.requiresGrad()) {
            hooks.add(t.registerHook(g -> {
                backward.put(name, TensorStats.of(g));
                return null;
            }));
        }
        return t;
    }

    /** The watched names, in watch order. */
    public List<String> names() {
        return List.copyOf(forward.keySet());
    }

    /** The forward statistics, in watch order. */
    public List<TensorStats> forward() {
        return List.copyOf(forward.values());
    }

    /**
     * The gradient statistics, in watch order; throws when backward has not reached a watched
     * tensor (no backward yet, or the tensor does not lead to the loss).
     */
    public List<TensorStats> backward() {
        List<TensorStats> out = new ArrayList<>();
        for (String name : forward.keySet()) {
            TensorStats s = backward.get(name);
            if (s == null) {
                throw new IllegalStateException("DepthProbe: no gradient reached '" + name + "' (run backward first;"
                        + " the tensor must require grad and lead to the loss)");
            }
            out.add(s);
        }
        return out;
    }

    /** The histogram of a watched tensor named in the constructor's set; throws for any other. */
    public Histogram histogram(String name) {
        Histogram h = histograms.get(name);
        if (h == null) {
            throw new IllegalArgumentException("DepthProbe: no histogram of '" + name + "' (histograms kept for "
                    + histograms.keySet() + ")");
        }
        return h;
    }

    /** Removes the gradient hooks (the tensors may outlive the probe). */
    public void detach() {
        for (AutoCloseable h : hooks) {
            try {
                h.close();
            } catch (Exception e) {
                throw new IllegalStateException("DepthProbe: removing a hook failed", e);
            }
        }
        hooks.clear();
    }

    /**
     * One statistic over depth, as an array for a results file or a figure: e.g.
     * {@code series(probe.forward(), TensorStats::std)}.
     */
    public static double[] series(List<TensorStats> stats, java.util.function.ToDoubleFunction<TensorStats> f) {
        double[] out = new double[stats.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = f.applyAsDouble(stats.get(i));
        }
        return out;
    }

    /** As {@link #series}, rounded to float precision (what results files keep of a per-layer statistic). */
    public static float[] seriesF(List<TensorStats> stats, java.util.function.ToDoubleFunction<TensorStats> f) {
        float[] out = new float[stats.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) f.applyAsDouble(stats.get(i));
        }
        return out;
    }
}
