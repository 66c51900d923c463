package unboxed.backend.cpu;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import unboxed.backend.Window2d;

/**
 * conv2d's forward pass and both its gradients for 3x3 kernels at stride 1 by Winograd's minimal
 * filtering F(2x2, 3x3) (Lavin and Gray, 2016): post 02's version 7, in the engine. The output is cut into
 * 2 x 2 tiles; with the constant matrices B, G and A,
 *
 * <pre>
 *   tile = A^T [ sum over ci of (G g G^T) (.) (B^T d B) ] A          (.) = element-wise product
 * </pre>
 *
 * 16 products per tile and input channel where the definition takes 36 multiply-adds. The sum over
 * ci is 16 independent matrix products (one per position xi of the 4 x 4 transformed tile), run
 * as a register tile of 8 filters (4 with AVX2) x 2 vectors of tiles, each filter's U broadcast;
 * A^T M A follows while the tile's sums are in L1. The input gradient is the same algorithm on the upstream
 * gradient with the flipped filters; the weight gradient is the algorithm run backwards
 * ({@link #backwardWeight}).
 *
 * <p>Why here: on the 3x3 layers with many channels (post 02's 128-channel shape) the
 * product form's multiply-adds are the whole cost, and 2.25 times fewer of them outweigh the
 * transforms (1.2-1.4 times the direct tile's speed on post 02's 128-channel shape; the weight
 * gradient 1.6 times the unfold form's products, by hand on a Zen 5, one thread, paired in one
 * JVM). On fewer channels the transforms dominate, hence {@link #suits}.
 *
 * <p>Bits: not the unfold form's. The transforms round too (the bound on an output's error is
 * gamma_(c+11) times the same computation on absolute values, post 02's ConvVersionsTest; a
 * weight gradient's, over L tiles of the batch, gamma_(L+5) times its own, ConvWinogradTest), so the
 * engine takes this path only where {@link #suits} says so, from the shape alone: never from the
 * vector width or the thread count, so that a result is the same on every machine and thread count.
 * Every operation's order is fixed (lanes are independent, each sum runs over ci in order, images
 * are independent tasks), so the result does not depend on the vector width either. A backend
 * built with {@code winograd = false} keeps the unfold form's bits on every shape.
 */
final class ConvWinograd {
    private ConvWinograd() {
    }

    private static final VectorSpecies<Float> SP = FloatVector.SPECIES_PREFERRED;
    private static final int VL = SP.length();
    /**
     * Filters per register tile: ConvDirect's rows, 8 with AVX-512 (16 of its 32 registers hold
     * the sums), 4 with AVX2. The arithmetic does not depend on it: each sum is its own chain.
     */
    private static final int FILTERS = ConvDirect.CB;
    /** Output tiles per register tile: two vectors. */
    private static final int TILES = 2 * VL;
    /**
     * Per output tile, the products cost 16 c o multiply-adds and the transforms a number of
     * operations proportional to c + o (the input's 4 x 4 patch per input channel, the output's
     * A^T M A per filter). So Winograd pays where c o / (c + o) is large: at least
     * {@value #MIN_CHANNEL_RATIO} on any map. Measured by hand on a Zen 5, one thread, the forward
     * by this path against the direct tile, paired in one JVM: 1.2-1.4 times faster on post 02's
     * (64, 128, 16 x 16, 128) shape (c o / (c + o) = 64), 1.2 on (64, 48, 16 x 16, 96) (32) and
     * 1.07 on (64, 64, 16 x 16, 64) (32), with the transforms as vector code (when the split into
     * planes and the outputs' stores went one float at a time, the 128-channel shape gained 1.32
     * times and the 64-channel 32 x 32 one lost). A first layer (3 channels in) would be far slower
     * (version 7: 0.46 times).
     */
    static final int MIN_CHANNEL_RATIO = 48;
    /** Output rows and columns from which a map fills the register tiles' lanes well enough. */
    static final int MIN_SIDE = 8;
    /**
     * On maps of at least {@value #LARGE_MAP_SIDE} x {@value #LARGE_MAP_SIDE} outputs Winograd pays
     * from c o / (c + o) = {@value #LARGE_MAP_CHANNEL_RATIO}: the forward pass against the direct
     * tile, paired in one JVM, by hand on a Zen 5, one thread, 512-bit (256-bit) vectors: 1.21
     * (1.33-1.5) times faster at (64, 64, 32 x 32, 64), but 1.07 (0.85) at 16 x 16 and 0.87
     * (0.69) at 8 x 8, where a map's tiles fill fewer register tiles' lanes.
     */
    static final int LARGE_MAP_CHANNEL_RATIO = 32;
    static final int LARGE_MAP_SIDE = 32;

    /**
     * Whether a convolution runs here: a 3x3 kernel at stride 1 without dilation, one group, and
     * c o at least {@link #MIN_CHANNEL_RATIO} (c + o) (96 channels in and out, or more) with an
     * output of at least {@link #MIN_SIDE} x {@link #MIN_SIDE}, or c o at least
     * {@link #LARGE_MAP_CHANNEL_RATIO} (c + o) (64 channels in and out) with an output of at least
     * {@link #LARGE_MAP_SIDE} x {@link #LARGE_MAP_SIDE}. The shape alone decides (see the class
     * comment).
     */
    static boolean suits(int c, int o, Window2d w, int groups, int oh, int ow) {
        return w.kernelH() == 3 && w.kernelW() == 3 && w.strideH() == 1 && w.strideW() == 1
                && w.dilationH() == 1 && w.dilationW() == 1 && groups == 1
                && ((long) c * o >= (long) MIN_CHANNEL_RATIO * (c + o) && oh >= MIN_SIDE && ow >= MIN_SIDE
                    || (long) c * o >= (long) LARGE_MAP_CHANNEL_RATIO * (c + o) && oh >= LARGE_MAP_SIDE
                        && ow >= LARGE_MAP_SIDE);
    }

    /**
     * The weight gradient's threshold on c o / (c + o), lower than the forward pass's: its
     * transforms keep the channels in the vector lanes and run as vector code throughout. Measured
     * by hand on a Zen 5 against the unfold form's products, alternating in one JVM, one thread
     * (two; -XX:UseAVX=2, one): 1.62 (1.62; 2.3) times faster at (64, 128, 16 x 16, 128), ratio
     * 64; 1.44 (1.28; 2.07) at (64, 64, 32 x 32, 64), ratio 32; 1.48 (-; 1.88) at
     * (64, 32, 16 x 16, 64), ratio 21.3; 1.13 (1.0; 1.93) at (64, 32, 32 x 32, 32), ratio 16;
     * 0.71 at (64, 16, 32 x 32, 32), ratio 10.7.
     */
    static final int MIN_WEIGHT_CHANNEL_RATIO = 20;

