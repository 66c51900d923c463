package unboxed.nn;

import java.util.Locale;
import unboxed.autograd.Autograd;
import unboxed.tensor.Rng;
import unboxed.tensor.Tensor;

/**
 * {@code torch.nn.init}: fills a tensor in place, without recording a graph, with the same names,
 * arguments and defaults as PyTorch (the values differ: the generators differ).
 *
 * <pre>{@code
 * Linear fc = new Linear(256, 256, rng);
 * Init.kaimingNormal_(fc.weight().data(), 0, "fan_in", "relu", rng);   // He
 * Init.zeros_(fc.bias().data());
 * }</pre>
 *
 * <p>Fans follow {@code torch.nn.init._calculate_fan_in_and_fan_out}: for a weight of shape
 * [out, in, k...], fan_in = in · prod(k) and fan_out = out · prod(k). The variances the schemes
 * aim for, for a layer y = W x with W's entries independent of x:
 * <ul>
 *   <li>{@link #xavierUniform_}, {@link #xavierNormal_} (Glorot and Bengio, 2010): Var[w] = gain² · 2 / (fan_in + fan_out),
 *       the compromise between keeping the forward signal (1/fan_in) and the backward one (1/fan_out);</li>
 *   <li>{@link #kaimingUniform_}, {@link #kaimingNormal_} (He et al., 2015): Var[w] = gain² / fan, with
 *       gain² = 2 for ReLU, fan = fan_in (mode "fan_in") or fan_out ("fan_out").</li>
 * </ul>
 * {@code nn.Linear}'s own default, {@code kaiming_uniform_(w, a=sqrt(5))}, is gain² = 2 / (1 + 5) =
 * 1/3: uniform in ±1/sqrt(fan_in).
 */
public final class Init {
    private Init() {
    }

    /** {@code calculate_gain(nonlinearity, param)}: the factor that keeps the activations' scale through a layer. */
    public static double calculateGain(String nonlinearity, double param) {
        switch (nonlinearity.toLowerCase(Locale.ROOT)) {
            case "linear": case "conv1d": case "conv2d": case "conv3d": case "conv_transpose1d":
            case "conv_transpose2d": case "conv_transpose3d": case "sigmoid":
                return 1.0;
            case "tanh":
                return 5.0 / 3;
            case "relu":
                return Math.sqrt(2.0);
            case "leaky_relu":
                return Math.sqrt(2.0 / (1 + param * param));
            case "selu":
                return 3.0 / 4;
            default:
                throw new IllegalArgumentException("calculate_gain: unsupported nonlinearity '" + nonlinearity
                        + "' (linear, conv*, sigmoid, tanh, relu, leaky_relu, selu)");
        }
    }

    /** {@code calculate_gain(nonlinearity)} with PyTorch's default param (0.01 for leaky_relu). */
    public static double calculateGain(String nonlinearity) {
        return calculateGain(nonlinearity, 0.01);
    }

    /** {fan_in, fan_out} of a weight of shape [out, in, k...]; at least 2 dimensions. */
    public static int[] fans(Tensor t) {
        int[] s = t.shape();
        if (s.length < 2) {
            throw new IllegalArgumentException("Fan in and fan out can not be computed for tensor with fewer than 2"
                    + " dimensions (shape " + java.util.Arrays.toString(s) + ")");
        }
        int receptive = 1;
        for (int i = 2; i < s.length; i++) {
            receptive *= s[i];
        }
        return new int[] {s[1] * receptive, s[0] * receptive};
    }

    /** {@code uniform_(t, a, b)}: U(a, b). */
    public static Tensor uniform_(Tensor t, double a, double b, Rng rng) {
        return fill(t, rng.uniform(t.numel(), a, b));
    }

    /** {@code normal_(t, mean, std)}: N(mean, std²). */
    public static Tensor normal_(Tensor t, double mean, double std, Rng rng) {
        return fill(t, rng.normal(t.numel(), mean, std));
    }

    /** {@code constant_(t, val)}. */
    public static Tensor constant_(Tensor t, double val) {
        try (Autograd.GradMode ignored = Autograd.noGrad()) {
            return t.fill_((float) val);
        }
    }

    /** {@code zeros_(t)}. */
    public static Tensor zeros_(Tensor t) {
        return constant_(t, 0);
    }

    /** {@code xavier_uniform_(t, gain)}: U(−a, a) with a = gain · sqrt(6 / (fan_in + fan_out)). */
    public static Tensor xavierUniform_(Tensor t, double gain, Rng rng) {
        int[] f = fans(t);
        double std = gain * Math.sqrt(2.0 / (f[0] + f[1]));
        double a = Math.sqrt(3.0) * std;
        return uniform_(t, -a, a, rng);
    }

    /** {@code xavier_normal_(t, gain)}: N(0, gain² · 2 / (fan_in + fan_out)). */
    public static Tensor xavierNormal_(Tensor t, double gain, Rng rng) {
        int[] f = fans(t);
        return normal_(t, 0, gain * Math.sqrt(2.0 / (f[0] + f[1])), rng);
    }

    /**
     * {@code kaiming_uniform_(t, a, mode, nonlinearity)}: U(−b, b) with b = gain · sqrt(3 / fan), gain =
     * {@link #calculateGain}(nonlinearity, a). PyTorch's defaults are a = 0, "fan_in", "leaky_relu".
     */
    public static Tensor kaimingUniform_(Tensor t, double a, String mode, String nonlinearity, Rng rng) {
        double std = kaimingStd(t, a, mode, nonlinearity);
        double bound = Math.sqrt(3.0) * std;
        return uniform_(t, -bound, bound, rng);
    }

    /** {@code kaiming_normal_(t, a, mode, nonlinearity)}: N(0, gain² / fan). */
    public static Tensor kaimingNormal_(Tensor t, double a, String mode, String nonlinearity, Rng rng) {
        return normal_(t, 0, kaimingStd(t, a, mode, nonlinearity), rng);
    }

    /** The standard deviation {@link #kaimingNormal_} draws with: gain / sqrt(fan). */
    public static double kaimingStd(Tensor t, double a, String mode, String nonlinearity) {
        int[] f = fans(t);
        int fan;
        switch (mode) {
            case "fan_in": fan = f[0]; break;
            case "fan_out": fan = f[1]; break;
            default:
                throw new IllegalArgumentException("Mode " + mode + " not supported, please use one of fan_in, fan_out");
        }
        if (fan == 0) {
            throw new IllegalArgumentException("Initializing zero-element tensors is a no-op");
        }
        return calculateGain(nonlinearity, a) / Math.sqrt(fan);
    }

    /** Copies {@code values} into {@code t} under no_grad (a parameter is a leaf that requires grad). */
    private static Tensor fill(Tensor t, float[] values) {
        try (Autograd.GradMode ignored = Autograd.noGrad()) {
            return t.copy_(Tensor.of(t.backend(), values, t.shape()));
        }
    }
}
