package unboxed.nn;

import unboxed.nn.functional.F;
import unboxed.tensor.Tensor;

/** {@code nn.MaxPool2d(kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False)}. */
public final class MaxPool2d extends Module {
    private final int[] kernelSize;
    private final int[] stride;
    private final int[] padding;
    private final int[] dilation;
    private final boolean ceilMode;

    public MaxPool2d(int[] kernelSize, int[] stride, int[] padding, int[] dilation, boolean ceilMode) {
        this.kernelSize = kernelSize.clone();
        this.stride = stride == null ? null : stride.clone();
        this.padding = padding.clone();
        this.dilation = dilation.clone();
        this.ceilMode = ceilMode;
    }

    /** A square window, stride equal to the window. */
    public MaxPool2d(int kernelSize) {
        this(new int[] {kernelSize}, null, new int[] {0}, new int[] {1}, false);
    }

    @Override
    public Tensor forward(Tensor input) {
        return F.maxPool2d(input, kernelSize, stride, padding, dilation, ceilMode);
    }
}
