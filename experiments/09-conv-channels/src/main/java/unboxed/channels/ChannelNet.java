package unboxed.channels;

import java.util.List;
import unboxed.nn.Conv2d;
import unboxed.nn.Linear;
import unboxed.nn.Module;
import unboxed.nn.ReLU;
import unboxed.tensor.Rng;
import unboxed.tensor.Tensor;

/**
 * The post's CNN: three convolutions of {@code width} output channels each, the second and third
 * with stride 2 (post 03's strided convolutions, in place of pooling), each followed by a ReLU,
 * then a hidden Linear layer and the output layer:
 * conv5(c→w, pad 2) ReLU, conv3(w→w, stride 2, pad 1) ReLU, conv3(w→w, stride 2, pad 1) ReLU,
 * Linear(w·(s/4)² → 128) ReLU, Linear(128 → 10). On 28x28 images the three layers' maps are
 * 28x28, 14x14 and 7x7, and one value of the last reads an 11x11 window of the image. The first
 * kernel is 5x5 so that a single channel can tell 12 orientations apart (a 3x3 kernel has too few
 * pixels along a diagonal). PyTorch's default initialisation, drawn in layer order from one generator.
 */
public final class ChannelNet extends Module {
    /** The convolutions' kernel sizes, the first one's padding, and the hidden layer's width. */
    static final int FIRST_KERNEL = 5;
    static final int KERNEL = 3;
    static final int HIDDEN = 128;
    static final int CLASSES = 10;

    private final int inChannels;
    private final int size;
    private final int width;
    private final List<Conv2d> convs;
    private final List<ReLU> relus;
    private final Linear fc1;
    private final Linear fc2;

    /** {@code inChannels} × {@code size} × {@code size} images (size divisible by 4), {@code width} channels per conv layer. */
    public ChannelNet(int inChannels, int size, int width, Rng rng) {
        if (width < 1 || inChannels < 1 || size < 4 || size % 4 != 0) {
            throw new IllegalArgumentException("ChannelNet: need width ≥ 1, input channels ≥ 1 and a size divisible by"
                    + " 4, got width " + width + ", channels " + inChannels + ", size " + size);
        }
        this.inChannels = inChannels;
        this.size = size;
        this.width = width;
        int[] one = {1};
        int[] two = {2};
        convs = List.of(
                registerModule("conv1", new Conv2d(inChannels, width, new int[] {FIRST_KERNEL}, one,
                        new int[] {FIRST_KERNEL / 2}, one, true, rng)),
                registerModule("conv2", new Conv2d(width, width, new int[] {KERNEL}, two, one, one, true, rng)),
                registerModule("conv3", new Conv2d(width, width, new int[] {KERNEL}, two, one, one, true, rng)));
        // a ReLU module per layer, so that a forward hook sees (and may change) a layer's output channels
        relus = List.of(registerModule("relu1", new ReLU()), registerModule("relu2", new ReLU()),
                registerModule("relu3", new ReLU()));
        fc1 = registerModule("fc1", new Linear(features(), HIDDEN, rng));
        fc2 = registerModule("fc2", new Linear(HIDDEN, CLASSES, rng));
    }

    private int features() {
        return width * (size / 4) * (size / 4);
    }

    /** The conv layers, in order. */
    public List<Conv2d> convs() {
        return convs;
    }

    /** Each conv layer's ReLU: a forward hook on it sees the layer's output channels, [N, width, side, side]. */
    public List<ReLU> outputs() {
        return relus;
    }

    public int width() {
        return width;
    }

    public int size() {
        return size;
    }

    public int inChannels() {
        return inChannels;
    }

    @Override
    public Tensor forward(Tensor images) {
        int n = images.size(0);
        Tensor x = images.reshape(n, inChannels, size, size);
        for (int l = 0; l < convs.size(); l++) {
            x = relus.get(l).call(convs.get(l).call(x));
        }
        return fc2.forward(fc1.forward(x.reshape(n, features())).relu());
    }
}
