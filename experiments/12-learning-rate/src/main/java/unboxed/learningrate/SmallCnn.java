package unboxed.learningrate;

import unboxed.nn.Conv2d;
import unboxed.nn.Linear;
import unboxed.nn.MaxPool2d;
import unboxed.nn.Module;
import unboxed.tensor.Rng;
import unboxed.tensor.Tensor;

/**
 * The image classifier of this post: post 02's CNN, narrowed so that a sweep of many rates and
 * seeds fits on two cores: conv3(C→8, pad 1), ReLU, max-pool 2, conv3(8→16, pad 1), ReLU,
 * max-pool 2, Linear(16·H/4·W/4 → classes). PyTorch's default initialisation, drawn in layer order.
 * Takes [N, C, H, W] images (Fashion-MNIST: C = 1, 28 × 28; CIFAR-10: C = 3, 32 × 32).
 */
final class SmallCnn extends Module {
    static final int C1 = 8;
    static final int C2 = 16;
    private final Conv2d conv1;
    private final Conv2d conv2;
    private final MaxPool2d pool = new MaxPool2d(2);
    private final Linear fc;
    private final int flat;

    SmallCnn(int channels, int height, int width, int classes, Rng rng) {
        if (height % 4 != 0 || width % 4 != 0) {
            throw new IllegalArgumentException("SmallCnn: image sides must be multiples of 4 (two 2x2 poolings), got "
                    + height + " x " + width);
        }
        conv1 = registerModule("conv1", new Conv2d(channels, C1, 3, 1, rng));
        conv2 = registerModule("conv2", new Conv2d(C1, C2, 3, 1, rng));
        flat = C2 * (height / 4) * (width / 4);
        fc = registerModule("fc", new Linear(flat, classes, rng));
    }

    @Override
    public Tensor forward(Tensor images) {
        Tensor x = pool.forward(conv1.forward(images).relu());
        x = pool.forward(conv2.forward(x).relu());
        return fc.forward(x.reshape(x.size(0), flat));
    }
}