    /**
     * Whether the weight gradient of a convolution runs here ({@link #backwardWeight}): as
     * {@link #suits}, with c o at least {@link #MIN_WEIGHT_CHANNEL_RATIO} (c + o) (64 channels in
     * and out, or 32 in and 64 out, or more). The shape alone decides.
     */
    static boolean suitsBackwardWeight(int c, int o, Window2d w, int groups, int oh, int ow) {
        return w.kernelH() == 3 && w.kernelW() == 3 && w.strideH() == 1 && w.strideW() == 1
                && w.dilationH() == 1 && w.dilationW() == 1 && groups == 1
                && (long) c * o >= (long) MIN_WEIGHT_CHANNEL_RATIO * (c + o) && oh >= MIN_SIDE && ow >= MIN_SIDE;
    }

    /**
     * Whether the input gradient of such a convolution runs here too: it is the convolution of the
     * upstream gradient (o channels) with the flipped kernels (c filters) at padding 2 - p, which
     * takes a padding of at most 2.
     */
    static boolean suitsBackwardInput(int c, int o, Window2d w, int groups, int h, int wd) {
        return suits(c, o, w, groups, h, wd) && w.padH() <= 2 && w.padW() <= 2;
    }

    /** The transformed weights U and their layout, from {@link #transformWeights}. */
    record Weights(float[] u, int filters, int channels) {
    }

    /**
     * U = G g G^T for every filter f and channel ci, laid out [filter block][xi][ci][4 filters] so
     * that a register tile reads its 4 broadcasts consecutively; filters past the last are zero.
     * With {@code flipped}, filter f and channel ci are the forward's channel f and filter ci, the
     * kernel turned by 180 degrees: the input gradient's convolution.
     *
     * <pre>
     *   G = [ 1    0    0  ]
     *       [ 1/2  1/2  1/2]
     *       [ 1/2 -1/2  1/2]
     *       [ 0    0    1  ]
     * </pre>
     */
    static Weights transformWeights(float[] wt, int wOffset, int filters, int channels, boolean flipped) {
        int c = channels;
        int filterBlocks = (filters + FILTERS - 1) / FILTERS;
        float[] u = new float[filterBlocks * 16 * c * FILTERS];
        float[] g = new float[9];
        float[] gg = new float[12];                  // G g, 4 x 3
        for (int f = 0; f < filters; f++) {
            for (int ci = 0; ci < c; ci++) {
                for (int e = 0; e < 9; e++) {
                    g[e] = flipped ? wt[wOffset + (ci * filters + f) * 9 + 8 - e] : wt[wOffset + (f * c + ci) * 9 + e];
                }
                for (int j = 0; j < 3; j++) {
                    float g0 = g[j];
                    float g1 = g[3 + j];
                    float g2 = g[6 + j];
                    float s = g0 + g2;
                    gg[j] = g0;
                    gg[3 + j] = (s + g1) * 0.5f;
                    gg[6 + j] = (s - g1) * 0.5f;
                    gg[9 + j] = g2;
                }
                int base = (f / FILTERS * 16 * c + ci) * FILTERS + f % FILTERS;
                for (int i = 0; i < 4; i++) {
                    float r0 = gg[3 * i];
                    float r1 = gg[3 * i + 1];
                    float r2 = gg[3 * i + 2];
                    float s = r0 + r2;
                    u[base + (4 * i) * c * FILTERS] = r0;
                    u[base + (4 * i + 1) * c * FILTERS] = (s + r1) * 0.5f;
                    u[base + (4 * i + 2) * c * FILTERS] = (s - r1) * 0.5f;
                    u[base + (4 * i + 3) * c * FILTERS] = r2;
                }
            }
        }
        return new Weights(u, filters, channels);
    }

    /** One thread's buffers, grown as needed and reused from call to call. */
    private static final class Scratch {
        float[] v = new float[0];
        float[] planes = new float[0];
        float[] row = new float[0];         // split's padded rows
        final float[] m = new float[16 * FILTERS * TILES];
        final float[] y = new float[4 * VL];
        /** The weight gradient's transforms of a chunk of tiles, V and dM, one row of positions at a time. */
        float[] wv = new float[0];
        float[] wm = new float[0];
        /** channelsLast's block of VL channels, positions flattened, [position][VL]. */
        float[] block = new float[0];
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    /**
     * y [n, filters, oh, ow] (contiguous at yOffset) = the convolution of x [n, channels, h, wd]
     * (strides sN, sC, sH, sW from xOffset) with the transformed weights, zero padding padH x padW,
     * plus bias (null: none). Images are independent tasks on up to {@code threads} workers.
     */
    static void run(float[] x, int xOffset, int sN, int sC, int sH, int sW, int n, int h, int wd, Weights u,
                    float[] bias, int padH, int padW, float[] y, int yOffset, int threads) {
        int o = u.filters();
        int c = u.channels();
        int oh = h + 2 * padH - 2;
        int ow = wd + 2 * padW - 2;
        int th = (oh + 1) / 2;                       // tile rows and columns; the last may hang over
        int tw = (ow + 1) / 2;
        // rows of tiles at a time, so that their transformed input stays in the L2 cache while
        // every filter passes over it (one image at once: 1 MB on 64 channels of 32 x 32, which
        // made it slower than the direct tile); any split gives the same bits
        int chunkRows = Math.max(1, Math.min(th, CHUNK_BYTES / (16 * Float.BYTES * c * tw)));
        int chunkBlocks = (chunkRows * tw + TILES - 1) / TILES;
        int planeSize = chunkBlocks * TILES + tw + VL;          // + VL: split's last vectors may run over
        int vSize = chunkBlocks * 16 * c * TILES;
        int filterBlocks = (o + FILTERS - 1) / FILTERS;
        ConvGemm.forTasks(n, threads, b -> {
            Scratch s = SCRATCH.get();
            if (s.v.length < vSize) {
                s.v = new float[vSize];
            }
            if (s.planes.length < 8 * planeSize) {
                s.planes = new float[8 * planeSize];
            }
            // a chunk's padded rows (see split), zeros around the image's columns
            int rowsSize = (2 * chunkRows + 2) * (2 * roundUp(tw, VL) + 2 * VL);
            if (s.row.length < rowsSize) {
                s.row = new float[rowsSize];
            }
            Arrays.fill(s.row, 0, rowsSize, 0f);
            int outImage = yOffset + b * o * oh * ow;
            for (int r0 = 0; r0 < th; r0 += chunkRows) {
                int rows = Math.min(chunkRows, th - r0);
                int tiles = rows * tw;
                int blocks = (tiles + TILES - 1) / TILES;
                for (int ci = 0; ci < c; ci++) {
                    split(x, xOffset + b * sN + ci * sC, sH, sW, h, wd, padH - 2 * r0, padW, rows, tw, s.planes,
                            planeSize, s.row);
                    transformInput(s.planes, planeSize, tw, blocks, c, ci, s.v);
                }
                int chunkOut = outImage + 2 * r0 * ow;
                int chunkH = Math.min(oh - 2 * r0, 2 * rows);
                for (int tb = 0; tb < blocks; tb++) {
                    for (int fb = 0; fb < filterBlocks; fb++) {
                        for (int xi = 0; xi < 16; xi++) {
                            tile(u.u(), ((fb * 16 + xi) * c) * FILTERS, s.v, ((tb * 16 + xi) * c) * TILES, c, s.m,
                                    xi * FILTERS * TILES);
                        }
                        transformOutput(s.m, fb * FILTERS, o, bias, tb * TILES, tiles, tw, chunkH, ow, oh * ow, y,
                                chunkOut, s.y);
                    }
                }
            }
        });
    }

