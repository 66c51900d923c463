package unboxed.backend.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;
import unboxed.backend.Strided;
import unboxed.backend.Window2d;

/**
 * The CPU's sliding-window kernels: im2col and its adjoint col2im (convolutions as matrix
 * products), max and average pooling. Plain loops over [N, C] planes; the innermost loop runs
 * along the output row over the range of positions that fall inside the input, so the padding
 * costs no test per element.
 */
final class Windows {
    private static final VectorSpecies<Float> SP = FloatVector.SPECIES_PREFERRED;
    private static final int VL = SP.length();

    private Windows() {
    }

    /** The first and one-past-last output index ox whose input position ox*s - p + k*d lies in [0, in). */
    static int firstInside(int kOffset, int stride, int out) {
        // ox*s + kOffset >= 0
        if (kOffset >= 0) {
            return 0;
        }
        return Math.min(out, (-kOffset + stride - 1) / stride);
    }

    static int endInside(int kOffset, int stride, int in, int out) {
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
        for (int b = 0; b < n; b++) {
            col2imImage(cols, colsView.offset() + b * colsView.stride(0), colsView.stride(1), colsView.stride(2), w,
                    o, out.offset() + b * c * h * wd, c, h, wd);
        }
    }

    /**
     * col2im of one image: the columns [C*kh*kw, OH*OW] (row stride sR, column stride sL, from
     * colsOffset) summed into the contiguous [C, H, W] image at outOffset, which is overwritten.
     */
    static void col2imImage(float[] cols, int colsOffset, int sR, int sL, Window2d w, float[] o, int outOffset,
                            int c, int h, int wd) {
        int oh = w.outH(h, false);
        int ow = w.outW(wd, false);
        java.util.Arrays.fill(o, outOffset, outOffset + c * h * wd, 0f);
        for (int ch = 0; ch < c; ch++) {
            int plane = outOffset + ch * h * wd;
            for (int i = 0; i < w.kernelH(); i++) {
                int yOff = i * w.dilationH() - w.padH();
                for (int j = 0; j < w.kernelW(); j++) {
                    int xOff = j * w.dilationW() - w.padW();
                    int row = colsOffset + ((ch * w.kernelH() + i) * w.kernelW() + j) * sR;
                    int x0 = firstInside(xOff, w.strideW(), ow);
                    int x1 = endInside(xOff, w.strideW(), wd, ow);
                    for (int oy = 0; oy < oh; oy++) {
                        int y = oy * w.strideH() + yOff;
                        if (y < 0 || y >= h) {
                            continue;
                        }
                        int dst = plane + y * wd;
                        int src = row + oy * ow * sL;
                        int ox = x0;
                        if (w.strideW() == 1 && sL == 1) {
                            // unit strides: whole vectors (each element's one addition, as below)
                            for (; ox + VL <= x1; ox += VL) {
                                FloatVector.fromArray(SP, o, dst + ox + xOff)
                                        .add(FloatVector.fromArray(SP, cols, src + ox))
                                        .intoArray(o, dst + ox + xOff);
                            }
                        }
                        for (; ox < x1; ox++) {
                            o[dst + ox * w.strideW() + xOff] += cols[src + ox * sL];
                        }
                    }
                }
            }
        }
    }

