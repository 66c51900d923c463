package unboxed.tensor;

import java.util.List;
import unboxed.autograd.Autograd;
import unboxed.backend.Window2d;

/**
 * Max and average pooling over 2-D windows, with PyTorch's argument sets and output sizes
 * (ceil_mode, padding of at most half the kernel). Max pooling's gradient goes, whole, to the
 * index each window picked (a scatter-add into zeros, so overlapping windows add up); average
 * pooling's spreads each output's gradient over its window with the same divisor.
 */
public final class Pooling {
    private Pooling() {
    }

    private static Tensor batched(String op, Tensor input) {
        if (input.dim() == 4) {
            return input;
        }
        if (input.dim() == 3) {
            return Views.unsqueeze(input, 0);
        }
        throw new IllegalArgumentException(op + ": expected 3-D (unbatched) or 4-D (batched) input, got shape "
                + Shape.str(input.shape()));
    }

    private static void check(String op, Tensor x, Window2d w, boolean ceil) {
        if (w.padH() > w.kernelH() / 2 || w.padW() > w.kernelW() / 2) {
            throw new IllegalArgumentException(op + ": pad should be smaller than or equal to half of kernel size, but"
                    + " got padW = " + w.padW() + ", padH = " + w.padH() + ", kW = " + w.kernelW() + ", kH = " + w.kernelH());
        }
        int[] s = x.shape();
        int oh = w.outH(s[2], ceil);
        int ow = w.outW(s[3], ceil);
        if (oh < 1 || ow < 1) {
            throw new IllegalArgumentException(op + ": Given input size: (" + s[1] + "x" + s[2] + "x" + s[3]
                    + "). Calculated output size: (" + s[1] + "x" + oh + "x" + ow + "). Output size is too small");
        }
    }

    /** {@code F.max_pool2d(..., return_indices=True)}: values and the flat index (h * W + w) each came from. */
    public static Tensor.ValuesIndices maxPool2d(Tensor input, Window2d w, boolean ceil) {
        Tensor x = batched("max_pool2d", input);
        check("max_pool2d", x, w, ceil);
        int[] s = x.shape();
        int oh = w.outH(s[2], ceil);
        int ow = w.outW(s[3], ceil);
        Tensor values = Tensor.empty(x.backend(), s[0], s[1], oh, ow);
        Tensor indices = Tensor.empty(x.backend(), s[0], s[1], oh, ow);
        x.backend().maxPool2d(x.strided(), w, ceil, values.strided(), indices.strided());
        Autograd.record(Op.MAX_POOL2D.gradFn(), values, List.of(indices),
                g -> new Tensor[] {maxBackward(g, indices, s, w)}, x);
        if (input.dim() == 3) {
            return new Tensor.ValuesIndices(Views.squeeze(values, 0), Views.squeeze(indices, 0));
        }
        return new Tensor.ValuesIndices(values, indices);
    }

    /**
     * Max pooling's backward: {@code scatter_add(zeros, indices, g)} over the flattened planes, in
     * one backend call (which may write each element once where windows do not overlap), and
     * differentiable as that scatter: its own gradient gathers at the indices.
     */
    private static Tensor maxBackward(Tensor g, Tensor indices, int[] inputShape, Window2d w) {
        Tensor gc = g.contiguous();
        Tensor gx = Tensor.empty(g.backend(), inputShape);
        g.backend().maxPool2dBackward(gc.strided(), indices.strided(), w, gx.strided());
        int[] gs = g.shape();
        int[] flat = {gs[0], gs[1], gs[2] * gs[3]};
        int[] plane = {inputShape[0], inputShape[1], inputShape[2] * inputShape[3]};
        return Autograd.record(Op.SCATTER_ADD.gradFn(), gx, List.of(indices), gg -> new Tensor[] {
            Views.reshape(Indexing.gather(Views.reshape(gg, plane), 2, Views.reshape(indices, flat)), gs)}, g);
    }

    /** {@code F.avg_pool2d(input, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override)}; divisor 0: none. */
    public static Tensor avgPool2d(Tensor input, Window2d w, boolean ceil, boolean countIncludePad, int divisor) {
        if (w.dilationH() != 1 || w.dilationW() != 1) {
            throw new IllegalArgumentException("avg_pool2d: has no dilation (PyTorch's avg_pool2d takes none)");
        }
        if (divisor < 0) {
            throw new IllegalArgumentException("avg_pool2d: divisor_override must be positive, got " + divisor);
        }
        Tensor x = batched("avg_pool2d", input);
        check("avg_pool2d", x, w, ceil);
        Tensor out = avgForward(x, w, ceil, countIncludePad, divisor);
        return input.dim() == 3 ? Views.squeeze(out, 0) : out;
    }

    private static Tensor avgForward(Tensor x, Window2d w, boolean ceil, boolean countIncludePad, int divisor) {
        int[] s = x.shape();
        Tensor out = Tensor.empty(x.backend(), s[0], s[1], w.outH(s[2], ceil), w.outW(s[3], ceil));
        x.backend().avgPool2d(x.strided(), w, ceil, countIncludePad, divisor, out.strided());
        return Autograd.record(Op.AVG_POOL2D.gradFn(), out,
                g -> new Tensor[] {avgBackward(g, s, w, ceil, countIncludePad, divisor)}, x);
    }

    /** The backward of average pooling, linear in g: its own backward is average pooling again. */
    private static Tensor avgBackward(Tensor g, int[] inputShape, Window2d w, boolean ceil, boolean countIncludePad,
                                      int divisor) {
        Tensor gx = Tensor.empty(g.backend(), inputShape);
        g.backend().avgPool2dBackward(g.strided(), w, ceil, countIncludePad, divisor, gx.strided());
        return Autograd.record(Op.AVG_POOL2D_BACKWARD.gradFn(), gx,
                gg -> new Tensor[] {avgForward(gg, w, ceil, countIncludePad, divisor)}, g);
    }
}
