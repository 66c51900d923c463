package unboxed.nn;

import unboxed.backend.Window2d;
import unboxed.nn.functional.F;
import unboxed.tensor.Convolution;
import unboxed.tensor.Rng;
import unboxed.tensor.Tensor;

/**
 * A locally connected layer: a {@link Conv2d} whose kernel is not shared, one kernel per output
 * position (PyTorch has no such module; Keras calls it LocallyConnected2D). It keeps the
 * convolution's locality, each output reading one window of the input, and drops its weight
 * sharing, so it has OH·OW times conv2d's parameters for the same arithmetic. It is therefore
 * built for one input size: weight [OH, OW, out, in, kH, kW], bias [out, OH, OW].
 *
 * <p>Initialised as {@link Conv2d} is: weight, then bias, uniform in ±1/sqrt(fan_in), fan_in =
 * in * kH * kW, the inputs each output sees. So each position's kernel is drawn as a conv2d kernel
 * would be, and the layer computes, at initialisation, what a convolution with a random kernel
 * per position would.
 */
public final class LocallyConnected2d extends Module {
    private final Parameter weight;
    private final Parameter bias;
    private final int[] stride;
    private final int[] padding;
    private final int[] dilation;
    private final int[] outputSize;

    /**
     * @param inputSize the input's height and width (an int for both, or a pair); the output size
     *                  follows from it as for conv2d
     */
    public LocallyConnected2d(int inChannels, int outChannels, int[] inputSize, int[] kernelSize, int[] stride,
                              int[] padding, int[] dilation, boolean bias, Rng rng) {
        String op = "LocallyConnected2d";
        if (inChannels < 1 || outChannels < 1) {
            throw new IllegalArgumentException(op + ": in_channels and out_channels must be positive, got "
                    + inChannels + ", " + outChannels);
        }
        int[] in = Convolution.pair(op, "input_size", inputSize);
        int[] k = Convolution.pair(op, "kernel_size", kernelSize);
        this.stride = Convolution.pair(op, "stride", stride);
        this.padding = Convolution.pair(op, "padding", padding);
        this.dilation = Convolution.pair(op, "dilation", dilation);
        Window2d w = new Window2d(k[0], k[1], this.stride[0], this.stride[1], this.padding[0], this.padding[1],
                this.dilation[0], this.dilation[1]);
        int oh = w.outH(in[0], false);
        int ow = w.outW(in[1], false);
        if (oh < 1 || ow < 1) {
            throw new IllegalArgumentException(op + ": a " + k[0] + "x" + k[1] + " kernel with padding "
                    + this.padding[0] + "x" + this.padding[1] + " and dilation " + this.dilation[0] + "x"
                    + this.dilation[1] + " does not fit an input of " + in[0] + "x" + in[1]
                    + " (make the kernel smaller or pad the input)");
        }
        this.outputSize = new int[] {oh, ow};
        double bound = 1.0 / Math.sqrt((double) inChannels * k[0] * k[1]);
        this.weight = registerParameter("weight",
                Tensor.uniform(rng, -bound, bound, oh, ow, outChannels, inChannels, k[0], k[1]));
        this.bias = bias ? registerParameter("bias", Tensor.uniform(rng, -bound, bound, outChannels, oh, ow)) : null;
    }

    /** A square kernel, stride 1, no padding, with bias: the layer that mirrors {@code nn.Conv2d(in, out, k)}. */
    public LocallyConnected2d(int inChannels, int outChannels, int inputSize, int kernelSize, Rng rng) {
        this(inChannels, outChannels, new int[] {inputSize}, new int[] {kernelSize}, new int[] {1}, new int[] {0},
                new int[] {1}, true, rng);
    }

    @Override
    public Tensor forward(Tensor input) {
        return F.locallyConnected2d(input, weight.data(), bias == null ? null : bias.data(), stride, padding, dilation);
    }

    public Parameter weight() {
        return weight;
    }

    public Parameter bias() {
        return bias;
    }

    /** The output's height and width. */
    public int[] outputSize() {
        return outputSize.clone();
    }
}