    /**
     * col2im of one image at unit column stride, gathered instead of scattered: each output row
     * is summed in registers over the kernel taps, in tap order, and stored once, where the
     * scattering loop above reads and writes the row once per tap. Every element receives the
     * same terms in the same order (taps in p = (i*kw + j) order, none where the window misses
     * it), so the same bits. Vectors cover the columns every tap reaches (the last one overlaps
     * the one before rather than running past the interior: the same sums, stored twice); the
     * few border columns are summed one by one.
     *
     * <p>cols: the columns [C*kh*kw, OH*OW] from colsOffset, row stride OH*OW.
     */
    static void col2imImageGather(float[] cols, int colsOffset, Window2d w, float[] o, int outOffset, int c, int h,
                                  int wd) {
        int oh = w.outH(h, false);
        int ow = w.outW(wd, false);
        int l = oh * ow;
        int kh = w.kernelH();
        int kw = w.kernelW();
        int pw = w.padW();
        int dw = w.dilationW();
        // columns x that every tap column j reaches: 0 <= x + pw - j*dw < ow for all j
        int xa = Math.max(0, (kw - 1) * dw - pw);
        int xb = Math.min(wd, ow - pw);
        boolean vectors = xb - xa >= VL;
        int nvec = vectors ? (xb - xa + VL - 1) / VL : 0;
        if (!vectors) {
            // Narrower images (14 or 16 columns with a 5 x 5 or 3 x 3 kernel) have fewer interior
            // columns than a vector holds: whole rows in vectors, with a mask per tap instead.
            // (Shorter vectors are no way out: a second vector species in the same JVM measured
            // 40 % slower CNN epochs, every vector copy of the engine included; with two species
            // seen at one call site of the Vector API, the JIT falls back to boxed vectors.)
            col2imNarrow(cols, colsOffset, w, o, outOffset, c, h, wd);
            return;
        }
        int[] rows = new int[kh];
        int[] iOf = new int[kh];
        int[] oyOf = new int[kh];
        int[] srcs = new int[kh * kw];
        for (int ch = 0; ch < c; ch++) {
            int plane = outOffset + ch * h * wd;
            for (int y = 0; y < h; y++) {
                // the kernel rows i that reach output row y, and where their columns start
                int taps = kernelRowsReaching(w, y, oh, iOf, oyOf);
                for (int t = 0; t < taps; t++) {
                    rows[t] = colsOffset + ((ch * kh + iOf[t]) * kw) * l + oyOf[t] * ow + pw;
                }
                // one flat list of sources, tap by tap (a single loop keeps the sum in a register)
                int nsrc = 0;
                for (int t = 0; t < taps; t++) {
                    for (int j = 0; j < kw; j++) {
                        srcs[nsrc++] = rows[t] + j * (l - dw);
                    }
                }
                int at = plane + y * wd;
                for (int v = 0; v < nvec; v++) {
                    int x = Math.min(xa + v * VL, xb - VL);
                    sumVector(cols, srcs, nsrc, x, o, at + x);
                }
                for (int x = 0; x < wd; x++) {
                    if (vectors && x == xa) {
                        x = xb - 1;               // the vectors did [xa, xb)
                        continue;
                    }
                    float sum = 0f;
                    for (int t = 0; t < taps; t++) {
                        for (int j = 0; j < kw; j++) {
                            int ox = x + pw - j * dw;
                            if (ox >= 0 && ox < ow) {
                                sum += cols[rows[t] - pw + j * l + ox];
                            }
                        }
                    }
                    o[at + x] = sum;
                }
            }
        }
    }

    /**
     * col2im of one image at column stride 2, gathered: the adjoint of a stride-2 convolution, as
     * the forward of a transposed convolution that upsamples by 2 computes it. Scattered, each
     * tap's column adds into every other input column, one element at a time: about 1 ns a term
     * on a Zen 5, two thirds of the upsampling forwards. Gathered, each input row is cut into its
     * even and its odd columns: for either parity, the tap columns j that reach it are fixed
     * (those with x + pw - j*dw even), and along the parity's positions t (x = 2t + a) each such
     * tap reads its column row contiguously (output column t + e, e = (a + pw - j*dw) / 2). So
     * the sums of VL even and VL odd positions are plain vector additions, in tap order from +0
     * (the scalar loop's order, so its bits), and one interleave of the two (a lane permutation
     * of each, then a blend) gives 2*VL consecutive inputs, stored once.
     *
     * <p>The vectors add every parity's taps in every lane; the few border columns that some tap
     * does not reach (its output column t + e outside the row: x = 0 and the last one for a 4 x 4
     * kernel with padding 1) are then summed again one by one, over the taps that do reach them.
     * A vector may store past its row into the next one, which is written later; a row that would
     * store past the image's last channel goes through a scratch, and one whose loads would leave
     * the columns, or whose sums hold a NaN (a permutation may replace a NaN's payload by the
     * canonical one before the JIT compiles it), is summed one element at a time.
     *
     * <p>cols: the columns [C*kh*kw, OH*OW] from colsOffset, row stride OH*OW.
     */
    static void col2imImageGather2(float[] cols, int colsOffset, Window2d w, float[] o, int outOffset, int c, int h,
                                   int wd) {
        if (w.strideW() != 2) {
            throw new IllegalArgumentException("col2imImageGather2 needs a column stride of 2, got " + w.strideW());
        }
        Stride2Terms plan = STRIDE2_TERMS.get();
        if (plan == null || !plan.w.equals(w) || plan.h != h || plan.wd != wd) {
            plan = new Stride2Terms(w, h, wd);
            STRIDE2_TERMS.set(plan);
        }
        int span = plan.blocks * 2 * VL;                     // what the vectors of one row store
        int end = outOffset + c * h * wd;
        int channelColumns = w.kernelH() * w.kernelW() * plan.oh * plan.ow;
        float[] scratch = new float[span];
        for (int ch = 0; ch < c; ch++) {
            int plane = outOffset + ch * h * wd;
            int base = colsOffset + ch * channelColumns;
            for (int y = 0; y < h; y++) {
                int[] srcs = plan.srcOf[y];
                int evens = plan.evensOf[y];
                int at = plane + y * wd;
                boolean inside = srcs.length == 0 || (base + plan.lowest[y] >= 0
                        && base + plan.highest[y] + span / 2 <= cols.length);
                boolean summed = false;
                if (inside && at + span <= end) {
                    summed = sumRow(cols, base, srcs, evens, plan.blocks, o, at);
                } else if (inside && sumRow(cols, base, srcs, evens, plan.blocks, scratch, 0)) {
                    System.arraycopy(scratch, 0, o, at, wd);
                    summed = true;
                }
                if (summed) {
                    for (int x : plan.border) {
                        o[at + x] = column(cols, base, srcs, plan.eOf[y], evens, plan.ow, x);
                    }
                } else {
                    for (int x = 0; x < wd; x++) {
                        o[at + x] = column(cols, base, srcs, plan.eOf[y], evens, plan.ow, x);
                    }
                }
            }
        }
    }

