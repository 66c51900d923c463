package unboxed.nn;

import unboxed.nn.functional.F;
import unboxed.tensor.Rng;
import unboxed.tensor.Tensor;

/**
 * {@code nn.Linear(in_features, out_features, bias)}: y = x W^T + b. Initialised as PyTorch does:
 * weight and bias uniform in ±1/sqrt(in_features) (kaiming_uniform with a = sqrt(5) works out
 * to exactly that bound).
 */
public final class Linear extends Module {
    private final int inFeatures;
    private final int outFeatures;
    private final Parameter weight;
    private final Parameter bias;

    public Linear(int inFeatures, int outFeatures, boolean bias, Rng rng) {
        if (inFeatures < 0 || outFeatures < 0) {
            throw new IllegalArgumentException("Linear: in_features and out_features must be >= 0, got "
                    + inFeatures + ", " + outFeatures);
        }
        this.inFeatures = inFeatures;
        this.outFeatures = outFeatures;
        double bound = inFeatures > 0 ? 1.0 / Math.sqrt(inFeatures) : 0.0;
        this.weight = registerParameter("weight", Tensor.uniform(rng, -bound, bound, outFeatures, inFeatures));
        this.bias = bias ? registerParameter("bias", Tensor.uniform(rng, -bound, bound, outFeatures)) : null;
    }

    public Linear(int inFeatures, int outFeatures, Rng rng) {
        this(inFeatures, outFeatures, true, rng);
    }

    @Override
    public Tensor forward(Tensor input) {
        return F.linear(input, weight.data(), bias == null ? null : bias.data());
    }

    public Parameter weight() {
        return weight;
    }

    public Parameter bias() {
        return bias;
    }

    public int inFeatures() {
        return inFeatures;
    }

    public int outFeatures() {
        return outFeatures;
    }
}
