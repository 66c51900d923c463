package unboxed.backend.cpu;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
import unboxed.backend.Window2d;

/**
 * conv2d's forward pass and input gradient for 5x5 kernels at stride 1 by Winograd's minimal
 * filtering F(2x2, 5x5), with the batch's images in the vector lanes, and its weight gradient by
 * the same algorithm run backwards ({@link #backwardWeight}). The output is cut into
 * 2 x 2 tiles, each read from a 6 x 6 input patch d; with the constant matrices
 *
 * <pre>
 *   B^T = [ 4  0 -5  0  1  0 ]     G = [ 1/4    0     0     0     0   ]     A^T = [ 1  1  1  1  1  0 ]
 *         [ 0 -4 -4  1  1  0 ]         [-1/6  -1/6  -1/6  -1/6  -1/6  ]           [ 0  1 -1  2 -2  1 ]
 *         [ 0  4 -4 -1  1  0 ]         [-1/6   1/6  -1/6   1/6  -1/6  ]
 *         [ 0 -2 -1  2  1  0 ]         [ 1/24  1/12  1/6   1/3   2/3  ]
 *         [ 0  2 -1 -2  1  0 ]         [ 1/24 -1/12  1/6  -1/3   2/3  ]
 *         [ 0  4  0 -5  0  1 ]         [ 0     0     0     0     1    ]
 *
 *   tile = A^T [ sum over ci of (G g G^T) (.) (B^T d B) ] A          (.) = element-wise product
 * </pre>
 *
 * (the points 0, 1, -1, 2, -2 and infinity, B^T the same as F(4x4, 3x3)'s), 36 products per tile
 * and input channel where the definition takes 100 multiply-adds. The sum over ci is 36
 * independent matrix products, one per position xi of the 6 x 6 transformed tile; each runs as a
 * register tile of {@value #FILTERS} filters x {@value #TILES} tiles, a vector each (a tile of VL
 * images), the filters' U broadcast. The input gradient is the same algorithm on the upstream
 * gradient with the kernels turned by 180 degrees and transposed, at padding 4 - p.
 *
 * <p>Why here: on 5x5 layers with many channels the direct kernels' multiply-adds are the whole
 * cost, and 2.8 times fewer of them outweigh the transforms (per tile and VL images: 36 c o fused
 * multiply-adds against about 168 operations per input channel and 64 per filter). The images in
 * the lanes keep every lane busy on maps of any width (a 14 x 14 map has 49 tiles), as in
 * {@link ConvLanes}. Measured by hand on a Zen 5, one thread, against the engine without this
 * path, one JVM each (ConvBench, N x C x H=W x K x kernel): forward 16.4 -> 9.0 ms and forward +
 * backward 50.6 -> 36.5 ms at 64x64x14x64x5 (c o / (c + o) = 32); 7.0 -> 5.1 and 24.0 -> 20.6 at
 * 64x32x14x64x5 (21.3); 16.5 -> 13.8 and 51.2 -> 42.1 at 64x32x28x32x5 (16). On the MNIST CNN's
 * second convolution (16 -> 32 channels, 14 x 14, ratio 10.7) the forward gained only 5 % and
 * forward + backward nothing: the transforms then cost as much as the products (by hand with
 * the phases switched off one at a time: products 0.6 ms, input transforms 0.3, output
 * transforms 0.25, the lanes copies, U and the output's allocation 0.3, against 1.9 ms for the
 * direct images-in-lanes kernel), hence {@link #MIN_CHANNEL_RATIO}. Tried for that layer and
 * dropped, by hand on the same machine: V laid out patch by patch (its 36 elements in a row) made
 * the products' reads scattered and was no faster; one filter block's M kept in L1 for its output
 * transforms changed nothing measurable through the spread from one JVM to the next.
 *
 * <p>The transforms keep their intermediate rows in registers (Zen 5, 2026-12-03, by hand). Timed
 * phase by phase on that layer (one thread, AVX-512), the input transform took 0.47 ms of a 1.54
 * ms forward when B^T d went through a scratch tile: 140 ns for one channel's 36 outputs, where
 * its 72 loads, 72 stores and some 150 arithmetic operations should take a quarter of that. The
 * stores were the limit: a loop copying 36 vectors within L1 took 25 ns, and the transform ran
 * 23 % faster in a test with every array placed on 64-byte boundaries (a Java array's first
 * element lies 16 bytes past an object boundary, so most 512-bit accesses span two cache lines;
 * the JVM offers no aligned arrays). Computing each row of B^T d from the patch (more loads, half
 * the stores) took the input transform to 0.28-0.31 ms and the forward to 1.37-1.48 ms; the
 * output transform without its scratch tile changed little (0.31 -> 0.29 ms), its 36 loads of M
 * from L2 being its cost. At 64x64x14x64x5 the forward went from 9.0-9.5 to 8.2-9.0 ms (three
 * JVMs each, taking turns), forward + backward some 2 %; limited to AVX2, no change through the
 * noise. The first attempt, rows computed by helper methods that returned vectors, ran several
 * times slower: the JIT's node count cut their inlining short and every vector they returned was
 * boxed. Hence each row written out in one method with no vector crossing a call (inRow0).
 * Even so, the CNN's second convolution stays on the direct kernel. With this path for its
 * forward and its input gradient (MIN_CHANNEL_RATIO 10; three JVMs of each variant taking turns,
 * one thread), its forward + backward took 5.26-5.73 ms against 5.86-6.03 (the forward 1.54-1.77
 * against 1.78-1.86, the weights' transform included): 5-8 %, short of what post 02's target
 * asks of that layer, while the path decides the bits of every training run pinned with that
 * network (posts 02, 09, 10 and 12).
 *
 * <p>The weight gradient (2026-12-03, Zen 5, one thread, by hand: this path and the direct one
 * taking turns call by call in one JVM, medians of 40 calls, three rounds each) took 9.7 ms
 * against 16.3 at 64x64x14x64x5 and 10.5 against 14.4 at 64x32x28x32x5 (c o / (c + o) = 16).
 * On the MNIST CNN's second convolution, with all three passes here (the threshold lowered for
 * the test), forward 1.56 ms against 1.72, input gradient 1.78 against 1.85, weight gradient
 * 1.72 against 1.99: 5.07 against 5.56 in all, while PyTorch 1.13 took 1.45, 1.45 and 1.50 on the
 * same machine that day (conv2d and aten::convolution_backward, one thread): still short, and
 * that layer keeps the direct kernels (see above). The weight gradient's copies of the images
 * channels last had first gone value by value on 14-wide rows (ConvWinograd.channelsLast): a
 * sixth of a JFR profile's samples on that layer.
 *
 * <p>Bits: not the unfold form's. Every operation on an image is the same whatever lane it lies
 * in, so the result depends neither on the vector width nor on the thread count, and the engine
 * takes this path from the shape alone ({@link #suits}). U = G g G^T is computed in double and
 * rounded once; B^T d B, A^T M A and the sum over ci (an fma chain from +0 in channel order) in
 * float as the methods below write them; the bias is added last. An output lies within
 * gamma_(c+14) of the same computation on absolute values (ConvWinograd5Test). A backend built
 * with {@code winograd = false} keeps the unfold form's bits.
 */
final class ConvWinograd5 {
    private ConvWinograd5() {
    }

    private static final VectorSpecies<Float> SP = FloatVector.SPECIES_PREFERRED;
    private static final int VL = SP.length();
    /** Filters per register tile (U broadcasts per channel). */
    static final int FILTERS = 4;
    /** Tiles per register tile (vectors of VL images per channel): 16 sums with FILTERS. */
    static final int TILES = 4;
    /** The smallest batch that takes this path: a vector of images on AVX2 (half of one on AVX-512). */
    static final int MIN_IMAGES = 8;
    /**
     * Winograd pays where c o / (c + o) is at least this: per tile the products cost 36 c o
     * multiply-adds, the transforms about 168 c + 64 o operations (see the class comment for the
     * shapes measured: 1.2 times faster at 16, 5 % at 10.7).
     */
    static final int MIN_CHANNEL_RATIO = 16;