    /** Input column x of one row, one term at a time: its parity's terms, in order, where they reach. */
    private static float column(float[] cols, int base, int[] srcs, int[] eOf, int evens, int ow, int x) {
        int t = x >> 1;
        int q0 = (x & 1) == 0 ? 0 : evens;
        int q1 = (x & 1) == 0 ? evens : srcs.length;
        float sum = 0f;
        for (int q = q0; q < q1; q++) {
            int ox = t + eOf[q];
            if (ox >= 0 && ox < ow) {
                sum += cols[base + srcs[q] + t];
            }
        }
        return sum;
    }

    /**
     * One row of {@link #col2imImageGather2} in vectors: blocks of VL even and VL odd positions,
     * whose terms start at cols[base + srcs[q] + t0] (the even positions' q in [0, evens), the odd
     * ones' the rest), summed from +0 in order and interleaved into dst from {@code at}. False
     * when a sum may hold a NaN: the caller then sums the row one element at a time.
     */
    private static boolean sumRow(float[] cols, int base, int[] srcs, int evens, int blocks, float[] dst, int at) {
        for (int v = 0, t0 = 0; v < blocks; v++, t0 += VL) {
            FloatVector even = FloatVector.zero(SP);
            for (int q = 0; q < evens; q++) {
                even = even.add(FloatVector.fromArray(SP, cols, base + srcs[q] + t0));
            }
            FloatVector odd = FloatVector.zero(SP);
            for (int q = evens; q < srcs.length; q++) {
                odd = odd.add(FloatVector.fromArray(SP, cols, base + srcs[q] + t0));
            }
            FloatVector both = even.add(odd);
            if (both.compare(VectorOperators.NE, both).anyTrue()) {
                return false;
            }
            interleave(even, odd, dst, at + 2 * t0);
        }
        return true;
    }

    /**
     * What {@link #col2imImageGather2} derives from the window and the image size alone, kept
     * per thread for the next call with the same geometry (one call per image, or per chunk of
     * channels): built on every call, the term lists cost as much as summing a small image.
     */
    private static final class Stride2Terms {
        final Window2d w;
        final int h, wd, oh, ow;
        /** Blocks of VL positions per parity that cover a row. */
        final int blocks;
        /**
         * Per input row y: its terms (the even columns' first; within a parity, tap rows i in
         * increasing order, then tap columns j), as offsets from the channel's first column row;
         * each one's e; where the odd ones start; the smallest and largest offset.
         */
        final int[][] srcOf, eOf;
        final int[] evensOf, lowest, highest;
        /** The input columns x that some tap of their parity does not reach, in increasing order. */
        final int[] border;

        Stride2Terms(Window2d w, int h, int wd) {
            this.w = w;
            this.h = h;
            this.wd = wd;
            this.oh = w.outH(h, false);
            this.ow = w.outW(wd, false);
            int l = oh * ow;
            int kh = w.kernelH();
            int kw = w.kernelW();
            int pw = w.padW();
            int dw = w.dilationW();
            this.blocks = ((wd + 1) / 2 + VL - 1) / VL;      // the even columns are (wd + 1) / 2, the odd ones wd / 2
            // per parity a: the tap columns that reach it (in increasing j) and their e
            int[][] tapJ = new int[2][kw];
            int[][] tapE = new int[2][kw];
            int[] taps = new int[2];
            for (int a = 0; a < 2; a++) {
                for (int j = 0; j < kw; j++) {
                    int num = a + pw - j * dw;
                    if ((num & 1) == 0) {
                        tapJ[a][taps[a]] = j;
                        tapE[a][taps[a]++] = num >> 1;        // exact: num is even
                    }
                }
            }
            java.util.List<Integer> edge = new java.util.ArrayList<>();
            for (int x = 0; x < wd; x++) {
                int a = x & 1;
                for (int u = 0; u < taps[a]; u++) {
                    int ox = (x >> 1) + tapE[a][u];
                    if (ox < 0 || ox >= ow) {
                        edge.add(x);
                        break;
                    }
                }
            }
            border = edge.stream().mapToInt(Integer::intValue).toArray();
            int[] iOf = new int[kh];
            int[] oyOf = new int[kh];
            srcOf = new int[h][];
            eOf = new int[h][];
            evensOf = new int[h];
            lowest = new int[h];
            highest = new int[h];
            for (int y = 0; y < h; y++) {
                int rowTaps = kernelRowsReaching(w, y, oh, iOf, oyOf);
                int n = rowTaps * (taps[0] + taps[1]);
                srcOf[y] = new int[n];
                eOf[y] = new int[n];
                lowest[y] = Integer.MAX_VALUE;
                highest[y] = Integer.MIN_VALUE;
                int q = 0;
                for (int a = 0; a < 2; a++) {
                    if (a == 1) {
                        evensOf[y] = q;
                    }
                    for (int t = 0; t < rowTaps; t++) {
                        for (int u = 0; u < taps[a]; u++, q++) {
                            srcOf[y][q] = (iOf[t] * kw + tapJ[a][u]) * l + oyOf[t] * ow + tapE[a][u];
                            eOf[y][q] = tapE[a][u];
                            lowest[y] = Math.min(lowest[y], srcOf[y][q]);
                            highest[y] = Math.max(highest[y], srcOf[y][q]);
                        }
                    }
                }
            }
        }
    }

