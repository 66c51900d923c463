package unboxed.backend.cpu;

import unboxed.backend.Strided;
import unboxed.backend.Window2d;

/**
 * The CPU's sliding-window kernels: im2col and its adjoint col2im (convolutions as matrix
 * products), max and average pooling. Plain loops over [N, C] planes; the innermost loop runs
 * along the output row over the range of positions that fall inside the input, so the padding
 * costs no test per element.
 */
final class Windows {
    private Windows() {
    }

    /** The first and one-past-last output index ox whose input position ox*s - p + k*d lies in [0, in). */
    private static int firstInside(int kOffset, int stride, int out) {
        // ox*s + kOffset >= 0
        if (kOffset >= 0) {
            return 0;
        }
        return Math.min(out, (-kOffset + stride - 1) / stride);
    }

    private static int endInside(int kOffset, int stride, int in, int out) {
        // ox*s + kOffset <= in - 1
        int last = in - 1 - kOffset;
        if (last < 0) {
            return 0;
        }
        return Math.min(out, last / stride + 1);
    }

    static void im2col(float[] x, Strided in, Window2d w, float[] o, Strided out) {
        int n = in.size(0);
        int c = in.size(1);
        int h = in.size(2);
        int wd = in.size(3);
        int oh = w.outH(h, false);
        int ow = w.outW(wd, false);
        int l = oh * ow;
        int base = out.offset();
        java.util.Arrays.fill(o, base, base + n * c * w.kernelH() * w.kernelW() * l, 0f);
        int sN = in.stride(0);
        int sC = in.stride(1);
        int sH = in.stride(2);
        int sW = in.stride(3);
        for (int b = 0; b < n; b++) {
            for (int ch = 0; ch < c; ch++) {
                int plane = in.offset() + b * sN + ch * sC;
                for (int i = 0; i < w.kernelH(); i++) {
                    int yOff = i * w.dilationH() - w.padH();
                    for (int j = 0; j < w.kernelW(); j++) {
                        int xOff = j * w.dilationW() - w.padW();
                        int row = base + ((b * c + ch) * w.kernelH() * w.kernelW() + i * w.kernelW() + j) * l;
                        int x0 = firstInside(xOff, w.strideW(), ow);
                        int x1 = endInside(xOff, w.strideW(), wd, ow);
                        for (int oy = 0; oy < oh; oy++) {
                            int y = oy * w.strideH() + yOff;
                            if (y < 0 || y >= h) {
                                continue;
                            }
                            int src = plane + y * sH;
                            int dst = row + oy * ow;
                            for (int ox = x0; ox < x1; ox++) {
                                o[dst + ox] = x[src + (ox * w.strideW() + xOff) * sW];
                            }
                        }
                    }
                }
            }
        }
    }

    static void col2im(float[] cols, Strided colsView, Window2d w, float[] o, Strided out) {
        int n = out.size(0);
        int c = out.size(1);
        int h = out.size(2);
        int wd = out.size(3);
        int oh = w.outH(h, false);
        int ow = w.outW(wd, false);
        int l = oh * ow;
        int ob = out.offset();
        java.util.Arrays.fill(o, ob, ob + n * c * h * wd, 0f);
        int sB = colsView.stride(0);
        int sR = colsView.stride(1);
        int sL = colsView.stride(2);
        for (int b = 0; b < n; b++) {
            for (int ch = 0; ch < c; ch++) {
                int plane = ob + (b * c + ch) * h * wd;
                for (int i = 0; i < w.kernelH(); i++) {
                    int yOff = i * w.dilationH() - w.padH();
                    for (int j = 0; j < w.kernelW(); j++) {
                        int xOff = j * w.dilationW() - w.padW();
                        int row = colsView.offset() + b * sB + ((ch * w.kernelH() + i) * w.kernelW() + j) * sR;
                        int x0 = firstInside(xOff, w.strideW(), ow);
                        int x1 = endInside(xOff, w.strideW(), wd, ow);
                        for (int oy = 0; oy < oh; oy++) {
                            int y = oy * w.strideH() + yOff;
                            if (y < 0 || y >= h) {
                                continue;
                            }
                            int dst = plane + y * wd;
                            int src = row + oy * ow * sL;
                            for (int ox = x0; ox < x1; ox++) {
                                o[dst + ox * w.strideW() + xOff] += cols[src + ox * sL];
                            }
                        }
                    }
                }
            }
        }
    }

