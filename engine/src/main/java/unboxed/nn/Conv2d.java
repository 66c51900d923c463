package unboxed.nn;

import java.util.Set;
import unboxed.nn.functional.F;
import unboxed.tensor.Convolution;
import unboxed.tensor.Rng;
import unboxed.tensor.Tensor;

/**
 * {@code nn.Conv2d(in_channels, out_channels, kernel_size, stride=1, padding=0, dilation=1,
 * groups=1, bias=True, padding_mode='zeros')}: weight [out, in/groups, kH, kW], bias [out].
 * Initialised as PyTorch does: weight and bias uniform in ±1/sqrt(fan_in), fan_in = in/groups * kH
 * * kW, the inputs each output actually sees (kaiming_uniform with a = sqrt(5) works out to exactly
 * that bound, as for Linear). padding is an int, a pair, or 'same' / 'valid'.
 */
public final class Conv2d extends Module {
    private static final Set<String> PADDING_MODES = Set.of("zeros", "reflect", "replicate", "circular");

    private final Parameter weight;
    private final Parameter bias;
    private final int[] stride;
    private final int[] padding;
    private final String paddingString;
    private final int[] dilation;
    private final int groups;

    /** The full argument set, with numeric padding. */
    public Conv2d(int inChannels, int outChannels, int[] kernelSize, int[] stride, int[] padding, int[] dilation,
                  int groups, boolean bias, String paddingMode, Rng rng) {
        this(inChannels, outChannels, kernelSize, stride, padding, null, dilation, groups, bias, paddingMode, rng);
    }

    /** The full argument set, with padding 'same' or 'valid'. */
    public Conv2d(int inChannels, int outChannels, int[] kernelSize, int[] stride, String padding, int[] dilation,
                  int groups, boolean bias, String paddingMode, Rng rng) {
        this(inChannels, outChannels, kernelSize, stride, null, padding, dilation, groups, bias, paddingMode, rng);
    }

    /** groups = 1, padding_mode 'zeros'. */
    public Conv2d(int inChannels, int outChannels, int[] kernelSize, int[] stride, int[] padding, int[] dilation,
                  boolean bias, Rng rng) {
        this(inChannels, outChannels, kernelSize, stride, padding, dilation, 1, bias, "zeros", rng);
    }

    /** A square kernel, stride 1, the given zero padding, with bias. */
    public Conv2d(int inChannels, int outChannels, int kernelSize, int padding, Rng rng) {
        this(inChannels, outChannels, new int[] {kernelSize}, new int[] {1}, new int[] {padding}, new int[] {1}, true, rng);
    }

    private Conv2d(int inChannels, int outChannels, int[] kernelSize, int[] stride, int[] padding, String paddingString,
                   int[] dilation, int groups, boolean bias, String paddingMode, Rng rng) {
        if (inChannels < 1 || outChannels < 1) {
            throw new IllegalArgumentException("Conv2d: in_channels and out_channels must be positive, got "
                    + inChannels + ", " + outChannels);
        }
        // PyTorch's checks (torch.nn.modules.conv._ConvNd), in its order
        if (groups <= 0) {
            throw new IllegalArgumentException("Conv2d: groups must be a positive integer, got groups=" + groups);
        }
        if (inChannels % groups != 0) {
            throw new IllegalArgumentException("Conv2d: in_channels must be divisible by groups, got in_channels="
                    + inChannels + ", groups=" + groups);
        }
        if (outChannels % groups != 0) {
            throw new IllegalArgumentException("Conv2d: out_channels must be divisible by groups, got out_channels="
                    + outChannels + ", groups=" + groups);
        }
        int[] k = Convolution.pair("Conv2d", "kernel_size", kernelSize);
        this.stride = Convolution.pair("Conv2d", "stride", stride);
        if (paddingString != null) {
            if (!paddingString.equals("same") && !paddingString.equals("valid")) {
                throw new IllegalArgumentException("Conv2d: Invalid padding string '" + paddingString
                        + "', should be one of {'valid', 'same'}");
            }
            if (paddingString.equals("same") && (this.stride[0] != 1 || this.stride[1] != 1)) {
                throw new IllegalArgumentException("Conv2d: padding='same' is not supported for strided convolutions,"
                        + " got stride=" + java.util.Arrays.toString(this.stride));
            }
        }
        if (!PADDING_MODES.contains(paddingMode)) {
            throw new IllegalArgumentException("Conv2d: padding_mode must be one of {'reflect', 'zeros', 'replicate',"
                    + " 'circular'}, but got padding_mode='" + paddingMode + "'");
        }
        if (!paddingMode.equals("zeros")) {
            throw new UnsupportedOperationException("Conv2d: padding_mode='" + paddingMode + "' is not supported; only"
                    + " 'zeros' is (pad the input yourself and use padding=0 for other modes)");
        }
        // fan_in: the weight's size(1) * kH * kW, the inputs one output channel sees
        double bound = 1.0 / Math.sqrt((double) (inChannels / groups) * k[0] * k[1]);
        this.weight = registerParameter("weight",
                Tensor.uniform(rng, -bound, bound, outChannels, inChannels / groups, k[0], k[1]));
        this.bias = bias ? registerParameter("bias", Tensor.uniform(rng, -bound, bound, outChannels)) : null;
        this.padding = padding == null ? null : Convolution.pair("Conv2d", "padding", padding);
        this.paddingString = paddingString;
        this.dilation = Convolution.pair("Conv2d", "dilation", dilation);
        this.groups = groups;
    }

    @Override
    public Tensor forward(Tensor input) {
        Tensor b = bias == null ? null : bias.data();
        return paddingString != null
                ? F.conv2d(input, weight.data(), b, stride, paddingString, dilation, groups)
                : F.conv2d(input, weight.data(), b, stride, padding, dilation, groups);
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
