package unboxed.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import unboxed.nn.functional.F;
import unboxed.tensor.Rng;
import unboxed.tensor.Tensor;

/**
 * A transposed convolution is the gradient of a convolution.
 *
 * <p>Take y = conv2d(x, w) and any upstream gradient g of y's shape. The gradient of
 * L = sum(conv2d(x, w) * g) with respect to x is what backward sends to the input, and it is
 * conv_transpose2d(g, w) with the very same weight, stride, padding, dilation and groups:
 *
 * <pre>
 *     x.grad  ==  F.conv_transpose2d(g, w, stride, padding, output_padding, groups, dilation)
 * </pre>
 *
 * Each output of conv2d is a sum over a window of inputs; so each input receives, in the gradient,
 * a sum over the outputs whose windows contain it, weighted by the same w. Scattering every g
 * through w into its window is exactly that, and is what conv_transpose2d computes. Here autograd
 * computes the left side (through unfold's backward, fold) and conv_transpose2d the right side
 * (a product, then fold), independently.
 *
 * <p>output_padding: a stride-s conv2d maps s different input sizes to the same output size (the
 * last rows that no full window reaches are dropped). The transposed convolution cannot know which
 * one x had, so output_padding says it: (H + 2p - d(k - 1) - 1) mod s more rows at the bottom.
 */
class ConvTransposeIsConvGradientTest {

    record Config(String name, int[] input, int[] weight, int[] stride, int[] padding, int[] dilation, int groups) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Config> configs() {
        return Stream.of(
                new Config("stride 1, padding 1", new int[] {2, 3, 6, 7}, new int[] {4, 3, 3, 3},
                        new int[] {1, 1}, new int[] {1, 1}, new int[] {1, 1}, 1),
                new Config("stride 2, padding 1 (output_padding 1: 8 -> 4 -> 8)", new int[] {2, 3, 8, 8},
                        new int[] {4, 3, 3, 3}, new int[] {2, 2}, new int[] {1, 1}, new int[] {1, 1}, 1),
                new Config("stride 2 on an odd size (output_padding 0: 7 -> 3 -> 7)", new int[] {2, 2, 7, 7},
                        new int[] {3, 2, 3, 3}, new int[] {2, 2}, new int[] {0, 0}, new int[] {1, 1}, 1),
                new Config("asymmetric stride (3, 2), padding (1, 0), dilation (1, 2)", new int[] {2, 2, 10, 9},
                        new int[] {3, 2, 3, 2}, new int[] {3, 2}, new int[] {1, 0}, new int[] {1, 2}, 1),
                new Config("stride 3 with a 2x2 kernel: inputs no window reaches", new int[] {1, 2, 8, 8},
                        new int[] {2, 2, 2, 2}, new int[] {3, 3}, new int[] {0, 0}, new int[] {1, 1}, 1),
                new Config("groups 2, stride 2, dilation 2", new int[] {2, 4, 9, 8}, new int[] {6, 2, 3, 3},
                        new int[] {2, 2}, new int[] {2, 1}, new int[] {2, 2}, 2),
                new Config("depthwise with channel multiplier 2", new int[] {2, 3, 7, 6}, new int[] {6, 1, 3, 3},
                        new int[] {2, 1}, new int[] {1, 1}, new int[] {1, 1}, 3),
                new Config("unbatched input, groups 4", new int[] {8, 6, 6}, new int[] {4, 2, 3, 3},
                        new int[] {2, 2}, new int[] {1, 1}, new int[] {1, 1}, 4));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("configs")
    void theGradientOfConv2dIsConvTranspose2d(Config c) {
        Rng rng = new Rng(c.name().hashCode());
        Tensor x = Tensor.randn(rng, c.input()).requiresGrad(true);
        Tensor w = Tensor.randn(rng, c.weight());

        // left: autograd's gradient of L = sum(conv2d(x, w) * g) with respect to x
        Tensor y = F.conv2d(x, w, null, c.stride(), c.padding(), c.dilation(), c.groups());
        Tensor g = Tensor.randn(rng, y.shape());
        y.mul(g).sum().backward();
        Tensor viaAutograd = x.grad();

        // right: the transposed convolution of g with the same weight and arguments
        int[] outputPadding = new int[2];
        for (int a = 0; a < 2; a++) {
            int h = c.input()[c.input().length - 2 + a];
            int k = c.weight()[2 + a];
            outputPadding[a] = (h + 2 * c.padding()[a] - c.dilation()[a] * (k - 1) - 1) % c.stride()[a];
        }
        Tensor viaTranspose = F.convTranspose2d(g, w, null, c.stride(), c.padding(), outputPadding, c.groups(),
                c.dilation());

        assertArrayEquals(x.shape(), viaTranspose.shape(), "conv_transpose2d gives back the input's shape");
        assertClose(viaAutograd.toArray(), viaTranspose.toArray(), c.name());
    }

    /**
     * Float32 closeness: both sides add the same products, perhaps in another order, so they may
     * differ by a few roundings of sums of about C*kh*kw terms of size 1 (the inputs are N(0, 1)).
     */
    private static void assertClose(float[] expected, float[] actual, String what) {
        double worst = 0;
        for (int i = 0; i < expected.length; i++) {
            double err = Math.abs(expected[i] - actual[i]) / (1e-5 + 1e-5 * Math.abs(expected[i]));
            worst = Math.max(worst, err);
        }
        assertTrue(worst <= 1, what + ": x.grad and conv_transpose2d(g, w) differ by " + worst
                + " times the tolerance (atol 1e-5, rtol 1e-5); first values " + Arrays.toString(
                Arrays.copyOf(expected, 4)) + " vs " + Arrays.toString(Arrays.copyOf(actual, 4)));
    }
}
