package unboxed.exhaustion;

import java.util.ArrayList;
import java.util.List;
import unboxed.autograd.Autograd;
import unboxed.kit.stats.Kinks;
import unboxed.kit.stats.LayerDynamics;
import unboxed.nn.Linear;
import unboxed.nn.MSELoss;
import unboxed.nn.Module;
import unboxed.nn.Parameter;
import unboxed.nn.ReLU;
import unboxed.nn.Sequential;
import unboxed.nn.Tanh;
import unboxed.optim.Adam;
import unboxed.optim.AdamW;
import unboxed.optim.Optimizer;
import unboxed.simple.Net;
import unboxed.tensor.Rng;
import unboxed.tensor.Tensor;

/**
 * One of post 06's MLPs (1-H-…-H-1) fitted by full-batch Adam to whatever target it is given,
 * with forward hooks on its activations so that every step's pre-activations are at hand, and
 * with the levers this post pulls: the learning rate, the optimiser's state, weight decay, dead
 * units re-initialised, weights shrunk and perturbed.
 */
final class Learner implements AutoCloseable {
    /** Adam's learning rate (post 06's). */
    static final double LR = 0.01;

    final Sequential net;
    final List<Linear> linears;
    final Net.Act act;
    final int width;
    final int depth;
    private final double weightDecay;
    private final Kinks.Capture capture;
    private final MSELoss mse = new MSELoss();
    private Optimizer opt;
    private Tensor x;
    private Tensor y;
    private double variance;

    /**
     * A fresh network; {@code initScale} multiplies every weight and bias after the default
     * initialisation (1: nn.Linear's own), {@code weightDecay} > 0 makes the optimiser AdamW.
     */
    Learner(int width, int depth, Net.Act act, double initScale, double weightDecay, Rng rng) {
        this.net = Net.mlp(width, depth, act, Net.Scheme.DEFAULT, rng);
        this.linears = Net.linears(net);
        this.act = act;
        this.width = width;
        this.depth = depth;
        this.weightDecay = weightDecay;
        if (initScale != 1) {
            try (Autograd.GradMode ignored = Autograd.noGrad()) {
                for (Parameter p : net.parameters()) {
                    p.data().mul_((float) initScale);
                }
            }
        }
        this.capture = Kinks.Capture.on(activations(net));
        resetOptimizer();
    }

    /** The activation modules of {@code net}, in order (their inputs are the pre-activations). */
    static List<Module> activations(Sequential net) {
        List<Module> out = new ArrayList<>();
        for (int i = 0; i < net.size(); i++) {
            if (net.get(i) instanceof ReLU || net.get(i) instanceof Tanh) {
                out.add(net.get(i));
            }
        }
        return out;
    }

    /** The training set from now on: inputs x and targets y (the target's variance normalises the loss). */
    void data(double[] xs, double[] ys) {
        x = Kinks.column(xs);
        y = Kinks.column(ys);
        double mean = 0;
        for (double v : ys) {
            mean += v;
        }
        mean /= ys.length;
        double var = 0;
        for (double v : ys) {
            var += (v - mean) * (v - mean);
        }
        variance = var / ys.length;
    }

    /** One full-batch step; returns the relative loss (MSE / Var y) before it. */
    double step() {
        opt.zeroGrad();
        Tensor loss = mse.forward(net.call(x), y);
        loss.backward();
        opt.step();
        return loss.item() / variance;
    }

    /** The relative loss now, without a step. */
    double relativeLoss() {
        try (Autograd.GradMode ignored = Autograd.noGrad()) {
            return mse.forward(net.call(x), y).item() / variance;
        }
    }

    /** The layer measures on the current training inputs (a fresh no-grad forward; gradients from the last step). */
    LayerDynamics.Snapshot look() {
        try (Autograd.GradMode ignored = Autograd.noGrad()) {
            net.call(x);
        }
        return LayerDynamics.of(capture.byUnit(), act == Net.Act.RELU ? LayerDynamics.Activation.RELU
                : LayerDynamics.Activation.TANH, linears);
    }

