package unboxed.transposeconv;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import unboxed.nn.functional.F;
import unboxed.tensor.Rng;
import unboxed.tensor.Tensor;

/**
 * Part 1: how stride and dilation move the receptive field, and where "same" padding puts the
 * extra row of an even kernel. Everything is read off the engine's own autograd and conv2d; the
 * closed forms ({@link #theoreticalSize}, {@link #samePadding}) are what the figure step compares
 * the measurements with.
 *
 * <p>With every weight 1, no bias and no activation, a stack of convolutions is a linear map whose
 * gradient, for one output, counts the paths from each input pixel to that output: 0 outside the
 * receptive field, and inside it how many ways the stack reads the pixel.
 */
public final class ReceptiveFields {
    /** The input of the stacks: one channel, odd, so that the centre output reads the centre pixel. */
    static final int SIZE = 17;
    /** The input of the "same" padding probes: large enough that every kernel has interior positions. */
    static final int SAME_SIZE = 12;

    /** One convolution layer: square kernel, stride, padding and dilation along both axes. */
    public record Layer(int kernel, int stride, int padding, int dilation) {
    }

    /** A stack of layers and how the report names it. */
    public record Stack(String id, String label, List<Layer> layers) {
    }

    /** The four stacks: plain, a stride-2 first layer, dilation 2 twice (holes), dilation 1 then 2 (none). */
    public static final List<Stack> STACKS = List.of(
            new Stack("plain", "3x3, then 3x3", List.of(new Layer(3, 1, 1, 1), new Layer(3, 1, 1, 1))),
            new Stack("stride2", "3x3 stride 2, then 3x3", List.of(new Layer(3, 2, 1, 1), new Layer(3, 1, 1, 1))),
            new Stack("dilation22", "3x3 dilation 2, twice", List.of(new Layer(3, 1, 2, 2), new Layer(3, 1, 2, 2))),
            new Stack("dilation12", "3x3, then 3x3 dilation 2", List.of(new Layer(3, 1, 1, 1), new Layer(3, 1, 2, 2))));

    /** (kernel, dilation) pairs probed with padding="same": odd and even total padding. */
    static final int[][] SAME_CASES = {{2, 1}, {3, 1}, {4, 1}, {5, 1}, {6, 1}, {2, 3}, {4, 2}};

    private ReceptiveFields() {
    }

    /**
     * The receptive field of a stack along one axis: 1 + Σ_l (k_l − 1)·d_l·Π_{j<l} s_j. Each layer
     * widens it by its kernel's span, measured in input pixels: one step of layer l moves
     * Π_{j<l} s_j input pixels.
     */
    public static int theoreticalSize(List<Layer> layers) {
        int size = 1;
        int jump = 1;
        for (Layer l : layers) {
            size += (l.kernel() - 1) * l.dilation() * jump;
            jump *= l.stride();
        }
        return size;
    }

    /** How far the receptive field moves when the output moves by one: the product of the strides. */
    public static int theoreticalJump(List<Layer> layers) {
        int jump = 1;
        for (Layer l : layers) {
            jump *= l.stride();
        }
        return jump;
    }

    /**
     * PyTorch's split of padding="same" along one axis: the total d·(k − 1), of which the start
     * (top, left) gets total / 2 and the end (bottom, right) the rest (torch/nn/modules/conv.py,
     * {@code _reversed_padding_repeated_twice}; F.conv2d pads the same way). Returns {start, end}.
     */
    public static int[] samePadding(int kernel, int dilation) {
        int total = dilation * (kernel - 1);
        return new int[] {total / 2, total - total / 2};
    }

