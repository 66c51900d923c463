package unboxed.convolutions;

import java.util.List;
import unboxed.nn.Conv2d;
import unboxed.nn.Linear;
import unboxed.nn.MaxPool2d;
import unboxed.nn.Module;
import unboxed.nn.ReLU;
import unboxed.tensor.Rng;
import unboxed.tensor.Tensor;

/**
 * The post's CNN for MNIST: conv5(1→16, pad 2), ReLU, max-pool 2, conv5(16→32, pad 2), ReLU,
 * max-pool 2, Linear(1568→128), ReLU, Linear(128→10). Input: a batch of flat 784-pixel images,
 * viewed as [N, 1, 28, 28]. PyTorch's default initialisation for every layer, drawn in layer order
 * from one generator. Each conv layer's ReLU is a module of its own ({@link #channelOutputs()}), so
 * that a forward hook can see the channels the next layer reads (post 09 looks at them).
 */
public final class Cnn extends Module {
    public static final int SIDE = 28;
    public static final int PIXELS = SIDE * SIDE;
    private final Conv2d conv1;
    private final Conv2d conv2;
    private final ReLU relu1;
    private final ReLU relu2;
    private final MaxPool2d pool = new MaxPool2d(2);
    private final Linear fc1;
    private final Linear fc2;

    public Cnn(Rng rng) {
        conv1 = registerModule("conv1", new Conv2d(1, 16, 5, 2, rng));
        conv2 = registerModule("conv2", new Conv2d(16, 32, 5, 2, rng));
        relu1 = registerModule("relu1", new ReLU());
        relu2 = registerModule("relu2", new ReLU());
        fc1 = registerModule("fc1", new Linear(32 * 7 * 7, 128, rng));
        fc2 = registerModule("fc2", new Linear(128, 10, rng));
    }

    /**
     * The pre-activation of conv layer {@code layer} (1 or 2) for images [N, 1, H, W] of any size
     * (the convolutional part does not care about the size; only the classifier needs 28 × 28):
     * conv1's output, or conv2's on the pooled ReLU of conv1's.
     */
    public Tensor convOutput(Tensor images, int layer) {
        if (layer != 1 && layer != 2) {
            throw new IllegalArgumentException("convOutput: the CNN has conv layers 1 and 2, not " + layer);
        }
        if (images.dim() != 4 || images.size(1) != 1) {
            throw new IllegalArgumentException("convOutput: expected images [N, 1, H, W], got "
                    + java.util.Arrays.toString(images.shape()));
        }
        Tensor x = conv1.forward(images);
        return layer == 1 ? x : conv2.forward(pool.forward(x.relu()));
    }

    /** The ReLU after each conv layer (before its pooling): a forward hook on one sees that layer's output channels. */
    public List<Module> channelOutputs() {
        return List.of(relu1, relu2);
    }

    /** The conv layers, in order. */
    public List<Conv2d> convs() {
        return List.of(conv1, conv2);
    }

    @Override
    public Tensor forward(Tensor images) {
        int n = images.size(0);
        Tensor x = images.reshape(n, 1, 28, 28);
        x = pool.forward(relu1.call(conv1.call(x)));        // [N, 16, 14, 14]
        x = pool.forward(relu2.call(conv2.call(x)));        // [N, 32, 7, 7]
        return fc2.forward(fc1.forward(x.reshape(n, 32 * 7 * 7)).relu());
    }
}
