// Reductions, arg-reductions and softmax, all deterministic: no atomics, every output combined in
// one fixed order (a thread's strided partials, then a fixed tree), so a run gives the same bits
// every time. Sums accumulate in double, as the CPU backend's do; they need not match the CPU's
// bits, since the order of the terms differs.
#include "common.cuh"

enum Reduce { SUM, MAX, MIN };

__device__ __forceinline__ double combine(int op, double acc, double v) {
    if (op == SUM) {
        return acc + v;
    }
    if (op == MAX) {
        return (v > acc || isnan(v)) ? v : acc;   // a NaN, once in, stays (v > NaN is false)
    }
    return (v < acc || isnan(v)) ? v : acc;
}

__device__ __forceinline__ double identity(int op) {
    return op == SUM ? 0.0 : (op == MAX ? -INFINITY : INFINITY);
}

// Few terms per output: one thread per output, terms in row-major order.
// kept: the shape of the outputs (x's shape with the reduced dimensions dropped), xk/vo their strides
// in x and out; red: the reduced dimensions, xr their strides in x.
extern "C" __global__ void reduce_per_thread(int op, Shape kept, View xk, View vo, Shape red, View xr,
                                             const float* x, float* out) {
    GRID_STRIDE_LOOP(o, kept.numel) {
        int base = offset_of(kept, xk, o);
        double acc = identity(op);
        for (int r = 0; r < red.numel; r++) {
            acc = combine(op, acc, (double) x[base + offset_of(red, xr, r) - xr.offset]);
        }
        out[offset_of(kept, vo, o)] = (float) acc;
    }
}

// Many terms per output: one block per output; each thread folds a strided slice, then a fixed
// shared-memory tree combines the 256 partials.
extern "C" __global__ void reduce_per_block(int op, Shape kept, View xk, View vo, Shape red, View xr,
                                            const float* x, float* out) {
    __shared__ double partial[256];
    for (int o = blockIdx.x; o < kept.numel; o += gridDim.x) {
        int base = offset_of(kept, xk, o);
        double acc = identity(op);
        for (int r = threadIdx.x; r < red.numel; r += blockDim.x) {
            acc = combine(op, acc, (double) x[base + offset_of(red, xr, r) - xr.offset]);
        }
        partial[threadIdx.x] = acc;
        __syncthreads();
        for (int half = blockDim.x / 2; half > 0; half /= 2) {
            if (threadIdx.x < half) {
                partial[threadIdx.x] = combine(op, partial[threadIdx.x], partial[threadIdx.x + half]);
            }
            __syncthreads();
        }
        if (threadIdx.x == 0) {
            out[offset_of(kept, vo, o)] = (float) partial[0];
        }
        __syncthreads();
    }
}

// max/min along one dimension with the index of the winner: ties to the first index, and the
// first NaN wins (as torch.max(dim) does). One thread per output; indices stored as floats.
extern "C" __global__ void reduce_with_index(int op, Shape kept, View xk, View vv, View vi, int len, int stride,
                                             const float* x, float* values, float* indices) {
    GRID_STRIDE_LOOP(o, kept.numel) {
        int base = offset_of(kept, xk, o);
        float best = x[base];
        int at = 0;
        if (!isnan(best)) {
            for (int i = 1; i < len; i++) {
                float v = x[base + i * stride];
                if (isnan(v)) {
                    best = v;
                    at = i;
                    break;
                }
                if (op == MAX ? v > best : v < best) {
                    best = v;
                    at = i;
                }
            }
        }
        values[offset_of(kept, vv, o)] = best;
        indices[offset_of(kept, vi, o)] = (float) at;
    }
}

__device__ __forceinline__ double warp_max(double v) {
    for (int m = 16; m > 0; m /= 2) {
        double o = __shfl_xor_sync(0xffffffffu, v, m);
        v = (o > v || isnan(o)) ? o : v;
    }
    return v;
}

__device__ __forceinline__ double warp_sum(double v) {
    // a butterfly: every lane ends with the same sum, combined in the same order on every run
    for (int m = 16; m > 0; m /= 2) {
        v += __shfl_xor_sync(0xffffffffu, v, m);
    }
    return v;
}

// softmax or log_softmax along one dimension, one warp per row, in double as the CPU backend.
// rows: the shape without the softmax dimension; xs/os: the strides of x and out along it.
extern "C" __global__ void softmax_rows(int log_softmax, Shape rows, View vx, View vout, int len, int xs, int os,
                                        const float* x, float* out) {
    int lane = threadIdx.x & 31;
    int warps = (gridDim.x * blockDim.x) >> 5;
    for (int row = (blockIdx.x * blockDim.x + threadIdx.x) >> 5; row < rows.numel; row += warps) {
        int xb = offset_of(rows, vx, row);
        int ob = offset_of(rows, vout, row);
        double mx = -INFINITY;
        for (int i = lane; i < len; i += 32) {
            double v = x[xb + i * xs];
            mx = (v > mx || isnan(v)) ? v : mx;
        }
        mx = warp_max(mx);
        if (mx == -INFINITY) {
            mx = 0;  // a row of -inf: exp gives 0s and log gives -inf, no NaN from -inf - -inf
        }
        double sum = 0;
        for (int i = lane; i < len; i += 32) {
            sum += exp((double) x[xb + i * xs] - mx);
        }
        sum = warp_sum(sum);
        double lse = mx + log(sum);
        for (int i = lane; i < len; i += 32) {
            double v = x[xb + i * xs];
            out[ob + i * os] = log_softmax ? (float) (v - lse) : (float) (exp(v - mx) / sum);
        }
    }
}

// The gradient of softmax (y * (gy - sum(gy * y))) or log_softmax (gy - exp(y) * sum(gy)), one warp per row.
extern "C" __global__ void softmax_backward_rows(int log_softmax, Shape rows, View vy, View vg, View vout, int len,
                                                 int ys, int gs, int os, const float* y, const float* gy,
                                                 float* gx) {
    int lane = threadIdx.x & 31;
    int warps = (gridDim.x * blockDim.x) >> 5;
    for (int row = (blockIdx.x * blockDim.x + threadIdx.x) >> 5; row < rows.numel; row += warps) {
        int yb = offset_of(rows, vy, row);
        int gb = offset_of(rows, vg, row);
        int ob = offset_of(rows, vout, row);
        double dot = 0;
        for (int i = lane; i < len; i += 32) {
            double g = gy[gb + i * gs];
            dot += log_softmax ? g : g * (double) y[yb + i * ys];
        }
        dot = warp_sum(dot);
        for (int i = lane; i < len; i += 32) {
            double g = gy[gb + i * gs];
            double yv = y[yb + i * ys];
            gx[ob + i * os] = (float) (log_softmax ? g - exp(yv) * dot : yv * (g - dot));
        }
    }
}