    /** The experiment's results: per stack, the gradient of two neighbouring outputs; then the "same" probes. */
    public static Map<String, Object> run(long seed) {
        List<Map<String, Object>> stacks = new ArrayList<>();
        for (Stack s : STACKS) {
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("id", s.id());
            r.put("label", s.label());
            List<Map<String, Integer>> layers = new ArrayList<>();
            for (Layer l : s.layers()) {
                Map<String, Integer> m = new LinkedHashMap<>();
                m.put("kernel", l.kernel());
                m.put("stride", l.stride());
                m.put("padding", l.padding());
                m.put("dilation", l.dilation());
                layers.add(m);
            }
            r.put("layers", layers);
            int[] outShape = forward(s, Tensor.zeros(1, 1, SIZE, SIZE)).shape();
            int centre = (outShape[2] - 1) / 2;
            r.put("output_size", outShape[2]);
            r.put("output_position", new int[] {centre, centre});
            r.put("gradient", gradient(s, centre, centre));
            // the neighbour to the right: how far one output step moves the field
            r.put("neighbour_position", new int[] {centre, centre + 1});
            r.put("neighbour_gradient", gradient(s, centre, centre + 1));
            stacks.add(r);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("input_size", SIZE);
        out.put("weights", "ones, no bias, no activation");
        out.put("stacks", stacks);
        out.put("same_padding", same(new Rng(seed).fork("same-padding")));
        return out;
    }

    static Tensor forward(Stack s, Tensor x) {
        Tensor y = x;
        for (Layer l : s.layers()) {
            y = F.conv2d(y, Tensor.ones(1, 1, l.kernel(), l.kernel()), null, new int[] {l.stride()},
                    new int[] {l.padding()}, new int[] {l.dilation()}, 1);
        }
        return y;
    }

    /** d y[0, 0, row, col] / d x for the stack, through the engine's autograd. */
    static float[][] gradient(Stack s, int row, int col) {
        Tensor x = Tensor.zeros(1, 1, SIZE, SIZE).requiresGrad(true);
        forward(s, x).narrow(2, row, 1).narrow(3, col, 1).sum().backward();
        return Planes.plane(x.grad(), 0, 0);
    }

    /**
     * For each (kernel, dilation): the gradient of the sum of a padding="same" convolution's outputs
     * with respect to its input (how many windows cover each input pixel; the first row's count is
     * the top padding + 1 when the dilation is 1), and the largest difference between that
     * convolution and a padding-0 convolution of the input padded explicitly with every possible
     * split of the total: the split that matches is the one "same" uses.
     */
    static List<Map<String, Object>> same(Rng rng) {
        List<Map<String, Object>> cases = new ArrayList<>();
        for (int[] kd : SAME_CASES) {
            int k = kd[0];
            int d = kd[1];
            Tensor x = Tensor.zeros(1, 1, SAME_SIZE, SAME_SIZE).requiresGrad(true);
            Tensor ones = Tensor.ones(1, 1, k, k);
            F.conv2d(x, ones, null, new int[] {1}, "same", new int[] {d}, 1).sum().backward();
            float[][] coverage = Planes.plane(x.grad(), 0, 0);

            Tensor input = Tensor.randn(rng, 1, 1, SAME_SIZE, SAME_SIZE);
            Tensor w = Tensor.randn(rng, 1, 1, k, k);
            float[] same = F.conv2d(input, w, null, new int[] {1}, "same", new int[] {d}, 1).toArray();
            int total = d * (k - 1);
            List<Map<String, Object>> splits = new ArrayList<>();
            for (int top = 0; top <= total; top++) {
                Tensor padded = pad(input, top, total - top);
                float[] explicit = F.conv2d(padded, w, null, new int[] {1}, new int[] {0}, new int[] {d}, 1).toArray();
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("start", top);
                m.put("end", total - top);
                m.put("max_abs_difference", maxAbsDiff(same, explicit));
                splits.add(m);
            }
            Map<String, Object> c = new LinkedHashMap<>();
            c.put("kernel", k);
            c.put("dilation", d);
            c.put("total_padding", total);
            c.put("coverage", coverage);
            c.put("explicit_splits", splits);
            cases.add(c);
        }
        return cases;
    }

    /** The input with {@code start} zero rows/columns before it and {@code end} after it, on both axes. */
    static Tensor pad(Tensor x, int start, int end) {
        int h = x.size(2);
        int w = x.size(3);
        int ph = h + start + end;
        int pw = w + start + end;
        float[] src = x.contiguous().toArray();
        float[] dst = new float[ph * pw];
        for (int i = 0; i < h; i++) {
            System.arraycopy(src, i * w, dst, (i + start) * pw + start, w);
        }
        return Tensor.of(dst, 1, 1, ph, pw);
    }

    /** The largest |a − b|; infinite when the shapes differ, so that a wrong split can never look right. */
    static double maxAbsDiff(float[] a, float[] b) {
        if (a.length != b.length) {
            return Double.POSITIVE_INFINITY;
        }
        double m = 0;
        for (int i = 0; i < a.length; i++) {
            m = Math.max(m, Math.abs((double) a[i] - b[i]));
        }
        return m;
    }
}
