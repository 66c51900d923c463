// SGEMM, batched: C[b] = A[b] @ B[b] for b = blockIdx.z, in numbered versions, each kept.
//
//   version 1: naive, one thread per element of C, threads of a warp along M (uncoalesced)
//   version 2: threads of a warp along N, so that they read B and write C at consecutive addresses
//   version 3: 32x32 tiles of A and B staged in shared memory, each global element read once per tile
//   version 4: 2-D register blocking: a 128x128 tile per block, an 8x8 sub-tile per thread
//   version 5: version 4 with float4 loads, A transposed on its way into shared memory, a bank-
//              conflict-free thread layout, and double-buffered shared tiles (the engine's matmul)
//
// Every version takes the same arguments:
//   A is M x K, element (b, m, k) at A[b*sAb + m*sAm + k*sAk] (any strides; 0 broadcasts a batch);
//   B is K x N, element (b, k, n) at B[b*sBb + k*sBk + n*sBn];
//   C is contiguous [batch, M, N] and overwritten.
// Version 5 needs more (unit inner strides, multiples of 4, 16-byte alignment); SgemmKernels.java
// checks that and falls back to version 4.
//
// Determinism: every version computes each element of C as the same chain
//     acc = 0;  for k = 0, 1, ..., K-1:  acc = fmaf(A[m,k], B[k,n], acc)
// (tiles only change where the operands come from, never the order of the k loop), so all five
// give the same bits, from run to run and from one version to the next. The zeros that pad a
// partial tile add fmaf(0, 0, acc) = acc exactly: acc starts at +0 and so is never -0.

// A batch's base: the batch strides are ints, their product with the batch index may not be.
#define BATCH_BASES()                                  \
    A += (long long)blockIdx.z * sAb;                  \
    B += (long long)blockIdx.z * sBb;                  \
    C += (long long)blockIdx.z * M * N

// ---------------------------------------------------------------------------------------------
// Version 1: the textbook loop. Block (32, 32), grid (ceil(M/32), ceil(N/32), batch).
// threadIdx.x runs along M, so the 32 threads of a warp read 32 different rows of A (32 memory
// transactions per load where 1 would do) and write C with a stride of N.
extern "C" __global__ void sgemm_v1_naive(const float* A, const float* B, float* C, int M, int N, int K, int sAb,
                                          int sAm, int sAk, int sBb, int sBk, int sBn) {
    BATCH_BASES();
    int m = blockIdx.x * blockDim.x + threadIdx.x;
    int n = blockIdx.y * blockDim.y + threadIdx.y;
    if (m < M && n < N) {
        float acc = 0.0f;
        for (int k = 0; k < K; k++) {
            acc = fmaf(A[m * sAm + k * sAk], B[k * sBk + n * sBn], acc);
        }
        C[m * N + n] = acc;
    }
}

// ---------------------------------------------------------------------------------------------
// Version 2: swap the roles of x and y. Block (32, 32), grid (ceil(N/32), ceil(M/32), batch).
// Now a warp shares one row m (its A element is one broadcast load) and covers 32 consecutive
// columns n: B is read and C written 128 contiguous bytes at a time (for sBn == 1).
extern "C" __global__ void sgemm_v2_coalesced(const float* A, const float* B, float* C, int M, int N, int K, int sAb,
                                              int sAm, int sAk, int sBb, int sBk, int sBn) {
    BATCH_BASES();
    int n = blockIdx.x * blockDim.x + threadIdx.x;
    int m = blockIdx.y * blockDim.y + threadIdx.y;
    if (m < M && n < N) {
        float acc = 0.0f;
        for (int k = 0; k < K; k++) {
            acc = fmaf(A[m * sAm + k * sAk], B[k * sBk + n * sBn], acc);
        }
        C[m * N + n] = acc;
    }
}

// ---------------------------------------------------------------------------------------------
// Version 3: shared-memory tiles. Block (32, 32), grid (ceil(N/32), ceil(M/32), batch).
// In version 2 each element of A is read by N threads and each of B by M threads, all from global
// memory (L1/L2 catch part of it). Here the block copies a 32x32 tile of A and one of B into shared
// memory (one element per thread), then every thread runs 32 steps of its dot product out of shared
// memory: 32 reads from global memory per 2*32 multiply-adds become 2 per 2*32.
#define V3_TILE 32

