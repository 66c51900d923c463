package unboxed.fluctuations;

import unboxed.tensor.Tensor;

/** The nonlinearity between two affine layers, with the scalar function and its derivative the theory integrates. */
enum Activation {
    NONE("none") {
        @Override
        Tensor apply(Tensor h) {
            return h;
        }

        @Override
        double f(double z) {
            return z;
        }

        @Override
        double df(double z) {
            return 1;
        }
    },
    TANH("tanh") {
        @Override
        Tensor apply(Tensor h) {
            return h.tanh();
        }

        @Override
        double f(double z) {
            return Math.tanh(z);
        }

        @Override
        double df(double z) {
            double t = Math.tanh(z);
            return 1 - t * t;
        }
    },
    RELU("relu") {
        @Override
        Tensor apply(Tensor h) {
            return h.relu();
        }

        @Override
        double f(double z) {
            return z > 0 ? z : 0;
        }

        @Override
        double df(double z) {
            return z > 0 ? 1 : 0;
        }
    },
    SIGMOID("sigmoid") {
        @Override
        Tensor apply(Tensor h) {
            return h.sigmoid();
        }

        @Override
        double f(double z) {
            return 1 / (1 + Math.exp(-z));
        }

        @Override
        double df(double z) {
            double s = f(z);
            return s * (1 - s);
        }
    };

    final String id;

    Activation(String id) {
        this.id = id;
    }

    abstract Tensor apply(Tensor h);

    abstract double f(double z);

    abstract double df(double z);

    static Activation byId(String id) {
        for (Activation a : values()) {
            if (a.id.equals(id)) {
                return a;
            }
        }
        throw new IllegalArgumentException("unknown activation '" + id + "' (none, tanh, relu, sigmoid)");
    }
}
