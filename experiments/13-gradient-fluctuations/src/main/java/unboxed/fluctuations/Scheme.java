package unboxed.fluctuations;

import unboxed.nn.Init;
import unboxed.nn.Linear;
import unboxed.tensor.Rng;

/**
 * An initialisation of a Linear layer's weight and bias, and the variances it gives them (what the
 * theory needs). The five of the main sweep, then the variants the interventions and the fan
 * comparison use. Every scheme but PyTorch's default sets the bias to zero, as Glorot and He do;
 * the default keeps nn.Linear's own bias, uniform in ±1/sqrt(fan_in).
 */
enum Scheme {
    NORMAL_1("normal-1", "N(0, 1)"),
    NORMAL_001("normal-0.01", "N(0, 0.01²)"),
    DEFAULT("default", "PyTorch default"),
    XAVIER("xavier", "Glorot (Xavier) uniform"),
    HE("he", "He (Kaiming) normal"),
    XAVIER_NORMAL("xavier-normal", "Glorot (Xavier) normal"),
    HE_UNIFORM("he-uniform", "He (Kaiming) uniform"),
    FAN_IN("fan-in", "1/fan_in"),
    FAN_OUT("fan-out", "1/fan_out");

    final String id;
    final String label;

    Scheme(String id, String label) {
        this.id = id;
        this.label = label;
    }

    /** Re-initialises the layer (its weight is [out, in]). */
    void apply(Linear layer, Rng rng) {
        var w = layer.weight().data();
        switch (this) {
            case NORMAL_1 -> Init.normal_(w, 0, 1, rng);
            case NORMAL_001 -> Init.normal_(w, 0, 0.01, rng);
            case DEFAULT -> {
                return; // nn.Linear's own: kaiming_uniform_(a = sqrt(5)) and a bias in ±1/sqrt(fan_in)
            }
            case XAVIER -> Init.xavierUniform_(w, 1.0, rng);
            case HE -> Init.kaimingNormal_(w, 0, "fan_in", "relu", rng);
            case XAVIER_NORMAL -> Init.xavierNormal_(w, 1.0, rng);
            case HE_UNIFORM -> Init.kaimingUniform_(w, 0, "fan_in", "relu", rng);
            case FAN_IN -> Init.kaimingNormal_(w, 0, "fan_in", "linear", rng);
            case FAN_OUT -> Init.kaimingNormal_(w, 0, "fan_out", "linear", rng);
            default -> throw new IllegalStateException(name());
        }
        if (layer.bias() != null) {
            Init.zeros_(layer.bias().data());
        }
    }

    /** Var[w] for a layer with these fans. */
    double weightVariance(int fanIn, int fanOut) {
        return switch (this) {
            case NORMAL_1 -> 1;
            case NORMAL_001 -> 1e-4;
            case DEFAULT -> 1.0 / (3 * fanIn);
            case XAVIER, XAVIER_NORMAL -> 2.0 / (fanIn + fanOut);
            case HE, HE_UNIFORM -> 2.0 / fanIn;
            case FAN_IN -> 1.0 / fanIn;
            case FAN_OUT -> 1.0 / fanOut;
        };
    }

    /** Var[b]. */
    double biasVariance(int fanIn) {
        return this == DEFAULT ? 1.0 / (3 * fanIn) : 0;
    }

    static Scheme byId(String id) {
        for (Scheme s : values()) {
            if (s.id.equals(id)) {
                return s;
            }
        }
        throw new IllegalArgumentException("unknown initialisation '" + id + "'");
    }
}
