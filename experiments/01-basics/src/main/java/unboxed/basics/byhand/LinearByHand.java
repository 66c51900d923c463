package unboxed.basics.byhand;

import unboxed.autograd.Autograd;
import unboxed.tensor.Tensor;

/**
 * y = x W^T + b for x of shape (N, in), W (out, in), b (out). With G = dL/dy (N, out):
 * <pre>
 *   dL/dW = G^T x      (out, in): each weight collects input * upstream gradient over the batch
 *   dL/db = sum_n G    (out)
 *   dL/dx = G W        (N, in)
 * </pre>
 */
public final class LinearByHand {
    private final Tensor weight;
    private final Tensor bias;
    private Tensor input;
    private Tensor gradWeight;
    private Tensor gradBias;

    public LinearByHand(Tensor weight, Tensor bias) {
        this.weight = weight;
        this.bias = bias;
    }

    public Tensor forward(Tensor x) {
        return Autograd.noGrad(() -> {
            input = x;
            Tensor y = x.matmul(weight.t());
            return bias == null ? y : y.add(bias);
        });
    }

    /** Accumulates into {@link #gradWeight()}, {@link #gradBias()} and returns dL/dx. */
    public Tensor backward(Tensor gradOut) {
        return Autograd.noGrad(() -> {
            Tensor g2 = gradOut.reshape(-1, weight.size(0));
            Tensor x2 = input.reshape(-1, weight.size(1));
            Tensor gw = g2.t().matmul(x2);
            gradWeight = gradWeight == null ? gw : gradWeight.add(gw);
            if (bias != null) {
                Tensor gb = g2.sum(0, false);
                gradBias = gradBias == null ? gb : gradBias.add(gb);
            }
            return gradOut.matmul(weight);
        });
    }

    public Tensor gradWeight() {
        return gradWeight;
    }

    public Tensor gradBias() {
        return gradBias;
    }

    public void zeroGrad() {
        gradWeight = null;
        gradBias = null;
    }
}