    private static final ThreadLocal<Stride2Terms> STRIDE2_TERMS = new ThreadLocal<>();

    /** dst[at .. at + 2*VL) = even and odd interleaved (even's lane t at 2t, odd's at 2t + 1). */
    static void interleave(FloatVector even, FloatVector odd, float[] dst, int at) {
        interleave(even, odd, dst, at, at + VL);
    }

    /** Even and odd interleaved, the first VL floats to dst[at..], the last VL to dst[atHigh..]. */
    static void interleave(FloatVector even, FloatVector odd, float[] dst, int at, int atHigh) {
        even.rearrange(ZIP_LOW).blend(odd.rearrange(ZIP_LOW), ODD_LANES).intoArray(dst, at);
        even.rearrange(ZIP_HIGH).blend(odd.rearrange(ZIP_HIGH), ODD_LANES).intoArray(dst, atHigh);
    }

    /** Lane i takes lane i / 2 (ZIP_LOW) or VL/2 + i / 2 (ZIP_HIGH): with a blend on the odd lanes, an interleave. */
    private static final VectorShuffle<Float> ZIP_LOW = VectorShuffle.fromOp(SP, i -> i / 2);
    private static final VectorShuffle<Float> ZIP_HIGH = VectorShuffle.fromOp(SP, i -> VL / 2 + i / 2);
    private static final VectorMask<Float> ODD_LANES = VectorMask.fromLong(SP, 0xAAAA_AAAA_AAAA_AAAAL & (-1L >>> (64 - VL)));

    /**
     * {@link #col2imImageGather} for images too narrow for its interior vectors: each input row in
     * vectors from column 0, every tap's term added in tap order, with the lanes the tap does not
     * reach (and those past the row) masked to +0. Adding +0 leaves a sum that started at +0
     * unchanged, bit for bit (such a sum is never -0), so every element gets the scalar loop's
     * bits. A vector may store past its row into the next one, which is written later; one that
     * would store past the image's last row, or read past the columns, goes through a scratch.
     */
    private static void col2imNarrow(float[] cols, int colsOffset, Window2d w, float[] o, int outOffset, int c, int h,
                                     int wd) {
        int oh = w.outH(h, false);
        int ow = w.outW(wd, false);
        int l = oh * ow;
        int kh = w.kernelH();
        int kw = w.kernelW();
        int pw = w.padW();
        int dw = w.dilationW();
        int nvec = (wd + VL - 1) / VL;
        VectorMask<Float>[] valid = columnMasks(nvec, kw, wd, ow, pw, dw);
        int end = outOffset + c * h * wd;
        float[] scratch = new float[VL];
        int[] rows = new int[kh];
        int[] iOf = new int[kh];
        int[] oyOf = new int[kh];
        int[] srcs = new int[kh * kw];
        int[] tapColumn = new int[kh * kw];           // j of each term
        for (int q = 0; q < kh * kw; q++) {
            tapColumn[q] = q % kw;
        }
        for (int ch = 0; ch < c; ch++) {
            int plane = outOffset + ch * h * wd;
            for (int y = 0; y < h; y++) {
                int taps = kernelRowsReaching(w, y, oh, iOf, oyOf);
                int nsrc = 0;
                int maxSrc = 0;
                for (int t = 0; t < taps; t++) {
                    int row = colsOffset + ((ch * kh + iOf[t]) * kw) * l + oyOf[t] * ow + pw;
                    for (int j = 0; j < kw; j++) {
                        srcs[nsrc] = row + j * (l - dw);
                        maxSrc = Math.max(maxSrc, srcs[nsrc++]);
                    }
                }
                int at = plane + y * wd;
                for (int v = 0; v < nvec; v++) {
                    int x = v * VL;
                    if (maxSrc + x + VL <= cols.length) {
                        if (at + x + VL <= end) {
                            sumMasked(cols, srcs, tapColumn, nsrc, x, valid, v * kw, o, at + x);
                        } else {
                            sumMasked(cols, srcs, tapColumn, nsrc, x, valid, v * kw, scratch, 0);
                            System.arraycopy(scratch, 0, o, at + x, Math.min(VL, wd - x));
                        }
                    } else {
                        for (int xx = x; xx < Math.min(wd, x + VL); xx++) {
                            float sum = 0f;
                            for (int q = 0; q < nsrc; q++) {
                                int ox = xx + pw - (q % kw) * dw;
                                if (ox >= 0 && ox < ow) {
                                    sum += cols[srcs[q] + xx];
                                }
                            }
                            o[at + xx] = sum;
                        }
                    }
                }
            }
        }
    }

