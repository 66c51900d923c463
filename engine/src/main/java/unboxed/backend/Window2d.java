package unboxed.backend;

/**
 * A 2-D sliding window, as convolutions and pooling use it: kernel size, stride, zero (or -inf)
 * padding and dilation, each per axis (height, width).
 */
public record Window2d(int kernelH, int kernelW, int strideH, int strideW, int padH, int padW, int dilationH,
                       int dilationW) {
    public Window2d {
        if (kernelH < 1 || kernelW < 1 || strideH < 1 || strideW < 1 || padH < 0 || padW < 0 || dilationH < 1
                || dilationW < 1) {
            throw new IllegalArgumentException("window: kernel, stride and dilation must be positive and padding"
                    + " non-negative, got kernel " + kernelH + "x" + kernelW + ", stride " + strideH + "x" + strideW
                    + ", padding " + padH + "x" + padW + ", dilation " + dilationH + "x" + dilationW);
        }
    }

    /** Output length along one axis, PyTorch's formula; {@code ceil} rounds up, but a window never starts in the right padding. */
    public static int outputSize(int in, int kernel, int stride, int pad, int dilation, boolean ceil) {
        int span = in + 2 * pad - dilation * (kernel - 1) - 1;
        if (span < 0) {
            return 0;
        }
        int out = (ceil ? (span + stride - 1) / stride : span / stride) + 1;
        if (ceil && (out - 1) * stride >= in + pad) {
            out--;
        }
        return out;
    }

    public int outH(int h, boolean ceil) {
        return outputSize(h, kernelH, strideH, padH, dilationH, ceil);
    }

    public int outW(int w, boolean ceil) {
        return outputSize(w, kernelW, strideW, padW, dilationW, ceil);
    }
}
