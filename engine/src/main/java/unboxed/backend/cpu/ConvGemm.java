package unboxed.backend.cpu;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import unboxed.backend.Strided;
import unboxed.backend.Window2d;

/**
 * conv2d and its two gradients on the CPU, as the matrix products of their unfold form, without
 * ever writing the unfolded (im2col) matrix out.
 *
 * <p>The unfold form (Backend#conv2d) multiplies the weight of each group, [O/G, K] with
 * K = C/G*kh*kw, by the im2col matrix of each image and group, [K, OH*OW]. That matrix is kh*kw
 * times larger than the image: 151 MB for a batch of 64 images of 64 channels at 32 x 32 with a
 * 3 x 3 kernel, written once and read again, which cost more than the products themselves. Sgemm
 * already copies B into small panels before multiplying; here those panels are filled straight
 * from the image ({@link Columns}), so the matrix never exists in full ("implicit GEMM").
 * The panels hold the same floats im2col would have produced, and Sgemm's arithmetic does not
 * depend on where its panels come from, so every output has the same bits as the unfold form.
 *
 * <ul>
 *   <li>forward: out[n, g] = W[g] x cols(n, g), B packed from the image, then the bias; where
 *       the output rows fill the vectors, the taps are few or the output channels per group are
 *       few, {@link ConvDirect}'s direct kernels compute the same chains from the padded image
 *       in place;</li>
 *   <li>weight gradient: gW[g] = sum over n of gOut[n, g] x cols(n, g)^T, computed transposed
 *       with the columns as A, read from the padded image in place by ConvDirect's unpacked
 *       tile (or packed from it, {@link RowColumns}, for fewer images than threads); each image's
 *       product is added into a double accumulator in image order and rounded once, the
 *       arithmetic of the unfold form's reduction over the batch (depthwise: {@link ConvDirect});
 *       on several threads the images' products are summed in order as they come in
 *       ({@link InOrderSum});</li>
 *   <li>input gradient (and the transposed convolution's forward): cols = W[g]^T x gOut[n, g],
 *       then col2im: at unit strides, or column stride 2 (each row's even and odd columns apart),
 *       with enough input channels ConvDirect sums each tap's column values straight from
 *       registers into the input positions; elsewhere the columns
 *       of one image at a time go to a scratch, then col2im of that image, gathered in vectors
 *       at column stride 1 or 2 (the same additions in the same order as col2im of the whole
 *       batch; few output channels per group: {@link ConvDirect}).</li>
 * </ul>
 * The images (or image-group pairs) are spread over the threads when there are enough of them,
 * each product then on one thread; no result depends on the thread count.
 */
final class ConvGemm {
    private ConvGemm() {
    }

    /** Scratch columns of one image for the input gradient, per thread, kept between calls. */
    private static final ThreadLocal<float[][]> SCRATCH = ThreadLocal.withInitial(() -> new float[1][0]);
    /** One image's upstream gradient with its planes a cache line off 4 KB multiples, per thread. */
    private static final ThreadLocal<float[][]> SKEWED = ThreadLocal.withInitial(() -> new float[1][0]);
    /** One padded image per thread, kept between calls. */
    private static final ThreadLocal<float[][]> PADDED = ThreadLocal.withInitial(() -> new float[1][0]);

    private static final VectorSpecies<Float> SP = FloatVector.SPECIES_PREFERRED;
    private static final int VL = SP.length();


