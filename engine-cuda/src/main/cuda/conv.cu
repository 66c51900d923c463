// 2-D convolution, NCHW, float: forward and both backward passes, in numbered versions.
//
//   forward          v1: direct, one thread per output element, looping over C, R, S
//                    v2: implicit GEMM, y = W [O, C*R*S] @ im2col(x) [C*R*S, N*OH*OW], with the
//                        columns of im2col(x) gathered straight from x as the tiles are loaded
//   backward, data   v1: direct, one thread per input element gathering from the outputs it fed
//                    v2: implicit GEMM, dx = W^T-like [C, O*R*S] @ gathered dy [O*R*S, N*H*W]
//   backward, weight v1: direct, one thread per weight element summing over N, OH, OW
//                    v2: implicit GEMM, dW = dy [O, N*OH*OW] @ im2col(x)^T [N*OH*OW, C*R*S], the
//                        long K cut into a few fixed chunks (split-K), reduced by a second kernel
//   backward, bias   one block per channel, a fixed-order tree in shared memory
//
// Shapes: x [N, C, H, W], weight [O, C, R, S], bias [O] (a null pointer means none),
// y [N, O, OH, OW], all contiguous; stride, padding and dilation per axis (height, width).
// Every kernel takes its shape as (N, C, H, W, O, R, S, OH, OW, strideH, strideW, padH, padW,
// dilH, dilW), whatever its tensors.
//
// Determinism: no atomics; each output is one chain of fmaf in a fixed order, the order of the
// GEMM's k (c, r, s for the forward pass; o, r, s for the data gradient; n, oh, ow for the weight
// gradient), ascending. The direct and implicit-GEMM versions use the same order and both multiply
// the zeros of the padding (as an explicit im2col GEMM would), so v1 and v2 of the forward and data
// passes give the same bits; v2 of the weight gradient sums its K chunks one after another and so
// differs from v1 in the last bits when K is split.

// ---------------------------------------------------------------------------------------------
// Direct kernels: one thread per output element, 256 threads per block, grid ceil(count / 256).

// The flat index of this thread, or -1 past the end (the grid overshoots by up to 255 threads).
__device__ __forceinline__ int flat_index(int count) {
    long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x;
    return i < count ? (int)i : -1;
}

extern "C" __global__ void conv2d_fwd_v1_direct(const float* x, const float* w, const float* bias, float* y, int N,
                                                int C, int H, int W, int O, int R, int S, int OH, int OW,
                                                int strideH, int strideW, int padH, int padW, int dilH, int dilW) {
    int e = flat_index(N * O * OH * OW);
    if (e < 0) {
        return;
    }
    int ow = e % OW, oh = (e / OW) % OH, o = (e / (OW * OH)) % O, n = e / (OW * OH * O);
    float acc = 0.0f;
    for (int c = 0; c < C; c++) {
        for (int r = 0; r < R; r++) {
            int ih = oh * strideH - padH + r * dilH;
            for (int s = 0; s < S; s++) {
                int iw = ow * strideW - padW + s * dilW;
                float v = (ih >= 0 && ih < H && iw >= 0 && iw < W) ? x[((n * C + c) * H + ih) * W + iw] : 0.0f;
                acc = fmaf(w[((o * C + c) * R + r) * S + s], v, acc);
            }
        }
    }
    y[e] = bias ? acc + bias[o] : acc;
}

// dx[n, c, h, w] = sum over (o, r, s) of dy[n, o, oh, ow] * W[o, c, r, s], for the (oh, ow) whose
// window put tap (r, s) on (h, w): h = oh*strideH - padH + r*dilH, so oh = (h + padH - r*dilH) /
// strideH when that divides exactly and lands inside the output. Gathering, not scattering, is
// what lets each dx be one thread's sum, without atomics.
extern "C" __global__ void conv2d_bwd_data_v1_direct(const float* dy, const float* w, float* dx, int N, int C, int H,
                                                     int W, int O, int R, int S, int OH, int OW, int strideH,
                                                     int strideW, int padH, int padW, int dilH, int dilW) {
    int e = flat_index(N * C * H * W);
    if (e < 0) {
        return;
    }
    int iw = e % W, ih = (e / W) % H, c = (e / (W * H)) % C, n = e / (W * H * C);
    float acc = 0.0f;
    for (int o = 0; o < O; o++) {
        for (int r = 0; r < R; r++) {
            int th = ih + padH - r * dilH;
            bool rowIn = th >= 0 && th % strideH == 0 && th / strideH < OH;
            for (int s = 0; s < S; s++) {
                int tw = iw + padW - s * dilW;
                bool in = rowIn && tw >= 0 && tw % strideW == 0 && tw / strideW < OW;
                float g = in ? dy[((n * O + o) * OH + th / strideH) * OW + tw / strideW] : 0.0f;
                acc = fmaf(w[((o * C + c) * R + r) * S + s], g, acc);
            }
        }
    }
    dx[e] = acc;
}