    /**
     * gradWeight [o, c, 3, 3] (contiguous at gwOffset, overwritten) of the convolution of x
     * [n, c, h, wd] (strides sN, sC, sH, sW from xOffset) at padding padH x padW, from the
     * contiguous upstream gradient gy [n, o, oh, ow] at gyOffset: Winograd's F(2x2, 3x3) run
     * backwards (its transposition). With Y = A^T M A and M = sum over ci of U (.) V per tile,
     *
     * <pre>
     *   dM = A dY A^T,   dU = sum over images and tiles of dM (.) V,   dg = G^T dU G
     * </pre>
     *
     * so the sum over the batch is 16 matrix products, one per position xi of the 4 x 4 tile,
     * [o x tiles] x [tiles x c], with 16 multiply-adds per tile where the definition takes 36.
     *
     * <p>Bits: each dU[xi][f][ci] is one chain of fused multiply-adds in float over every image
     * and tile in order (images ascending, tiles row by row), kept in a buffer between the chunks
     * of tiles it is computed in, then G^T dU G is computed in double and rounded once. The
     * channels sit in the vectors' lanes (the input and the upstream gradient are transposed
     * image by image to put them there), so a lane's chain never meets another lane's: the
     * vector width changes how many chains run at once, never their order. The threads share the
     * images' copies, then each takes rows of the 4 x 4 positions; each chain is on one thread,
     * whichever, and the chunk size (from the L2's) changes where a chain pauses, never its order.
     */
    static void backwardWeight(float[] x, int xOffset, int sN, int sC, int sH, int sW, int n, int c, int h, int wd,
                               float[] gy, int gyOffset, int o, int padH, int padW, float[] gw, int gwOffset,
                               int threads) {
        backwardWeight(x, xOffset, sN, sC, sH, sW, n, c, h, wd, gy, gyOffset, o, padH, padW, gw, gwOffset, threads,
                CHUNK_L2);
    }

    /** {@link #backwardWeight} with transforms of chunkBytes per chunk (tests: the bits do not depend on it). */
    static void backwardWeight(float[] x, int xOffset, int sN, int sC, int sH, int sW, int n, int c, int h, int wd,
                               float[] gy, int gyOffset, int o, int padH, int padW, float[] gw, int gwOffset,
                               int threads, long chunkBytes) {
        int oh = h + 2 * padH - 2;
        int ow = wd + 2 * padW - 2;
        int th = (oh + 1) / 2;
        int tw = (ow + 1) / 2;
        int tiles = th * tw;
        int cp = roundUp(c, 2 * VL);                 // channels, and filters, padded with zeros to whole vectors
        int op = roundUp(o, VL);
        int hp = 2 * th + 2;
        int wp = 2 * tw + 2;
        int xPlanes = hp * wp * cp;                  // one image channels last, padded
        int gPlanes = 4 * tiles * op;                // one image's upstream gradient channels last
        // the threads split the 16 positions xi by rows a of the 4 x 4 tile (xi = 4 a + b), each
        // transforming its rows of the tiles (a row's values need two rows of the patch) and
        // running their products, on data in its own core's L2
        int groups = threads >= 4 ? 4 : threads >= 2 ? 2 : 1;
        int rowsPerGroup = 4 / groups;
        // tiles at a time: one row a's transforms of them, [tiles x c] and [tiles x o] for each of
        // its four positions, fit a quarter of the L2, where its products read them back (whole
        // images' transforms, 2 MB for one 64-channel 32 x 32 image, went out to L3 and back: as
        // long as the products, by hand on a Zen 5). Small images go several at once. Any chunking
        // gives the same bits: each chain goes on from where the last chunk left it.
        int chunk = (int) Math.max(8, chunkBytes / (Float.BYTES * 4L * (cp + op)));
        int imagesAtOnce = Math.max(1, Math.min(n, chunk / tiles));
        int tileChunk = imagesAtOnce > 1 ? tiles : Math.min(tiles, chunk);
        int chunkRows = imagesAtOnce * tileChunk;
        Shared sh = SHARED.get();
        sh.planes = atLeast(sh.planes, imagesAtOnce * (xPlanes + gPlanes));
        sh.du = atLeast(sh.du, 16 * op * cp);
        float[] planes = sh.planes;
        float[] du = sh.du;
        Arrays.fill(du, 0, 16 * op * cp, 0f);
        for (int b0 = 0; b0 < n; b0 += imagesAtOnce) {
            int first = b0;
            int images = Math.min(imagesAtOnce, n - b0);
            int gFrom = images * xPlanes;            // where the upstream gradient's copies start
            parallel(2 * images, threads, k -> {
                int li = k >> 1;
                if ((k & 1) == 0) {
                    channelsLast(x, xOffset + (first + li) * sN, sC, sH, sW, c, h, wd, padH, padW, hp, wp, cp, planes,
                            li * xPlanes);
                } else {
                    // the upstream gradient the same way, unpadded, with zeros where the last tiles hang over
                    channelsLast(gy, gyOffset + (first + li) * o * oh * ow, oh * ow, ow, 1, o, oh, ow, 0, 0, 2 * th,
                            2 * tw, op, planes, gFrom + li * gPlanes);
                }
            });
            parallel(groups, threads, g -> {
                // each position's values, and each block of VL filters, a cache line further than a
                // multiple of 4 KB from the last: the transforms write 4 (and 4 op / VL) streams at
                // once, which at power-of-two distances would fall into the same sets of the L1 cache
                int vBlock = chunkRows * 2 * VL + SKEW;
                int vXi = cp / (2 * VL) * vBlock + SKEW;
                int mBlock = chunkRows * VL + SKEW;
                int mXi = op / VL * mBlock + SKEW;
                Scratch s = SCRATCH.get();
                s.wv = atLeast(s.wv, 4 * vXi);
                s.wm = atLeast(s.wm, 4 * mXi);
                float[] v = s.wv;
                float[] m = s.wm;
                for (int t0 = 0; t0 < tiles; t0 += tileChunk) {
                    int t1 = Math.min(tiles, t0 + tileChunk);
                    int rows = images * (t1 - t0);
                    for (int a = g * rowsPerGroup; a < (g + 1) * rowsPerGroup; a++) {
                        for (int li = 0; li < images; li++) {
                            int row0 = li * (t1 - t0);
                            transformInputByChannel(planes, li * xPlanes, tw, wp, cp, t0, t1, a, v, row0, vXi, vBlock);
                            transformGradient(planes, gFrom + li * gPlanes, tw, op, t0, t1, a, m, row0, mXi, mBlock);
                        }
                        for (int b = 0; b < 4; b++) {
                            int xi = 4 * a + b;
                            for (int cb = 0; cb < cp; cb += 2 * VL) {
                                for (int ob = 0; ob < op; ob += ConvDirect.CB) {
                                    accumulate(v, b * vXi + cb / (2 * VL) * vBlock, 2 * VL, m,
                                            b * mXi + ob / VL * mBlock + ob % VL, VL, rows, du,
                                            (xi * op + ob) * cp + cb, cp);
                                }
                            }
                        }
                    }
                }
            });
        }
        // dg = G^T dU G, in double, rounded once; G's entries (1, 1/2, -1/2, 0) multiply exactly
        double[] u = new double[16];
        double[] t = new double[12];
        for (int f = 0; f < o; f++) {
            for (int ci = 0; ci < c; ci++) {
                for (int xi = 0; xi < 16; xi++) {
                    // S dU S back to dU: the last row's and the last column's signs turned
                    float d = du[(xi * op + f) * cp + ci];
                    u[xi] = (xi >= 12) != (xi % 4 == 3) ? -d : d;
                }
                for (int j = 0; j < 4; j++) {            // G^T dU: 3 x 4
                    double half = 0.5 * u[4 + j] + 0.5 * u[8 + j];
                    t[j] = u[j] + half;
                    t[4 + j] = 0.5 * u[4 + j] - 0.5 * u[8 + j];
                    t[8 + j] = half + u[12 + j];
                }
                int at = gwOffset + (f * c + ci) * 9;
                for (int i = 0; i < 3; i++) {            // (G^T dU) G: 3 x 3
                    double half = 0.5 * t[4 * i + 1] + 0.5 * t[4 * i + 2];
                    gw[at + 3 * i] = (float) (t[4 * i] + half);
                    gw[at + 3 * i + 1] = (float) (0.5 * t[4 * i + 1] - 0.5 * t[4 * i + 2]);
                    gw[at + 3 * i + 2] = (float) (half + t[4 * i + 3]);
                }
            }
        }
    }