extern "C" __global__ void sgemm_v3_shared(const float* A, const float* B, float* C, int M, int N, int K, int sAb,
                                           int sAm, int sAk, int sBb, int sBk, int sBn) {
    __shared__ float As[V3_TILE][V3_TILE];  // As[row in tile][k in tile]
    __shared__ float Bs[V3_TILE][V3_TILE];  // Bs[k in tile][column in tile]
    BATCH_BASES();
    const int tx = threadIdx.x, ty = threadIdx.y;
    const int n = blockIdx.x * V3_TILE + tx;
    const int m = blockIdx.y * V3_TILE + ty;
    float acc = 0.0f;
    for (int k0 = 0; k0 < K; k0 += V3_TILE) {
        // threads outside C still load (zeros past the edges) and reach both barriers
        As[ty][tx] = (m < M && k0 + tx < K) ? A[m * sAm + (k0 + tx) * sAk] : 0.0f;
        Bs[ty][tx] = (k0 + ty < K && n < N) ? B[(k0 + ty) * sBk + n * sBn] : 0.0f;
        __syncthreads();
        // As[ty][kk] is one address per warp (a broadcast), Bs[kk][tx] 32 consecutive words
        for (int kk = 0; kk < V3_TILE; kk++) {
            acc = fmaf(As[ty][kk], Bs[kk][tx], acc);
        }
        __syncthreads();  // before the next tile overwrites what slower threads still read
    }
    if (m < M && n < N) {
        C[m * N + n] = acc;
    }
}

// ---------------------------------------------------------------------------------------------
// Versions 4 and 5 share the tiling: a block of 256 threads computes a 128x128 tile of C, walking
// K in steps of 8; each thread owns 8x8 = 64 elements of C in registers.
#define BM 128  // rows of C per block
#define BN 128  // columns of C per block
#define BK 8    // depth of one shared-memory tile
#define TM 8    // rows of C per thread
#define TN 8    // columns of C per thread
#define THREADS ((BM / TM) * (BN / TN))  // 256

