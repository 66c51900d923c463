package unboxed.transposeconv;

import unboxed.nn.Conv2d;
import unboxed.nn.ConvTranspose2d;
import unboxed.nn.Module;
import unboxed.tensor.Rng;
import unboxed.tensor.Tensor;

/**
 * The post's convolutional autoencoder for 28x28 images:
 * <pre>
 * encoder  conv(1→16, k3, s2, p1) ReLU         28 → 14
 *          conv(16→32, k3, s2, p1) ReLU        14 → 7     (the code: 32 x 7 x 7)
 * decoder  conv_transpose(32→16, k4, s2, p1) ReLU   7 → 14
 *          conv_transpose(16→1, k4, s2, p1)         14 → 28   (then a sigmoid, or nothing)
 * </pre>
 * Kernel 4 with stride 2 in the decoder: the kernel span is a multiple of the stride, so every
 * interior output pixel gets the same number of contributions (part 4). PyTorch's default
 * initialisation for every layer, drawn in layer order from one generator.
 */
public final class Autoencoder extends Module {
    private final Conv2d conv1;
    private final Conv2d conv2;
    private final ConvTranspose2d deconv1;
    private final ConvTranspose2d deconv2;
    private final boolean sigmoid;

    public Autoencoder(Rng rng, boolean sigmoid) {
        conv1 = registerModule("conv1", new Conv2d(1, 16, new int[] {3}, new int[] {2}, new int[] {1}, new int[] {1},
                true, rng));
        conv2 = registerModule("conv2", new Conv2d(16, 32, new int[] {3}, new int[] {2}, new int[] {1}, new int[] {1},
                true, rng));
        deconv1 = registerModule("deconv1", new ConvTranspose2d(32, 16, 4, 2, 1, 0, 1, true, 1, rng));
        deconv2 = registerModule("deconv2", new ConvTranspose2d(16, 1, 4, 2, 1, 0, 1, true, 1, rng));
        this.sigmoid = sigmoid;
    }

    /** [N, 1, 28, 28] to the code [N, 32, 7, 7]. */
    public Tensor encode(Tensor images) {
        return conv2.forward(conv1.forward(images).relu()).relu();
    }

    /** The code [N, 32, 7, 7] back to [N, 1, 28, 28]. */
    public Tensor decode(Tensor code) {
        Tensor y = deconv2.forward(deconv1.forward(code).relu());
        return sigmoid ? y.sigmoid() : y;
    }

    /**
     * How many channels of each hidden ReLU layer (conv1, conv2: the code, deconv1) output 0 for
     * every position of every one of {@code images}: units that no longer fire pass no gradient
     * either, so once dead they stay dead.
     */
    public int[] deadChannels(Tensor images) {
        Tensor h1 = conv1.forward(images).relu();
        Tensor h2 = conv2.forward(h1).relu();
        Tensor h3 = deconv1.forward(h2).relu();
        return new int[] {dead(h1), dead(h2), dead(h3)};
    }

    private static int dead(Tensor h) {
        float[] peak = h.amax(new int[] {0, 2, 3}, false).toArray();
        int n = 0;
        for (float v : peak) {
            n += v == 0 ? 1 : 0;
        }
        return n;
    }

    @Override
    public Tensor forward(Tensor images) {
        return decode(encode(images));
    }

    public Conv2d conv1() {
        return conv1;
    }

    public ConvTranspose2d deconv2() {
        return deconv2;
    }
}
