package unboxed.convolutions;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import unboxed.autograd.Autograd;
import unboxed.nn.functional.F;
import unboxed.tensor.Rng;
import unboxed.tensor.Tensor;

/**
 * The two identities the report derives from conv2d = unfold, product, bias, checked against the
 * gradients autograd computes:
 * <ul>
 *   <li>the gradient of the input is a transposed convolution of the output gradient:
 *       dX = fold(W^T dY), the column entries added back where unfold read them;</li>
 *   <li>the gradient of the weight is a correlation of the input with the output gradient: with
 *       batch and channels swapped, dW = conv2d(X^T, dY^T, padding)^T.</li>
 * </ul>
 */
class BackwardIdentitiesTest {
    private static final int N = 2;
    private static final int C = 3;
    private static final int O = 4;
    private static final int H = 6;
    private static final int W = 5;
    private static final int K = 3;
    private static final int PAD = 1;

    @Test
    void gradInputIsTheTransposedConvolutionOfGradOutput() {
        Rng rng = new Rng(1);
        Tensor x = Tensor.randn(rng, N, C, H, W).requiresGrad(true);
        Tensor w = Tensor.randn(rng, O, C, K, K);
        Tensor gy = Tensor.randn(rng, N, O, H, W);
        F.conv2d(x, w, null, PAD).backward(gy);
        Tensor dx = Autograd.noGrad(() -> {
            Tensor wt = w.reshape(O, C * K * K).t();                        // [C*K*K, O]
            Tensor cols = wt.matmul(gy.reshape(N, O, H * W));               // [N, C*K*K, H*W]
            return F.fold(cols, new int[] {H, W}, new int[] {K}, new int[] {1}, new int[] {PAD}, new int[] {1});
        });
        assertClose(dx.toArray(), x.grad().toArray(), "dX = fold(W^T dY)");
    }

    @Test
    void gradWeightIsACorrelationOfInputWithGradOutput() {
        Rng rng = new Rng(2);
        Tensor x = Tensor.randn(rng, N, C, H, W);
        Tensor w = Tensor.randn(rng, O, C, K, K).requiresGrad(true);
        Tensor gy = Tensor.randn(rng, N, O, H, W);
        F.conv2d(x, w, null, PAD).backward(gy);
        // batch becomes the channel being summed: conv2d of [C, N, H, W] with the "kernel" [O, N, H, W]
        Tensor dw = Autograd.noGrad(() -> F.conv2d(x.transpose(0, 1).contiguous(), gy.transpose(0, 1).contiguous(),
                null, PAD).transpose(0, 1));
        assertArrayEquals(w.shape(), dw.shape());
        assertClose(dw.contiguous().toArray(), w.grad().toArray(), "dW = conv2d(X^T, dY^T)^T");
    }

    @Test
    void aWrongIdentityFails() {
        float[] a = {1, 2, 3};
        float[] b = {1, 2, 3.01f};
        boolean failed = false;
        try {
            assertClose(a, b, "deliberately different");
        } catch (AssertionError e) {
            failed = true;
        }
        assertTrue(failed, "the comparison must catch a difference of 0.3%");
    }

    /** Two float32 computations of the same sums in different orders: a few ulp of the largest term apart. */
    private static void assertClose(float[] expected, float[] actual, String what) {
        assertEquals(expected.length, actual.length, what);
        double scale = 0;
        for (float v : expected) {
            scale = Math.max(scale, Math.abs(v));
        }
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], 1e-5 * scale, what + ", element " + i + " of " + List.of(expected.length));
        }
    }
}