    private static final FloatVector TWO = FloatVector.broadcast(SP, 2f);
    private static final FloatVector MINUS_TWO = FloatVector.broadcast(SP, -2f);
    private static final FloatVector FOUR = FloatVector.broadcast(SP, 4f);
    private static final FloatVector MINUS_FOUR = FloatVector.broadcast(SP, -4f);
    private static final FloatVector MINUS_FIVE = FloatVector.broadcast(SP, -5f);

    /**
     * Whether a convolution's forward pass runs here: a 5x5 kernel at stride 1 without dilation,
     * one group, at least {@link #MIN_IMAGES} images and c o at least {@link #MIN_CHANNEL_RATIO}
     * (c + o). The shape alone decides (see the class comment).
     */
    static boolean suits(int n, int c, int o, Window2d w, int groups) {
        return w.kernelH() == 5 && w.kernelW() == 5 && w.strideH() == 1 && w.strideW() == 1
                && w.dilationH() == 1 && w.dilationW() == 1 && groups == 1 && n >= MIN_IMAGES
                && (long) c * o >= (long) MIN_CHANNEL_RATIO * (c + o);
    }

    /**
     * Whether the input gradient runs here too: as {@link #suits}, with a padding of at most 4
     * (the upstream gradient's convolution takes padding 4 - p).
     */
    static boolean suitsBackwardInput(int n, int c, int o, Window2d w, int groups) {
        return suits(n, c, o, w, groups) && w.padH() <= 4 && w.padW() <= 4;
    }

    /** The transformed weights: u [xi][filter block][channel][FILTERS], filters padded with zeros to a block. */
    record Weights(float[] u, int filters, int channels) {
        int blocks() {
            return (filters + FILTERS - 1) / FILTERS;
        }
    }

    private static final double[][] G = {
        {1.0 / 4, 0, 0, 0, 0},
        {-1.0 / 6, -1.0 / 6, -1.0 / 6, -1.0 / 6, -1.0 / 6},
        {-1.0 / 6, 1.0 / 6, -1.0 / 6, 1.0 / 6, -1.0 / 6},
        {1.0 / 24, 1.0 / 12, 1.0 / 6, 1.0 / 3, 2.0 / 3},
        {1.0 / 24, -1.0 / 12, 1.0 / 6, -1.0 / 3, 2.0 / 3},
        {0, 0, 0, 0, 1}};

    /**
     * U = G g G^T for every filter f and channel ci (in double, rounded once), laid out for the
     * register tile. With {@code flipped}, filter f and channel ci are the forward's channel f
     * and filter ci, the kernel turned by 180 degrees: the input gradient's convolution
     * ({@code filters} is then the forward's input channels, {@code channels} its filters).
     */
    static Weights transformWeights(float[] wt, int wOffset, int filters, int channels, boolean flipped) {
        int blocks = (filters + FILTERS - 1) / FILTERS;
        float[] u = new float[36 * blocks * channels * FILTERS];
        double[][] g = new double[5][5];
        double[][] gg = new double[6][5];
        for (int f = 0; f < filters; f++) {
            for (int ci = 0; ci < channels; ci++) {
                for (int e = 0; e < 25; e++) {
                    g[e / 5][e % 5] = flipped ? wt[wOffset + (ci * filters + f) * 25 + 24 - e]
                            : wt[wOffset + (f * channels + ci) * 25 + e];
                }
                for (int i = 0; i < 6; i++) {
                    for (int j = 0; j < 5; j++) {
                        double s = 0;
                        for (int a = 0; a < 5; a++) {
                            s += G[i][a] * g[a][j];
                        }
                        gg[i][j] = s;
                    }
                }
                for (int i = 0; i < 6; i++) {
                    for (int j = 0; j < 6; j++) {
                        double s = 0;
                        for (int b = 0; b < 5; b++) {
                            s += gg[i][b] * G[j][b];
                        }
                        u[((((i * 6 + j) * blocks + f / FILTERS) * channels + ci) * FILTERS) + f % FILTERS] = (float) s;
                    }
                }
            }
        }
        return new Weights(u, filters, channels);
    }

    /**
     * Each thread's buffers: the lanes copy, the lanes output, V, M, and a partial group's images
     * (then its outputs); for the weight gradient, the calling thread's channels-last copies and
     * sums dU, and each worker's transforms (the lanes side, the broadcast side).
     */
    private static final ThreadLocal<float[][]> BUFFERS = ThreadLocal.withInitial(() -> new float[9][0]);

    private static float[] buffer(int which, int size) {
        float[][] holder = BUFFERS.get();
        if (holder[which].length < size) {
            holder[which] = new float[size];
        }
        return holder[which];
    }

    /**
     * y [n, o, oh, ow] (contiguous at yOffset, overwritten) = the convolution of the contiguous
     * x [n, c, h, wd] at xOffset with the transformed weights u (o = u.filters(), c = u.channels()),
     * padding padH, padW, plus bias (null: none); oh = h + 2 padH - 4, ow = wd + 2 padW - 4. Each
     * group of VL images is one task; the last group, if partial, runs with zero images in its
     * empty lanes.
     */
    static void run(float[] x, int xOffset, int n, int h, int wd, Weights u, float[] bias, int padH, int padW,
                    float[] y, int yOffset, int threads) {
        int c = u.channels();
        int o = u.filters();
        int oh = h + 2 * padH - 4;
        int ow = wd + 2 * padW - 4;
        int l = oh * ow;
        int th = (oh + 1) / 2;
        int tw = (ow + 1) / 2;
        int hp = 2 * th + 4;
        int wp = 2 * tw + 4;
        int tiles = th * tw;
        int blocks = u.blocks();
        int o4 = blocks * FILTERS;
        int image = c * h * wd;
        int groups = (n + VL - 1) / VL;
        ConvGemm.forTasks(groups, threads, gi -> {
            int n0 = gi * VL;
            int count = Math.min(VL, n - n0);
            float[] src = x;
            int srcOffset = xOffset + n0 * image;
            if (count < VL) {
                // a partial group: its images, then zero images in the empty lanes
                src = buffer(4, VL * image);
                System.arraycopy(x, srcOffset, src, 0, count * image);
                Arrays.fill(src, count * image, VL * image, 0f);
                srcOffset = 0;
            }
            float[] lanes = buffer(0, c * hp * wp * VL);
            ConvLanes.toLanes(src, srcOffset, image, c, h, wd, lanes, padH, padW, hp, wp);
            float[] out = buffer(1, o * l * VL);
            // V [xi][channel][tile][VL] and M [xi][filter][tile][VL], each xi a vector past a multiple
            // of 4 KB from the one before: the transforms read and write the 36 xi of one tile, which
            // at multiples of 4 KB would all fall in the same L1 set and evict each other
            int vXi = c * TILES * VL + VL;
            int mXi = o4 * TILES * VL + VL;
            float[] v = buffer(2, 36 * vXi);
            float[] m = buffer(3, 36 * mXi);
            float[] z = new float[6 * VL];
            for (int q0 = 0; q0 < tiles; q0 += TILES) {
                int last = Math.min(TILES, tiles - q0);
                for (int t = 0; t < last; t++) {
                    int ty = (q0 + t) / tw;
                    int tx = (q0 + t) % tw;
                    for (int ci = 0; ci < c; ci++) {
                        inputTransform(lanes, ((ci * hp + 2 * ty) * wp + 2 * tx) * VL, wp * VL, v,
                                (ci * TILES + t) * VL, vXi);
                    }
                }
                // tiles past the last (t >= last) compute from stale V and are never stored
                for (int xi = 0; xi < 36; xi++) {
                    for (int b = 0; b < blocks; b++) {
                        product(v, xi * vXi, u.u(), (xi * blocks + b) * c * FILTERS, c, m,
                                xi * mXi + b * FILTERS * TILES * VL);
                    }
                }
                for (int t = 0; t < last; t++) {
                    int oy = (q0 + t) / tw * 2;
                    int ox = (q0 + t) % tw * 2;
                    boolean down = oy + 1 < oh;
                    boolean right = ox + 1 < ow;
                    for (int f = 0; f < o; f++) {
                        outputTransform(m, (f * TILES + t) * VL, mXi, bias == null ? 0f : bias[f],
                                bias != null, out, (f * l + oy * ow + ox) * VL, ow * VL, down, right, z);
                    }
                }
            }
            if (count == VL) {
                ConvLanes.fromLanes(out, o, l, y, yOffset + n0 * o * l, o * l);
            } else {
                float[] part = buffer(4, VL * o * l);
                ConvLanes.fromLanes(out, o, l, part, 0, o * l);
                System.arraycopy(part, 0, y, yOffset + n0 * o * l, count * o * l);
            }
        });
    }