    /**
     * The lanes each kernel column reaches, at unit stride: mask [v * kw + j] holds the columns
     * x = v*VL + lane of a row of wd that tap column j reads from an output row of ow (0 <= x + pw
     * - j*dw < ow); lanes past the row are off.
     */
    static VectorMask<Float>[] columnMasks(int nvec, int kw, int wd, int ow, int pw, int dw) {
        @SuppressWarnings("unchecked")
        VectorMask<Float>[] masks = new VectorMask[nvec * kw];
        for (int v = 0; v < nvec; v++) {
            for (int j = 0; j < kw; j++) {
                boolean[] bits = new boolean[VL];
                for (int lane = 0; lane < VL; lane++) {
                    int x = v * VL + lane;
                    int ox = x + pw - j * dw;
                    bits[lane] = x < wd && ox >= 0 && ox < ow;
                }
                masks[v * kw + j] = VectorMask.fromArray(SP, bits, 0);
            }
        }
        return masks;
    }

    /**
     * dst[at..at+VL) = 0 + the masked terms of every tap, in tap order (see col2imNarrow). It
     * stores the sum itself: a method that returned the vector would box it when not inlined.
     */
    private static void sumMasked(float[] cols, int[] srcs, int[] tapColumn, int nsrc, int x,
                                  VectorMask<Float>[] valid, int m0, float[] dst, int at) {
        // one flat loop over the terms: a vector carried across nested loops is boxed by the JIT
        FloatVector zero = FloatVector.zero(SP);
        FloatVector acc = zero;
        for (int q = 0; q < nsrc; q++) {
            acc = acc.add(zero.blend(FloatVector.fromArray(SP, cols, srcs[q] + x), valid[m0 + tapColumn[q]]));
        }
        acc.intoArray(dst, at);
    }

    /**
     * The kernel rows i whose taps reach input row y of a convolution (y = oy*sh - ph + i*dh for
     * an output row oy in [0, oh)), in increasing i: their count, the rows in iOf and the output
     * rows in oyOf.
     */
    static int kernelRowsReaching(Window2d w, int y, int oh, int[] iOf, int[] oyOf) {
        int taps = 0;
        for (int i = 0; i < w.kernelH(); i++) {
            int num = y + w.padH() - i * w.dilationH();
            if (num >= 0 && num % w.strideH() == 0 && num / w.strideH() < oh) {
                iOf[taps] = i;
                oyOf[taps++] = num / w.strideH();
            }
        }
        return taps;
    }

    /**
     * o[at..at+VL) = 0 + cols[srcs[0] + x ..] + cols[srcs[1] + x ..] + ..., one vector. A method of
     * its own so that the JIT compiles it small, with every vector operation intrinsified.
     */
    private static void sumVector(float[] cols, int[] srcs, int nsrc, int x, float[] o, int at) {
        FloatVector acc = FloatVector.zero(SP);
        for (int q = 0; q < nsrc; q++) {
            acc = acc.add(FloatVector.fromArray(SP, cols, srcs[q] + x));
        }
        acc.intoArray(o, at);
    }

    static void maxPool(float[] x, Strided in, Window2d w, boolean ceil, float[] o, Strided out, float[] idx,
                        Strided indices) {
        if (w.padH() == 0 && w.padW() == 0 && !ceil && w.kernelH() * w.kernelW() <= 32) {
            maxPoolInside(x, in, w, o, out, idx, indices);
        } else {
            maxPoolAnyWindow(x, in, w, ceil, o, out, idx, indices);
        }
    }