    /** 16 floats: 64 bytes, a cache line. */
    static final int SKEW = 16;

    /** The weight gradient's buffers shared by the threads of one call, kept by the calling thread. */
    private static final class Shared {
        float[] planes = new float[0];
        float[] du = new float[0];
    }

    private static final ThreadLocal<Shared> SHARED = ThreadLocal.withInitial(Shared::new);

    private static float[] atLeast(float[] a, int size) {
        return a.length >= size ? a : new float[size];
    }

    static int roundUp(int a, int to) {
        return (a + to - 1) / to * to;
    }

    /** Tasks 0 .. tasks-1, spread over up to {@code threads} workers (none of them changes a bit). */
    static void parallel(int tasks, int threads, java.util.function.IntConsumer task) {
        if (threads > 1 && tasks > 1) {
            Sgemm.parallelFor(tasks, threads, task);
        } else {
            for (int t = 0; t < tasks; t++) {
                task.accept(t);
            }
        }
    }

    /**
     * One image (c channels of h x wd, strides sC, sH, sW from xOff), zero-padded and channels
     * last: padded position (py, px) of channel ci at xp[xpOff + (py wp + px) cp + ci], hp x wp positions,
     * zeros around the image and past channel c.
     */
    static void channelsLast(float[] x, int xOff, int sC, int sH, int sW, int c, int h, int wd, int padH,
                                     int padW, int hp, int wp, int cp, float[] xp, int xpOff) {
        Arrays.fill(xp, xpOff, xpOff + hp * wp * cp, 0f);
        if (sW == 1 && sH == wd && wd % VL != 0 && c >= VL) {
            channelsLastFlat(x, xOff, sC, c, h, wd, padH, padW, wp, cp, xp, xpOff);
            return;
        }
        // VL channels x VL columns at a time, transposed in registers, where the rows are contiguous
        int cBlocks = sW == 1 ? c / VL * VL : 0;
        int xBlocks = sW == 1 ? wd / VL * VL : 0;
        // a block of channels through every row before the next block: VL planes read as VL
        // streams, which the prefetchers follow (all c planes at once, row by row, were more
        // streams than they track: the 64-channel images of (64, 64, 32, 64) took 4.0 ms against
        // 1.8-2.4 in one weight gradient, by hand on a Zen 5, one thread)
        for (int ci = 0; ci < cBlocks; ci += VL) {
            for (int iy = 0; iy < h; iy++) {
                int to = xpOff + ((iy + padH) * wp + padW) * cp;
                for (int ix = 0; ix < xBlocks; ix += VL) {
                    transposeBlock(x, xOff + ci * sC + iy * sH + ix, sC, xp, to + ix * cp + ci, cp);
                }
            }
        }
        for (int iy = 0; iy < h; iy++) {
            int to = xpOff + ((iy + padH) * wp + padW) * cp;
            for (int ci = 0; ci < c; ci++) {
                int from = xOff + ci * sC + iy * sH;
                for (int ix = ci < cBlocks ? xBlocks : 0; ix < wd; ix++) {
                    xp[to + ix * cp + ci] = x[from + ix * sW];
                }
            }
        }
    }

