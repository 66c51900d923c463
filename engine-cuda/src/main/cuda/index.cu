// gather and scatter_add along one dimension. Indices are whole numbers stored as floats; a bad one
// is recorded (common.cuh's IndexError) for the host to report, and the element is skipped.
#include "common.cuh"

// out[p] = input[p with coordinate `dim` replaced by index[p]], one thread per element of index.
// vin holds input's strides with 0 at dim (the index supplies that coordinate: dim_stride).
extern "C" __global__ void index_gather(Shape s, View vidx, const float* index, View vin, const float* input,
                                        View vout, float* out, int dim_size, int dim_stride, IndexError* err) {
    GRID_STRIDE_LOOP(p, s.numel) {
        float f = index[offset_of(s, vidx, p)];
        int k = (int) f;  // saturates; NaN gives 0
        // the range checked on k, not against (float) dim_size, which rounds above 2^24
        if (!(f >= 0.f) || (float) k != f || k >= dim_size) {
            report_index_error(err, p, f, dim_size);
            out[offset_of(s, vout, p)] = 0.f;
            continue;
        }
        out[offset_of(s, vout, p)] = input[offset_of(s, vin, p) + k * dim_stride];
    }
}

// out[index[p] along dim] += src[p]. One thread per line along dim: two lines differ in another
// coordinate, so they never write the same element, and within a line the terms are added in
// order, so repeated indices accumulate deterministically, in the CPU's order.
// inner: the product of index's sizes after dim, to report a bad index at its row-major position
// (line l is outer coordinate l / inner, inner coordinate l % inner).
extern "C" __global__ void index_scatter_add(Shape lines, View vidx, const float* index, View vsrc, const float* src,
                                             View vout, float* out, int len, int idx_stride, int src_stride,
                                             int out_stride, int dim_size, int inner, IndexError* err) {
    GRID_STRIDE_LOOP(l, lines.numel) {
        int ib = offset_of(lines, vidx, l);
        int sb = offset_of(lines, vsrc, l);
        int ob = offset_of(lines, vout, l);
        for (int i = 0; i < len; i++) {
            float f = index[ib + i * idx_stride];
            int k = (int) f;
            if (!(f >= 0.f) || (float) k != f || k >= dim_size) {  // as in index_gather
                report_index_error(err, (l / inner * len + i) * inner + l % inner, f, dim_size);
                continue;
            }
            out[ob + k * out_stride] += src[sb + i * src_stride];
        }
    }
}