// Version 4: 2-D register blocking. Block 256, grid (ceil(N/128), ceil(M/128), batch).
// Version 3 does one multiply-add per two shared-memory reads, and shared memory cannot feed the
// FMA units at that rate. Here each thread loads 8 values of A and 8 of B per k into registers and
// does their 8x8 outer product: 64 multiply-adds per 16 reads. The block tile grows to 128x128, so
// every element loaded from global memory serves 128 multiply-adds instead of 32.
// Loads are scalar and bounds-checked, for any strides and any M, N, K. Consecutive threads walk
// each operand along its unit-stride index when it has one (k for a row-major A, m for a transposed
// one; n for a row-major B, k for a transposed one), so that the backward pass's transposed views
// load in contiguous runs too; the choice is the same for the whole grid, so it costs no divergence.
extern "C" __global__ void __launch_bounds__(THREADS, 2)
sgemm_v4_register(const float* __restrict__ A, const float* __restrict__ B, float* __restrict__ C, int M, int N,
                  int K, int sAb, int sAm, int sAk, int sBb, int sBk, int sBn) {
    __shared__ float As[BK][BM];  // A's tile transposed, As[k][m]: a thread's 8 rows are then adjacent
    __shared__ float Bs[BK][BN];
    BATCH_BASES();
    const int m0 = blockIdx.y * BM, n0 = blockIdx.x * BN;
    const int tid = threadIdx.x;
    const int ty = tid / (BN / TN), tx = tid % (BN / TN);  // the thread's sub-tile: rows ty*8.., columns tx*8..
    const bool aAlongM = sAm == 1 && sAk != 1;  // A transposed: consecutive threads take consecutive m
    const bool bAlongK = sBk == 1 && sBn != 1;  // B transposed: consecutive threads take consecutive k

    float acc[TM][TN] = {};
    for (int k0 = 0; k0 < K; k0 += BK) {
        // each tile has BM*BK = BK*BN = 1024 elements: 4 per thread, element e of the tile taken by
        // thread e % 256. For a row-major A, e runs along k (a row's 8 k are 32 contiguous bytes).
#pragma unroll
        for (int i = 0; i < BM * BK / THREADS; i++) {
            int e = tid + i * THREADS;
            int mm = aAlongM ? e % BM : e / BK, kk = aAlongM ? e / BM : e % BK;
            int m = m0 + mm, k = k0 + kk;
            As[kk][mm] = (m < M && k < K) ? A[m * sAm + k * sAk] : 0.0f;
        }
#pragma unroll
        for (int i = 0; i < BK * BN / THREADS; i++) {
            int e = tid + i * THREADS;
            int kk = bAlongK ? e % BK : e / BN, nn = bAlongK ? e / BK : e % BN;
            int k = k0 + kk, n = n0 + nn;
            Bs[kk][nn] = (k < K && n < N) ? B[k * sBk + n * sBn] : 0.0f;
        }
        __syncthreads();
#pragma unroll
        for (int kk = 0; kk < BK; kk++) {
            float a[TM], b[TN];
#pragma unroll
            for (int i = 0; i < TM; i++) {
                a[i] = As[kk][ty * TM + i];
            }
#pragma unroll
            for (int j = 0; j < TN; j++) {
                b[j] = Bs[kk][tx * TN + j];
            }
#pragma unroll
            for (int i = 0; i < TM; i++) {
#pragma unroll
                for (int j = 0; j < TN; j++) {
                    acc[i][j] = fmaf(a[i], b[j], acc[i][j]);
                }
            }
        }
        __syncthreads();
    }
#pragma unroll
    for (int i = 0; i < TM; i++) {
        int m = m0 + ty * TM + i;
#pragma unroll
        for (int j = 0; j < TN; j++) {
            int n = n0 + tx * TN + j;
            if (m < M && n < N) {
                C[m * N + n] = acc[i][j];
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Version 5: version 4, tuned. Block 256, grid (ceil(N/128), ceil(M/128), batch).
// Requires sAk == 1, sBn == 1, K % 4 == 0, N % 4 == 0, sAm % 4 == 0, sBk % 4 == 0, and A, B, C
// 16-byte aligned at every batch's base; M, N, K need not be multiples of the tile.
//
// What changes, and why it is faster:
//  - float4 global loads: each thread fetches its share of a tile (4 floats of A, 4 of B) with one
//    128-bit load each instead of four 32-bit ones. The requirements make each float4 either fully
//    inside the matrix or fully outside (k and n step by 4, and K, N are multiples of 4), so one
//    test masks it, and aligned.
//  - A is transposed as it is stored into shared memory (As[k][m]), so the math reads a thread's
//    rows of A as float4 too. Rows of As are padded from 128 to 132 floats: without the padding the
//    transposing stores of the two k halves (k = 0..3 and 4..7) of a warp land in the same 16
//    banks (a 2-way conflict); with it they cover all 32.
//  - a thread's 8x8 sub-tile is four 4x4 quadrants, 64 rows/columns apart: rows ty*4 + {0..3} and
//    64 + ty*4 + {0..3}, likewise for columns. Its reads of As and Bs are then four float4 per k,
//    and a warp is laid out 4 x 8 threads (ty x tx), so that per float4 read it touches 8
//    consecutive float4 of Bs (128 bytes, one shared-memory wavefront, no conflict) and 4 of As.
//    Stores of C are float4 as well, 128 contiguous bytes per 8 threads.
//  - double buffering: two shared tiles. While the block multiplies tile t out of one, the loads of
//    tile t+1 are already in flight into registers, and land in the other buffer afterwards; one
//    __syncthreads per tile instead of two, and the global-memory latency hides behind 512 FMAs.
#define V5_AS_ROW (BM + 4)  // padded row of the transposed A tile (132 floats = 528 bytes, a multiple of 16)

extern "C" __global__ void __launch_bounds__(THREADS, 2)
sgemm_v5_vectorised(const float* __restrict__ A, const float* __restrict__ B, float* __restrict__ C, int M, int N,
                    int K, int sAb, int sAm, int sAk, int sBb, int sBk, int sBn) {
    __shared__ __align__(16) float As[2][BK][V5_AS_ROW];
    __shared__ __align__(16) float Bs[2][BK][BN];
    BATCH_BASES();
    const int m0 = blockIdx.y * BM, n0 = blockIdx.x * BN;
    const int tid = threadIdx.x;

    // loading: A's tile is 128 rows x 8 k = 256 float4, one per thread (two threads per row);
    // B's tile is 8 k x 128 columns = 256 float4, one per thread (32 threads per row)
    const int aRow = tid / 2, aCol = (tid % 2) * 4;
    const int bRow = tid / 32, bCol = (tid % 32) * 4;
    const bool aRowIn = m0 + aRow < M, bColIn = n0 + bCol < N;
    const float* aSrc = A + (m0 + aRow) * sAm + aCol;  // + k0 per tile (sAk == 1)
    const float* bSrc = B + bRow * sBk + n0 + bCol;    // + k0 * sBk per tile (sBn == 1)

    // computing: warp w, lane l is thread (ty, tx) of a 16 x 16 grid, each warp a 4 x 8 patch of it
    const int warp = tid / 32, lane = tid % 32;
    const int ty = (warp / 2) * 4 + lane / 8;  // 0..15
    const int tx = (warp % 2) * 8 + lane % 8;  // 0..15

    const float4 zero = make_float4(0.0f, 0.0f, 0.0f, 0.0f);
    float4 ldA, ldB;  // the next tile, between global and shared memory
    // one test masks a whole float4: A's starts at k0 + aCol, a multiple of 4, so with K % 4 == 0
    // its 4 k are all inside or all past K; B's is one row k0 + bRow, and N % 4 == 0 does the same
    // for its 4 columns (checked once, in bColIn)
#define V5_LOAD_TILE(k0)                                                                                  \
    ldA = (aRowIn && (k0) + aCol < K) ? *reinterpret_cast<const float4*>(aSrc + (k0)) : zero;            \
    ldB = ((k0) + bRow < K && bColIn) ? *reinterpret_cast<const float4*>(bSrc + (k0) * sBk) : zero
#define V5_STORE_TILE(buf)                                                                                \
    As[buf][aCol + 0][aRow] = ldA.x;                                                                      \
    As[buf][aCol + 1][aRow] = ldA.y;                                                                      \
    As[buf][aCol + 2][aRow] = ldA.z;                                                                      \
    As[buf][aCol + 3][aRow] = ldA.w;                                                                      \
    *reinterpret_cast<float4*>(&Bs[buf][bRow][bCol]) = ldB

    float acc[TM][TN] = {};
    const int tiles = (K + BK - 1) / BK;
    V5_LOAD_TILE(0);  // all zeros when K == 0, and then the loop below does not run
    V5_STORE_TILE(0);
    __syncthreads();
    for (int t = 0; t < tiles; t++) {
        const int cur = t % 2;
        if (t + 1 < tiles) {
            V5_LOAD_TILE((t + 1) * BK);  // issued now, waited for only at V5_STORE_TILE below
        }
#pragma unroll
        for (int kk = 0; kk < BK; kk++) {
            float4 a0 = *reinterpret_cast<const float4*>(&As[cur][kk][ty * 4]);
            float4 a1 = *reinterpret_cast<const float4*>(&As[cur][kk][ty * 4 + BM / 2]);
            float4 b0 = *reinterpret_cast<const float4*>(&Bs[cur][kk][tx * 4]);
            float4 b1 = *reinterpret_cast<const float4*>(&Bs[cur][kk][tx * 4 + BN / 2]);
            const float a[TM] = {a0.x, a0.y, a0.z, a0.w, a1.x, a1.y, a1.z, a1.w};
            const float b[TN] = {b0.x, b0.y, b0.z, b0.w, b1.x, b1.y, b1.z, b1.w};
#pragma unroll
            for (int i = 0; i < TM; i++) {
#pragma unroll
                for (int j = 0; j < TN; j++) {
                    acc[i][j] = fmaf(a[i], b[j], acc[i][j]);
                }
            }
        }
        if (t + 1 < tiles) {
            // the other buffer was last read in iteration t-1, which every thread finished before
            // the barrier that ended it; the barrier below publishes it for iteration t+1 and keeps
            // iteration t+1's stores (into this iteration's buffer) behind this iteration's reads
            V5_STORE_TILE(1 - cur);
        }
        __syncthreads();
    }
#undef V5_LOAD_TILE
#undef V5_STORE_TILE

    // acc[i][j] holds row (i < 4 ? ty*4 + i : 64 + ty*4 + i-4), column (j < 4 ? tx*4 + j : 64 + tx*4 + j-4);
    // N % 4 == 0 makes each float4 of a row either inside C or past its edge
#pragma unroll
    for (int i = 0; i < TM; i++) {
        const int m = m0 + (i / 4) * (BM / 2) + ty * 4 + i % 4;
        if (m < M) {
#pragma unroll
            for (int h = 0; h < 2; h++) {
                const int n = n0 + h * (BN / 2) + tx * 4;
                if (n < N) {
                    *reinterpret_cast<float4*>(&C[m * N + n]) =
                            make_float4(acc[i][4 * h], acc[i][4 * h + 1], acc[i][4 * h + 2], acc[i][4 * h + 3]);
                }
            }
        }
    }
}