    /**
     * V = B^T d B of one channel's 6 x 6 patch (rows rs apart from at in the lanes copy) into v
     * from vAt, element xi at vAt + xi * xiStride, one row of B^T d at a time (see {@link #inRow0}).
     */
    private static void inputTransform(float[] lanes, int at, int rs, float[] v, int vAt, int xiStride) {
        int s = 6 * xiStride;
        inRow0(lanes, at, rs, VL, v, vAt, xiStride);
        inRow1(lanes, at, rs, VL, v, vAt + s, xiStride);
        inRow2(lanes, at, rs, VL, v, vAt + 2 * s, xiStride);
        inRow3(lanes, at, rs, VL, v, vAt + 3 * s, xiStride);
        inRow4(lanes, at, rs, VL, v, vAt + 4 * s, xiStride);
        inRow5(lanes, at, rs, VL, v, vAt + 5 * s, xiStride);
    }

    /**
     * Row 0 of V = B^T d B into v at vAt, vAt + xs, ...: B^T's row 0 down each column of the patch
     * (its taps loaded from {@code at}, rows rs and columns cs apart: the lanes copy's, or a
     * channels-last copy's for the weight gradient), then B along the row (the arithmetic is listed above
     * outputTransform). No intermediate goes through memory: the six row methods store V's 36
     * vectors and nothing else, where a pass down the columns into a scratch tile and a pass along
     * its rows stored 72, and stores are what these transforms wait for (see the class comment).
     * Each row is a method of its own, written out without helpers that take or return vectors:
     * the JIT inlines such helpers only under its node count, and a vector passed to one it did
     * not inline is boxed on the heap.
     */
    private static void inRow0(float[] l, int at, int rs, int cs, float[] v, int vAt, int xs) {
        int q = at;
        FloatVector d0 = FloatVector.fromArray(SP, l, q);
        FloatVector d2 = FloatVector.fromArray(SP, l, q + 2 * rs);
        FloatVector d4 = FloatVector.fromArray(SP, l, q + 4 * rs);
        FloatVector t0 = FOUR.fma(d0, MINUS_FIVE.fma(d2, d4));
        q = at + cs;
        d0 = FloatVector.fromArray(SP, l, q);
        d2 = FloatVector.fromArray(SP, l, q + 2 * rs);
        d4 = FloatVector.fromArray(SP, l, q + 4 * rs);
        FloatVector t1 = FOUR.fma(d0, MINUS_FIVE.fma(d2, d4));
        q = at + 2 * cs;
        d0 = FloatVector.fromArray(SP, l, q);
        d2 = FloatVector.fromArray(SP, l, q + 2 * rs);
        d4 = FloatVector.fromArray(SP, l, q + 4 * rs);
        FloatVector t2 = FOUR.fma(d0, MINUS_FIVE.fma(d2, d4));
        q = at + 3 * cs;
        d0 = FloatVector.fromArray(SP, l, q);
        d2 = FloatVector.fromArray(SP, l, q + 2 * rs);
        d4 = FloatVector.fromArray(SP, l, q + 4 * rs);
        FloatVector t3 = FOUR.fma(d0, MINUS_FIVE.fma(d2, d4));
        q = at + 4 * cs;
        d0 = FloatVector.fromArray(SP, l, q);
        d2 = FloatVector.fromArray(SP, l, q + 2 * rs);
        d4 = FloatVector.fromArray(SP, l, q + 4 * rs);
        FloatVector t4 = FOUR.fma(d0, MINUS_FIVE.fma(d2, d4));
        q = at + 5 * cs;
        d0 = FloatVector.fromArray(SP, l, q);
        d2 = FloatVector.fromArray(SP, l, q + 2 * rs);
        d4 = FloatVector.fromArray(SP, l, q + 4 * rs);
        FloatVector t5 = FOUR.fma(d0, MINUS_FIVE.fma(d2, d4));
        FOUR.fma(t0, MINUS_FIVE.fma(t2, t4)).intoArray(v, vAt);
        MINUS_FOUR.fma(t1.add(t2), t3.add(t4)).intoArray(v, vAt + xs);
        FOUR.fma(t1.sub(t2), t4.sub(t3)).intoArray(v, vAt + 2 * xs);
        FloatVector t31 = t3.sub(t1);
        FloatVector t42 = t4.sub(t2);
        TWO.fma(t31, t42).intoArray(v, vAt + 3 * xs);
        MINUS_TWO.fma(t31, t42).intoArray(v, vAt + 4 * xs);
        FOUR.fma(t1, MINUS_FIVE.fma(t3, t5)).intoArray(v, vAt + 5 * xs);
    }

    /** Row 1 of V, as {@link #inRow0}. */
    private static void inRow1(float[] l, int at, int rs, int cs, float[] v, int vAt, int xs) {
        int q = at;
        FloatVector d1 = FloatVector.fromArray(SP, l, q + rs);
        FloatVector d2 = FloatVector.fromArray(SP, l, q + 2 * rs);
        FloatVector d3 = FloatVector.fromArray(SP, l, q + 3 * rs);
        FloatVector d4 = FloatVector.fromArray(SP, l, q + 4 * rs);
        FloatVector t0 = MINUS_FOUR.fma(d1.add(d2), d3.add(d4));
        q = at + cs;
        d1 = FloatVector.fromArray(SP, l, q + rs);
        d2 = FloatVector.fromArray(SP, l, q + 2 * rs);
        d3 = FloatVector.fromArray(SP, l, q + 3 * rs);
        d4 = FloatVector.fromArray(SP, l, q + 4 * rs);
        FloatVector t1 = MINUS_FOUR.fma(d1.add(d2), d3.add(d4));
        q = at + 2 * cs;
        d1 = FloatVector.fromArray(SP, l, q + rs);
        d2 = FloatVector.fromArray(SP, l, q + 2 * rs);
        d3 = FloatVector.fromArray(SP, l, q + 3 * rs);
        d4 = FloatVector.fromArray(SP, l, q + 4 * rs);
        FloatVector t2 = MINUS_FOUR.fma(d1.add(d2), d3.add(d4));
        q = at + 3 * cs;
        d1 = FloatVector.fromArray(SP, l, q + rs);
        d2 = FloatVector.fromArray(SP, l, q + 2 * rs);
        d3 = FloatVector.fromArray(SP, l, q + 3 * rs);
        d4 = FloatVector.fromArray(SP, l, q + 4 * rs);
        FloatVector t3 = MINUS_FOUR.fma(d1.add(d2), d3.add(d4));
        q = at + 4 * cs;
        d1 = FloatVector.fromArray(SP, l, q + rs);
        d2 = FloatVector.fromArray(SP, l, q + 2 * rs);
        d3 = FloatVector.fromArray(SP, l, q + 3 * rs);
        d4 = FloatVector.fromArray(SP, l, q + 4 * rs);
        FloatVector t4 = MINUS_FOUR.fma(d1.add(d2), d3.add(d4));
        q = at + 5 * cs;
        d1 = FloatVector.fromArray(SP, l, q + rs);
        d2 = FloatVector.fromArray(SP, l, q + 2 * rs);
        d3 = FloatVector.fromArray(SP, l, q + 3 * rs);
        d4 = FloatVector.fromArray(SP, l, q + 4 * rs);
        FloatVector t5 = MINUS_FOUR.fma(d1.add(d2), d3.add(d4));
        FOUR.fma(t0, MINUS_FIVE.fma(t2, t4)).intoArray(v, vAt);
        MINUS_FOUR.fma(t1.add(t2), t3.add(t4)).intoArray(v, vAt + xs);
        FOUR.fma(t1.sub(t2), t4.sub(t3)).intoArray(v, vAt + 2 * xs);
        FloatVector t31 = t3.sub(t1);
        FloatVector t42 = t4.sub(t2);
        TWO.fma(t31, t42).intoArray(v, vAt + 3 * xs);
        MINUS_TWO.fma(t31, t42).intoArray(v, vAt + 4 * xs);
        FOUR.fma(t1, MINUS_FIVE.fma(t3, t5)).intoArray(v, vAt + 5 * xs);
    }

