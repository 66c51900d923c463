package unboxed.convolutions.versions;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * 2-D convolution, version 7: Winograd's minimal filtering F(2x2, 3x3), for 3x3 kernels (stride 1,
 * any zero padding).
 *
 * <p>What changes from versions 3 to 6: those compute each output as the definition's dot product,
 * 9 c multiply-adds. Here the output is cut into 2 x 2 tiles. A tile depends on a 4 x 4 patch d of
 * the (zero-padded) input; with the constant matrices B, G and A below,
 *
 * <pre>
 *   Y = A^T [ sum over ci of (G g G^T) (.) (B^T d B) ] A          (.) = element-wise product
 * </pre>
 *
 * gives the tile's four outputs exactly in real arithmetic (Lavin and Gray, "Fast Algorithms for
 * Convolutional Neural Networks", 2016). The sum over ci is 16 element-wise products per tile
 * instead of 36 multiply-adds: 2.25 times fewer. The transforms cost additions only (B and A hold
 * 0 and +-1, G also 1/2, an exact scaling), once per filter for U = G g G^T, once per input channel
 * and tile for V = B^T d B, once per filter and tile for A^T M A.
 *
 * <p>The sum over ci is 16 independent matrix products, one per position xi of the 4 x 4
 * transformed tile: M[xi][f][t] = sum over ci of U[xi][f][ci] V[xi][ci][t], over the filters f and
 * the tiles t of an image. They run as version 5's register tile: 4 filters x 2 vectors of tiles,
 * each filter's U broadcast, the tiles in the lanes. The 16 M values of a register tile are kept in
 * a small buffer and go through A^T M A at once, so M never leaves L1.
 *
 * <p>What it gives: not version 3's bits. The transforms round too, and they add terms: the bound
 * on an output's error (ConvVersionsTest) is gamma_n times the same computation on absolute
 * values, n = c + 11 roundings on the longest path, instead of gamma_(9c+1) times the sum of the
 * |x||w|. The order of every operation is fixed (lanes are independent, each sum runs over ci in
 * order), so the result does not depend on the vector width.
 *
 * <p>When it wins: many channels in and out (the transforms are then a small part), 3 x 3 kernels.
 * The engine runs the same arithmetic there (unboxed.backend.cpu.ConvWinograd: threads, strided
 * inputs, rows of tiles a few at a time, the input gradient as a convolution with the flipped
 * filters, the weight gradient as the algorithm run backwards), with the same bits as this version
 * (ConvVersionsTest); elsewhere its conv2d keeps version 3's bits.
 */
public final class Conv2dV7Winograd {
    private Conv2dV7Winograd() {
    }

    private static final VectorSpecies<Float> SP = FloatVector.SPECIES_PREFERRED;
    private static final int VL = SP.length();
    /** Filters per register tile. */
    private static final int FILTERS = 4;
    /** Output tiles per register tile: two vectors. */
    private static final int TILES = 2 * VL;

    public static void conv2d(float[] x, int n, int c, int h, int w, float[] weight, int o, int kh, int kw,
                              float[] bias, int padH, int padW, float[] out) {
        if (kh != 3 || kw != 3) {
            throw new IllegalArgumentException("version 7 is Winograd F(2x2, 3x3): the kernel must be 3x3, got "
                    + kh + "x" + kw + "; versions 1 to 6 take any kernel size");
        }
        int oh = h + 2 * padH - 2;
        int ow = w + 2 * padW - 2;
        if (oh < 1 || ow < 1) {
            throw new IllegalArgumentException("the 3x3 kernel is larger than the padded input (" + (h + 2 * padH)
                    + "x" + (w + 2 * padW) + "): pad more or use a larger input");
        }
        int th = (oh + 1) / 2;                       // tile rows and columns; the last may hang over
        int tw = (ow + 1) / 2;
        int tiles = th * tw;
        int blocks = (tiles + TILES - 1) / TILES;    // register tiles of TILES tiles
        int filterBlocks = (o + FILTERS - 1) / FILTERS;
        float[] u = transformWeights(weight, o, c, filterBlocks);
        float[] v = new float[blocks * 16 * c * TILES];
        // one input channel as eight planes (see split); what is padding stays zero
        int planeSize = blocks * TILES + tw;
        float[] planes = new float[8 * planeSize];
        float[] m = new float[16 * FILTERS * TILES];
        float[] y = new float[4 * VL];
        for (int b = 0; b < n; b++) {
            for (int ci = 0; ci < c; ci++) {
                split(x, (b * c + ci) * h * w, h, w, padH, padW, th, tw, planes, planeSize);
                transformInput(planes, planeSize, tw, blocks, c, ci, v);
            }
            int outImage = b * o * oh * ow;
            for (int tb = 0; tb < blocks; tb++) {
                for (int fb = 0; fb < filterBlocks; fb++) {
                    for (int xi = 0; xi < 16; xi++) {
                        tile(u, ((fb * 16 + xi) * c) * FILTERS, v, ((tb * 16 + xi) * c) * TILES, c, m,
                                xi * FILTERS * TILES);
                    }
                    transformOutput(m, fb * FILTERS, o, bias, tb * TILES, tiles, tw, oh, ow, out, outImage, y);
                }
            }
        }
    }