    /**
     * The geometry of one call, and one image's group of channels copied with its zero padding
     * around it ({@link #load}): [C/G, H + 2ph, W + 2pw] plus a few vectors of slack. Every element
     * of the im2col matrix is then an element of this buffer, with no test for the padding: row
     * p = (ch*kh + i)*kw + j, output position (oy, ox) reads
     * {@code padded[rowOffset[p] + oy*rowStep + ox*colStep]}, and where colStep is 1 a run along
     * an output row is a plain copy.
     *
     * <p>At column stride 2 each padded row is stored split: its even columns, then its odd ones
     * ({@code half} each), so that the columns a tap reads along an output row, every other one
     * of the padded row, lie side by side (colStep 1) and packing copies whole vectors. The split
     * is made once per image while loading it, from two vectors of the input row at a time.
     */
    static final class Geometry {
        final int c, h, wd, oh, ow, l, groups, cg, k;
        /** The kernel's width: taps p .. p + kw - 1 of one kernel row (p a multiple of kw) share a channel and a row. */
        final int kw;
        final int sN, sC, sH, sW, offset;
        final int sh, sw, ph, pw, hp, wp;
        /** Columns split by parity (column stride 2); a parity's share of a row; the loaded row's length. */
        final boolean split;
        final int half, lw;
        /** Offsets in the loaded buffer from one output row, and one output column, to the next. */
        final int rowStep, colStep;
        /**
         * Floats from one loaded channel to the next: hp * lw, plus a cache line where that is a
         * multiple of 4 KB. A kernel's terms read one vector from each of many channels; at a 4 KB
         * multiple apart (the 32 x 32 planes of an upstream gradient) those all fall into the same
         * L1 set and evict each other: the input gradient of (64, 3, 32, 64, 3), whose tile reads
         * 64 such planes of the upstream gradient, took 6.7-6.9 ms against 4.4-4.9 with them a
         * cache line apart (by hand on a Zen 5 under -XX:UseAVX=2, one thread; with AVX-512 3.1
         * either way).
         */
        final int plane;
        final int[] rowOffset;

        Geometry(Strided in, Window2d w, int groups) {
            this.c = in.size(1);
            this.h = in.size(2);
            this.wd = in.size(3);
            this.oh = w.outH(h, false);
            this.ow = w.outW(wd, false);
            this.l = oh * ow;
            this.groups = groups;
            this.cg = c / groups;
            int kh = w.kernelH();
            int kw = w.kernelW();
            this.kw = kw;
            this.k = cg * kh * kw;
            this.sN = in.stride(0);
            this.sC = in.stride(1);
            this.sH = in.stride(2);
            this.sW = in.stride(3);
            this.offset = in.offset();
            this.sh = w.strideH();
            this.sw = w.strideW();
            this.ph = w.padH();
            this.pw = w.padW();
            this.hp = h + 2 * ph;
            this.wp = wd + 2 * pw;
            this.split = sw == 2;
            this.half = (wp + 1) / 2;
            this.lw = split ? 2 * half : wp;
            this.rowStep = sh * lw;
            this.colStep = split ? 1 : sw;
            this.plane = hp * lw % 1024 == 0 ? hp * lw + 16 : hp * lw;
            rowOffset = new int[k];
            for (int ch = 0, p = 0; ch < cg; ch++) {
                for (int i = 0; i < kh; i++) {
                    for (int j = 0; j < kw; j++, p++) {
                        rowOffset[p] = ch * plane + i * w.dilationH() * lw + column(j * w.dilationW());
                    }
                }
            }
        }

        /**
         * Whether each kernel row's taps read side by side in the loaded image: tap j of a row at
         * the row's first tap's offset + j (no dilation along the row, columns not split).
         */
        boolean tapsSideBySide() {
            for (int p = 0; p < k; p++) {
                if (rowOffset[p] != rowOffset[p - p % kw] + p % kw) {
                    return false;
                }
            }
            return true;
        }

        /** Where padded column x of a row lies in the loaded row. */
        int column(int x) {
            return split ? (x & 1) * half + (x >> 1) : x;
        }

