package unboxed.simple;

import java.util.ArrayList;
import java.util.List;
import unboxed.autograd.Autograd;
import unboxed.nn.Init;
import unboxed.nn.Linear;
import unboxed.nn.Module;
import unboxed.nn.ReLU;
import unboxed.nn.Sequential;
import unboxed.nn.Tanh;
import unboxed.tensor.Rng;

/**
 * The networks of this post: MLPs 1-H-…-H-1 with {@code depth} hidden layers of {@code width}
 * units, ReLU or tanh, initialised by one of three schemes.
 */
public final class Net {
    private Net() {
    }

    /** The activation between the layers. */
    public enum Act {
        RELU("relu", "ReLU"), TANH("tanh", "tanh");

        public final String id;
        public final String label;

        Act(String id, String label) {
            this.id = id;
            this.label = label;
        }

        public static Act byId(String id) {
            for (Act a : values()) {
                if (a.id.equals(id)) {
                    return a;
                }
            }
            throw new IllegalArgumentException("no activation '" + id + "'");
        }
    }

    /** How the weights and biases are drawn. */
    public enum Scheme {
        /** nn.Linear's own: weight and bias uniform in ±1/√fan_in. */
        DEFAULT("default", "PyTorch default"),
        /** kaiming_normal_(nonlinearity='relu'): N(0, 2/fan_in), biases zero. */
        HE("he", "He (zero bias)"),
        /** xavier_uniform_: uniform in ±√(6/(fan_in + fan_out)), biases zero. */
        XAVIER("xavier", "Glorot (zero bias)");

        public final String id;
        public final String label;

        Scheme(String id, String label) {
            this.id = id;
            this.label = label;
        }

        public static Scheme byId(String id) {
            for (Scheme s : values()) {
                if (s.id.equals(id)) {
                    return s;
                }
            }
            throw new IllegalArgumentException("no initialisation '" + id + "'");
        }
    }

    /** 1-width-…-width-1 with {@code depth} hidden layers. */
    public static Sequential mlp(int width, int depth, Act act, Scheme scheme, Rng rng) {
        if (width < 1 || depth < 1) {
            throw new IllegalArgumentException("mlp: width and depth must be >= 1, got " + width + ", " + depth);
        }
        List<Module> layers = new ArrayList<>();
        int in = 1;
        for (int l = 0; l < depth; l++) {
            layers.add(init(new Linear(in, width, rng), scheme, rng));
            layers.add(act == Act.RELU ? new ReLU() : new Tanh());
            in = width;
        }
        layers.add(init(new Linear(in, 1, rng), scheme, rng));
        return new Sequential(layers.toArray(new Module[0]));
    }

    private static Linear init(Linear l, Scheme scheme, Rng rng) {
        if (scheme == Scheme.DEFAULT) {
            return l;
        }
        try (Autograd.GradMode ignored = Autograd.noGrad()) {
            if (scheme == Scheme.HE) {
                Init.kaimingNormal_(l.weight().data(), 0, "fan_in", "relu", rng);
            } else {
                Init.xavierUniform_(l.weight().data(), 1, rng);
            }
            Init.zeros_(l.bias().data());
        }
        return l;
    }

    /** The Linear layers of an MLP built by {@link #mlp}, in order. */
    public static List<Linear> linears(Sequential net) {
        List<Linear> out = new ArrayList<>();
        for (int i = 0; i < net.size(); i++) {
            if (net.get(i) instanceof Linear l) {
                out.add(l);
            }
        }
        return out;
    }

    /** Every parameter as one vector of doubles (weights and biases, layer by layer). */
    public static double[] flat(Sequential net) {
        List<float[]> parts = new ArrayList<>();
        int n = 0;
        for (var p : net.parameters()) {
            float[] v = p.data().toArray();
            parts.add(v);
            n += v.length;
        }
        double[] out = new double[n];
        int k = 0;
        for (float[] v : parts) {
            for (float f : v) {
                out[k++] = f;
            }
        }
        return out;
    }
}
