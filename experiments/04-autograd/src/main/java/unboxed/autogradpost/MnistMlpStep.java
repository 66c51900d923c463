package unboxed.autogradpost;

import java.io.IOException;
import java.util.List;
import unboxed.autograd.Autograd;
import unboxed.basics.Mlp;
import unboxed.basics.byhand.CrossEntropyByHand;
import unboxed.basics.byhand.LinearByHand;
import unboxed.basics.byhand.ReLUByHand;
import unboxed.data.DataLoader;
import unboxed.data.Dataset;
import unboxed.nn.Linear;
import unboxed.nn.Sequential;
import unboxed.nn.functional.F;
import unboxed.tensor.Rng;
import unboxed.tensor.Tensor;

/**
 * One training step's gradients of post 01's MLP (784 → 256 → ReLU → 10, cross-entropy) on one
 * MNIST batch, two ways: through the engine's autograd, and through post 01's layers with
 * hand-derived gradients. Shared by the graph-cost experiment and its benchmark, so both measure
 * the same work.
 */
final class MnistMlpStep {
    static final int BATCH = 64;

    final Sequential model;
    final Tensor images;
    final Tensor labels;

    /** The model initialised from {@code seed} as post 01 does, and the first batch of MNIST's training set. */
    MnistMlpStep(long seed, Dataset train) {
        this.model = Mlp.create(new Rng(seed));
        DataLoader loader = new DataLoader(train, BATCH, false, true, true, new Rng(seed).fork("batches"));
        DataLoader.Batch b = loader.epoch().iterator().next();
        this.images = b.images();
        this.labels = b.labels();
    }

    static MnistMlpStep firstBatch(long seed) throws IOException {
        return new MnistMlpStep(seed, Dataset.mnist(true));
    }

    Linear first() {
        return (Linear) model.get(0);
    }

    Linear second() {
        return (Linear) model.get(2);
    }

    /** The loss with its graph recorded; nothing run backward yet. */
    Tensor recordedLoss() {
        return F.crossEntropy(model.forward(images), labels);
    }

    /** Autograd's step: forward with recording, backward; returns dW1, db1, dW2, db2. */
    List<Tensor> autogradGradients() {
        model.zeroGrad();
        recordedLoss().backward();
        return List.of(first().weight().grad(), first().bias().grad(), second().weight().grad(),
                second().bias().grad());
    }

    /** The same model's layers with hand-derived gradients, over the same parameter values. */
    final class ByHand {
        final LinearByHand l1 = new LinearByHand(first().weight().data(), first().bias().data());
        final ReLUByHand relu = new ReLUByHand();
        final LinearByHand l2 = new LinearByHand(second().weight().data(), second().bias().data());
        final CrossEntropyByHand loss = new CrossEntropyByHand();

        /** Forward only: afterwards the four layers hold what their backward needs. */
        Tensor forward() {
            return Autograd.noGrad(() -> loss.forward(l2.forward(relu.forward(l1.forward(images))), labels));
        }

        /** Backward from dL/dL = 1; returns dW1, db1, dW2, db2. */
        List<Tensor> backward() {
            l1.zeroGrad();
            l2.zeroGrad();
            Tensor one = Tensor.full(images.backend(), 1f);
            l1.backward(relu.backward(l2.backward(loss.backward(one))));
            return List.of(l1.gradWeight(), l1.gradBias(), l2.gradWeight(), l2.gradBias());
        }

        List<Object> layers() {
            return List.of(l1, relu, l2, loss);
        }
    }
}