        /**
         * Image b, group g with its zero padding, in this thread's buffer: C/G planes of
         * [H + 2ph, lw] (rows split by parity at column stride 2), {@link #plane} floats apart (a
         * gap of zeros after each where that adds a cache line), and four vectors of slack.
         */
        float[] load(float[] x, int b, int g) {
            int size = (cg - 1) * plane + hp * lw + 4 * VL;  // slack for the vectors that run past the last row
            float[][] holder = PADDED.get();
            if (holder[0].length < size) {
                holder[0] = new float[size];
            }
            float[] padded = holder[0];
            // zeros where the copies below write nothing: the padding rows, each row's padding
            // columns, the gap after a channel, the slack (zeroing the whole buffer first held a
            // tenth of a profile of the depthwise forward, whose images are one channel each)
            Arrays.fill(padded, (cg - 1) * plane + hp * lw, size, 0f);
            int base = offset + b * sN + g * cg * sC;
            for (int ch = 0; ch < cg; ch++) {
                int at = ch * plane;
                Arrays.fill(padded, at, at + ph * lw, 0f);
                Arrays.fill(padded, at + (ph + h) * lw, ch + 1 < cg ? (ch + 1) * plane : at + hp * lw, 0f);
                for (int y = 0; y < h; y++) {
                    int src = base + ch * sC + y * sH;
                    int row = at + (y + ph) * lw;
                    for (int q = 0; q < pw; q++) {
                        padded[row + column(q)] = 0f;
                    }
                    for (int q = pw + wd; q < lw; q++) {         // with split rows of odd width, one more
                        padded[row + column(q)] = 0f;
                    }
                    if (split) {
                        splitRow(x, src, padded, row);
                    } else if (sW == 1) {
                        System.arraycopy(x, src, padded, row + pw, wd);
                    } else {
                        for (int q = 0; q < wd; q++) {
                            padded[row + pw + q] = x[src + q * sW];
                        }
                    }
                }
            }
            return padded;
        }

        /**
         * One input row (at src, column stride sW) into a split padded row at {@code row}: input
         * column q is padded column pw + q, which goes to {@link #column}. With unit stride, 2*VL
         * input columns at a time: their even and their odd lanes (max pooling's helper) are VL
         * consecutive floats of each half. A NaN may lose its payload in a permutation before the
         * JIT compiles it: such a block is copied one float at a time.
         */
        private void splitRow(float[] x, int src, float[] padded, int row) {
            int q = 0;
            if (sW == 1) {
                int evenTo = row + (pw & 1) * half + (pw >> 1);              // input column 2t goes to evenTo + t
                int oddTo = row + ((pw + 1) & 1) * half + ((pw + 1) >> 1);    // input column 2t + 1 to oddTo + t
                for (; q + 2 * VL <= wd; q += 2 * VL) {
                    FloatVector lo = FloatVector.fromArray(SP, x, src + q);
                    FloatVector hi = FloatVector.fromArray(SP, x, src + q + VL);
                    FloatVector both = lo.add(hi);
                    if (both.compare(VectorOperators.NE, both).anyTrue()) {
                        break;
                    }
                    Windows.columns(lo, hi, Windows.EVEN).intoArray(padded, evenTo + q / 2);
                    Windows.columns(lo, hi, Windows.ODD).intoArray(padded, oddTo + q / 2);
                }
            }
            for (; q < wd; q++) {
                padded[row + column(pw + q)] = x[src + q * sW];
            }
        }

        /**
         * Writes the im2col row p at the output positions of {@code runs} to dst from {@code at};
         * vectors may write past the end up to {@code limit}, where the caller writes next. The
         * packers pass the end of their buffer: they fill it in increasing order, so whatever a
         * vector writes past a row is overwritten by the rows (or the zero padding) that follow,
         * and a run no longer than a vector (the 14-wide rows of a 14 x 14 image) is one vector
         * copy.
         */
        void row(float[] padded, int p, Runs runs, float[] dst, int at, int limit) {
            int rowBase = rowOffset[p];
            int[] from = runs.from;
            int[] len = runs.len;
            for (int r = 0; r < runs.count; r++) {
                int src = rowBase + from[r];
                int n = len[r];
                if (colStep == 1) {
                    if (n <= VL && at + VL <= limit) {
                        FloatVector.fromArray(SP, padded, src).intoArray(dst, at);
                    } else {
                        int t = 0;
                        // whole vectors while they stay below the limit (the buffer has a vector of slack)
                        for (; t < n && at + t + VL <= limit; t += VL) {
                            FloatVector.fromArray(SP, padded, src + t).intoArray(dst, at + t);
                        }
                        for (; t < n; t++) {
                            dst[at + t] = padded[src + t];
                        }
                    }
                } else {
                    for (int t = 0; t < n; t++) {
                        dst[at + t] = padded[src + t * colStep];
                    }
                }
                at += n;
            }
        }
    }

