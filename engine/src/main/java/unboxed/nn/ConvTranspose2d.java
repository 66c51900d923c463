package unboxed.nn;

import unboxed.nn.functional.F;
import unboxed.tensor.Convolution;
import unboxed.tensor.Rng;
import unboxed.tensor.Tensor;

/**
 * {@code nn.ConvTranspose2d(in_channels, out_channels, kernel_size, stride=1, padding=0,
 * output_padding=0, groups=1, bias=True, dilation=1)}: weight [in, out/groups, kH, kW], bias [out].
 * The weight is laid out as the weight of the conv2d it transposes (which maps out channels to
 * in), so PyTorch's fan_in, computed from the weight's size(1) like any other, is out/groups * kH *
 * kW. Initialised as PyTorch does with that fan_in: weight and bias uniform in ±1/sqrt(fan_in)
 * (kaiming_uniform with a = sqrt(5)).
 */
public final class ConvTranspose2d extends Module {
    private final Parameter weight;
    private final Parameter bias;
    private final int[] stride;
    private final int[] padding;
    private final int[] outputPadding;
    private final int groups;
    private final int[] dilation;

    public ConvTranspose2d(int inChannels, int outChannels, int[] kernelSize, int[] stride, int[] padding,
                           int[] outputPadding, int groups, boolean bias, int[] dilation, Rng rng) {
        if (inChannels < 1 || outChannels < 1) {
            throw new IllegalArgumentException("ConvTranspose2d: in_channels and out_channels must be positive, got "
                    + inChannels + ", " + outChannels);
        }
        // PyTorch's checks (torch.nn.modules.conv._ConvNd), in its order
        if (groups <= 0) {
            throw new IllegalArgumentException("ConvTranspose2d: groups must be a positive integer, got groups=" + groups);
        }
        if (inChannels % groups != 0) {
            throw new IllegalArgumentException("ConvTranspose2d: in_channels must be divisible by groups, got"
                    + " in_channels=" + inChannels + ", groups=" + groups);
        }
        if (outChannels % groups != 0) {
            throw new IllegalArgumentException("ConvTranspose2d: out_channels must be divisible by groups, got"
                    + " out_channels=" + outChannels + ", groups=" + groups);
        }
        int[] k = Convolution.pair("ConvTranspose2d", "kernel_size", kernelSize);
        double bound = 1.0 / Math.sqrt((double) (outChannels / groups) * k[0] * k[1]);
        this.weight = registerParameter("weight",
                Tensor.uniform(rng, -bound, bound, inChannels, outChannels / groups, k[0], k[1]));
        this.bias = bias ? registerParameter("bias", Tensor.uniform(rng, -bound, bound, outChannels)) : null;
        this.stride = Convolution.pair("ConvTranspose2d", "stride", stride);
        this.padding = Convolution.pair("ConvTranspose2d", "padding", padding);
        this.outputPadding = Convolution.pair("ConvTranspose2d", "output_padding", outputPadding);
        this.groups = groups;
        this.dilation = Convolution.pair("ConvTranspose2d", "dilation", dilation);
    }

    /** A square kernel, the same stride and padding on both axes, no output_padding, groups 1, with bias. */
    public ConvTranspose2d(int inChannels, int outChannels, int kernelSize, int stride, int padding, Rng rng) {
        this(inChannels, outChannels, new int[] {kernelSize}, new int[] {stride}, new int[] {padding}, new int[] {0}, 1,
                true, new int[] {1}, rng);
    }

    /** Every argument an int (both axes). */
    public ConvTranspose2d(int inChannels, int outChannels, int kernelSize, int stride, int padding, int outputPadding,
                           int groups, boolean bias, int dilation, Rng rng) {
        this(inChannels, outChannels, new int[] {kernelSize}, new int[] {stride}, new int[] {padding},
                new int[] {outputPadding}, groups, bias, new int[] {dilation}, rng);
    }

    @Override
    public Tensor forward(Tensor input) {
        return F.convTranspose2d(input, weight.data(), bias == null ? null : bias.data(), stride, padding, outputPadding,
                groups, dilation);
    }

    /**
     * {@code forward(input, output_size)}: the output_padding that makes the output {@code outputSize}
     * (the last two entries, height and width) replaces the module's own, as in PyTorch. This picks
     * one of the sizes a strided conv2d maps to the same input size, the one that undoes it.
     */
    public Tensor forward(Tensor input, int[] outputSize) {
        if (input.dim() != 3 && input.dim() != 4) {
            throw new IllegalArgumentException("ConvTranspose2d: expected 3-D (unbatched) or 4-D (batched) input, got"
                    + " shape " + java.util.Arrays.toString(input.shape()));
        }
        if (outputSize.length < 2) {
            throw new IllegalArgumentException("ConvTranspose2d: output_size must give at least height and width, got "
                    + java.util.Arrays.toString(outputSize));
        }
        int[] size = {outputSize[outputSize.length - 2], outputSize[outputSize.length - 1]};
        int[] kernel = {weight.data().size(2), weight.data().size(3)};
        int[] op = new int[2];
        for (int a = 0; a < 2; a++) {
            int in = input.size(input.dim() - 2 + a);
            int min = Convolution.transposedSize(in, kernel[a], stride[a], padding[a], dilation[a], 0);
            int max = min + stride[a] - 1;
            if (size[a] < min || size[a] > max) {
                throw new IllegalArgumentException("ConvTranspose2d: requested an output size of "
                        + java.util.Arrays.toString(size) + ", but valid sizes range from [" + minMax(input, kernel, 0)
                        + "] to [" + minMax(input, kernel, 1) + "] (for an input of "
                        + java.util.Arrays.toString(input.shape()) + ")");
            }
            op[a] = size[a] - min;
        }
        return F.convTranspose2d(input, weight.data(), bias == null ? null : bias.data(), stride, padding, op, groups,
                dilation);
    }

    private String minMax(Tensor input, int[] kernel, int which) {
        StringBuilder sb = new StringBuilder();
        for (int a = 0; a < 2; a++) {
            int min = Convolution.transposedSize(input.size(input.dim() - 2 + a), kernel[a], stride[a], padding[a],
                    dilation[a], 0);
            sb.append(a == 0 ? "" : ", ").append(which == 0 ? min : min + stride[a] - 1);
        }
        return sb.toString();
    }

    public Parameter weight() {
        return weight;
    }

    public Parameter bias() {
        return bias;
    }

    public int groups() {
        return groups;
    }
}
