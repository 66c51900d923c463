package unboxed.simple;

import java.util.BitSet;
import java.util.List;
import unboxed.autograd.Autograd;
import unboxed.kit.stats.Kinks;
import unboxed.kit.stats.PatternChurn;
import unboxed.nn.MSELoss;
import unboxed.nn.Parameter;
import unboxed.nn.Sequential;
import unboxed.optim.Adam;
import unboxed.optim.Optimizer;
import unboxed.optim.SGD;
import unboxed.tensor.Rng;
import unboxed.tensor.Tensor;

/**
 * Fits a network to (x, y) pairs with the mean squared error: full-batch or mini-batch, SGD or
 * Adam. In full-batch mode every step's forward pass is watched by forward hooks on the ReLUs,
 * so the activation pattern of every training input at every step comes for free
 * ({@link #patterns()}).
 */
final class Fit implements AutoCloseable {
    /** An optimiser and batch size. */
    enum Optim {
        ADAM_FULL("adam-full", "Adam, full batch"), ADAM_MINI("adam-mini", "Adam, batch 32"),
        SGD_FULL("sgd-full", "SGD, full batch"), SGD_MINI("sgd-mini", "SGD, batch 32");

        final String id;
        final String label;

        Optim(String id, String label) {
            this.id = id;
            this.label = label;
        }

        boolean adam() {
            return this == ADAM_FULL || this == ADAM_MINI;
        }

        boolean full() {
            return this == ADAM_FULL || this == SGD_FULL;
        }

        static Optim byId(String id) {
            for (Optim o : values()) {
                if (o.id.equals(id)) {
                    return o;
                }
            }
            throw new IllegalArgumentException("no optimiser '" + id + "'");
        }
    }

    static final double ADAM_LR = 0.01;
    static final double SGD_LR = 0.05;
    static final double SGD_MOMENTUM = 0.9;
    static final int MINI_BATCH = 32;

    final Sequential net;
    private final Optim optim;
    private final Optimizer opt;
    private final Rng rng;
    private final MSELoss mse = new MSELoss();
    private final Kinks.Capture capture;
    private double[] x;
    private double[] y;
    private Tensor fullX;
    private Tensor fullY;
    private int[] order;
    private int cursor;

    Fit(Sequential net, List<Parameter> trained, Optim optim, Rng rng) {
        this.net = net;
        this.optim = optim;
        this.rng = rng;
        this.opt = optim.adam() ? new Adam(trained, ADAM_LR)
                : new SGD(trained, SGD_LR, SGD_MOMENTUM, 0, 0, false, false);
        this.capture = Kinks.Capture.onRelus(net);
    }

    /** The data to fit from now on (a change of target or of inputs mid-training is a call of this). */
    void data(double[] x, double[] y) {
        this.x = x.clone();
        this.y = y.clone();
        this.fullX = Kinks.column(x);
        this.fullY = Kinks.column(y);
        this.order = null;
    }

    /** One optimiser step; returns the loss of the batch it was computed on, before the step. */
    double step() {
        Tensor bx;
        Tensor by;
        if (optim.full()) {
            bx = fullX;
            by = fullY;
        } else {
            if (order == null || cursor + MINI_BATCH > order.length) {
                order = rng.permutation(x.length);
                cursor = 0;
            }
            float[] xs = new float[MINI_BATCH];
            float[] ys = new float[MINI_BATCH];
            for (int i = 0; i < MINI_BATCH; i++) {
                xs[i] = (float) x[order[cursor + i]];
                ys[i] = (float) y[order[cursor + i]];
            }
            cursor += MINI_BATCH;
            bx = Tensor.of(xs, MINI_BATCH, 1);
            by = Tensor.of(ys, MINI_BATCH, 1);
        }
        opt.zeroGrad();
        Tensor loss = mse.forward(net.call(bx), by);
        loss.backward();
        opt.step();
        return loss.item();
    }

    /** The activation patterns of the training inputs in the last full-batch step's forward pass (before its update). */
    BitSet[] patterns() {
        if (!optim.full()) {
            throw new IllegalStateException("patterns: only full-batch steps see every training input");
        }
        return PatternChurn.patterns(capture.byUnit());
    }

    /** The mean squared error on every training input, without a step. */
    double loss() {
        try (Autograd.GradMode ignored = Autograd.noGrad()) {
            return mse.forward(net.call(fullX), fullY).item();
        }
    }

    /** The network's output at the points {@code at}. */
    static double[] predict(Sequential net, double[] at) {
        try (Autograd.GradMode ignored = Autograd.noGrad()) {
            float[] v = net.call(Kinks.column(at)).toArray();
            double[] out = new double[v.length];
            for (int i = 0; i < v.length; i++) {
                out[i] = v[i];
            }
            return out;
        }
    }

    @Override
    public void close() {
        capture.close();
    }
}