    /**
     * U = G g G^T for every filter f and channel ci, laid out [filter block][xi][ci][4 filters] so
     * that a register tile reads its 4 broadcasts consecutively; filters past o are zero.
     *
     * <pre>
     *   G = [ 1    0    0  ]
     *       [ 1/2  1/2  1/2]
     *       [ 1/2 -1/2  1/2]
     *       [ 0    0    1  ]
     * </pre>
     */
    static float[] transformWeights(float[] weight, int o, int c, int filterBlocks) {
        float[] u = new float[filterBlocks * 16 * c * FILTERS];
        float[] gg = new float[12];                  // G g, 4 x 3
        for (int f = 0; f < o; f++) {
            for (int ci = 0; ci < c; ci++) {
                int g = (f * c + ci) * 9;
                for (int j = 0; j < 3; j++) {
                    float g0 = weight[g + j];
                    float g1 = weight[g + 3 + j];
                    float g2 = weight[g + 6 + j];
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
        return u;
    }

    /**
     * One input channel, zero-padded, as eight planes, so that each of the 16 values of the tiles'
     * 4 x 4 patches is a run of consecutive floats: value (q, r) of tile t = ti tw + tj is padded
     * row 2 ti + q, column 2 tj + r, and plane (r, q mod 2) holds at [k tw + j] padded row
     * 2 k + q mod 2, column 2 j + r; the tile reads it at t + (q / 2) tw. Rows of tiles are then
     * contiguous, and a vector of tiles may run from one row of tiles into the next.
     */
    private static void split(float[] x, int xOff, int h, int w, int padH, int padW, int th, int tw, float[] planes,
                              int planeSize) {
        for (int r = 0; r < 2; r++) {
            int ix0 = r - padW;                      // input column of j = 0
            int jFrom = Math.max(0, -Math.floorDiv(ix0, 2));
            int jTo = Math.min(tw, Math.floorDiv(w - 1 - ix0, 2) + 1);
            int ixLast = ix0 + 2 * tw;               // column 2 tw + r: plane r + 2's last column
            for (int rowParity = 0; rowParity < 2; rowParity++) {
                int plane = (r * 2 + rowParity) * planeSize;
                int shifted = ((r + 2) * 2 + rowParity) * planeSize;
                for (int k = 0; k <= th; k++) {
                    int iy = 2 * k + rowParity - padH;
                    if (iy < 0 || iy >= h) {
                        continue;
                    }
                    int from = xOff + iy * w + ix0;
                    int to = plane + k * tw;
                    for (int j = jFrom; j < jTo; j++) {
                        planes[to + j] = x[from + 2 * j];
                    }
                }
                // columns r + 2 and r + 3 are columns r and r + 1 one tile on: the same plane shifted by
                // one float, but for the last column of each row
                System.arraycopy(planes, plane + 1, planes, shifted, (th + 1) * tw - 1);
                for (int k = 0; k <= th; k++) {
                    int iy = 2 * k + rowParity - padH;
                    boolean inside = iy >= 0 && iy < h && ixLast >= 0 && ixLast < w;
                    planes[shifted + k * tw + tw - 1] = inside ? x[xOff + iy * w + ixLast] : 0f;
                }
            }
        }
    }

    /**
     * V = B^T d B for every tile of channel ci (d its patch), a vector of tiles at a time, into v laid out
     * [tile block][xi][ci][TILES].
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
            FloatVector d00 = in(planes, planeSize, tw, 0, 0, t), d01 = in(planes, planeSize, tw, 0, 1, t);
            FloatVector d02 = in(planes, planeSize, tw, 0, 2, t), d03 = in(planes, planeSize, tw, 0, 3, t);
            FloatVector d10 = in(planes, planeSize, tw, 1, 0, t), d11 = in(planes, planeSize, tw, 1, 1, t);
            FloatVector d12 = in(planes, planeSize, tw, 1, 2, t), d13 = in(planes, planeSize, tw, 1, 3, t);
            FloatVector d20 = in(planes, planeSize, tw, 2, 0, t), d21 = in(planes, planeSize, tw, 2, 1, t);
            FloatVector d22 = in(planes, planeSize, tw, 2, 2, t), d23 = in(planes, planeSize, tw, 2, 3, t);
            FloatVector d30 = in(planes, planeSize, tw, 3, 0, t), d31 = in(planes, planeSize, tw, 3, 1, t);
            FloatVector d32 = in(planes, planeSize, tw, 3, 2, t), d33 = in(planes, planeSize, tw, 3, 3, t);
            int at = ((t / TILES * 16) * c + ci) * TILES + t % TILES;
            // row a of B^T d, then that row times B: V[a][0..3]
            rowTimesB(d00.sub(d20), d01.sub(d21), d02.sub(d22), d03.sub(d23), v, at, xiStride);
            rowTimesB(d10.add(d20), d11.add(d21), d12.add(d22), d13.add(d23), v, at + 4 * xiStride, xiStride);
            rowTimesB(d20.sub(d10), d21.sub(d11), d22.sub(d12), d23.sub(d13), v, at + 8 * xiStride, xiStride);
            rowTimesB(d10.sub(d30), d11.sub(d31), d12.sub(d32), d13.sub(d33), v, at + 12 * xiStride, xiStride);
        }
    }

    /** The vector of patch value (q, r) of tiles t.. (see split). */
    private static FloatVector in(float[] planes, int planeSize, int tw, int q, int r, int t) {
        return FloatVector.fromArray(SP, planes, (r * 2 + (q & 1)) * planeSize + (q >> 1) * tw + t);
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
     * M[xi] for 4 filters x TILES tiles: the sums over ci of U V, fused multiply-adds from 0 in
     * the order of ci, to m[(fi) * TILES + lane] from mOff.
     */
    private static void tile(float[] u, int uOff, float[] v, int vOff, int c, float[] m, int mOff) {
        FloatVector s00 = FloatVector.zero(SP), s01 = s00, s10 = s00, s11 = s00;
        FloatVector s20 = s00, s21 = s00, s30 = s00, s31 = s00;
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
    }

    /** The vector of M[xi] at m[at..] (xi = 4 a + b). */
    private static FloatVector mAt(float[] m, int xi, int at) {
        return FloatVector.fromArray(SP, m, xi * FILTERS * TILES + at);
    }

    /**
     * Y = A^T M A (+ bias) for the register tile's filters and tiles, written to out (the parts of
     * a tile that hang over the last output row or column are dropped).
     *
     * <pre>
     *   A^T = [ 1  1  1  0]
     *         [ 0  1 -1 -1]
     * </pre>
     */
    private static void transformOutput(float[] m, int f0, int o, float[] bias, int t0, int tiles, int tw, int oh,
                                        int ow, float[] out, int outImage, float[] y) {
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
                y00.intoArray(y, 0);
                y01.intoArray(y, VL);
                y10.intoArray(y, 2 * VL);
                y11.intoArray(y, 3 * VL);
                int plane = outImage + f * oh * ow;
                for (int lane = 0; lane < VL; lane++) {
                    int t = t0 + half + lane;
                    if (t >= tiles) {
                        break;
                    }
                    int oy = 2 * (t / tw);
                    int ox = 2 * (t % tw);
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