// dW[o, c, r, s] = sum over (n, oh, ow) of dy[n, o, oh, ow] * x[n, c, ih, iw]. Only O*C*R*S
// threads, each with a long serial sum: the version to beat, not a fast one.
extern "C" __global__ void conv2d_bwd_weight_v1_direct(const float* x, const float* dy, float* dw, int N, int C, int H,
                                                       int W, int O, int R, int S, int OH, int OW, int strideH,
                                                       int strideW, int padH, int padW, int dilH, int dilW) {
    int e = flat_index(O * C * R * S);
    if (e < 0) {
        return;
    }
    int s = e % S, r = (e / S) % R, c = (e / (S * R)) % C, o = e / (S * R * C);
    float acc = 0.0f;
    for (int n = 0; n < N; n++) {
        for (int oh = 0; oh < OH; oh++) {
            int ih = oh * strideH - padH + r * dilH;
            for (int ow = 0; ow < OW; ow++) {
                int iw = ow * strideW - padW + s * dilW;
                float v = (ih >= 0 && ih < H && iw >= 0 && iw < W) ? x[((n * C + c) * H + ih) * W + iw] : 0.0f;
                acc = fmaf(dy[((n * O + o) * OH + oh) * OW + ow], v, acc);
            }
        }
    }
    dw[e] = acc;
}

// ---------------------------------------------------------------------------------------------
// The implicit GEMM, shared by the three v2 kernels: sgemm version 4's structure (tiles of A and B
// staged in shared memory, a 2-D register-blocked sub-tile per thread, bounds-checked loads that
// fill zeros) where A(m, k) and B(k, n) are not matrices in memory but functions that compute the
// address (the im2col index arithmetic) and return 0 in the padding. No im2col buffer is written.
//
// The tile is 64x64 rather than sgemm's 128x128: a convolution's M is its channel count, 8 to 64 in
// our networks, and a 128-row tile would be mostly zeros. 256 threads, 4x4 elements of C each.
// Block (256), grid (ceil(GEMM N / 64), ceil(M / 64), splits of K).
//
// Keeping integer division out of the loop. Each GEMM row k stands for three indices, (c, r, s),
// (o, r, s) or (n, oh, ow): the digits of k in a mixed radix, k = (hi * midSize + mid) * loSize + lo.
// Finding them takes two integer divisions, some 40 instructions; at 4 loads per thread per tile
// that would outnumber the tile's 4x4x8 = 128 multiply-adds. But a thread loads the same rows of A
// and columns of B at k, k + 8, k + 16, ...: it divides once, before the loop, and then adds the
// digits of 8 with carries. What depends
// on the column alone (which output or input pixel, which tap) is computed once per thread too, by
// `column`, and shared by the loads of B and the final stores.
#define CBM 64
#define CBN 64
#define CBK 8
#define CTHREADS 256

struct KIndex {
    int k, hi, mid, lo;
};

__device__ __forceinline__ KIndex k_index(int k, int midSize, int loSize) {
    int hi = k / (midSize * loSize);
    int rest = k - hi * (midSize * loSize);
    int mid = rest / loSize;
    return KIndex{k, hi, mid, rest - mid * loSize};
}

// i += step, digit by digit. step's digits are below their radix, so each digit carries at most once.
__device__ __forceinline__ void advance(KIndex& i, const KIndex& step, int midSize, int loSize) {
    i.k += step.k;
    i.lo += step.lo;
    int carry = i.lo >= loSize ? 1 : 0;
    i.lo -= carry * loSize;
    i.mid += step.mid + carry;
    carry = i.mid >= midSize ? 1 : 0;
    i.mid -= carry * midSize;
    i.hi += step.hi + carry;
}

