package unboxed.transposeconv;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import unboxed.nn.functional.F;
import unboxed.tensor.Rng;
import unboxed.tensor.Tensor;

/**
 * Part 2: the transposed convolution is the gradient of the convolution with respect to its input.
 *
 * <p>For y = conv2d(x, w) and any upstream gradient g, autograd computes
 * dx = d(sum(conv2d(x, w) · g)) / dx. The claim is dx = conv_transpose2d(g, w) with the same stride,
 * padding, dilation and groups, and the output_padding that returns x's size. Each configuration
 * below computes both, plus the two textbook forms of {@link Transposed}, and the converse: the
 * gradient of conv_transpose2d with respect to its input is conv2d.
 */
public final class TransposeIsGradient {
    /** One configuration: shapes and the convolution's arguments (square kernel; h and w may differ). */
    public record Config(String label, int n, int cin, int h, int w, int cout, int kernel, int stride, int padding,
                         int dilation, int groups) {
    }

    /** From the plain case to every argument at once, with the cases that need output_padding. */
    public static final List<Config> CONFIGS = List.of(
            new Config("stride 1", 2, 3, 7, 7, 4, 3, 1, 0, 1, 1),
            new Config("stride 1, padding 1", 2, 3, 7, 7, 4, 3, 1, 1, 1, 1),
            new Config("stride 2, odd input", 2, 3, 9, 9, 4, 3, 2, 1, 1, 1),
            new Config("stride 2, even input", 2, 3, 8, 8, 4, 3, 2, 1, 1, 1),
            new Config("stride 3 > kernel 2", 2, 3, 10, 10, 4, 2, 3, 0, 1, 1),
            new Config("dilation 2", 2, 3, 9, 9, 4, 3, 1, 2, 2, 1),
            new Config("groups 2", 2, 4, 7, 7, 6, 3, 1, 1, 1, 2),
            new Config("depthwise (groups 4)", 2, 4, 7, 7, 4, 3, 1, 1, 1, 4),
            new Config("stride 2, dilation 2, groups 2, 9x8", 2, 4, 9, 8, 6, 3, 2, 1, 2, 2));

    private TransposeIsGradient() {
    }

    public static Map<String, Object> run(long seed) {
        Rng rng = new Rng(seed).fork("transpose-is-gradient");
        List<Map<String, Object>> rows = new ArrayList<>();
        for (Config c : CONFIGS) {
            rows.add(check(c, rng.fork(c.label())));
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("inputs", "x, w and the upstream gradient g drawn from N(0, 1)");
        out.put("configs", rows);
        return out;
    }

    static Map<String, Object> check(Config c, Rng rng) {
        int[] stride = {c.stride()};
        int[] padding = {c.padding()};
        int[] dilation = {c.dilation()};
        Tensor x = Tensor.randn(rng, c.n(), c.cin(), c.h(), c.w()).requiresGrad(true);
        Tensor w = Tensor.randn(rng, c.cout(), c.cin() / c.groups(), c.kernel(), c.kernel());
        Tensor y = F.conv2d(x, w, null, stride, padding, dilation, c.groups());
        Tensor g = Tensor.randn(rng, y.shape());
        y.mul(g).sum().backward();
        float[] dx = x.grad().toArray();

        int[] outPad = {Transposed.outputPaddingFor(c.h(), c.kernel(), c.stride(), c.padding(), c.dilation()),
                Transposed.outputPaddingFor(c.w(), c.kernel(), c.stride(), c.padding(), c.dilation())};
        // the same weight tensor, unchanged: conv_transpose2d's weight is [C_in, C_out/groups, k, k] of *its*
        // input and output, and its input here is the convolution's output, so the convolution's
        // [C_out, C_in/groups, k, k] is already in that layout
        float[] viaTranspose = F.convTranspose2d(g, w, null, stride, padding, outPad, c.groups(), dilation).toArray();
        double[] viaScatter = Transposed.scatter(g.toArray(), g.shape(), w.toArray(), w.shape(),
                new int[] {c.stride(), c.stride()}, new int[] {c.padding(), c.padding()}, outPad, c.groups(),
                new int[] {c.dilation(), c.dilation()});
        float[] viaZeros = Transposed.zeroInsertion(g, w, new int[] {c.stride(), c.stride()},
                new int[] {c.padding(), c.padding()}, outPad, c.groups(), new int[] {c.dilation(), c.dilation()}).toArray();

        // the converse: d(sum(conv_transpose2d(g, w) · x')) / dg is conv2d(x', w)
        Tensor g2 = g.detach().requiresGrad(true);
        Tensor xr = Tensor.randn(rng, x.shape());
        F.convTranspose2d(g2, w, null, stride, padding, outPad, c.groups(), dilation).mul(xr).sum().backward();
        float[] conv = F.conv2d(xr, w, null, stride, padding, dilation, c.groups()).toArray();

        Map<String, Object> r = new LinkedHashMap<>();
        r.put("label", c.label());
        r.put("input_shape", x.shape());
        r.put("weight_shape", w.shape());
        r.put("output_shape", y.shape());
        r.put("stride", c.stride());
        r.put("padding", c.padding());
        r.put("dilation", c.dilation());
        r.put("groups", c.groups());
        r.put("output_padding", outPad);
        r.put("max_abs_grad", maxAbs(dx));
        r.put("autograd_vs_conv_transpose2d", maxAbsDiff(dx, viaTranspose));
        r.put("scatter_vs_conv_transpose2d", maxAbsDiff(viaScatter, viaTranspose));
        r.put("zero_insertion_vs_conv_transpose2d", maxAbsDiff(viaZeros, viaTranspose));
        r.put("converse_autograd_vs_conv2d", maxAbsDiff(g2.grad().toArray(), conv));
        r.put("max_abs_conv2d", maxAbs(conv));
        r.put("inputs_never_read", zeros(dx));
        return r;
    }

    static double maxAbsDiff(float[] a, float[] b) {
        return ReceptiveFields.maxAbsDiff(a, b);
    }

    static double maxAbsDiff(double[] a, float[] b) {
        if (a.length != b.length) {
            return Double.POSITIVE_INFINITY;
        }
        double m = 0;
        for (int i = 0; i < a.length; i++) {
            m = Math.max(m, Math.abs(a[i] - b[i]));
        }
        return m;
    }

    static double maxAbs(float[] a) {
        double m = 0;
        for (float v : a) {
            m = Math.max(m, Math.abs(v));
        }
        return m;
    }

    /** How many input values got exactly zero gradient: the ones no window read (stride larger than the kernel's span). */
    static int zeros(float[] a) {
        int n = 0;
        for (float v : a) {
            n += v == 0 ? 1 : 0;
        }
        return n;
    }
}