    /**
     * channelsLast for contiguous planes whose rows are not a whole number of vectors (the 14 x 14
     * maps of the MNIST CNN): VL channels x VL positions of the flattened plane at a time, rows
     * and all, transposed in registers into a block [position][VL], then each position's VL
     * channels copied to its padded place. Row by row, a 14-wide row left every value to the
     * scalar loop: a sixth of JFR's samples in ConvWinograd5's weight gradient on the CNN's second
     * layer (64 images, 16 and 32 channels; Zen 5, one thread, 2026-12-03).
     */
    private static void channelsLastFlat(float[] x, int xOff, int sC, int c, int h, int wd, int padH, int padW,
                                         int wp, int cp, float[] xp, int xpOff) {
        int plane = h * wd;
        int cBlocks = c / VL * VL;
        int pBlocks = plane / VL * VL;
        Scratch s = SCRATCH.get();
        if (s.block.length < plane * VL) {
            s.block = new float[plane * VL];
        }
        float[] block = s.block;
        for (int ci = 0; ci < cBlocks; ci += VL) {
            for (int q = 0; q < pBlocks; q += VL) {
                transposeBlock(x, xOff + ci * sC + q, sC, block, q * VL, VL);
            }
            for (int q = pBlocks; q < plane; q++) {
                for (int j = 0; j < VL; j++) {
                    block[q * VL + j] = x[xOff + (ci + j) * sC + q];
                }
            }
            for (int iy = 0; iy < h; iy++) {
                int to = xpOff + ((iy + padH) * wp + padW) * cp + ci;
                for (int ix = 0; ix < wd; ix++) {
                    FloatVector.fromArray(SP, block, (iy * wd + ix) * VL).intoArray(xp, to + ix * cp);
                }
            }
        }
        for (int ci = cBlocks; ci < c; ci++) {
            for (int iy = 0; iy < h; iy++) {
                int to = xpOff + ((iy + padH) * wp + padW) * cp + ci;
                int from = xOff + ci * sC + iy * wd;
                for (int ix = 0; ix < wd; ix++) {
                    xp[to + ix * cp] = x[from + ix];
                }
            }
        }
    }

    /** dst[d + p ld + j] = src[s + j cs + p] for p, j in [0, VL): Sgemm's transposes in registers. */
    private static void transposeBlock(float[] src, int s, int cs, float[] dst, int d, int ld) {
        if (VL == 16) {
            Sgemm.Transpose16.run(src, s, cs, dst, d, ld);
        } else if (VL == 8) {
            Sgemm.Transpose8.run(src, s, cs, dst, d, ld);
        } else {
            for (int p = 0; p < VL; p++) {
                for (int j = 0; j < VL; j++) {
                    dst[d + p * ld + j] = src[s + j * cs + p];
                }
            }
        }
    }

    /**
     * Row a of V = B^T d B (positions xi = 4 a + b) of tiles t0 .. t1-1 of one image, channels in
     * the lanes, in blocks of 2 VL channels: value xi of tile t, channel ci = c0 + lane (c0 a
     * multiple of 2 VL) at v[b xiStride + c0 / (2 VL) block + (row0 + t - t0) 2 VL + lane], so
     * that a register tile reads consecutive rows from one run of floats; the patch d read from
     * the channels-last image at xp[xpOff..].
     */
    private static void transformInputByChannel(float[] xp, int xpOff, int tw, int wp, int cp, int t0, int t1,
                                                int a, float[] v, int row0, int xiStride, int block) {
        int col = cp;                                 // the next column's, and the next row's, offsets
        int row = wp * cp;
        for (int t = t0; t < t1; t++) {
            int ti = t / tw;
            int tj = t - ti * tw;
            int at = (row0 + t - t0) * 2 * VL;
            for (int ch = 0; ch < cp; ch += VL) {
                int p = xpOff + (2 * ti * wp + 2 * tj) * cp + ch;
                int to = at + ch / (2 * VL) * block + ch % (2 * VL);
                transformRow(xp, p + first(a) * row, p + second(a) * row, col, a, v, to, xiStride);
            }
        }
    }

    /** Row a of B^T d is d_i - d_j, or d_1 + d_2 for a = 1: i. */
    private static int first(int a) {
        return a == 0 ? 0 : a == 2 ? 2 : 1;
    }

    /** Row a of B^T d is d_i - d_j, or d_1 + d_2 for a = 1: j. */
    private static int second(int a) {
        return a == 0 ? 2 : a == 1 ? 2 : a == 2 ? 1 : 3;
    }

    /**
     * Row a of B^T d times B, rows i and j of the patch d (first(a), second(a)) at src[pi..] and
     * src[pj..], their columns col apart: the four V values of that row, to v[at + b xiStride],
     * the same operations as the whole patch's. A row at a time, each reading the two rows of d
     * it needs: the whole patch's code in one method outgrew what the JIT inlines
     * (NodeCountInliningCutoff), and calls of rowTimesB stayed calls, each boxing its vectors
     * (the weight gradient's transforms of (64, 64, 32 x 32, 64): 9.4 ms against 4.0 this way,
     * by hand on a Zen 5, one thread).
     */
    private static void transformRow(float[] src, int pi, int pj, int col, int a, float[] v, int at, int xiStride) {
        FloatVector di0 = FloatVector.fromArray(SP, src, pi), di1 = FloatVector.fromArray(SP, src, pi + col);
        FloatVector di2 = FloatVector.fromArray(SP, src, pi + 2 * col);
        FloatVector di3 = FloatVector.fromArray(SP, src, pi + 3 * col);
        FloatVector dj0 = FloatVector.fromArray(SP, src, pj), dj1 = FloatVector.fromArray(SP, src, pj + col);
        FloatVector dj2 = FloatVector.fromArray(SP, src, pj + 2 * col);
        FloatVector dj3 = FloatVector.fromArray(SP, src, pj + 3 * col);
        if (a == 1) {
            rowTimesB(di0.add(dj0), di1.add(dj1), di2.add(dj2), di3.add(dj3), v, at, xiStride);
        } else {
            rowTimesB(di0.sub(dj0), di1.sub(dj1), di2.sub(dj2), di3.sub(dj3), v, at, xiStride);
        }
    }

    /**
     * Row a of dM = A dY A^T (positions xi = 4 a + b) of tiles t0 .. t1-1 of one image,
     * with the signs of its last row and its last column turned (S dM S, S = diag(1, 1, 1, -1): no
     * negations to compute; the final transform turns them back, exactly), filters in the lanes,
     * in blocks of VL filters: value xi of tile t, filter f = f0 + lane (f0 a multiple of VL) at
     * m[b xiStride + f0 / VL block + (row0 + t - t0) VL + lane], so that a register tile
     * reads its broadcasts of consecutive rows from one run of floats; dY read from the
     * channels-last gradient at gt[gOff..].
     *
     * <pre>
     *   S A = [ 1  0]      row a of S A dY: dY0, dY0 + dY1, dY0 - dY1, dY1 (dYi = row i of dY);
     *         [ 1  1]      a row (p, q) times A^T S: p, p + q, p - q, q
     *         [ 1 -1]
     *         [ 0  1]
     * </pre>
     */
    private static void transformGradient(float[] gt, int gOff, int tw, int op, int t0, int t1, int a, float[] m,
                                          int row0, int xiStride, int block) {
        int ow2 = 2 * tw;
        for (int t = t0; t < t1; t++) {
            int ti = t / tw;
            int tj = t - ti * tw;
            int at = (row0 + t - t0) * VL;
            for (int f = 0; f < op; f += VL) {
                int p = gOff + (2 * ti * ow2 + 2 * tj) * op + f;
                FloatVector y00 = FloatVector.fromArray(SP, gt, p);
                FloatVector y01 = FloatVector.fromArray(SP, gt, p + op);
                FloatVector y10 = FloatVector.fromArray(SP, gt, p + ow2 * op);
                FloatVector y11 = FloatVector.fromArray(SP, gt, p + ow2 * op + op);
                FloatVector pa = a == 0 ? y00 : a == 1 ? y00.add(y10) : a == 2 ? y00.sub(y10) : y10;
                FloatVector qa = a == 0 ? y01 : a == 1 ? y01.add(y11) : a == 2 ? y01.sub(y11) : y11;
                int to = at + f / VL * block;
                pa.intoArray(m, to);
                pa.add(qa).intoArray(m, to + xiStride);
                pa.sub(qa).intoArray(m, to + 2 * xiStride);
                qa.intoArray(m, to + 3 * xiStride);
            }
        }
    }

