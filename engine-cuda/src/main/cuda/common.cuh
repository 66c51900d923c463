// What every kernel shares: how a strided view reaches a kernel, and the grid-stride loop.
//
// A view arrives as two structs passed by value (the Java side packs them as arrays of ints, see
// Layouts.java): the Shape of the iteration space and, per operand, a View with its own strides
// and element offset. Java has already merged dimensions that are contiguous for every operand,
// so a contiguous tensor arrives as rank 1 and costs one multiply per element.
#pragma once

#define MAX_DIMS 8

struct Shape {
    int rank;
    int numel;
    int size[MAX_DIMS];
};

struct View {
    int offset;
    int stride[MAX_DIMS];
};

// The element offset of the i-th element (row-major over the shape) of a view.
__device__ __forceinline__ int offset_of(const Shape& s, const View& v, int i) {
    if (s.rank == 1) {
        return v.offset + i * v.stride[0];
    }
    // unrolled with constant indices, so the structs stay in registers instead of a stack copy
    int off = v.offset;
#pragma unroll
    for (int d = MAX_DIMS - 1; d >= 0; --d) {
        if (d < s.rank) {
            int q = i / s.size[d];
            off += (i - q * s.size[d]) * v.stride[d];
            i = q;
        }
    }
    return off;
}

#define GRID_STRIDE_LOOP(i, n) \
    for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < (n); i += blockDim.x * gridDim.x)

// A kernel that finds a bad index records it here (element position, index value) and goes on; the
// host reads the record at its next synchronisation and throws with the values. Of several bad
// indices the record keeps the first in row-major order (the one the CPU backend throws on), in
// whatever order the threads get there: position and value go in one 64-bit word, the position
// inverted in the high half, and a 64-bit atomicMax keeps the smallest position with its own value.
struct IndexError {
    unsigned long long first;  // 0: none; else (0x7fffffff - position) << 32 | the value's bits
    int limit;
    int unused;
};

__device__ __forceinline__ void report_index_error(IndexError* err, int position, float value, int limit) {
    unsigned long long key = ((unsigned long long) (0x7fffffff - position) << 32) | __float_as_uint(value);
    if (atomicMax(&err->first, key) < key) {
        err->limit = limit;  // the same for every element of a launch
    }
}
