package unboxed.kit.stats;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import unboxed.nn.Module;
import unboxed.tensor.Tensor;

/**
 * Forward hooks on a layer whose output is a stack of channels, [N, C, H, W]: {@link Capture}
 * records what each channel does for each image, {@link #ablate} zeroes channels, the way one
 * would with {@code register_forward_hook} in PyTorch. Hook a convolution's activation module
 * (its ReLU) to see the channels the next layer reads.
 *
 * <pre>{@code
 * ReLU relu1 = ...;                                                // the module after a convolution
 * try (Channels.Capture cap = Channels.capture(relu1, 4)) {          // keep the maps of the first 4 images
 *     net.call(images);
 *     double[][] r = cap.responses();                                // [image][channel]: the mean over the map
 * }
 * try (AutoCloseable off = Channels.ablate(relu1, 16, 5)) {          // channel 5 of 16 reads as 0 downstream
 *     accuracy(net, test);
 * }
 * }</pre>
 */
public final class Channels {
    private Channels() {
    }

    /**
     * Records, for every image that goes through the hooked module, each channel's <em>response</em>
     * (the mean of its map over all positions: how much of the feature the image holds) and the
     * largest value of each map, across any number of forward calls; and the whole maps of the
     * first {@code keepMaps} images. Closing it removes the hook.
     */
    public static Capture capture(Module module, int keepMaps) {
        return new Capture(module, keepMaps);
    }

    /** What {@link #capture} records. */
    public static final class Capture implements AutoCloseable {
        private final AutoCloseable handle;
        private final int keepMaps;
        private final List<double[]> responses = new ArrayList<>();
        private final List<double[]> peaks = new ArrayList<>();
        private final List<double[][]> maps = new ArrayList<>();
        private int channels = -1;
        private int height;
        private int width;

        private Capture(Module module, int keepMaps) {
            if (keepMaps < 0) {
                throw new IllegalArgumentException("Channels.capture: keepMaps " + keepMaps + " must be ≥ 0");
            }
            this.keepMaps = keepMaps;
            this.handle = module.registerForwardHook((m, in, out) -> {
                record(out);
                return null;
            });
        }

        private void record(Tensor out) {
            int[] s = out.shape();
            if (s.length != 4) {
                throw new IllegalArgumentException("Channels.capture: the hooked module's output has shape "
                        + Arrays.toString(s) + "; expected [N, C, H, W] (hook a convolution's activation)");
            }
            if (channels >= 0 && (s[1] != channels || s[2] != height || s[3] != width)) {
                throw new IllegalArgumentException("Channels.capture: output shape " + Arrays.toString(s)
                        + " differs from the first call's [N, " + channels + ", " + height + ", " + width + "]");
            }
            channels = s[1];
            height = s[2];
            width = s[3];
            float[] v = out.contiguous().toArray();
            int hw = height * width;
            for (int n = 0; n < s[0]; n++) {
                double[] r = new double[channels];
                double[] p = new double[channels];
                double[][] keep = responses.size() < keepMaps ? new double[channels][] : null;
                for (int c = 0; c < channels; c++) {
                    int base = (n * channels + c) * hw;
                    double sum = 0;
                    double max = Double.NEGATIVE_INFINITY;
                    for (int i = 0; i < hw; i++) {
                        sum += v[base + i];
                        max = Math.max(max, v[base + i]);
                    }
                    r[c] = sum / hw;
                    p[c] = max;
                    if (keep != null) {
                        keep[c] = new double[hw];
                        for (int i = 0; i < hw; i++) {
                            keep[c][i] = v[base + i];
                        }
                    }
                }
                if (keep != null) {
                    maps.add(keep);
                }
                responses.add(r);
                peaks.add(p);
            }
        }

        /** [image][channel]: the mean of each channel's map, images in the order they went through. */
        public double[][] responses() {
            return responses.toArray(new double[0][]);
        }

        /** [image][channel]: the largest value of each channel's map. */
        public double[][] peaks() {
            return peaks.toArray(new double[0][]);
        }

        /** [image][channel][row * width + column]: the maps of the first {@code keepMaps} images. */
        public List<double[][]> maps() {
            return List.copyOf(maps);
        }

        public int channels() {
            return channels;
        }

        /** The maps' height and width. */
        public int[] mapShape() {
            return new int[] {height, width};
        }

        @Override
        public void close() {
            try {
                handle.close();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /**
     * Zeroes the given channels of the module's output on every forward call until the handle is
     * closed: the layers downstream read 0 from them, for every image and position. The output
     * must have {@code channels} channels; a channel outside [0, channels) is an error.
     */
    public static AutoCloseable ablate(Module module, int channels, int... zeroed) {
        float[] keep = new float[channels];
        Arrays.fill(keep, 1f);
        for (int c : zeroed) {
            if (c < 0 || c >= channels) {
                throw new IllegalArgumentException("Channels.ablate: channel " + c + " is not one of the layer's "
                        + channels + " (0 to " + (channels - 1) + ")");
            }
            keep[c] = 0f;
        }
        Tensor mask = Tensor.of(keep, 1, channels, 1, 1);
        return module.registerForwardHook((m, in, out) -> {
            if (out.dim() != 4 || out.size(1) != channels) {
                throw new IllegalArgumentException("Channels.ablate: the hooked module's output has shape "
                        + Arrays.toString(out.shape()) + "; expected [N, " + channels + ", H, W]");
            }
            // a product rather than a write: the output may be part of a recorded graph
            return out.mul(mask.to(out.backend()));
        });
    }
}