    /**
     * du[r][..2 VL) (rows r of du from dOff, dStride apart; CB of them) += sum over the rows k
     * of m[k][r] v[k][..2 VL), one fused multiply-add per row in row order, each sum going on
     * from the value du holds. Written out in full, as ConvDirect's tiles.
     */
    static void accumulate(float[] v, int vOff, int vStride, float[] m, int mOff, int mStride, int rows,
                                   float[] du, int dOff, int dStride) {
        boolean eight = ConvDirect.CB == 8;
        FloatVector c00 = FloatVector.fromArray(SP, du, dOff), c01 = FloatVector.fromArray(SP, du, dOff + VL);
        FloatVector c10 = FloatVector.fromArray(SP, du, dOff + dStride);
        FloatVector c11 = FloatVector.fromArray(SP, du, dOff + dStride + VL);
        FloatVector c20 = FloatVector.fromArray(SP, du, dOff + 2 * dStride);
        FloatVector c21 = FloatVector.fromArray(SP, du, dOff + 2 * dStride + VL);
        FloatVector c30 = FloatVector.fromArray(SP, du, dOff + 3 * dStride);
        FloatVector c31 = FloatVector.fromArray(SP, du, dOff + 3 * dStride + VL);
        FloatVector c40 = c00, c41 = c00, c50 = c00, c51 = c00, c60 = c00, c61 = c00, c70 = c00, c71 = c00;
        if (eight) {
            c40 = FloatVector.fromArray(SP, du, dOff + 4 * dStride);
            c41 = FloatVector.fromArray(SP, du, dOff + 4 * dStride + VL);
            c50 = FloatVector.fromArray(SP, du, dOff + 5 * dStride);
            c51 = FloatVector.fromArray(SP, du, dOff + 5 * dStride + VL);
            c60 = FloatVector.fromArray(SP, du, dOff + 6 * dStride);
            c61 = FloatVector.fromArray(SP, du, dOff + 6 * dStride + VL);
            c70 = FloatVector.fromArray(SP, du, dOff + 7 * dStride);
            c71 = FloatVector.fromArray(SP, du, dOff + 7 * dStride + VL);
        }
        for (int k = 0; k < rows; k++) {
            int vAt = vOff + k * vStride;
            int at = mOff + k * mStride;
            FloatVector b0 = FloatVector.fromArray(SP, v, vAt);
            FloatVector b1 = FloatVector.fromArray(SP, v, vAt + VL);
            FloatVector a = FloatVector.broadcast(SP, m[at]);
            c00 = a.fma(b0, c00);
            c01 = a.fma(b1, c01);
            a = FloatVector.broadcast(SP, m[at + 1]);
            c10 = a.fma(b0, c10);
            c11 = a.fma(b1, c11);
            a = FloatVector.broadcast(SP, m[at + 2]);
            c20 = a.fma(b0, c20);
            c21 = a.fma(b1, c21);
            a = FloatVector.broadcast(SP, m[at + 3]);
            c30 = a.fma(b0, c30);
            c31 = a.fma(b1, c31);
            if (eight) {
                a = FloatVector.broadcast(SP, m[at + 4]);
                c40 = a.fma(b0, c40);
                c41 = a.fma(b1, c41);
                a = FloatVector.broadcast(SP, m[at + 5]);
                c50 = a.fma(b0, c50);
                c51 = a.fma(b1, c51);
                a = FloatVector.broadcast(SP, m[at + 6]);
                c60 = a.fma(b0, c60);
                c61 = a.fma(b1, c61);
                a = FloatVector.broadcast(SP, m[at + 7]);
                c70 = a.fma(b0, c70);
                c71 = a.fma(b1, c71);
            }
        }
        c00.intoArray(du, dOff);
        c01.intoArray(du, dOff + VL);
        c10.intoArray(du, dOff + dStride);
        c11.intoArray(du, dOff + dStride + VL);
        c20.intoArray(du, dOff + 2 * dStride);
        c21.intoArray(du, dOff + 2 * dStride + VL);
        c30.intoArray(du, dOff + 3 * dStride);
        c31.intoArray(du, dOff + 3 * dStride + VL);
        if (eight) {
            c40.intoArray(du, dOff + 4 * dStride);
            c41.intoArray(du, dOff + 4 * dStride + VL);
            c50.intoArray(du, dOff + 5 * dStride);
            c51.intoArray(du, dOff + 5 * dStride + VL);
            c60.intoArray(du, dOff + 6 * dStride);
            c61.intoArray(du, dOff + 6 * dStride + VL);
            c70.intoArray(du, dOff + 7 * dStride);
            c71.intoArray(du, dOff + 7 * dStride + VL);
        }
    }

    /** The transformed input of the rows of tiles taken at once: 256 KB, half the smallest L2 seen (Zen 3). */
    private static final int CHUNK_BYTES = 256 * 1024;
    /**
     * The weight gradient's transforms of the tiles taken at once, per thread: a quarter of the
     * L2, which they share with the images' channels-last copies and the sums.
     */
    private static final long CHUNK_L2 = CpuInfo.get().l2Bytes() / 4;