    /**
     * Output positions [l0, l0 + count) cut into runs along one output row: run r starts at
     * {@code from[r]} in the padded image, relative to a row's offset (oy*rowStep + ox*colStep), and is
     * {@code len[r]} positions long. The same for every row of the im2col matrix.
     */
    static final class Runs {
        final int[] from;
        final int[] len;
        final int count;

        Runs(Geometry geo, int l0, int count) {
            int most = Math.min(count, count / Math.max(1, geo.ow) + 2);
            from = new int[most];
            len = new int[most];
            int runs = 0;
            for (int t = 0, l = l0; t < count; runs++) {
                int y = l / geo.ow;
                int x = l - y * geo.ow;
                int run = Math.min(count - t, geo.ow - x);
                from[runs] = y * geo.rowStep + x * geo.colStep;
                len[runs] = run;
                t += run;
                l += run;
            }
            this.count = runs;
        }
    }

    /** B = im2col(image, group) [K, OH*OW] as nr-wide column panels, from the padded image. */
    static final class Columns implements Sgemm.PanelSource {
        private final Geometry geo;
        private final float[] padded;

        Columns(Geometry geo, float[] padded) {
            this.geo = geo;
            this.padded = padded;
        }

        @Override
        public void pack(int kc, int nc, int pc, int jc, int nr, float[] bp) {
            int panels = (nc + nr - 1) / nr;
            for (int jp = 0; jp < panels; jp++) {
                int cols = Math.min(nr, nc - jp * nr);
                Runs runs = new Runs(geo, jc + jp * nr, cols);
                int d = jp * nr * kc;
                for (int p = 0; p < kc; p++, d += nr) {
                    geo.row(padded, pc + p, runs, bp, d, bp.length);
                    if (cols < nr) {
                        Arrays.fill(bp, d + cols, d + nr, 0f);
                    }
                }
            }
        }
    }

    /**
     * A = im2col(image, group) [K, OH*OW] as row panels, from the padded image: each row (one
     * kernel tap) is a run of the image along the output positions, so the weight gradient's
     * product is computed transposed, gW^T = cols x gOut^T, with the columns as A.
     */
    static final class RowColumns implements Sgemm.RowPanelSource {
        private final Geometry geo;
        private final float[] padded;

        RowColumns(Geometry geo, float[] padded) {
            this.geo = geo;
            this.padded = padded;
        }

        @Override
        public void pack(int kc, int mc, int pc, int ic, int mr, float[] ap) {
            Runs runs = new Runs(geo, pc, kc);
            int rows = (mc + mr - 1) / mr * mr;
            for (int r = 0; r < rows; r++) {
                int d = r * kc;
                if (r >= mc) {
                    Arrays.fill(ap, d, d + kc, 0f);
                } else {
                    geo.row(padded, ic + r, runs, ap, d, ap.length);
                }
            }
        }
    }

    /**
     * Runs {@code tasks} independent tasks (images, or image-group pairs): spread over the threads
     * when there are enough of them, each task's products then on one thread; otherwise one after
     * the other, each product on every thread. Which thread computes what never changes a bit.
     */
    static void forTasks(int tasks, int threads, java.util.function.IntConsumer task) {
        if (spread(tasks, threads)) {
            Sgemm.parallelFor(tasks, threads, task);
        } else {
            for (int t = 0; t < tasks; t++) {
                task.accept(t);
            }
        }
    }