    static void maxPool(float[] x, Strided in, Window2d w, boolean ceil, float[] o, Strided out, float[] idx,
                        Strided indices) {
        int n = in.size(0);
        int c = in.size(1);
        int h = in.size(2);
        int wd = in.size(3);
        int oh = w.outH(h, ceil);
        int ow = w.outW(wd, ceil);
        int k = 0;
        for (int b = 0; b < n; b++) {
            for (int ch = 0; ch < c; ch++) {
                int plane = in.offset() + b * in.stride(0) + ch * in.stride(1);
                for (int oy = 0; oy < oh; oy++) {
                    for (int ox = 0; ox < ow; ox++, k++) {
                        float best = Float.NEGATIVE_INFINITY;
                        int at = -1;
                        for (int i = 0; i < w.kernelH(); i++) {
                            int y = oy * w.strideH() - w.padH() + i * w.dilationH();
                            if (y < 0 || y >= h) {
                                continue;
                            }
                            for (int j = 0; j < w.kernelW(); j++) {
                                int xx = ox * w.strideW() - w.padW() + j * w.dilationW();
                                if (xx < 0 || xx >= wd) {
                                    continue;
                                }
                                float v = x[plane + y * in.stride(2) + xx * in.stride(3)];
                                // PyTorch's cpu_max_pool: the index starts at the window's first
                                // position inside the input; a larger value or any NaN replaces it
                                // (so the first maximum wins, and the last NaN)
                                if (at < 0) {
                                    at = y * wd + xx;
                                }
                                if (v > best || Float.isNaN(v)) {
                                    best = v;
                                    at = y * wd + xx;
                                }
                            }
                        }
                        o[out.offset() + k] = best;
                        idx[indices.offset() + k] = Math.max(at, 0);
                    }
                }
            }
        }
    }

    /** The divisor of one average-pooling window (see Backend#avgPool2d). */
    private static int divisor(int y0, int x0, Window2d w, int h, int wd, boolean countIncludePad, int override) {
        if (override > 0) {
            return override;
        }
        int y1 = Math.min(y0 + w.kernelH(), h + w.padH());
        int x1 = Math.min(x0 + w.kernelW(), wd + w.padW());
        if (countIncludePad) {
            return (y1 - y0) * (x1 - x0);
        }
        return (Math.min(y1, h) - Math.max(y0, 0)) * (Math.min(x1, wd) - Math.max(x0, 0));
    }

    static void avgPool(float[] x, Strided in, Window2d w, boolean ceil, boolean countIncludePad, int override,
                        float[] o, Strided out) {
        int n = in.size(0);
        int c = in.size(1);
        int h = in.size(2);
        int wd = in.size(3);
        int oh = w.outH(h, ceil);
        int ow = w.outW(wd, ceil);
        int k = 0;
        for (int b = 0; b < n; b++) {
            for (int ch = 0; ch < c; ch++) {
                int plane = in.offset() + b * in.stride(0) + ch * in.stride(1);
                for (int oy = 0; oy < oh; oy++) {
                    int y0 = oy * w.strideH() - w.padH();
                    for (int ox = 0; ox < ow; ox++, k++) {
                        int x0 = ox * w.strideW() - w.padW();
                        float sum = 0f;
                        for (int y = Math.max(y0, 0); y < Math.min(y0 + w.kernelH(), h); y++) {
                            for (int xx = Math.max(x0, 0); xx < Math.min(x0 + w.kernelW(), wd); xx++) {
                                sum += x[plane + y * in.stride(2) + xx * in.stride(3)];
                            }
                        }
                        o[out.offset() + k] = sum / divisor(y0, x0, w, h, wd, countIncludePad, override);
                    }
                }
            }
        }
    }

    static void avgPoolBackward(float[] g, Strided gradOut, Window2d w, boolean ceil, boolean countIncludePad,
                                int override, float[] o, Strided gradIn) {
        int n = gradIn.size(0);
        int c = gradIn.size(1);
        int h = gradIn.size(2);
        int wd = gradIn.size(3);
        int oh = w.outH(h, ceil);
        int ow = w.outW(wd, ceil);
        int ob = gradIn.offset();
        java.util.Arrays.fill(o, ob, ob + n * c * h * wd, 0f);
        for (int b = 0; b < n; b++) {
            for (int ch = 0; ch < c; ch++) {
                int plane = ob + (b * c + ch) * h * wd;
                int gp = gradOut.offset() + b * gradOut.stride(0) + ch * gradOut.stride(1);
                for (int oy = 0; oy < oh; oy++) {
                    int y0 = oy * w.strideH() - w.padH();
                    for (int ox = 0; ox < ow; ox++) {
                        int x0 = ox * w.strideW() - w.padW();
                        float share = g[gp + oy * gradOut.stride(2) + ox * gradOut.stride(3)]
                                / divisor(y0, x0, w, h, wd, countIncludePad, override);
                        for (int y = Math.max(y0, 0); y < Math.min(y0 + w.kernelH(), h); y++) {
                            for (int xx = Math.max(x0, 0); xx < Math.min(x0 + w.kernelW(), wd); xx++) {
                                o[plane + y * wd + xx] += share;
                            }
                        }
                    }
                }
            }
        }
    }
}