    /**
     * One input channel, zero-padded, as eight planes, so that each of the 16 values of the tiles'
     * 4 x 4 patches is a run of consecutive floats: value (q, r) of tile t = ti tw + tj is padded
     * row 2 ti + q, column 2 tj + r, and plane (r, q mod 2) holds at [k tw + j] padded row
     * 2 k + q mod 2, column 2 j + r; the tile reads it at t + (q / 2) tw. Planes r + 2 are planes r
     * shifted by one float (columns r + 2 are columns r one tile on), but for each row's last.
     *
     * <p>The padded rows are copied into {@code rows} (cleared once per image by run, then only
     * the image's columns are ever written, so the zeros around them stay), then split by column parity
     * VL plane columns at a time, two vectors of the padded row into their even and odd lanes
     * (the scalar gather, one float at a time, took a quarter of the forward pass of (64, 64,
     * 32 x 32, 64), by hand on a Zen 5). Every plane row is written whole, the padding's rows as
     * zeros, so the planes need no clearing; a vector may run up to VL - 1 floats past a row, into
     * the next row, written after it, or past the last row, into the plane's slack of VL floats
     * (see run). A block holding a NaN is split one float at a time: a permutation may change a
     * NaN's payload before the JIT compiles it (as ConvGemm's split rows).
     */
    private static void split(float[] x, int xOff, int sH, int sW, int h, int w, int padH, int padW, int th, int tw,
                              float[] planes, int planeSize, float[] rows) {
        int width = roundUp(tw, VL);
        int rowLength = 2 * width + 2 * VL;
        // the padded rows 0 .. 2 th + 1 first, all of them, so that the vectors below do not read
        // what the copies have just stored (a load that a narrower store in flight only partly
        // covers waits for it)
        for (int pr = 0; pr < 2 * th + 2; pr++) {
            int iy = pr - padH;
            int at = pr * rowLength + padW;
            if (iy < 0 || iy >= h) {
                Arrays.fill(rows, at, at + w, 0f);
            } else if (sW == 1) {
                System.arraycopy(x, xOff + iy * sH, rows, at, w);
            } else {
                for (int q = 0; q < w; q++) {
                    rows[at + q] = x[xOff + iy * sH + q * sW];
                }
            }
        }
        for (int rowParity = 0; rowParity < 2; rowParity++) {
            for (int k = 0; k <= th; k++) {
                int row = (2 * k + rowParity) * rowLength;
                int p0 = rowParity * planeSize + k * tw;              // plane (0, rowParity), row k
                int p1 = p0 + 2 * planeSize;                           // (1, rowParity)
                int p2 = p0 + 4 * planeSize;                           // (2, rowParity): (0, .) shifted
                int p3 = p0 + 6 * planeSize;                           // (3, rowParity)
                // plane r, column j: padded column 2 j + r; plane r + 2: 2 j + 2 + r
                for (int j = 0; j < width; j += VL) {
                    int at = row + 2 * j;
                    FloatVector lo = FloatVector.fromArray(SP, rows, at);
                    FloatVector hi = FloatVector.fromArray(SP, rows, at + VL);
                    FloatVector lo2 = FloatVector.fromArray(SP, rows, at + 2);
                    FloatVector hi2 = FloatVector.fromArray(SP, rows, at + 2 + VL);
                    FloatVector all = lo.add(hi).add(lo2).add(hi2);
                    if (all.compare(VectorOperators.NE, all).anyTrue()) {
                        for (int l = 0; l < VL; l++) {
                            planes[p0 + j + l] = rows[at + 2 * l];
                            planes[p1 + j + l] = rows[at + 2 * l + 1];
                            planes[p2 + j + l] = rows[at + 2 * l + 2];
                            planes[p3 + j + l] = rows[at + 2 * l + 3];
                        }
                        continue;
                    }
                    Windows.columns(lo, hi, Windows.EVEN).intoArray(planes, p0 + j);
                    Windows.columns(lo, hi, Windows.ODD).intoArray(planes, p1 + j);
                    Windows.columns(lo2, hi2, Windows.EVEN).intoArray(planes, p2 + j);
                    Windows.columns(lo2, hi2, Windows.ODD).intoArray(planes, p3 + j);
                }
            }
        }
    }

    /**
     * V = B^T d B for every tile of channel ci (d its patch), a vector of tiles at a time, into v
     * laid out [tile block][xi][ci][TILES].
     *
     * <pre>
     *   B^T = [ 1  0 -1  0]
     *         [ 0  1  1  0]
     *         [ 0 -1  1  0]
     *         [ 0  1  0 -1]
     * </pre>
     */
    private static void transformInput(float[] planes, int planeSize, int tw, int blocks, int c, int ci, float[] v) {
        int stride = blocks * TILES;
        int xiStride = c * TILES;
        for (int t = 0; t < stride; t += VL) {
            int at = ((t / TILES * 16) * c + ci) * TILES + t % TILES;
            // row a of B^T d, then that row times B: V[a][0..3]; patch row q's column r at
            // (r 2 + q mod 2) planeSize + (q / 2) tw + t (see split): columns 2 planeSize apart
            for (int a = 0; a < 4; a++) {
                int i = first(a);
                int j = second(a);
                transformRow(planes, (i & 1) * planeSize + (i >> 1) * tw + t, (j & 1) * planeSize + (j >> 1) * tw + t,
                        2 * planeSize, a, v, at + 4 * a * xiStride, xiStride);
            }
        }
    }

    /** One row e of B^T d times B: the four V values of that row, to v[at + b xiStride]. */
    private static void rowTimesB(FloatVector e0, FloatVector e1, FloatVector e2, FloatVector e3, float[] v, int at,
                                  int xiStride) {
        e0.sub(e2).intoArray(v, at);
        e1.add(e2).intoArray(v, at + xiStride);
        e2.sub(e1).intoArray(v, at + 2 * xiStride);
        e1.sub(e3).intoArray(v, at + 3 * xiStride);
    }