    /** y[at .. at+n) += v, each element rounded once. */
    private static void addScalar(float[] y, int at, int n, float v) {
        FloatVector bv = FloatVector.broadcast(SP, v);
        int i = 0;
        for (; i + VL <= n; i += VL) {
            FloatVector.fromArray(SP, y, at + i).add(bv).intoArray(y, at + i);
        }
        for (; i < n; i++) {
            y[at + i] += v;
        }
    }

    private static boolean spread(int tasks, int threads) {
        return threads > 1 && tasks >= threads;
    }

    /** The forward pass's kernels: {@link #forwardKernel} picks one per shape. */
    enum ForwardKernel {
        /** ConvDirect.forwardRows: a tile of output channels x vectors of output positions, unpacked. */
        POSITIONS_IN_LANES("direct, positions in lanes"),
        /** ConvDirect.forward: few output channels per group (depthwise), one channel at a time. */
        ONE_CHANNEL_AT_A_TIME("direct, one channel at a time"),
        /** Sgemm with the image's columns packed straight from it. */
        IMPLICIT_GEMM("implicit GEMM");

        final String title;

        ForwardKernel(String title) {
            this.title = title;
        }
    }

    /**
     * The kernel {@link #forward} runs for output rows of ow, og output channels per group, a
     * column step of colStep in the loaded image and k taps, with this JVM's vectors.
     */
    static ForwardKernel forwardKernel(int ow, int og, int colStep, int k) {
        if (ConvDirect.suitsRows(ow, og, colStep, k)) {
            return ForwardKernel.POSITIONS_IN_LANES;
        }
        return ConvDirect.suits(k, og, colStep) ? ForwardKernel.ONE_CHANNEL_AT_A_TIME : ForwardKernel.IMPLICIT_GEMM;
    }

    /**
     * out [N, O, OH, OW] (contiguous at outOffset) = conv2d(input, weight) + bias (null: none);
     * weight contiguous. The bias is added to each image's outputs right after their product,
     * while they are in cache: the same one addition per element as a pass of its own.
     */
    static void forward(float[] x, Strided in, float[] wt, int wOffset, int o, float[] bias, Window2d w, int groups,
                        float[] y, int yOffset, int threads) {
        int n = in.size(0);
        int done = 0;                                  // images computed with the images in lanes
        if (in.isContiguous() && ConvLanes.suits(n, in.size(1), o, w, groups, in.size(2), in.size(3), threads)) {
            done = ConvLanes.forward(x, in.offset(), n, in.size(1), in.size(2), in.size(3), wt, wOffset, o, bias, w,
                    y, yOffset, threads);
            if (done == n) {
                return;
            }
        }
        int first = done;
        Geometry geo = new Geometry(in, w, groups);
        int og = o / groups;
        int tasks = (n - first) * groups;
        int inner = spread(tasks, threads) ? 1 : threads;
        ForwardKernel kernel = forwardKernel(geo.ow, og, geo.colStep, geo.k);
        boolean rows = kernel == ForwardKernel.POSITIONS_IN_LANES;
        boolean direct = kernel == ForwardKernel.ONE_CHANNEL_AT_A_TIME;
        float[] panels = rows ? ConvDirect.weightPanels(wt, wOffset, groups, og, geo.k) : null;
        forTasks(tasks, threads, t -> {
            int b = first + t / groups;
            int g = t % groups;
            float[] padded = geo.load(x, b, g);
            int at = yOffset + (b * o + g * og) * geo.l;
            if (direct) {
                ConvDirect.forward(geo, padded, wt, wOffset + g * og * geo.k, og, bias, g * og, y, at);
                return;
            } else if (rows) {
                // the bias goes in with the last K block
                ConvDirect.forwardRows(geo, padded, panels, g * ConvDirect.tiles(og) * geo.k * ConvDirect.CB, og, bias,
                        g * og, y, at);
                return;
            } else {
                Sgemm.sgemm(og, geo.l, geo.k, 1f, wt, wOffset + g * og * geo.k, geo.k, 1,
                        new Columns(geo, padded), 0f, y, at, geo.l, inner);
            }
            if (bias != null) {
                for (int q = 0; q < og; q++) {
                    addScalar(y, at + q * geo.l, geo.l, bias[g * og + q]);
                }
            }
        });
    }

