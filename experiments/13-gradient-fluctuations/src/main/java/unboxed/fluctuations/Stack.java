package unboxed.fluctuations;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import unboxed.autograd.Autograd;
import unboxed.kit.stats.DepthProbe;
import unboxed.kit.stats.TensorStats;
import unboxed.nn.Linear;
import unboxed.tensor.Rng;
import unboxed.tensor.Tensor;

/**
 * A stack of affine layers fed random inputs: h_l = W_l x_{l−1} + b_l, x_l = φ(h_l), x_0 ~ N(0, 1),
 * and a loss at the top, L = Σ x_L ⊙ G with a fixed random G ~ N(0, 1) (a random linear
 * readout: its gradient with respect to x_L is G itself, of variance 1, so what happens below is
 * the layers' doing alone). One forward and one backward; {@link DepthProbe}s record each
 * layer's pre-activations h_l, activations x_l and the gradient ∂L/∂h_l, and the weight
 * gradients' norms are read after backward.
 *
 * @param widths        widths[0] inputs, then each layer's outputs (depth = widths.length − 1)
 * @param activation    φ
 * @param scheme        the initialisation of every layer
 * @param batch         samples per forward
 * @param rescaleLayer  1-based layer whose weights are multiplied by {@code rescaleFactor} after
 *                      initialisation (the intervention), or 0 for none
 * @param rescaleFactor that factor
 * @param histogramsAt  1-based layers whose activations get a standardized histogram
 */
record Stack(int[] widths, Activation activation, Scheme scheme, int batch, int rescaleLayer, double rescaleFactor,
             int[] histogramsAt) {

    /** Standardized histograms: 60 bins over ±6 standard deviations. */
    static final double HISTOGRAM_RANGE = 6;
    static final int HISTOGRAM_BINS = 60;

    static int[] square(int width, int depth) {
        int[] w = new int[depth + 1];
        java.util.Arrays.fill(w, width);
        return w;
    }

    int depth() {
        return widths.length - 1;
    }

    /** Var[w] of each layer, the intervention's factor included. */
    double[] weightVariances() {
        double[] v = new double[depth()];
        for (int l = 0; l < v.length; l++) {
            v[l] = scheme.weightVariance(widths[l], widths[l + 1]);
            if (l + 1 == rescaleLayer) {
                v[l] *= rescaleFactor * rescaleFactor;
            }
        }
        return v;
    }

    double[] biasVariances() {
        double[] v = new double[depth()];
        for (int l = 0; l < v.length; l++) {
            v[l] = scheme.biasVariance(widths[l]);
        }
        return v;
    }

    Theory.Prediction theory() {
        return Theory.of(widths, activation, weightVariances(), biasVariances(), batch);
    }

    /** The layers, initialised from {@code rng}. */
    List<Linear> layers(Rng rng) {
        List<Linear> layers = new ArrayList<>();
        for (int l = 0; l < depth(); l++) {
            Linear fc = new Linear(widths[l], widths[l + 1], rng);
            scheme.apply(fc, rng);
            if (l + 1 == rescaleLayer) {
                try (Autograd.GradMode ignored = Autograd.noGrad()) {
                    fc.weight().data().mul_((float) rescaleFactor);
                }
            }
            layers.add(fc);
        }
        return layers;
    }

    /** One forward and backward from {@code seed}; the per-layer statistics as an ordered map. */
    Map<String, Object> run(long seed) {
        Rng root = new Rng(seed);
        List<Linear> layers = layers(root.fork("init"));
        Tensor x = Tensor.randn(root.fork("input"), batch, widths[0]);
        Tensor readout = Tensor.randn(root.fork("readout"), batch, widths[depth()]);
        Set<String> hist = new LinkedHashSet<>();
        for (int l : histogramsAt) {
            hist.add("x" + l);
        }
        DepthProbe pre = new DepthProbe();
        DepthProbe post = new DepthProbe(hist, HISTOGRAM_RANGE, HISTOGRAM_BINS);
        for (int l = 1; l <= depth(); l++) {
            Tensor h = pre.watch("h" + l, layers.get(l - 1).forward(x));
            x = post.watch("x" + l, activation.apply(h));
        }
        x.mul(readout).sum().backward();
        List<TensorStats> f = pre.forward();
        List<TensorStats> a = post.forward();
        List<TensorStats> g = pre.backward();
        List<TensorStats> wg = new ArrayList<>();
        for (Linear fc : layers) {
            wg.add(TensorStats.of(fc.weight().grad()));
        }
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("pre_mean", DepthProbe.seriesF(f, TensorStats::mean));
        r.put("pre_std", DepthProbe.seriesF(f, TensorStats::std));
        r.put("pre_non_finite", DepthProbe.seriesF(f, TensorStats::nonFinite));
        r.put("post_mean", DepthProbe.seriesF(a, TensorStats::mean));
        r.put("post_std", DepthProbe.seriesF(a, TensorStats::std));
        r.put("post_fraction_zero", DepthProbe.seriesF(a, TensorStats::fractionZero));
        r.put("grad_mean", DepthProbe.seriesF(g, TensorStats::mean));
        r.put("grad_std", DepthProbe.seriesF(g, TensorStats::std));
        r.put("weight_grad_norm", DepthProbe.seriesF(wg, TensorStats::norm));
        Map<String, Object> h = new LinkedHashMap<>();
        for (int l : histogramsAt) {
            h.put(String.valueOf(l), post.histogram("x" + l).toMap());
        }
        r.put("histograms", h);
        pre.detach();
        post.detach();
        return r;
    }
}
