package unboxed.learningrate;

import java.util.ArrayList;
import java.util.List;
import unboxed.nn.Linear;
import unboxed.nn.Module;
import unboxed.nn.ReLU;
import unboxed.nn.Sequential;
import unboxed.nn.Tanh;
import unboxed.simple.Net;
import unboxed.simple.Target;
import unboxed.tensor.Rng;
import unboxed.tensor.Tensor;

/**
 * The regression tasks of the post and the MLPs that fit them.
 * <ul>
 *   <li>{@link #sine}: post 06's task, sin x at {@code n} points equally spaced on [−π, π];</li>
 *   <li>{@link #ridge}: the same function in d dimensions, f(x) = sin(a u·x) with u a random unit
 *       vector, at n points x ~ N(0, I_d): u·x ~ N(0, 1) whatever d is, so the target is equally
 *       hard in every dimension, while ‖x‖² ≈ d grows.</li>
 * </ul>
 */
final class Regression {
    /** Inputs [n, d] and targets [n, 1]. */
    record Task(Tensor x, Tensor y, int n, int d) {
    }

    private Regression() {
    }

    static Task sine(int n) {
        float[] x = new float[n];
        float[] y = new float[n];
        for (int i = 0; i < n; i++) {
            double xi = -Math.PI + 2 * Math.PI * i / (n - 1);
            x[i] = (float) xi;
            y[i] = (float) Target.SIN.at(xi);
        }
        return new Task(Tensor.of(x, n, 1), Tensor.of(y, n, 1), n, 1);
    }

    /** The frequency a of the ridge task: sin(2z) with z ~ N(0, 1) has a few wiggles where the inputs are. */
    static final double RIDGE_FREQUENCY = 2;

    static Task ridge(int d, int n, Rng rng) {
        if (d < 1 || n < 2) {
            throw new IllegalArgumentException("ridge task: d >= 1 and n >= 2 expected, got d " + d + ", n " + n);
        }
        float[] x = rng.fork("inputs").normal(n * d, 0, 1);
        float[] u = rng.fork("direction").normal(d, 0, 1);
        double norm = 0;
        for (float v : u) {
            norm += v * (double) v;
        }
        norm = Math.sqrt(norm);
        float[] y = new float[n];
        for (int i = 0; i < n; i++) {
            double z = 0;
            for (int j = 0; j < d; j++) {
                z += x[i * d + j] * (u[j] / norm);
            }
            y[i] = (float) Math.sin(RIDGE_FREQUENCY * z);
        }
        return new Task(Tensor.of(x, n, d), Tensor.of(y, n, 1), n, d);
    }

    /**
     * d-width-…-width-1 with {@code depth} hidden layers and PyTorch's default initialisation, drawn
     * layer by layer from {@code rng}; for d = 1 it is post 06's {@code Net.mlp} with the default scheme.
     */
    static Sequential mlp(int d, int width, int depth, Net.Act act, Rng rng) {
        if (d == 1) {
            return Net.mlp(width, depth, act, Net.Scheme.DEFAULT, rng);
        }
        if (width < 1 || depth < 1) {
            throw new IllegalArgumentException("mlp: width and depth must be >= 1, got " + width + ", " + depth);
        }
        List<Module> layers = new ArrayList<>();
        int in = d;
        for (int l = 0; l < depth; l++) {
            layers.add(new Linear(in, width, rng));
            layers.add(act == Net.Act.RELU ? new ReLU() : new Tanh());
            in = width;
        }
        layers.add(new Linear(in, 1, rng));
        return new Sequential(layers.toArray(new Module[0]));
    }
}