    /** Row 2 of V, as {@link #inRow0}. */
    private static void inRow2(float[] l, int at, int rs, int cs, float[] v, int vAt, int xs) {
        int q = at;
        FloatVector d1 = FloatVector.fromArray(SP, l, q + rs);
        FloatVector d2 = FloatVector.fromArray(SP, l, q + 2 * rs);
        FloatVector d3 = FloatVector.fromArray(SP, l, q + 3 * rs);
        FloatVector d4 = FloatVector.fromArray(SP, l, q + 4 * rs);
        FloatVector t0 = FOUR.fma(d1.sub(d2), d4.sub(d3));
        q = at + cs;
        d1 = FloatVector.fromArray(SP, l, q + rs);
        d2 = FloatVector.fromArray(SP, l, q + 2 * rs);
        d3 = FloatVector.fromArray(SP, l, q + 3 * rs);
        d4 = FloatVector.fromArray(SP, l, q + 4 * rs);
        FloatVector t1 = FOUR.fma(d1.sub(d2), d4.sub(d3));
        q = at + 2 * cs;
        d1 = FloatVector.fromArray(SP, l, q + rs);
        d2 = FloatVector.fromArray(SP, l, q + 2 * rs);
        d3 = FloatVector.fromArray(SP, l, q + 3 * rs);
        d4 = FloatVector.fromArray(SP, l, q + 4 * rs);
        FloatVector t2 = FOUR.fma(d1.sub(d2), d4.sub(d3));
        q = at + 3 * cs;
        d1 = FloatVector.fromArray(SP, l, q + rs);
        d2 = FloatVector.fromArray(SP, l, q + 2 * rs);
        d3 = FloatVector.fromArray(SP, l, q + 3 * rs);
        d4 = FloatVector.fromArray(SP, l, q + 4 * rs);
        FloatVector t3 = FOUR.fma(d1.sub(d2), d4.sub(d3));
        q = at + 4 * cs;
        d1 = FloatVector.fromArray(SP, l, q + rs);
        d2 = FloatVector.fromArray(SP, l, q + 2 * rs);
        d3 = FloatVector.fromArray(SP, l, q + 3 * rs);
        d4 = FloatVector.fromArray(SP, l, q + 4 * rs);
        FloatVector t4 = FOUR.fma(d1.sub(d2), d4.sub(d3));
        q = at + 5 * cs;
        d1 = FloatVector.fromArray(SP, l, q + rs);
        d2 = FloatVector.fromArray(SP, l, q + 2 * rs);
        d3 = FloatVector.fromArray(SP, l, q + 3 * rs);
        d4 = FloatVector.fromArray(SP, l, q + 4 * rs);
        FloatVector t5 = FOUR.fma(d1.sub(d2), d4.sub(d3));
        FOUR.fma(t0, MINUS_FIVE.fma(t2, t4)).intoArray(v, vAt);
        MINUS_FOUR.fma(t1.add(t2), t3.add(t4)).intoArray(v, vAt + xs);
        FOUR.fma(t1.sub(t2), t4.sub(t3)).intoArray(v, vAt + 2 * xs);
        FloatVector t31 = t3.sub(t1);
        FloatVector t42 = t4.sub(t2);
        TWO.fma(t31, t42).intoArray(v, vAt + 3 * xs);
        MINUS_TWO.fma(t31, t42).intoArray(v, vAt + 4 * xs);
        FOUR.fma(t1, MINUS_FIVE.fma(t3, t5)).intoArray(v, vAt + 5 * xs);
    }

    /** Row 3 of V, as {@link #inRow0}. */
    private static void inRow3(float[] l, int at, int rs, int cs, float[] v, int vAt, int xs) {
        int q = at;
        FloatVector d1 = FloatVector.fromArray(SP, l, q + rs);
        FloatVector d2 = FloatVector.fromArray(SP, l, q + 2 * rs);
        FloatVector d3 = FloatVector.fromArray(SP, l, q + 3 * rs);
        FloatVector d4 = FloatVector.fromArray(SP, l, q + 4 * rs);
        FloatVector t0 = TWO.fma(d3.sub(d1), d4.sub(d2));
        q = at + cs;
        d1 = FloatVector.fromArray(SP, l, q + rs);
        d2 = FloatVector.fromArray(SP, l, q + 2 * rs);
        d3 = FloatVector.fromArray(SP, l, q + 3 * rs);
        d4 = FloatVector.fromArray(SP, l, q + 4 * rs);
        FloatVector t1 = TWO.fma(d3.sub(d1), d4.sub(d2));
        q = at + 2 * cs;
        d1 = FloatVector.fromArray(SP, l, q + rs);
        d2 = FloatVector.fromArray(SP, l, q + 2 * rs);
        d3 = FloatVector.fromArray(SP, l, q + 3 * rs);
        d4 = FloatVector.fromArray(SP, l, q + 4 * rs);
        FloatVector t2 = TWO.fma(d3.sub(d1), d4.sub(d2));
        q = at + 3 * cs;
        d1 = FloatVector.fromArray(SP, l, q + rs);
        d2 = FloatVector.fromArray(SP, l, q + 2 * rs);
        d3 = FloatVector.fromArray(SP, l, q + 3 * rs);
        d4 = FloatVector.fromArray(SP, l, q + 4 * rs);
        FloatVector t3 = TWO.fma(d3.sub(d1), d4.sub(d2));
        q = at + 4 * cs;
        d1 = FloatVector.fromArray(SP, l, q + rs);
        d2 = FloatVector.fromArray(SP, l, q + 2 * rs);
        d3 = FloatVector.fromArray(SP, l, q + 3 * rs);
        d4 = FloatVector.fromArray(SP, l, q + 4 * rs);
        FloatVector t4 = TWO.fma(d3.sub(d1), d4.sub(d2));
        q = at + 5 * cs;
        d1 = FloatVector.fromArray(SP, l, q + rs);
        d2 = FloatVector.fromArray(SP, l, q + 2 * rs);
        d3 = FloatVector.fromArray(SP, l, q + 3 * rs);
        d4 = FloatVector.fromArray(SP, l, q + 4 * rs);
        FloatVector t5 = TWO.fma(d3.sub(d1), d4.sub(d2));
        FOUR.fma(t0, MINUS_FIVE.fma(t2, t4)).intoArray(v, vAt);
        MINUS_FOUR.fma(t1.add(t2), t3.add(t4)).intoArray(v, vAt + xs);
        FOUR.fma(t1.sub(t2), t4.sub(t3)).intoArray(v, vAt + 2 * xs);
        FloatVector t31 = t3.sub(t1);
        FloatVector t42 = t4.sub(t2);
        TWO.fma(t31, t42).intoArray(v, vAt + 3 * xs);
        MINUS_TWO.fma(t31, t42).intoArray(v, vAt + 4 * xs);
        FOUR.fma(t1, MINUS_FIVE.fma(t3, t5)).intoArray(v, vAt + 5 * xs);
    }