// C(m, n) = sum over k in [kBegin, kEnd), ascending, of loadA(m, k) * loadB(k, column(n)), for the
// block's tile; store(m, column(n), value) is called once for each element inside M x N.
template <typename LoadA, typename Column, typename LoadB, typename Store>
__device__ __forceinline__ void implicit_gemm(int M, int N, int kBegin, int kEnd, int midSize, int loSize,
                                              LoadA loadA, Column column, LoadB loadB, Store store) {
    // As is A's tile transposed, As[k][m]. Its rows are padded to 68 floats: the loading threads of
    // a warp write 8 k x 4 m, and with 64-float rows the 8 k would hit one bank (8-way conflict);
    // with 68 they spread over all 32. 68 floats = 272 bytes keeps the float4 reads aligned.
    __shared__ __align__(16) float As[CBK][CBM + 4];
    __shared__ __align__(16) float Bs[CBK][CBN];
    const int tid = threadIdx.x;
    const int m0 = blockIdx.y * CBM, n0 = blockIdx.x * CBN;

    // loading, 2 elements of each tile per thread: A(m0 + aRow + {0, 32}, k0 + aCol), 8 consecutive
    // threads along k, which is the contiguous direction of every A below; B(k0 + bRow + {0, 4},
    // n0 + bCol), consecutive threads along n, the contiguous direction of x and dy
    const int aCol = tid % CBK, aRow = tid / CBK;  // 0..7, 0..31
    const int bCol = tid % CBN, bRow = tid / CBN;  // 0..63, 0..3
    const bool bColIn = n0 + bCol < N;
    const auto bColumn = column(n0 + bCol);        // unused past N
    const KIndex step = k_index(CBK, midSize, loSize);
    KIndex ka = k_index(kBegin + aCol, midSize, loSize);
    KIndex kb[2] = {k_index(kBegin + bRow, midSize, loSize), k_index(kBegin + bRow + 4, midSize, loSize)};
    // computing: thread (ty, tx) owns rows ty*4 .. ty*4+3 and columns tx*4 .. tx*4+3
    const int ty = tid / 16, tx = tid % 16;

    float acc[4][4] = {};
    for (int k0 = kBegin; k0 < kEnd; k0 += CBK) {
#pragma unroll
        for (int h = 0; h < 2; h++) {
            int m = m0 + aRow + 32 * h;
            As[aCol][aRow + 32 * h] = (m < M && ka.k < kEnd) ? loadA(m, ka) : 0.0f;
            Bs[bRow + 4 * h][bCol] = (kb[h].k < kEnd && bColIn) ? loadB(kb[h], bColumn) : 0.0f;
        }
        advance(ka, step, midSize, loSize);
        advance(kb[0], step, midSize, loSize);
        advance(kb[1], step, midSize, loSize);
        __syncthreads();
#pragma unroll
        for (int kk = 0; kk < CBK; kk++) {
            float4 a4 = *reinterpret_cast<const float4*>(&As[kk][ty * 4]);
            float4 b4 = *reinterpret_cast<const float4*>(&Bs[kk][tx * 4]);
            const float a[4] = {a4.x, a4.y, a4.z, a4.w};
            const float b[4] = {b4.x, b4.y, b4.z, b4.w};
#pragma unroll
            for (int i = 0; i < 4; i++) {
#pragma unroll
                for (int j = 0; j < 4; j++) {
                    acc[i][j] = fmaf(a[i], b[j], acc[i][j]);
                }
            }
        }
        __syncthreads();  // before the next tile's loads overwrite As and Bs
    }
#pragma unroll
    for (int j = 0; j < 4; j++) {
        int n = n0 + tx * 4 + j;
        if (n < N) {
            const auto col = column(n);
#pragma unroll
            for (int i = 0; i < 4; i++) {
                int m = m0 + ty * 4 + i;
                if (m < M) {
                    store(m, col, acc[i][j]);
                }
            }
        }
    }
}

// Forward: M = O, GEMM N = N*OH*OW (column p is the output pixel (n, oh, ow)), K = C*R*S (row k is
// the tap (c, r, s)). A(o, k) = W[o, k]: the weight is already the [O, C*R*S] matrix.
struct OutPixel {
    int x0;        // offset of x[n, 0, 0, 0]
    int ih0, iw0;  // where the window of (oh, ow) starts in x, padding included
    int y0;        // offset of y[n, 0, oh, ow]
};