    /**
     * M[xi] for 4 filters x TILES tiles: the sums over ci of U V, fused multiply-adds from 0 in the
     * order of ci, to m[fi * TILES + lane] from mOff. Written out in full: a vector passed to a
     * method the JIT does not inline is boxed.
     */
    private static void tile(float[] u, int uOff, float[] v, int vOff, int c, float[] m, int mOff) {
        boolean eight = FILTERS == 8;
        FloatVector s00 = FloatVector.zero(SP), s01 = s00, s10 = s00, s11 = s00;
        FloatVector s20 = s00, s21 = s00, s30 = s00, s31 = s00;
        FloatVector s40 = s00, s41 = s00, s50 = s00, s51 = s00, s60 = s00, s61 = s00, s70 = s00, s71 = s00;
        for (int ci = 0; ci < c; ci++) {
            FloatVector v0 = FloatVector.fromArray(SP, v, vOff);
            FloatVector v1 = FloatVector.fromArray(SP, v, vOff + VL);
            FloatVector uv = FloatVector.broadcast(SP, u[uOff]);
            s00 = uv.fma(v0, s00);
            s01 = uv.fma(v1, s01);
            uv = FloatVector.broadcast(SP, u[uOff + 1]);
            s10 = uv.fma(v0, s10);
            s11 = uv.fma(v1, s11);
            uv = FloatVector.broadcast(SP, u[uOff + 2]);
            s20 = uv.fma(v0, s20);
            s21 = uv.fma(v1, s21);
            uv = FloatVector.broadcast(SP, u[uOff + 3]);
            s30 = uv.fma(v0, s30);
            s31 = uv.fma(v1, s31);
            if (eight) {
                uv = FloatVector.broadcast(SP, u[uOff + 4]);
                s40 = uv.fma(v0, s40);
                s41 = uv.fma(v1, s41);
                uv = FloatVector.broadcast(SP, u[uOff + 5]);
                s50 = uv.fma(v0, s50);
                s51 = uv.fma(v1, s51);
                uv = FloatVector.broadcast(SP, u[uOff + 6]);
                s60 = uv.fma(v0, s60);
                s61 = uv.fma(v1, s61);
                uv = FloatVector.broadcast(SP, u[uOff + 7]);
                s70 = uv.fma(v0, s70);
                s71 = uv.fma(v1, s71);
            }
            vOff += TILES;
            uOff += FILTERS;
        }
        s00.intoArray(m, mOff);
        s01.intoArray(m, mOff + VL);
        s10.intoArray(m, mOff + TILES);
        s11.intoArray(m, mOff + TILES + VL);
        s20.intoArray(m, mOff + 2 * TILES);
        s21.intoArray(m, mOff + 2 * TILES + VL);
        s30.intoArray(m, mOff + 3 * TILES);
        s31.intoArray(m, mOff + 3 * TILES + VL);
        if (eight) {
            s40.intoArray(m, mOff + 4 * TILES);
            s41.intoArray(m, mOff + 4 * TILES + VL);
            s50.intoArray(m, mOff + 5 * TILES);
            s51.intoArray(m, mOff + 5 * TILES + VL);
            s60.intoArray(m, mOff + 6 * TILES);
            s61.intoArray(m, mOff + 6 * TILES + VL);
            s70.intoArray(m, mOff + 7 * TILES);
            s71.intoArray(m, mOff + 7 * TILES + VL);
        }
    }

    /** The vector of M[xi] at m[at..] (xi = 4 a + b). */
    private static FloatVector mAt(float[] m, int xi, int at) {
        return FloatVector.fromArray(SP, m, xi * FILTERS * TILES + at);
    }

    /**
     * Y = A^T M A (+ bias) for the register tile's filters and tiles, written to out: filter f's
     * oh x ow rows of outputs (a chunk of its plane) at outImage + f planeStride (the parts of a
     * tile that hang over the chunk's last row or the last column are dropped).
     *
     * <pre>
     *   A^T = [ 1  1  1  0]
     *         [ 0  1 -1 -1]
     * </pre>
     */
    private static void transformOutput(float[] m, int f0, int o, float[] bias, int t0, int tiles, int tw, int oh,
                                        int ow, int planeStride, float[] out, int outImage, float[] y) {
        for (int fi = 0; fi < FILTERS && f0 + fi < o; fi++) {
            int f = f0 + fi;
            for (int half = 0; half < TILES && t0 + half < tiles; half += VL) {
                int at = fi * TILES + half;
                // A^T M: row 0 is M0 + M1 + M2, row 1 is M1 - M2 - M3 (Ma = row a of M), per column
                FloatVector m00 = mAt(m, 0, at), m10 = mAt(m, 4, at), m20 = mAt(m, 8, at), m30 = mAt(m, 12, at);
                FloatVector m01 = mAt(m, 1, at), m11 = mAt(m, 5, at), m21 = mAt(m, 9, at), m31 = mAt(m, 13, at);
                FloatVector m02 = mAt(m, 2, at), m12 = mAt(m, 6, at), m22 = mAt(m, 10, at), m32 = mAt(m, 14, at);
                FloatVector m03 = mAt(m, 3, at), m13 = mAt(m, 7, at), m23 = mAt(m, 11, at), m33 = mAt(m, 15, at);
                FloatVector s00 = m00.add(m10).add(m20), s10 = m10.sub(m20).sub(m30);
                FloatVector s01 = m01.add(m11).add(m21), s11 = m11.sub(m21).sub(m31);
                FloatVector s02 = m02.add(m12).add(m22), s12 = m12.sub(m22).sub(m32);
                FloatVector s03 = m03.add(m13).add(m23), s13 = m13.sub(m23).sub(m33);
                FloatVector y00 = s00.add(s01).add(s02);         // (A^T M) A
                FloatVector y01 = s01.sub(s02).sub(s03);
                FloatVector y10 = s10.add(s11).add(s12);
                FloatVector y11 = s11.sub(s12).sub(s13);
                if (bias != null) {
                    FloatVector bv = FloatVector.broadcast(SP, bias[f]);
                    y00 = y00.add(bv);
                    y01 = y01.add(bv);
                    y10 = y10.add(bv);
                    y11 = y11.add(bv);
                }
                int plane = outImage + f * planeStride;
                // whole vectors where the tiles' outputs lie inside: a tile's two columns side by
                // side, even and odd lanes interleaved (the four outputs of each tile one float at
                // a time took a sixth of the forward pass of (64, 64, 32 x 32, 64), by hand on a Zen 5)
                int t = t0 + half;
                int ti = t / tw;
                int tj = t - ti * tw;
                int oy = 2 * ti;
                int ox = 2 * tj;
                if (t + VL <= tiles && tj + VL <= tw && ox + 2 * VL <= ow && oy + 2 <= oh) {
                    // VL tiles of one row of tiles
                    Windows.interleave(y00, y01, out, plane + oy * ow + ox);
                    Windows.interleave(y10, y11, out, plane + (oy + 1) * ow + ox);
                    continue;
                }
                if (2 * tw == VL && tj == 0 && t + VL <= tiles && VL <= ow && oy + 4 <= oh) {
                    // two rows of tiles, VL / 2 each: the interleaved lanes' halves, two output rows apart
                    int row = plane + oy * ow;
                    Windows.interleave(y00, y01, out, row, row + 2 * ow);
                    Windows.interleave(y10, y11, out, row + ow, row + 3 * ow);
                    continue;
                }
                y00.intoArray(y, 0);
                y01.intoArray(y, VL);
                y10.intoArray(y, 2 * VL);
                y11.intoArray(y, 3 * VL);
                for (int lane = 0; lane < VL; lane++) {
                    t = t0 + half + lane;
                    if (t >= tiles) {
                        break;
                    }
                    oy = 2 * (t / tw);
                    ox = 2 * (t % tw);
                    int at0 = plane + oy * ow + ox;
                    boolean right = ox + 1 < ow;
                    out[at0] = y[lane];
                    if (right) {
                        out[at0 + 1] = y[VL + lane];
                    }
                    if (oy + 1 < oh) {
                        out[at0 + ow] = y[2 * VL + lane];
                        if (right) {
                            out[at0 + ow + 1] = y[3 * VL + lane];
                        }
                    }
                }
            }
        }
    }
}