    /** Row 4 of V, as {@link #inRow0}. */
    private static void inRow4(float[] l, int at, int rs, int cs, float[] v, int vAt, int xs) {
        int q = at;
        FloatVector d1 = FloatVector.fromArray(SP, l, q + rs);
        FloatVector d2 = FloatVector.fromArray(SP, l, q + 2 * rs);
        FloatVector d3 = FloatVector.fromArray(SP, l, q + 3 * rs);
        FloatVector d4 = FloatVector.fromArray(SP, l, q + 4 * rs);
        FloatVector t0 = MINUS_TWO.fma(d3.sub(d1), d4.sub(d2));
        q = at + cs;
        d1 = FloatVector.fromArray(SP, l, q + rs);
        d2 = FloatVector.fromArray(SP, l, q + 2 * rs);
        d3 = FloatVector.fromArray(SP, l, q + 3 * rs);
        d4 = FloatVector.fromArray(SP, l, q + 4 * rs);
        FloatVector t1 = MINUS_TWO.fma(d3.sub(d1), d4.sub(d2));
        q = at + 2 * cs;
        d1 = FloatVector.fromArray(SP, l, q + rs);
        d2 = FloatVector.fromArray(SP, l, q + 2 * rs);
        d3 = FloatVector.fromArray(SP, l, q + 3 * rs);
        d4 = FloatVector.fromArray(SP, l, q + 4 * rs);
        FloatVector t2 = MINUS_TWO.fma(d3.sub(d1), d4.sub(d2));
        q = at + 3 * cs;
        d1 = FloatVector.fromArray(SP, l, q + rs);
        d2 = FloatVector.fromArray(SP, l, q + 2 * rs);
        d3 = FloatVector.fromArray(SP, l, q + 3 * rs);
        d4 = FloatVector.fromArray(SP, l, q + 4 * rs);
        FloatVector t3 = MINUS_TWO.fma(d3.sub(d1), d4.sub(d2));
        q = at + 4 * cs;
        d1 = FloatVector.fromArray(SP, l, q + rs);
        d2 = FloatVector.fromArray(SP, l, q + 2 * rs);
        d3 = FloatVector.fromArray(SP, l, q + 3 * rs);
        d4 = FloatVector.fromArray(SP, l, q + 4 * rs);
        FloatVector t4 = MINUS_TWO.fma(d3.sub(d1), d4.sub(d2));
        q = at + 5 * cs;
        d1 = FloatVector.fromArray(SP, l, q + rs);
        d2 = FloatVector.fromArray(SP, l, q + 2 * rs);
        d3 = FloatVector.fromArray(SP, l, q + 3 * rs);
        d4 = FloatVector.fromArray(SP, l, q + 4 * rs);
        FloatVector t5 = MINUS_TWO.fma(d3.sub(d1), d4.sub(d2));
        FOUR.fma(t0, MINUS_FIVE.fma(t2, t4)).intoArray(v, vAt);
        MINUS_FOUR.fma(t1.add(t2), t3.add(t4)).intoArray(v, vAt + xs);
        FOUR.fma(t1.sub(t2), t4.sub(t3)).intoArray(v, vAt + 2 * xs);
        FloatVector t31 = t3.sub(t1);
        FloatVector t42 = t4.sub(t2);
        TWO.fma(t31, t42).intoArray(v, vAt + 3 * xs);
        MINUS_TWO.fma(t31, t42).intoArray(v, vAt + 4 * xs);
        FOUR.fma(t1, MINUS_FIVE.fma(t3, t5)).intoArray(v, vAt + 5 * xs);
    }

    /** Row 5 of V, as {@link #inRow0}. */
    private static void inRow5(float[] l, int at, int rs, int cs, float[] v, int vAt, int xs) {
        int q = at;
        FloatVector d1 = FloatVector.fromArray(SP, l, q + rs);
        FloatVector d3 = FloatVector.fromArray(SP, l, q + 3 * rs);
        FloatVector d5 = FloatVector.fromArray(SP, l, q + 5 * rs);
        FloatVector t0 = FOUR.fma(d1, MINUS_FIVE.fma(d3, d5));
        q = at + cs;
        d1 = FloatVector.fromArray(SP, l, q + rs);
        d3 = FloatVector.fromArray(SP, l, q + 3 * rs);
        d5 = FloatVector.fromArray(SP, l, q + 5 * rs);
        FloatVector t1 = FOUR.fma(d1, MINUS_FIVE.fma(d3, d5));
        q = at + 2 * cs;
        d1 = FloatVector.fromArray(SP, l, q + rs);
        d3 = FloatVector.fromArray(SP, l, q + 3 * rs);
        d5 = FloatVector.fromArray(SP, l, q + 5 * rs);
        FloatVector t2 = FOUR.fma(d1, MINUS_FIVE.fma(d3, d5));
        q = at + 3 * cs;
        d1 = FloatVector.fromArray(SP, l, q + rs);
        d3 = FloatVector.fromArray(SP, l, q + 3 * rs);
        d5 = FloatVector.fromArray(SP, l, q + 5 * rs);
        FloatVector t3 = FOUR.fma(d1, MINUS_FIVE.fma(d3, d5));
        q = at + 4 * cs;
        d1 = FloatVector.fromArray(SP, l, q + rs);
        d3 = FloatVector.fromArray(SP, l, q + 3 * rs);
        d5 = FloatVector.fromArray(SP, l, q + 5 * rs);
        FloatVector t4 = FOUR.fma(d1, MINUS_FIVE.fma(d3, d5));
        q = at + 5 * cs;
        d1 = FloatVector.fromArray(SP, l, q + rs);
        d3 = FloatVector.fromArray(SP, l, q + 3 * rs);
        d5 = FloatVector.fromArray(SP, l, q + 5 * rs);
        FloatVector t5 = FOUR.fma(d1, MINUS_FIVE.fma(d3, d5));
        FOUR.fma(t0, MINUS_FIVE.fma(t2, t4)).intoArray(v, vAt);
        MINUS_FOUR.fma(t1.add(t2), t3.add(t4)).intoArray(v, vAt + xs);
        FOUR.fma(t1.sub(t2), t4.sub(t3)).intoArray(v, vAt + 2 * xs);
        FloatVector t31 = t3.sub(t1);
        FloatVector t42 = t4.sub(t2);
        TWO.fma(t31, t42).intoArray(v, vAt + 3 * xs);
        MINUS_TWO.fma(t31, t42).intoArray(v, vAt + 4 * xs);
        FOUR.fma(t1, MINUS_FIVE.fma(t3, t5)).intoArray(v, vAt + 5 * xs);
    }

    // The transforms' arithmetic, each value by these operations in this order (the bits of this
    // path; fma(a, b, c) = a b + c rounded once):
    //   B^T on (d0 .. d5):  4 d0 + (-5 d2 + d4);   -4 (d1 + d2) + (d3 + d4);   4 (d1 - d2) + (d4 - d3);
    //                       2 (d3 - d1) + (d4 - d2);   -2 (d3 - d1) + (d4 - d2);   4 d1 + (-5 d3 + d5)
    //   A^T on (m0 .. m5):  (m0 + (m1 + m2)) + (m3 + m4);   (2 (m3 - m4) + (m1 - m2)) + m5
    // B^T d B applies B^T down the patch's columns, then along the rows of the result; A^T M A
    // likewise; the bias is added last.