    /** The activation patterns of the training inputs, from the last forward pass (call {@link #look()} first). */
    java.util.BitSet[] patterns() {
        return unboxed.kit.stats.PatternChurn.patterns(capture.byUnit());
    }

    /** A new optimiser: Adam (AdamW with the weight decay, if any), its moments and step count empty. */
    void resetOptimizer() {
        double lr = opt == null ? LR : ((Number) opt.paramGroups().get(0).get("lr")).doubleValue();
        opt = weightDecay > 0
                ? new AdamW(net.parameters(), lr, new double[] {0.9, 0.999}, 1e-8, weightDecay, false, false)
                : new Adam(net.parameters(), lr);
    }

    void learningRate(double lr) {
        opt.paramGroups().get(0).set("lr", lr);
    }

    /**
     * Sokar et al.'s ReDo (2023), for dead units only: each hidden unit that is off for every
     * training input gets fresh incoming weights and bias (nn.Linear's default draw) and zero
     * outgoing weights, so the function is unchanged but the unit can learn again. Returns how
     * many units were re-initialised.
     */
    int reinitDead(Rng rng) {
        int revived = 0;
        try (Autograd.GradMode ignored = Autograd.noGrad()) {
            net.call(x);
            List<double[][]> pre = capture.byUnit();
            for (int l = 0; l < pre.size(); l++) {
                Linear in = linears.get(l);
                Linear out = linears.get(l + 1);
                float[] w = in.weight().data().toArray();
                float[] b = in.bias().data().toArray();
                float[] v = out.weight().data().toArray();
                int fanIn = in.weight().data().shape()[1];
                int units = in.weight().data().shape()[0];
                int outs = out.weight().data().shape()[0];
                double bound = 1 / Math.sqrt(fanIn);
                boolean changed = false;
                for (int u = 0; u < units; u++) {
                    boolean alive = false;
                    for (double z : pre.get(l)[u]) {
                        alive |= z > 0;
                    }
                    if (alive || act != Net.Act.RELU) {
                        continue;
                    }
                    for (int k = 0; k < fanIn; k++) {
                        w[u * fanIn + k] = (float) ((2 * rng.nextDouble() - 1) * bound);
                    }
                    b[u] = (float) ((2 * rng.nextDouble() - 1) * bound);
                    for (int o = 0; o < outs; o++) {
                        v[o * units + u] = 0;
                    }
                    changed = true;
                    revived++;
                }
                if (changed) {
                    in.weight().data().copy_(Tensor.of(w, in.weight().data().shape()));
                    in.bias().data().copy_(Tensor.of(b, in.bias().data().shape()));
                    out.weight().data().copy_(Tensor.of(v, out.weight().data().shape()));
                }
            }
        }
        return revived;
    }

    /**
     * Ash and Adams's shrink and perturb (2020): every parameter becomes λθ + p·ε, ε a fresh
     * default-initialised draw of the same layer.
     */
    void shrinkPerturb(double lambda, double p, Rng rng) {
        try (Autograd.GradMode ignored = Autograd.noGrad()) {
            for (Linear l : linears) {
                double bound = 1 / Math.sqrt(l.weight().data().shape()[1]);
                for (Parameter q : List.of(l.weight(), l.bias())) {
                    float[] v = q.data().toArray();
                    for (int i = 0; i < v.length; i++) {
                        v[i] = (float) (lambda * v[i] + p * (2 * rng.nextDouble() - 1) * bound);
                    }
                    q.data().copy_(Tensor.of(v, q.data().shape()));
                }
            }
        }
    }

    /** The kinks of the function inside [lo, hi] (ReLU networks; none for tanh). */
    List<Kinks.Kink> kinks(double lo, double hi, int points) {
        return act == Net.Act.RELU ? Kinks.find(net, lo, hi, points) : List.of();
    }

    @Override
    public void close() {
        capture.close();
    }
}