    /**
     * gradWeight [O, C/G, kh, kw] (contiguous at gwOffset) from the input and the contiguous gradOut.
     * Each image's product is added into the double accumulator in image order, as the unfold
     * form's sum over the batch adds them. With at least as many images as threads each image
     * runs on one thread, and the products are summed in order as they come in (InOrderSum);
     * otherwise the images run one after the other, each product on every thread.
     */
    static void backwardWeight(float[] x, Strided in, float[] gy, int gyOffset, int o, Window2d w, int groups,
                               float[] gw, int gwOffset, int threads) {
        if (ConvDirect.suitsDepthwiseWeight(o / groups, in.size(1) / groups, groups)) {
            ConvDirect.backwardWeightDepthwise(x, in, gy, gyOffset, w, groups, gw, gwOffset, threads);
            return;
        }
        Geometry geo = new Geometry(in, w, groups);
        int n = in.size(0);
        int og = o / groups;
        int k = geo.k;
        boolean spread = spread(n, threads);
        int inner = spread ? 1 : threads;
        double[] acc = new double[o * k];
        // unpacked where each image runs on one thread (always, but for fewer images than threads)
        boolean rows = (ConvDirect.suitsWeightRows(k, og, w.strideW())
                || og <= 64 && ConvDirect.suitsKernelRowTiles(geo, og)) && inner == 1;
        int[] pos = rows ? ConvDirect.positions(geo) : null;
        InOrderSum.run(n, spread ? threads : 1, groups * k * og, acc, (b, slot) -> {
            for (int g = 0; g < groups; g++) {
                float[] padded = geo.load(x, b, g);
                if (rows) {
                    ConvDirect.backwardWeightRows(geo, padded, pos, gy, gyOffset + (b * o + g * og) * geo.l, og,
                            slot, g * k * og);
                    continue;
                }
                // gW[g]^T [K, O/G] = cols [K, L] x gOut[n, g]^T [L, O/G]: each element is the same
                // fma chain over the positions as gOut x cols^T (fma(a, b, s) = fma(b, a, s))
                int from = gyOffset + (b * o + g * og) * geo.l;
                if (geo.l % 1024 == 0) {
                    // planes a 4 KB multiple apart: B's transposes read a copy with them a cache
                    // line apart (Geometry.plane); by hand, paired in one JVM on a Zen 5 under
                    // -XX:UseAVX=2, (64, 3, 32, 64, 3) took 6.1-7.7 against 6.7-8.1 ms
                    int stride = geo.l + 16;
                    float[][] holder = SKEWED.get();
                    if (holder[0].length < og * stride) {
                        holder[0] = new float[og * stride];
                    }
                    float[] skewed = holder[0];
                    for (int q = 0; q < og; q++) {
                        System.arraycopy(gy, from + q * geo.l, skewed, q * stride, geo.l);
                    }
                    Sgemm.sgemm(k, og, geo.l, 1f, new RowColumns(geo, padded),
                            skewed, 0, 1, stride, 0f, slot, g * k * og, og, inner);
                    continue;
                }
                Sgemm.sgemm(k, og, geo.l, 1f, new RowColumns(geo, padded),
                        gy, from, 1, geo.l, 0f, slot, g * k * og, og, inner);
            }
        });
        // acc keeps the products' transposed layout [G, K, O/G], so that each image's sum runs
        // along both arrays; the transpose to gW's layout happens once, here
        store(acc, groups, og, k, gw, gwOffset);
    }