    /**
     * Y = A^T M A (+ bias) of one filter and tile (M's element xi at mAt + xi * xiStride) into the
     * lanes output at {@code at} (rows rowStride apart), the 2 x 2 tile's second row and column
     * only where they lie in the output: A^T down each column (both rows of it from the column's
     * six loads), then A along the two rows. In two methods, the first three columns' rows of
     * A^T M passing through {@code z} (6 vectors of the thread's own): in one, the method was
     * too large for the JIT's first tier (C1: "out of virtual registers in linear scan"), and
     * where that tier had already compiled it at its lowest level (the optimizing compiler's
     * queue busy with another convolution's kernels, as when the direct kernels ran first in the
     * same JVM) it never reached the optimizing compiler: the forward of (64, 64, 14, 64, 5 x 5)
     * took 23.6 ms against 8.4 (Zen 5, one thread, by hand, 2026-12-03). Same operations, same
     * bits. JitCompilesTheKernelsTest guards every kernel against that failure.
     */
    private static void outputTransform(float[] m, int mAt, int xiStride, float bias, boolean biased, float[] out,
                                        int at, int rowStride, boolean down, boolean right, float[] z) {
        firstColumns(m, mAt, xiStride, z);
        lastColumnsAndRows(m, mAt, xiStride, bias, biased, out, at, rowStride, down, right, z);
    }

    /** Rows 0 and 1 of A^T M for columns 0, 1, 2 (u0, u1, u2, w0, w1, w2), to z. */
    private static void firstColumns(float[] m, int mAt, int xiStride, float[] z) {
        int s = 6 * xiStride;
        int p = mAt;
        FloatVector m0, m1, m2, m3, m4, m5;
        m0 = FloatVector.fromArray(SP, m, p);
        m1 = FloatVector.fromArray(SP, m, p + s);
        m2 = FloatVector.fromArray(SP, m, p + 2 * s);
        m3 = FloatVector.fromArray(SP, m, p + 3 * s);
        m4 = FloatVector.fromArray(SP, m, p + 4 * s);
        m5 = FloatVector.fromArray(SP, m, p + 5 * s);
        FloatVector u0 = m0.add(m1.add(m2)).add(m3.add(m4));
        FloatVector w0 = TWO.fma(m3.sub(m4), m1.sub(m2)).add(m5);
        p += xiStride;
        m0 = FloatVector.fromArray(SP, m, p);
        m1 = FloatVector.fromArray(SP, m, p + s);
        m2 = FloatVector.fromArray(SP, m, p + 2 * s);
        m3 = FloatVector.fromArray(SP, m, p + 3 * s);
        m4 = FloatVector.fromArray(SP, m, p + 4 * s);
        m5 = FloatVector.fromArray(SP, m, p + 5 * s);
        FloatVector u1 = m0.add(m1.add(m2)).add(m3.add(m4));
        FloatVector w1 = TWO.fma(m3.sub(m4), m1.sub(m2)).add(m5);
        p += xiStride;
        m0 = FloatVector.fromArray(SP, m, p);
        m1 = FloatVector.fromArray(SP, m, p + s);
        m2 = FloatVector.fromArray(SP, m, p + 2 * s);
        m3 = FloatVector.fromArray(SP, m, p + 3 * s);
        m4 = FloatVector.fromArray(SP, m, p + 4 * s);
        m5 = FloatVector.fromArray(SP, m, p + 5 * s);
        FloatVector u2 = m0.add(m1.add(m2)).add(m3.add(m4));
        FloatVector w2 = TWO.fma(m3.sub(m4), m1.sub(m2)).add(m5);
        u0.intoArray(z, 0);
        u1.intoArray(z, VL);
        u2.intoArray(z, 2 * VL);
        w0.intoArray(z, 3 * VL);
        w1.intoArray(z, 4 * VL);
        w2.intoArray(z, 5 * VL);
    }

    /** Rows 0 and 1 of A^T M for columns 3, 4, 5, then A along both rows with z's columns. */
    private static void lastColumnsAndRows(float[] m, int mAt, int xiStride, float bias, boolean biased, float[] out,
                                           int at, int rowStride, boolean down, boolean right, float[] z) {
        int s = 6 * xiStride;
        int p = mAt + 3 * xiStride;
        FloatVector m0, m1, m2, m3, m4, m5;
        m0 = FloatVector.fromArray(SP, m, p);
        m1 = FloatVector.fromArray(SP, m, p + s);
        m2 = FloatVector.fromArray(SP, m, p + 2 * s);
        m3 = FloatVector.fromArray(SP, m, p + 3 * s);
        m4 = FloatVector.fromArray(SP, m, p + 4 * s);
        m5 = FloatVector.fromArray(SP, m, p + 5 * s);
        FloatVector u3 = m0.add(m1.add(m2)).add(m3.add(m4));
        FloatVector w3 = TWO.fma(m3.sub(m4), m1.sub(m2)).add(m5);
        p += xiStride;
        m0 = FloatVector.fromArray(SP, m, p);
        m1 = FloatVector.fromArray(SP, m, p + s);
        m2 = FloatVector.fromArray(SP, m, p + 2 * s);
        m3 = FloatVector.fromArray(SP, m, p + 3 * s);
        m4 = FloatVector.fromArray(SP, m, p + 4 * s);
        m5 = FloatVector.fromArray(SP, m, p + 5 * s);
        FloatVector u4 = m0.add(m1.add(m2)).add(m3.add(m4));
        FloatVector w4 = TWO.fma(m3.sub(m4), m1.sub(m2)).add(m5);
        p += xiStride;
        m0 = FloatVector.fromArray(SP, m, p);
        m1 = FloatVector.fromArray(SP, m, p + s);
        m2 = FloatVector.fromArray(SP, m, p + 2 * s);
        m3 = FloatVector.fromArray(SP, m, p + 3 * s);
        m4 = FloatVector.fromArray(SP, m, p + 4 * s);
        m5 = FloatVector.fromArray(SP, m, p + 5 * s);
        FloatVector u5 = m0.add(m1.add(m2)).add(m3.add(m4));
        FloatVector w5 = TWO.fma(m3.sub(m4), m1.sub(m2)).add(m5);
        FloatVector u0 = FloatVector.fromArray(SP, z, 0);
        FloatVector u1 = FloatVector.fromArray(SP, z, VL);
        FloatVector u2 = FloatVector.fromArray(SP, z, 2 * VL);
        FloatVector y = u0.add(u1.add(u2)).add(u3.add(u4));
        (biased ? y.add(bias) : y).intoArray(out, at);
        if (right) {
            y = TWO.fma(u3.sub(u4), u1.sub(u2)).add(u5);
            (biased ? y.add(bias) : y).intoArray(out, at + VL);
        }
        if (down) {
            FloatVector w0 = FloatVector.fromArray(SP, z, 3 * VL);
            FloatVector w1 = FloatVector.fromArray(SP, z, 4 * VL);
            FloatVector w2 = FloatVector.fromArray(SP, z, 5 * VL);
            y = w0.add(w1.add(w2)).add(w3.add(w4));
            (biased ? y.add(bias) : y).intoArray(out, at + rowStride);
            if (right) {
                y = TWO.fma(w3.sub(w4), w1.sub(w2)).add(w5);
                (biased ? y.add(bias) : y).intoArray(out, at + rowStride + VL);
            }
        }
    }