    /** Max pooling, any window: PyTorch's loop (the definition {@link #maxPoolInside} is tested against). */
    static void maxPoolAnyWindow(float[] x, Strided in, Window2d w, boolean ceil, float[] o, Strided out, float[] idx,
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

    /**
     * Max pooling when every window lies inside the input (no padding, floor mode): the same
     * choice as {@link #maxPool}'s loop, made without a data-dependent branch. On ReLU outputs the
     * branch "is this value larger" goes either way at random, and its mispredictions made that
     * loop cost some 20 ns an output (a seventh of the CNN's training epoch).
     *
     * <p>Each value is mapped to an int that orders as the value does ({@link #order}); the
     * window's largest is an integer max, a conditional move; then, in integer arithmetic, a bit
     * mask of the taps that equal it (-0.0 counted as 0.0). PyTorch's choice is the first tap
     * equal to the maximum (the mask's lowest bit), or, when the window holds a NaN, the last NaN.
     * The output is the input at that tap, so -0.0 and NaN payloads come through unchanged.
     */
    static void maxPoolInside(float[] x, Strided in, Window2d w, float[] o, Strided out, float[] idx,
                              Strided indices) {
        int n = in.size(0);
        int c = in.size(1);
        int h = in.size(2);
        int wd = in.size(3);
        int oh = w.outH(h, false);
        int ow = w.outW(wd, false);
        int kh = w.kernelH();
        int kw = w.kernelW();
        int sh = w.strideH();
        int sw = w.strideW();
        int s2 = in.stride(2);
        int s3 = in.stride(3);
        int taps = kh * kw;
        int[] tapAt = new int[taps];       // each tap's offset from the window's corner, and its flat index
        int[] tapFlat = new int[taps];
        for (int i = 0, t = 0; i < kh; i++) {
            for (int j = 0; j < kw; j++, t++) {
                tapAt[t] = i * w.dilationH() * s2 + j * w.dilationW() * s3;
                tapFlat[t] = i * w.dilationH() * wd + j * w.dilationW();
            }
        }
        int o0 = out.offset();
        int i0 = indices.offset();
        int k = 0;
        // MaxPool2d(2) on rows of contiguous values: VL windows at a time (see planesOf2x2Vectors)
        boolean vectors = taps == 4 && kw == 2 && sw == 2 && s3 == 1 && w.dilationH() == 1 && w.dilationW() == 1
                && (long) h * wd < 1 << 24 && s2 < 1 << 23;
        if (vectors) {
            planesOf2x2Vectors(x, in, sh, oh, ow, o, o0, idx, i0);
            return;
        }
        for (int b = 0; b < n; b++) {
            for (int ch = 0; ch < c; ch++) {
                int plane = in.offset() + b * in.stride(0) + ch * in.stride(1);
                for (int oy = 0; oy < oh; oy++) {
                    int row = plane + oy * sh * s2;
                    int flatRow = oy * sh * wd;
                    if (taps == 4 && kw == 2) {
                        k = rowOf2x2(x, row, sw * s3, ow, o, o0 + k, idx, i0 + k, flatRow, sw,
                                w.dilationH() * s2, w.dilationW() * s3, w.dilationH() * wd, w.dilationW()) - o0;
                        continue;
                    }
                    for (int ox = 0; ox < ow; ox++, k++) {
                        int corner = row + ox * sw * s3;
                        int win = windowArgMax(x, corner, tapAt, taps);
                        o[o0 + k] = x[corner + tapAt[win]];
                        idx[i0 + k] = flatRow + ox * sw + tapFlat[win];
                    }
                }
            }
        }
    }

    /**
     * One output row of a 2 x 2 window, straight-line: taps (0,0), (0,1), (1,0), (1,1) at offsets
     * 0, dw, dh, dh + dw from each window's corner (flat input indices 0, fw, fh, fh + fw). Returns
     * the output position after the row.
     */
    private static int rowOf2x2(float[] x, int row, int step, int ow, float[] o, int at,
                                float[] idx, int atIdx, int flatRow, int sw, int dh, int dw, int fh, int fw) {
        for (int ox = 0; ox < ow; ox++) {
            int c = row + ox * step;
            float a = x[c];
            float b = x[c + dw];
            float d = x[c + dh];
            float e = x[c + dh + dw];
            int oa = order(a);
            int ob = order(b);
            int od = order(d);
            int oe = order(e);
            int m = Math.max(Math.max(oa, ob), Math.max(od, oe));   // integer maxima: conditional moves
            int equal = same(oa, m) | same(ob, m) << 1 | same(od, m) << 2 | same(oe, m) << 3;
            int win = Integer.numberOfTrailingZeros(equal);          // the first tap holding the maximum
            if (m == Integer.MAX_VALUE) {                             // a NaN in the window: the last NaN wins
                win = 31 - Integer.numberOfLeadingZeros(isNan(a) | isNan(b) << 1 | isNan(d) << 2 | isNan(e) << 3);
            }
            int row2 = win >> 1;                                  // no branch on the winner: it is random
            int col2 = win & 1;
            o[at + ox] = x[c + row2 * dh + col2 * dw];
            idx[atIdx + ox] = flatRow + ox * sw + row2 * fh + col2 * fw;
        }
        return at + ow;
    }

    /**
     * 2 x 2 windows at column stride 2 (MaxPool2d(2); any row stride), no dilation, on input rows of contiguous values,
     * every plane, VL windows at a time: two vectors of each input row split into their even and
     * odd columns (lane permutations and a blend, as in Sgemm's transposes), then the window's taps
     * in order (0,0), (0,1), (1,0), (1,1), each replacing the maximum so far where it is larger or
     * NaN: PyTorch's loop, lane by lane, so the first maximum wins, -0.0 ties with 0.0, and the
     * last NaN wins. Indices are flat input indices as floats, exact below 2^24.
     *
     * <p>One method for all rows, so that the loop over rows costs no call: on the MNIST CNN's
     * rows of 14 and 7 windows, one vector per row, a call per row cost as much as its windows.
     * A vector stores past the row's end into the next row, written later; near the end of the
     * output, or where its loads would run past the input, the row is finished one window at a
     * time ({@link #rowOf2x2}).
     *
     * <p>Values: a permutation may replace a NaN by the canonical one (the Vector API does so
     * before the JIT compiles it), so a plane through which a NaN went is pooled again one window
     * at a time, reading each value from the input, bit for bit (a sum of the plane's outputs
     * tells, one vector addition per vector of outputs); other values pass through
     * permutations and blends unchanged. (Permuting the bits as IntVectors instead kept them, but a second vector class in
     * the JVM made some runs' training steps 30 % slower, the matrix kernel among them: the JIT's
     * type profiles in the shared Vector API code.)
     */
    private static void planesOf2x2Vectors(float[] x, Strided in, int sh, int oh, int ow, float[] o, int o0, float[] idx,
                                           int i0) {
        int n = in.size(0);
        int c = in.size(1);
        int wd = in.size(3);
        int dh = in.stride(2);
        FloatVector tapRight = ONE;
        FloatVector tapDown = FloatVector.broadcast(SP, wd);
        FloatVector tapDiagonal = FloatVector.broadcast(SP, wd + 1);
        int outEnd = o0 + n * c * oh * ow;
        int idxEnd = i0 + n * c * oh * ow;
        int k = 0;
        for (int b = 0; b < n; b++) {
            for (int ch = 0; ch < c; ch++) {
                int plane = in.offset() + b * in.stride(0) + ch * in.stride(1);
                int k0 = k;
                for (int oy = 0; oy < oh; oy++, k += ow) {
                    int row = plane + oy * sh * dh;
                    int flatRow = oy * sh * wd;
                    int at = o0 + k;
                    int atIdx = i0 + k;
                    int ox = 0;
                    for (; ox < ow; ox += VL) {
                        int cc = row + 2 * ox;
                        if (cc + dh + 2 * VL > x.length || at + ox + VL > outEnd || atIdx + ox + VL > idxEnd) {
                            break;
                        }
                        FloatVector r0 = FloatVector.fromArray(SP, x, cc);
                        FloatVector r1 = FloatVector.fromArray(SP, x, cc + VL);
                        FloatVector s0 = FloatVector.fromArray(SP, x, cc + dh);
                        FloatVector s1 = FloatVector.fromArray(SP, x, cc + dh + VL);
                        FloatVector m = columns(r0, r1, EVEN);                               // tap (0,0)
                        FloatVector tap = FloatVector.zero(SP);     // the winner's flat offset in its window
                        FloatVector v = columns(r0, r1, ODD);                                 // tap (0,1)
                        // larger, or NaN (v != v): two blends, no mask arithmetic
                        VectorMask<Float> larger = v.compare(VectorOperators.GT, m);
                        VectorMask<Float> nan = v.compare(VectorOperators.NE, v);
                        m = m.blend(v, larger).blend(v, nan);
                        tap = tap.blend(tapRight, larger).blend(tapRight, nan);
                        v = columns(s0, s1, EVEN);                                            // tap (1,0)
                        larger = v.compare(VectorOperators.GT, m);
                        nan = v.compare(VectorOperators.NE, v);
                        m = m.blend(v, larger).blend(v, nan);
                        tap = tap.blend(tapDown, larger).blend(tapDown, nan);
                        v = columns(s0, s1, ODD);                                             // tap (1,1)
                        larger = v.compare(VectorOperators.GT, m);
                        nan = v.compare(VectorOperators.NE, v);
                        m = m.blend(v, larger).blend(v, nan);
                        tap = tap.blend(tapDiagonal, larger).blend(tapDiagonal, nan);
                        EVEN_COLUMNS.add((float) (flatRow + 2 * ox)).add(tap).intoArray(idx, atIdx + ox);
                        m.intoArray(o, at + ox);
                    }
                    int done = Math.min(ox, ow);
                    if (done < ow) {
                        rowOf2x2(x, row + 2 * done, 2, ow - done, o, at + done, idx, atIdx + done,
                                flatRow + 2 * done, 2, dh, 1, wd, 1);
                    }
                }
                if (mayHoldNaN(o, o0 + k0, oh * ow)) {
                    // a NaN may have passed through a permutation: the plane again, one window at a time
                    for (int oy = 0, kk = k0; oy < oh; oy++, kk += ow) {
                        rowOf2x2(x, plane + oy * sh * dh, 2, ow, o, o0 + kk, idx, i0 + kk, oy * sh * wd, 2, dh, 1, wd, 1);
                    }
                }
            }
        }
    }

    /**
     * Whether y[at .. at+n) may hold a NaN: its sum, in vectors, is NaN (also when +inf and -inf
     * both occur, which only costs the caller a second look). One loop, so the sum stays in a
     * register.
     */
    private static boolean mayHoldNaN(float[] y, int at, int n) {
        FloatVector sum = FloatVector.zero(SP);
        int i = 0;
        for (; i + VL <= n; i += VL) {
            sum = sum.add(FloatVector.fromArray(SP, y, at + i));
        }
        float tail = 0f;
        for (; i < n; i++) {
            tail += y[at + i];
        }
        return sum.compare(VectorOperators.NE, sum).anyTrue() || tail != tail;
    }

    /** The even (odd) columns of two consecutive vectors of a row: the low half from the first, the high half from the second. */
    static FloatVector columns(FloatVector lo, FloatVector hi, VectorShuffle<Float> which) {
        return lo.rearrange(which).blend(hi.rearrange(which), UPPER);
    }

    static final VectorShuffle<Float> EVEN = VectorShuffle.fromOp(SP, i -> (2 * i) % VL);
    static final VectorShuffle<Float> ODD = VectorShuffle.fromOp(SP, i -> (2 * i + 1) % VL);
    private static final VectorMask<Float> UPPER = SP.indexInRange(-VL / 2, VL / 2);     // lanes VL/2 ..
    private static final FloatVector ONE = FloatVector.broadcast(SP, 1f);
    /** 0, 2, 4, ...: each window's first column, relative to the vector's first window. */
    private static final FloatVector EVEN_COLUMNS = FloatVector.fromArray(SP, evenColumns(), 0);

    private static float[] evenColumns() {
        float[] v = new float[VL];
        for (int i = 0; i < VL; i++) {
            v[i] = 2 * i;
        }
        return v;
    }

    /** 1 when the orders are equal, else 0, without a branch. */
    private static int same(int a, int b) {
        int diff = a ^ b;
        return ~(diff | -diff) >>> 31;
    }

    private static int isNan(float v) {
        return (0x7f800000 - (Float.floatToRawIntBits(v) & 0x7fffffff)) >>> 31;
    }

    /** The winning tap of one window (see {@link #maxPoolInside}); at most 32 taps. */
    private static int windowArgMax(float[] x, int corner, int[] tapAt, int taps) {
        int m = Integer.MIN_VALUE;
        for (int t = 0; t < taps; t++) {
            m = Math.max(m, order(x[corner + tapAt[t]]));     // an integer max: a conditional move
        }
        int equal = 0;
        int nans = 0;
        for (int t = 0; t < taps; t++) {
            float v = x[corner + tapAt[t]];
            equal |= same(order(v), m) << t;
            nans |= isNan(v) << t;
        }
        // a NaN orders above everything: with one in the window, the last NaN wins
        return m != Integer.MAX_VALUE ? Integer.numberOfTrailingZeros(equal) : 31 - Integer.numberOfLeadingZeros(nans);
    }

    /**
     * A float's place in max pooling's order, as an int: integers compare as the floats do, -0.0
     * equals 0.0, and every NaN ranks above +inf (PyTorch's max pooling lets a NaN win).
     */
    private static int order(float v) {
        int bits = Float.floatToRawIntBits(v + 0f);         // -0.0 + 0.0 is +0.0
        int abs = bits & 0x7fffffff;
        int nan = (0x7f800000 - abs) >> 31;                 // -1 for a NaN, else 0
        return ((abs ^ (bits >> 31)) & ~nan) | (Integer.MAX_VALUE & nan);
    }

    /**
     * Max pooling's backward where the windows do not overlap (stride at least the kernel, no
     * dilation): zeros, then each window's 0 + g stored at its index (the one addition
     * scatter_add into zeros makes: -0.0 becomes +0.0), which no other window shares. On the
     * MNIST CNN the general scatter it replaces (a copy of zeros, an add and a checked index per
     * element) was 4 % of a training step. (Writing every element once instead, the winner's
     * value or zero without a branch, measured three times slower: four times the stores.)
     *
     * @param planes N x C; g and idx [planes, windows] at gOff and iOff; gx [planes, plane] at xOff
     */
    static void maxPoolBackwardDisjoint(float[] g, int gOff, float[] idx, int iOff, int windows, float[] gx, int xOff,
                                        int planes, int plane) {
        java.util.Arrays.fill(gx, xOff, xOff + planes * plane, 0f);
        for (int pl = 0; pl < planes; pl++) {
            int gp = gOff + pl * windows;
            int ip = iOff + pl * windows;
            int xp = xOff + pl * plane;
            for (int k = 0; k < windows; k++) {
                int at = (int) idx[ip + k];
                if (Integer.compareUnsigned(at, plane) >= 0) {
                    throw new IndexOutOfBoundsException("max_pool2d backward: index " + idx[ip + k]
                            + " outside a plane of " + plane + " elements");
                }
                gx[xp + at] = 0f + g[gp + k];
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
