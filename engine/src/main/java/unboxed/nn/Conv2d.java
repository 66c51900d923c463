package unboxed.nn;

import unboxed.nn.functional.F;
import unboxed.tensor.Rng;
import unboxed.tensor.Tensor;

/**
 * {@code nn.Conv2d(in_channels, out_channels, kernel_size, stride=1, padding=0, dilation=1,
 * groups=1, bias=True)}: weight [out, in, kH, kW]. Initialised as PyTorch does: weight and bias
 * uniform in ±1/sqrt(fan_in), fan_in = in_channels * kH * kW (kaiming_uniform with a = sqrt(5)
 * works out to exactly that bound, as for Linear).
 */
public final class Conv2d extends Module {
    private final Parameter weight;
    private final Parameter bias;
    private final int[] stride;
    private final int[] padding;
    private final int[] dilation;

    public Conv2d(int inChannels, int outChannels, int[] kernelSize, int[] stride, int[] padding, int[] dilation,
                  boolean bias, Rng rng) {
        if (inChannels < 1 || outChannels < 1) {
            throw new IllegalArgumentException("Conv2d: in_channels and out_channels must be positive, got "
                    + inChannels + ", " + outChannels);
        }
        int kh = kernelSize[0];
        int kw = kernelSize.length > 1 ? kernelSize[1] : kh;
        double bound = 1.0 / Math.sqrt((double) inChannels * kh * kw);
        this.weight = registerParameter("weight", Tensor.uniform(rng, -bound, bound, outChannels, inChannels, kh, kw));
        this.bias = bias ? registerParameter("bias", Tensor.uniform(rng, -bound, bound, outChannels)) : null;
        this.stride = stride.clone();
        this.padding = padding.clone();
        this.dilation = dilation.clone();
    }

    /** A square kernel, stride 1, the given zero padding, with bias. */
    public Conv2d(int inChannels, int outChannels, int kernelSize, int padding, Rng rng) {
        this(inChannels, outChannels, new int[] {kernelSize}, new int[] {1}, new int[] {padding}, new int[] {1}, true, rng);
    }

    @Override
    public Tensor forward(Tensor input) {
        return F.conv2d(input, weight.data(), bias == null ? null : bias.data(), stride, padding, dilation, 1);
    }

    public Parameter weight() {
        return weight;
    }

    public Parameter bias() {
        return bias;
    }
}
