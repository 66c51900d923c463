// Elementwise kernels over strided views: fill, copy, the unary and binary ops, where, axpy.
//
// Each thread computes its element's offset in every operand from the shared Shape (see
// common.cuh), so broadcast (stride 0), transposed and sliced views need no copy first.
// Transcendentals are evaluated in double and rounded once, as the CPU backend does, so the two
// backends agree to the last bit on almost every input.
#include "common.cuh"

// The order of unboxed.backend.UnaryOp and BinaryOp (a host test checks these lists).
enum Unary { NEG, EXP, LOG, SQRT, RSQRT, ABS, SIGN, RECIPROCAL, SQUARE, RELU, SIGMOID, TANH, LOG1P };
enum Binary { ADD, SUB, MUL, DIV, POW, MAX, MIN, EQ, NE, GT, GE, LT, LE };

__device__ __forceinline__ float apply_unary(int op, float x) {
    switch (op) {
        case NEG: return -x;
        case EXP: return (float) exp((double) x);
        case LOG: return (float) log((double) x);
        case SQRT: return (float) sqrt((double) x);
        case RSQRT: return (float) (1.0 / sqrt((double) x));
        case ABS: return fabsf(x);
        case SIGN: return x > 0.f ? 1.f : (x < 0.f ? -1.f : x);  // keeps NaN and the sign of zero
        case RECIPROCAL: return 1.f / x;
        case SQUARE: return x * x;
        case RELU: return x < 0.f ? 0.f : x;                      // keeps NaN and -0.0, as torch.relu does
        case SIGMOID: return (float) (1.0 / (1.0 + exp(-(double) x)));
        case TANH: return (float) tanh((double) x);
        case LOG1P: return (float) log1p((double) x);
    }
    return __int_as_float(0x7fc00000);
}

__device__ __forceinline__ float apply_binary(int op, float a, float b) {
    switch (op) {
        case ADD: return __fadd_rn(a, b);
        case SUB: return __fsub_rn(a, b);
        case MUL: return __fmul_rn(a, b);
        case DIV: return a / b;
        case POW:
            // as Java's Math.pow (the CPU backend): NaN for a NaN exponent and for (+-1)^(+-inf),
            // where C's pow gives 1
            if (isnan(b) || (fabsf(a) == 1.f && isinf(b))) {
                return __int_as_float(0x7fc00000);
            }
            return (float) pow((double) a, (double) b);
        case MAX: return (a > b || isnan(a)) ? a : b;             // NaN from either side wins
        case MIN: return (a < b || isnan(a)) ? a : b;
        case EQ: return a == b ? 1.f : 0.f;
        case NE: return a != b ? 1.f : 0.f;
        case GT: return a > b ? 1.f : 0.f;
        case GE: return a >= b ? 1.f : 0.f;
        case LT: return a < b ? 1.f : 0.f;
        case LE: return a <= b ? 1.f : 0.f;
    }
    return __int_as_float(0x7fc00000);
}

extern "C" __global__ void ew_fill(Shape s, View vo, float* out, float value) {
    GRID_STRIDE_LOOP(i, s.numel) {
        out[offset_of(s, vo, i)] = value;
    }
}

extern "C" __global__ void ew_copy(Shape s, View va, const float* a, View vo, float* out) {
    GRID_STRIDE_LOOP(i, s.numel) {
        out[offset_of(s, vo, i)] = a[offset_of(s, va, i)];
    }
}

extern "C" __global__ void ew_unary(int op, Shape s, View va, const float* a, View vo, float* out) {
    GRID_STRIDE_LOOP(i, s.numel) {
        out[offset_of(s, vo, i)] = apply_unary(op, a[offset_of(s, va, i)]);
    }
}

extern "C" __global__ void ew_binary(int op, Shape s, View va, const float* a, View vb, const float* b, View vo,
                                     float* out) {
    GRID_STRIDE_LOOP(i, s.numel) {
        out[offset_of(s, vo, i)] = apply_binary(op, a[offset_of(s, va, i)], b[offset_of(s, vb, i)]);
    }
}

extern "C" __global__ void ew_binary_scalar_right(int op, Shape s, View va, const float* a, float scalar, View vo,
                                                  float* out) {
    GRID_STRIDE_LOOP(i, s.numel) {
        out[offset_of(s, vo, i)] = apply_binary(op, a[offset_of(s, va, i)], scalar);
    }
}

extern "C" __global__ void ew_binary_scalar_left(int op, Shape s, float scalar, View vb, const float* b, View vo,
                                                 float* out) {
    GRID_STRIDE_LOOP(i, s.numel) {
        out[offset_of(s, vo, i)] = apply_binary(op, scalar, b[offset_of(s, vb, i)]);
    }
}

// A select, not arithmetic: the branch not taken never reaches the result (inf * 0 would be NaN).
extern "C" __global__ void ew_where(Shape s, View vc, const float* c, View va, const float* a, View vb,
                                    const float* b, View vo, float* out) {
    GRID_STRIDE_LOOP(i, s.numel) {
        out[offset_of(s, vo, i)] = c[offset_of(s, vc, i)] != 0.f ? a[offset_of(s, va, i)] : b[offset_of(s, vb, i)];
    }
}

// y += alpha * x, the product rounded before the sum (no fused multiply-add), like the separate
// multiply and add it stands for.
extern "C" __global__ void ew_axpy(float alpha, Shape s, View vx, const float* x, View vy, float* y) {
    GRID_STRIDE_LOOP(i, s.numel) {
        int o = offset_of(s, vy, i);
        y[o] = __fadd_rn(y[o], __fmul_rn(alpha, x[offset_of(s, vx, i)]));
    }
}

// out = a * b + c with one rounding (Backend#fma): the fused multiply-add PyTorch's CPU kernels use
// for add(x, alpha) and addcmul, so the optimizers built on it round as PyTorch does. out may be c.
extern "C" __global__ void ew_fma(Shape s, View va, const float* a, View vb, const float* b, View vc, const float* c,
                                  View vo, float* out) {
    GRID_STRIDE_LOOP(i, s.numel) {
        out[offset_of(s, vo, i)] = fmaf(a[offset_of(s, va, i)], b[offset_of(s, vb, i)], c[offset_of(s, vc, i)]);
    }
}

extern "C" __global__ void ew_fma_scalar(float a, Shape s, View vb, const float* b, View vc, const float* c, View vo,
                                         float* out) {
    GRID_STRIDE_LOOP(i, s.numel) {
        out[offset_of(s, vo, i)] = fmaf(a, b[offset_of(s, vb, i)], c[offset_of(s, vc, i)]);
    }
}