    /**
     * M[xi] for FILTERS filters x TILES tiles: sum over the c channels of U (broadcast, from uAt,
     * FILTERS a channel) times V (TILES vectors a channel from vAt), each sum an fma chain from
     * +0 in channel order; filter r, tile t's into m at mAt + (r * TILES + t) * VL.
     */
    private static void product(float[] v, int vAt, float[] u, int uAt, int c, float[] m, int mAt) {
        FloatVector c00 = FloatVector.zero(SP), c01 = c00, c02 = c00, c03 = c00;
        FloatVector c10 = c00, c11 = c00, c12 = c00, c13 = c00;
        FloatVector c20 = c00, c21 = c00, c22 = c00, c23 = c00;
        FloatVector c30 = c00, c31 = c00, c32 = c00, c33 = c00;
        for (int ci = 0; ci < c; ci++) {
            int p = vAt + ci * TILES * VL;
            FloatVector b0 = FloatVector.fromArray(SP, v, p);
            FloatVector b1 = FloatVector.fromArray(SP, v, p + VL);
            FloatVector b2 = FloatVector.fromArray(SP, v, p + 2 * VL);
            FloatVector b3 = FloatVector.fromArray(SP, v, p + 3 * VL);
            int q = uAt + ci * FILTERS;
            FloatVector a = FloatVector.broadcast(SP, u[q]);
            c00 = a.fma(b0, c00);
            c01 = a.fma(b1, c01);
            c02 = a.fma(b2, c02);
            c03 = a.fma(b3, c03);
            a = FloatVector.broadcast(SP, u[q + 1]);
            c10 = a.fma(b0, c10);
            c11 = a.fma(b1, c11);
            c12 = a.fma(b2, c12);
            c13 = a.fma(b3, c13);
            a = FloatVector.broadcast(SP, u[q + 2]);
            c20 = a.fma(b0, c20);
            c21 = a.fma(b1, c21);
            c22 = a.fma(b2, c22);
            c23 = a.fma(b3, c23);
            a = FloatVector.broadcast(SP, u[q + 3]);
            c30 = a.fma(b0, c30);
            c31 = a.fma(b1, c31);
            c32 = a.fma(b2, c32);
            c33 = a.fma(b3, c33);
        }
        c00.intoArray(m, mAt);
        c01.intoArray(m, mAt + VL);
        c02.intoArray(m, mAt + 2 * VL);
        c03.intoArray(m, mAt + 3 * VL);
        c10.intoArray(m, mAt + 4 * VL);
        c11.intoArray(m, mAt + 5 * VL);
        c12.intoArray(m, mAt + 6 * VL);
        c13.intoArray(m, mAt + 7 * VL);
        c20.intoArray(m, mAt + 8 * VL);
        c21.intoArray(m, mAt + 9 * VL);
        c22.intoArray(m, mAt + 10 * VL);
        c23.intoArray(m, mAt + 11 * VL);
        c30.intoArray(m, mAt + 12 * VL);
        c31.intoArray(m, mAt + 13 * VL);
        c32.intoArray(m, mAt + 14 * VL);
        c33.intoArray(m, mAt + 15 * VL);
    }

    // ---- the weight gradient ------------------------------------------------------------------

    /** Whether the weight gradient runs here: on the forward's shapes ({@link #suits}), any padding. */
    static boolean suitsBackwardWeight(int n, int c, int o, Window2d w, int groups) {
        return suits(n, c, o, w, groups);
    }

    /** The weight gradient's transforms of the tiles taken at once, per thread: a quarter of the L2. */
    private static final long CHUNK_L2 = CpuInfo.get().l2Bytes() / 4;

    /**
     * gradWeight [o, c, 5, 5] (contiguous at gwOffset, overwritten) of the convolution of x
     * [n, c, h, wd] (strides sN, sC, sH, sW from xOffset) at padding padH x padW, from the
     * contiguous upstream gradient gy [n, o, oh, ow] at gyOffset: F(2x2, 5x5) run backwards, as
     * {@link ConvWinograd#backwardWeight} runs F(2x2, 3x3). With Y = A^T M A and M = sum over ci
     * of U (.) V per tile,
     *
     * <pre>
     *   dM = A dY A^T,   dU = sum over images and tiles of dM (.) V,   dg = G^T dU G
     * </pre>
     *
     * so the sum over the batch is 36 matrix products, one per position xi of the 6 x 6 tile,
     * [tiles x o] by [tiles x c], 36 multiply-adds per tile where the definition takes 100. Rows
     * a of A dY are dY0, dY0 + dY1, dY0 - dY1, dY0 + 2 dY1, dY0 - 2 dY1 and dY1; a row (p, q)
     * times A^T is p, p + q, p - q, p + 2 q, p - 2 q, q.
     *
     * <p>The side with more channels after padding goes in the vectors' lanes (blocks of 2 VL),
     * the other is broadcast (the MNIST CNN's second layer: its 32 filters in the lanes, not its
     * 16 channels padded to 32). Bits: each dU[xi] element is one chain of fused multiply-adds in
     * float over every image and tile in order (images ascending, tiles row by row), from +0,
     * kept in a buffer between the chunks of tiles; V and dM are the same operations in every
     * lane; G^T dU G is computed in double and rounded once. A lane's chain never meets another's
     * and fma(a, b, s) = fma(b, a, s), so neither the side in the lanes, nor the vector width, nor
     * the thread count (the threads split the six rows a of positions), nor the chunk size
     * changes a bit.
     */
    static void backwardWeight(float[] x, int xOffset, int sN, int sC, int sH, int sW, int n, int c, int h, int wd,
                               float[] gy, int gyOffset, int o, int padH, int padW, float[] gw, int gwOffset,
                               int threads) {
        backwardWeight(x, xOffset, sN, sC, sH, sW, n, c, h, wd, gy, gyOffset, o, padH, padW, gw, gwOffset, threads,
                CHUNK_L2, null);
    }