    /** gW [G][O/G][K] from the accumulator's [G][K][O/G], rounded once. */
    private static void store(double[] acc, int groups, int og, int k, float[] gw, int gwOffset) {
        for (int g = 0; g < groups; g++) {
            int at = g * og * k;
            for (int q = 0; q < og; q++) {
                for (int p = 0; p < k; p++) {
                    gw[gwOffset + at + q * k + p] = (float) acc[at + p * og + q];
                }
            }
        }
    }

    /** gradInput [N, C, H, W] (contiguous at gxOffset, overwritten) from the contiguous gradOut and the weight. */
    static void backwardInput(float[] gy, int gyOffset, float[] wt, int wOffset, int o, Window2d w, int groups,
                              float[] gx, Strided gradIn, int threads) {
        int n = gradIn.size(0);
        int c = gradIn.size(1);
        int h = gradIn.size(2);
        int wd = gradIn.size(3);
        int done = 0;                                  // images computed with the images in lanes
        if (ConvLanes.suitsBackwardInput(n, c, o, w, groups, h, wd, threads)) {
            done = ConvLanes.backwardInput(gy, gyOffset, wt, wOffset, o, w, gx, gradIn.offset(), n, c, h, wd, threads);
            if (done == n) {
                return;
            }
        }
        int first = done;
        int rest = n - first;
        int oh = w.outH(h, false);
        int ow = w.outW(wd, false);
        int l = oh * ow;
        int og = o / groups;
        int k = c / groups * w.kernelH() * w.kernelW();
        int cg = c / groups;
        int taps = w.kernelH() * w.kernelW();
        // the columns of a few channels at a time (a bound on the scratch): every input element
        // belongs to one channel, so col2im channel by channel adds the same terms in the same
        // order as col2im of the whole image
        int chunk = (int) Math.max(1, Math.min(cg, CHUNK_BYTES / (4L * taps * l)));
        if (chunk > 1 && chunk < cg && chunk % 2 == 1) {
            chunk--;                               // an even count: 9 taps x 2 channels fill whole 6-row tiles
        }
        int chunkChannels = chunk;
        boolean gather = w.strideW() == 1;
        // W^T once, so that the products read its rows in place instead of packing them per image
        float[] wtT = new float[groups * k * og];
        for (int g = 0; g < groups; g++) {
            for (int q = 0; q < og; q++) {
                for (int p = 0; p < k; p++) {
                    wtT[(g * k + p) * og + q] = wt[wOffset + (g * og + q) * k + p];
                }
            }
        }
        int inner = spread(rest, threads) ? 1 : threads;
        if (ConvDirect.suitsBackwardInput(og, w.strideW())) {
            forTasks(rest * groups, threads, t -> {
                int b = first + t / groups;
                int g = t % groups;
                ConvDirect.backwardInput(gy, gyOffset + (b * o + g * og) * l, og, wt, wOffset + g * og * k, k, w, gx,
                        gradIn.offset() + ((b * c + g * cg) * h) * wd, cg, h, wd);
            });
            return;
        }
        // without the columns: at unit strides, or column stride 2 (each row's even and odd columns apart)
        boolean unitRows = ConvDirect.suitsBackwardInputRows(wd, cg, og, w);
        if (unitRows || ConvDirect.suitsBackwardInputRows2(wd, cg, og, w)) {
            float[] byTap = ConvDirect.weightsByTap(wt, wOffset, groups, og, cg, taps);
            forTasks(rest * groups, threads, t -> {
                int b = first + t / groups;
                int g = t % groups;
                int from = gyOffset + (b * o + g * og) * l;
                int wTap = g * taps * ConvDirect.tiles(cg) * og * ConvDirect.CB;
                int to = gradIn.offset() + ((b * c + g * cg) * h) * wd;
                if (unitRows) {
                    ConvDirect.backwardInputRows(gy, from, og, byTap, wTap, w, gx, to, cg, h, wd);
                } else {
                    ConvDirect.backwardInputRows2(gy, from, og, byTap, wTap, w, gx, to, cg, h, wd);
                }
            });
            return;
        }
        boolean tile = inner == 1 && chunkChannels == cg && suitsColumnsTile(k, og, ow);
        Geometry upstream = tile ? new Geometry(new Strided(null, new int[] {n, o, oh, ow},
                new int[] {o * l, l, ow, 1}, gyOffset), new Window2d(1, 1, 1, 1, 0, 0, 1, 1), groups) : null;
        float[] panels = tile ? ConvDirect.weightPanels(wtT, 0, groups, k, og) : null;
        forTasks(rest, threads, t -> {
            int b = first + t;
            float[][] holder = SCRATCH.get();
            if (holder[0].length < chunkChannels * taps * l + 2 * VL) {
                // two vectors of slack: col2im's masked vectors on narrow images read past the end
                holder[0] = new float[chunkChannels * taps * l + 2 * VL];
            }
            float[] cols = holder[0];
            for (int g = 0; g < groups; g++) {
                for (int c0 = 0; c0 < cg; c0 += chunkChannels) {
                    int cc = Math.min(chunkChannels, cg - c0);
                    if (tile) {
                        // in place where the tile's reads past the last row stay in the array and
                        // the planes are not a 4 KB multiple apart (Geometry.plane), else a copy
                        int from = gyOffset + (b * o + g * og) * l;
                        boolean inPlace = upstream.plane == l && from + og * l + 2 * VL <= gy.length;
                        ConvDirect.forwardRows(upstream, inPlace ? gy : upstream.load(gy, b, g), inPlace ? from : 0,
                                panels, g * ConvDirect.tiles(k) * og * ConvDirect.CB, k, null, 0, cols, 0);
                    } else {
                        // A = rows c0*taps .. of W[g]^T [K, O/G]
                        Sgemm.sgemm(cc * taps, l, og, 1f, wtT, (g * k + c0 * taps) * og, og, 1,
                                gy, gyOffset + (b * o + g * og) * l, l, 1, 0f, cols, 0, l, inner);
                    }
                    int at = gradIn.offset() + ((b * c + g * cg + c0) * h) * wd;
                    if (gather) {
                        Windows.col2imImageGather(cols, 0, w, gx, at, cc, h, wd);
                    } else if (w.strideW() == 2) {
                        Windows.col2imImageGather2(cols, 0, w, gx, at, cc, h, wd);
                    } else {
                        Windows.col2imImage(cols, 0, l, 1, w, gx, at, cc, h, wd);
                    }
                }
            }
        });
    }

    /**
     * Whether the input gradient's columns (k rows per group, from og output channels of rows ow
     * wide) are computed by ConvDirect's forward tile, as a 1 x 1 convolution of the upstream
     * gradient whose channels are the terms, read in place: few rows (a first layer's 27 from 3
     * channels, 25 from one), where the product spent as long packing the upstream gradient as
     * multiplying (the input gradient at N, C, H, K = 64, 3, 32, 64: 4.1 -> 3.1-3.5 ms by hand on
     * a Zen 5). The same chains as the product: the same bits. Taken with one chunk of channels
     * per group and each image on one thread.
     */
    static boolean suitsColumnsTile(int k, int og, int ow) {
        return k <= 32 && ConvDirect.suitsRows(ow, k, 1, og);
    }

    /**
     * Most bytes of columns computed at once for the input gradient (a bound on the scratch for
     * large images): one product over all of an image's channels measured faster than chunks
     * that stay in L2 (31 against 33-35 ms at N, C, H, K = 64, 64, 32, 64 on a Zen 5), since a
     * product with more rows runs closer to the kernel's peak.
     */
    private static final long CHUNK_BYTES = 4L << 20;
}