extern "C" __global__ void __launch_bounds__(CTHREADS)
conv2d_fwd_v2_implicit_gemm(const float* __restrict__ x, const float* __restrict__ w, const float* __restrict__ bias,
                            float* __restrict__ y, int N, int C, int H, int W, int O, int R, int S, int OH, int OW,
                            int strideH, int strideW, int padH, int padW, int dilH, int dilW) {
    const int K = C * R * S, OHW = OH * OW;
    auto column = [=](int p) {
        int n = p / OHW, q = p - n * OHW, oh = q / OW, ow = q - oh * OW;
        return OutPixel{n * C * H * W, oh * strideH - padH, ow * strideW - padW, n * O * OHW + q};
    };
    auto loadA = [=](int o, KIndex t) { return w[o * K + t.k]; };
    auto loadB = [=](KIndex t, OutPixel px) {  // t = (c, r, s)
        int ih = px.ih0 + t.mid * dilH, iw = px.iw0 + t.lo * dilW;
        return (ih >= 0 && ih < H && iw >= 0 && iw < W) ? x[px.x0 + (t.hi * H + ih) * W + iw] : 0.0f;
    };
    auto store = [=](int o, OutPixel px, float v) { y[px.y0 + o * OHW] = bias ? v + bias[o] : v; };
    implicit_gemm(O, N * OHW, 0, K, R, S, loadA, column, loadB, store);
}

// Data gradient: M = C, GEMM N = N*H*W (column p is the input pixel (n, h, w)), K = O*R*S (row k is
// (o, r, s)). A(c, k) = W[o, c, r, s]; B(k, p) = dy[n, o, oh, ow] for the output pixel whose tap
// (r, s) fell on (h, w), or 0 when there is none (v1's test, with one division per axis to undo
// the stride). Any stride and dilation work; for stride 2, three quarters of B are such zeros (a
// sub-pixel split by (h, w) mod stride would skip them; left out to keep one GEMM).
struct InPixel {
    int dy0;       // offset of dy[n, 0, 0, 0]
    int th0, tw0;  // h + padH, w + padW: the output pixel's window start, times the stride, plus the tap
    int dx0;       // offset of dx[n, 0, h, w]
};

extern "C" __global__ void __launch_bounds__(CTHREADS)
conv2d_bwd_data_v2_implicit_gemm(const float* __restrict__ dy, const float* __restrict__ w, float* __restrict__ dx,
                                 int N, int C, int H, int W, int O, int R, int S, int OH, int OW, int strideH,
                                 int strideW, int padH, int padW, int dilH, int dilW) {
    const int HW = H * W;
    auto column = [=](int p) {
        int n = p / HW, q = p - n * HW, ih = q / W, iw = q - ih * W;
        return InPixel{n * O * OH * OW, ih + padH, iw + padW, n * C * HW + q};
    };
    auto loadA = [=](int c, KIndex t) { return w[((t.hi * C + c) * R + t.mid) * S + t.lo]; };  // t = (o, r, s)
    auto loadB = [=](KIndex t, InPixel px) {
        int th = px.th0 - t.mid * dilH, tw = px.tw0 - t.lo * dilW;  // oh * strideH, ow * strideW if they exist
        int oh = th / strideH, ow = tw / strideW;
        bool in = th >= 0 && oh * strideH == th && oh < OH && tw >= 0 && ow * strideW == tw && ow < OW;
        return in ? dy[px.dy0 + (t.hi * OH + oh) * OW + ow] : 0.0f;
    };
    auto store = [=](int c, InPixel px, float v) { dx[px.dx0 + c * HW] = v; };
    implicit_gemm(C, N * HW, 0, O * R * S, R, S, loadA, column, loadB, store);
}

