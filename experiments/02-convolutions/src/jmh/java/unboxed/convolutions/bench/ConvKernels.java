package unboxed.convolutions.bench;

import unboxed.backend.Window2d;
import unboxed.backend.cpu.CpuBackend;

/**
 * Which forward kernel the engine picks for each reference shape in this JVM (its vectors, so
 * under the flags of the run that calls it): one line per shape, "conv2d forward kernel, SHAPE:
 * NAME", which tools/bench/run.sh records in the run's provenance (bench-spec.json "plan") and
 * the post's table of versions reads. Shapes are N x C x H=W x K x kernel, stride 1, 'same'
 * padding, as in {@link ConvBench}.
 */
public final class ConvKernels {
    private ConvKernels() {
    }

    public static void main(String[] shapes) {
        if (shapes.length == 0) {
            System.err.println("usage: ConvKernels SHAPE... (N x C x H=W x K x kernel, e.g. 64x16x14x32x5)");
            System.exit(2);
        }
        for (String shape : shapes) {
            String[] p = shape.split("x");
            int[] d = new int[p.length];
            try {
                for (int i = 0; i < p.length; i++) {
                    d[i] = Integer.parseInt(p[i]);
                }
            } catch (NumberFormatException e) {
                d = new int[0];
            }
            if (d.length != 5) {
                System.err.println("ConvKernels: shape '" + shape + "' is not N x C x H=W x K x kernel (e.g. 64x16x14x32x5)");
                System.exit(2);
            }
            int c = d[1];
            int hw = d[2];
            int k = d[3];
            int r = d[4];
            // 'same' padding (r / 2, odd r) at stride 1: the output is as wide as the input
            Window2d w = new Window2d(r, r, 1, 1, r / 2, r / 2, 1, 1);
            String one = CpuBackend.conv2dKernel(d[0], c, k, w, 1, hw, hw, 1);
            String two = CpuBackend.conv2dKernel(d[0], c, k, w, 1, hw, hw, 2);
            System.out.println("conv2d forward kernel, " + shape + ": "
                    + (one.equals(two) ? one : one + " (1 thread), " + two + " (2 threads)"));
        }
    }
}