    /**
     * {@link #backwardWeight} with transforms of chunkBytes per chunk and the filters in the lanes
     * or not (null: the side with more lanes busy), for tests: the bits depend on neither.
     */
    static void backwardWeight(float[] x, int xOffset, int sN, int sC, int sH, int sW, int n, int c, int h, int wd,
                               float[] gy, int gyOffset, int o, int padH, int padW, float[] gw, int gwOffset,
                               int threads, long chunkBytes, Boolean lanesForFilters) {
        int oh = h + 2 * padH - 4;
        int ow = wd + 2 * padW - 4;
        int th = (oh + 1) / 2;
        int tw = (ow + 1) / 2;
        int tiles = th * tw;
        int cb = ConvDirect.CB;
        boolean filtersInLanes = lanesForFilters != null ? lanesForFilters
                : (long) ConvWinograd.roundUp(o, 2 * VL) * ConvWinograd.roundUp(c, VL)
                        < (long) ConvWinograd.roundUp(c, 2 * VL) * ConvWinograd.roundUp(o, VL);
        int pp = ConvWinograd.roundUp(filtersInLanes ? o : c, 2 * VL);   // the lanes side, padded with zeros
        int qp = ConvWinograd.roundUp(filtersInLanes ? c : o, VL);       // the broadcast side
        int cx = filtersInLanes ? qp : pp;                               // x's channels in its copy
        int cg = filtersInLanes ? pp : qp;                               // gy's
        int hp = 2 * th + 4;
        int wp = 2 * tw + 4;
        int xPlanes = hp * wp * cx;                  // one image, channels last, padded
        int gPlanes = 4 * tiles * cg;                // one image's upstream gradient, channels last
        // the threads split the 36 positions xi by rows a of the 6 x 6 tile (xi = 6 a + b)
        int groups = threads >= 6 ? 6 : threads >= 3 ? 3 : threads >= 2 ? 2 : 1;
        int rowsPerGroup = 6 / groups;
        // tiles at a time: one row's transforms of them fit chunkBytes (see ConvWinograd)
        int chunk = (int) Math.max(8, chunkBytes / (Float.BYTES * 6L * (pp + qp)));
        int imagesAtOnce = Math.max(1, Math.min(n, chunk / tiles));
        int tileChunk = imagesAtOnce > 1 ? tiles : Math.min(tiles, chunk);
        int chunkRows = imagesAtOnce * tileChunk;
        float[] planes = buffer(5, imagesAtOnce * (xPlanes + gPlanes));
        float[] du = buffer(6, 36 * qp * pp);
        Arrays.fill(du, 0, 36 * qp * pp, 0f);
        for (int b0 = 0; b0 < n; b0 += imagesAtOnce) {
            int first = b0;
            int images = Math.min(imagesAtOnce, n - b0);
            int gFrom = images * xPlanes;            // where the upstream gradient's copies start
            ConvWinograd.parallel(2 * images, threads, k -> {
                int li = k >> 1;
                if ((k & 1) == 0) {
                    ConvWinograd.channelsLast(x, xOffset + (first + li) * sN, sC, sH, sW, c, h, wd, padH, padW, hp,
                            wp, cx, planes, li * xPlanes);
                } else {
                    // unpadded, with zeros where the last tiles hang over
                    ConvWinograd.channelsLast(gy, gyOffset + (first + li) * o * oh * ow, oh * ow, ow, 1, o, oh, ow,
                            0, 0, 2 * th, 2 * tw, cg, planes, gFrom + li * gPlanes);
                }
            });
            ConvWinograd.parallel(groups, threads, g -> {
                // each position's values, and each block of a side's channels, a cache line further
                // than a multiple of 4 KB from the last (see ConvWinograd)
                int pBlock = chunkRows * 2 * VL + ConvWinograd.SKEW;
                int pXi = pp / (2 * VL) * pBlock + ConvWinograd.SKEW;
                int qBlock = chunkRows * VL + ConvWinograd.SKEW;
                int qXi = qp / VL * qBlock + ConvWinograd.SKEW;
                float[] lanes = buffer(7, 6 * pXi);
                float[] broadcast = buffer(8, 6 * qXi);
                for (int t0 = 0; t0 < tiles; t0 += tileChunk) {
                    int t1 = Math.min(tiles, t0 + tileChunk);
                    int rows = images * (t1 - t0);
                    for (int a = g * rowsPerGroup; a < (g + 1) * rowsPerGroup; a++) {
                        for (int li = 0; li < images; li++) {
                            int row0 = li * (t1 - t0);
                            if (filtersInLanes) {
                                inputRows(planes, li * xPlanes, tw, wp, cx, t0, t1, a, broadcast, row0, qXi, qBlock, VL);
                                gradientRows(planes, gFrom + li * gPlanes, tw, cg, t0, t1, a, lanes, row0, pXi, pBlock,
                                        2 * VL);
                            } else {
                                inputRows(planes, li * xPlanes, tw, wp, cx, t0, t1, a, lanes, row0, pXi, pBlock, 2 * VL);
                                gradientRows(planes, gFrom + li * gPlanes, tw, cg, t0, t1, a, broadcast, row0, qXi,
                                        qBlock, VL);
                            }
                        }
                        for (int b = 0; b < 6; b++) {
                            int xi = 6 * a + b;
                            for (int p0 = 0; p0 < pp; p0 += 2 * VL) {
                                for (int q0 = 0; q0 < qp; q0 += cb) {
                                    ConvWinograd.accumulate(lanes, b * pXi + p0 / (2 * VL) * pBlock, 2 * VL, broadcast,
                                            b * qXi + q0 / VL * qBlock + q0 % VL, VL, rows, du, (xi * qp + q0) * pp + p0,
                                            pp);
                                }
                            }
                        }
                    }
                }
            });
        }
        // dg = G^T dU G, in double, rounded once
        double[] u = new double[36];
        double[] t = new double[30];
        for (int f = 0; f < o; f++) {
            for (int ci = 0; ci < c; ci++) {
                int p = filtersInLanes ? f : ci;
                int q = filtersInLanes ? ci : f;
                for (int xi = 0; xi < 36; xi++) {
                    u[xi] = du[(xi * qp + q) * pp + p];
                }
                for (int i = 0; i < 5; i++) {            // G^T dU: 5 x 6
                    for (int b = 0; b < 6; b++) {
                        double s = 0;
                        for (int a = 0; a < 6; a++) {
                            s += G[a][i] * u[6 * a + b];
                        }
                        t[6 * i + b] = s;
                    }
                }
                int at = gwOffset + (f * c + ci) * 25;
                for (int i = 0; i < 5; i++) {            // (G^T dU) G: 5 x 5
                    for (int j = 0; j < 5; j++) {
                        double s = 0;
                        for (int b = 0; b < 6; b++) {
                            s += t[6 * i + b] * G[b][j];
                        }
                        gw[at + 5 * i + j] = (float) s;
                    }
                }
            }
        }
    }

    /**
     * Row a of V = B^T d B (positions xi = 6 a + b) of tiles t0 .. t1-1 of one image, channels in
     * the lanes, in blocks of {@code width} channels (2 VL for the lanes side, VL for the broadcast
     * side): value xi of tile t, channel c0 + lane at v[b xiStride + c0 / width block + (row0 + t
     * - t0) width + c0 % width + lane]; the patch read from the channels-last copy at xp[xpOff..]
     * (cx channels, wp columns a row).
     */
    private static void inputRows(float[] xp, int xpOff, int tw, int wp, int cx, int t0, int t1, int a, float[] v,
                                  int row0, int xiStride, int block, int width) {
        int rs = wp * cx;
        for (int t = t0; t < t1; t++) {
            int ti = t / tw;
            int tj = t - ti * tw;
            int at = (row0 + t - t0) * width;
            for (int ch = 0; ch < cx; ch += VL) {
                int p = xpOff + (2 * ti * wp + 2 * tj) * cx + ch;
                int to = at + ch / width * block + ch % width;
                switch (a) {
                    case 0 -> inRow0(xp, p, rs, cx, v, to, xiStride);
                    case 1 -> inRow1(xp, p, rs, cx, v, to, xiStride);
                    case 2 -> inRow2(xp, p, rs, cx, v, to, xiStride);
                    case 3 -> inRow3(xp, p, rs, cx, v, to, xiStride);
                    case 4 -> inRow4(xp, p, rs, cx, v, to, xiStride);
                    default -> inRow5(xp, p, rs, cx, v, to, xiStride);
                }
            }
        }
    }

    /**
     * Row a of dM = A dY A^T (positions xi = 6 a + b) of tiles t0 .. t1-1 of one image, in the
     * layout of {@link #inputRows}; dY read from the channels-last upstream gradient at
     * gt[gOff..] (cg channels, 2 tw columns a row).
     */
    private static void gradientRows(float[] gt, int gOff, int tw, int cg, int t0, int t1, int a, float[] m,
                                     int row0, int xiStride, int block, int width) {
        int ow2 = 2 * tw;
        for (int t = t0; t < t1; t++) {
            int ti = t / tw;
            int tj = t - ti * tw;
            int at = (row0 + t - t0) * width;
            for (int f = 0; f < cg; f += VL) {
                int p = gOff + (2 * ti * ow2 + 2 * tj) * cg + f;
                FloatVector y00 = FloatVector.fromArray(SP, gt, p);
                FloatVector y01 = FloatVector.fromArray(SP, gt, p + cg);
                FloatVector y10 = FloatVector.fromArray(SP, gt, p + ow2 * cg);
                FloatVector y11 = FloatVector.fromArray(SP, gt, p + ow2 * cg + cg);
                FloatVector pa = a == 0 ? y00 : a == 1 ? y00.add(y10) : a == 2 ? y00.sub(y10)
                        : a == 3 ? TWO.fma(y10, y00) : a == 4 ? MINUS_TWO.fma(y10, y00) : y10;
                FloatVector qa = a == 0 ? y01 : a == 1 ? y01.add(y11) : a == 2 ? y01.sub(y11)
                        : a == 3 ? TWO.fma(y11, y01) : a == 4 ? MINUS_TWO.fma(y11, y01) : y11;
                int to = at + f / width * block + f % width;
                pa.intoArray(m, to);
                pa.add(qa).intoArray(m, to + xiStride);
                pa.sub(qa).intoArray(m, to + 2 * xiStride);
                TWO.fma(qa, pa).intoArray(m, to + 3 * xiStride);
                MINUS_TWO.fma(qa, pa).intoArray(m, to + 4 * xiStride);
                qa.intoArray(m, to + 5 * xiStride);
            }
        }
    }
}