// Weight gradient: M = O, GEMM N = C*R*S (column j is the tap (c, r, s)), K = N*OH*OW (row k is the
// output pixel (n, oh, ow)). A(o, k) = dy[n, o, oh, ow]; B(k, j) = x at the pixel that tap j of
// output pixel k reads (im2col transposed).
//
// M and N are small (a weight tensor) and K large (the whole batch's pixels), so the GEMM alone
// would run on a handful of blocks. Split-K: block z sums k in [z*kChunk, min(K, (z+1)*kChunk))
// into partial[z] ([O, C*R*S]); conv2d_bwd_weight_v2_reduce then adds the partials in order z = 0,
// 1, ... With one chunk (kChunk >= K) partial is dW itself and the reduction is skipped. The split
// is chosen on the host from the shape alone (ConvKernels.java), so the order is fixed too.
struct WeightTap {
    int j;           // the column itself, c*R*S + r*S + s
    int x0;          // offset of x[0, c, 0, 0]
    int rOff, sOff;  // r*dilH - padH, s*dilW - padW: the tap's input pixel is (oh*strideH + rOff, ow*strideW + sOff)
};

extern "C" __global__ void __launch_bounds__(CTHREADS)
conv2d_bwd_weight_v2_implicit_gemm(const float* __restrict__ x, const float* __restrict__ dy,
                                   float* __restrict__ partial, int N, int C, int H, int W, int O, int R, int S,
                                   int OH, int OW, int strideH, int strideW, int padH, int padW, int dilH, int dilW,
                                   int kChunk) {
    const int RS = R * S, CRS = C * RS, K = N * OH * OW;
    const int kBegin = blockIdx.z * kChunk;
    const int kEnd = (int)min((long long)K, (long long)kBegin + kChunk);  // no int overflow for the last chunk
    auto column = [=](int j) {
        int c = j / RS, rs = j - c * RS, r = rs / S, s = rs - r * S;
        return WeightTap{j, c * H * W, r * dilH - padH, s * dilW - padW};
    };
    auto loadA = [=](int o, KIndex t) { return dy[((t.hi * O + o) * OH + t.mid) * OW + t.lo]; };  // t = (n, oh, ow)
    auto loadB = [=](KIndex t, WeightTap tap) {
        int ih = t.mid * strideH + tap.rOff, iw = t.lo * strideW + tap.sOff;
        return (ih >= 0 && ih < H && iw >= 0 && iw < W) ? x[t.hi * C * H * W + tap.x0 + ih * W + iw] : 0.0f;
    };
    float* out = partial + (long long)blockIdx.z * O * CRS;
    auto store = [=](int o, WeightTap tap, float v) { out[o * CRS + tap.j] = v; };
    implicit_gemm(O, CRS, kBegin, kEnd, OH, OW, loadA, column, loadB, store);
}

// dW[i] = partial[0][i] + partial[1][i] + ... in that order. Block 256, grid ceil(count / 256).
extern "C" __global__ void conv2d_bwd_weight_v2_reduce(const float* partial, float* dw, int splits, int count) {
    int e = flat_index(count);
    if (e < 0) {
        return;
    }
    float acc = partial[e];
    for (int z = 1; z < splits; z++) {
        acc += partial[(long long)z * count + e];
    }
    dw[e] = acc;
}

// ---------------------------------------------------------------------------------------------
// Bias gradient: db[o] = sum of dy[n, o, :, :] over n. Block (256), grid (O): one block per channel.
// Thread t sums elements t, t+256, t+512, ... of the channel's N*OH*OW values, in that order; then
// the 256 partial sums are added pairwise in a fixed tree (t + 128 into t, then t + 64 into t, ...).
// The result depends on the block size, which is fixed here, and on nothing else.
#define BIAS_THREADS 256

extern "C" __global__ void __launch_bounds__(BIAS_THREADS)
conv2d_bwd_bias(const float* __restrict__ dy, float* __restrict__ db, int N, int O, int OH, int OW) {
    __shared__ float partial[BIAS_THREADS];
    const int o = blockIdx.x, t = threadIdx.x, OHW = OH * OW, count = N * OHW;
    float acc = 0.0f;
    for (int i = t; i < count; i += BIAS_THREADS) {
        int n = i / OHW, q = i % OHW;
        acc += dy[(n * O + o) * OHW + q];
    }
    partial[t] = acc;
    __syncthreads();
    for (int half = BIAS_THREADS / 2; half > 0; half /= 2) {
        if (t < half) {
            partial[t] += partial[t + half];
        }
        __syncthreads();
    }
    if (t == 0) {
        db[o] = partial[0];
    }
}
