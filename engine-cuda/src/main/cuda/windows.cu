// Sliding windows: im2col / col2im (unfold / fold) and 2-D max and average pooling, NCHW.
// Every output is computed by one thread that gathers what it needs, so nothing is accumulated with
// atomics and each sum has one fixed order (the CPU's order, for col2im and the pooling backward).
#include "common.cuh"

// The geometry of one window: kernel, stride, padding, dilation (height, width).
struct Window {
    int kh, kw, sh, sw, ph, pw, dh, dw;
};

// Element e of a contiguous [N, C, H, W] tensor as its four coordinates.
struct Nchw {
    int n, c, y, x;
};

__device__ __forceinline__ Nchw nchw(int e, int C, int H, int W) {
    return Nchw{e / (W * H * C), (e / (W * H)) % C, (e / W) % H, e % W};
}

// Input [N, C, H, W] at any strides (in: offset, then the 4 strides) to cols [N, C*kh*kw, OH*OW].
extern "C" __global__ void win_im2col(const float* x, int in_offset, int sn, int sc, int sy, int sx, int N, int C,
                                      int H, int W, Window w, int OH, int OW, float* cols) {
    int L = OH * OW;
    int rows = C * w.kh * w.kw;
    int total = N * rows * L;
    GRID_STRIDE_LOOP(e, total) {
        int l = e % L;
        int r = (e / L) % rows;
        int n = e / (L * rows);
        int j = r % w.kw;
        int i = (r / w.kw) % w.kh;
        int c = r / (w.kw * w.kh);
        int oy = l / OW;
        int ox = l % OW;
        int y = oy * w.sh - w.ph + i * w.dh;
        int xx = ox * w.sw - w.pw + j * w.dw;
        cols[e] = (y >= 0 && y < H && xx >= 0 && xx < W) ? x[in_offset + n * sn + c * sc + y * sy + xx * sx] : 0.f;
    }
}

// The adjoint: each input position sums the column entries that read it, kernel positions in
// row-major order per channel (the order im2col lays them out, and the CPU's).
// cols: offset and strides (batch, row, column); out: contiguous [N, C, H, W].
extern "C" __global__ void win_col2im(const float* cols, int cols_offset, int sb, int sr, int sl, int N, int C, int H,
                                      int W, Window w, int OH, int OW, float* out) {
    int total = N * C * H * W;
    GRID_STRIDE_LOOP(e, total) {
        Nchw here = nchw(e, C, H, W);
        int n = here.n, c = here.c, y = here.y, xx = here.x;
        float sum = 0.f;
        for (int i = 0; i < w.kh; i++) {
            int ty = y + w.ph - i * w.dh;
            if (ty < 0 || ty % w.sh != 0 || ty / w.sh >= OH) {
                continue;
            }
            int oy = ty / w.sh;
            for (int j = 0; j < w.kw; j++) {
                int tx = xx + w.pw - j * w.dw;
                if (tx < 0 || tx % w.sw != 0 || tx / w.sw >= OW) {
                    continue;
                }
                int ox = tx / w.sw;
                int r = (c * w.kh + i) * w.kw + j;
                sum += cols[cols_offset + n * sb + r * sr + (oy * OW + ox) * sl];
            }
        }
        out[e] = sum;
    }
}

// Max pooling as PyTorch's CPU kernel: the index starts at the window's first position inside the
// input; a larger value or any NaN replaces it (the first maximum wins, and the last NaN).
extern "C" __global__ void win_max_pool(const float* x, int in_offset, int sn, int sc, int sy, int sx, int N, int C,
                                        int H, int W, Window w, int OH, int OW, float* out, float* indices) {
    int total = N * C * OH * OW;
    GRID_STRIDE_LOOP(e, total) {
        Nchw here = nchw(e, C, OH, OW);
        int n = here.n, c = here.c, oy = here.y, ox = here.x;
        const float* plane = x + in_offset + n * sn + c * sc;
        float best = -INFINITY;
        int at = -1;
        for (int i = 0; i < w.kh; i++) {
            int y = oy * w.sh - w.ph + i * w.dh;
            if (y < 0 || y >= H) {
                continue;
            }
            for (int j = 0; j < w.kw; j++) {
                int xx = ox * w.sw - w.pw + j * w.dw;
                if (xx < 0 || xx >= W) {
                    continue;
                }
                float v = plane[y * sy + xx * sx];
                if (at < 0) {
                    at = y * W + xx;
                }
                if (v > best || isnan(v)) {
                    best = v;
                    at = y * W + xx;
                }
            }
        }
        out[e] = best;
        indices[e] = (float) (at < 0 ? 0 : at);
    }
}

// The divisor of one average-pooling window (Backend#avgPool2d): the override when positive, else
// the window's size, counted with the padding (clipped at the padded border) or without it.
__device__ __forceinline__ int pool_divisor(int y0, int x0, const Window& w, int H, int W, int count_include_pad,
                                            int override_divisor) {
    if (override_divisor > 0) {
        return override_divisor;
    }
    int y1 = min(y0 + w.kh, H + w.ph);
    int x1 = min(x0 + w.kw, W + w.pw);
    if (count_include_pad) {
        return (y1 - y0) * (x1 - x0);
    }
    return (min(y1, H) - max(y0, 0)) * (min(x1, W) - max(x0, 0));
}

extern "C" __global__ void win_avg_pool(const float* x, int in_offset, int sn, int sc, int sy, int sx, int N, int C,
                                        int H, int W, Window w, int OH, int OW, int count_include_pad,
                                        int override_divisor, float* out) {
    int total = N * C * OH * OW;
    GRID_STRIDE_LOOP(e, total) {
        Nchw here = nchw(e, C, OH, OW);
        int n = here.n, c = here.c, oy = here.y, ox = here.x;
        const float* plane = x + in_offset + n * sn + c * sc;
        int y0 = oy * w.sh - w.ph;
        int x0 = ox * w.sw - w.pw;
        float sum = 0.f;
        for (int y = max(y0, 0); y < min(y0 + w.kh, H); y++) {
            for (int xx = max(x0, 0); xx < min(x0 + w.kw, W); xx++) {
                sum += plane[y * sy + xx * sx];
            }
        }
        out[e] = sum / (float) pool_divisor(y0, x0, w, H, W, count_include_pad, override_divisor);
    }
}

// Each input position gathers the shares of the windows that cover it, windows in row-major
// order: the order in which the CPU's scatter adds them, so the two agree bit for bit.
// g: grad_out offset and strides; out: contiguous grad_input [N, C, H, W].
extern "C" __global__ void win_avg_pool_backward(const float* g, int g_offset, int gn, int gc, int gy, int gx, int N,
                                                 int C, int H, int W, Window w, int OH, int OW,
                                                 int count_include_pad, int override_divisor, float* out) {
    int total = N * C * H * W;
    GRID_STRIDE_LOOP(e, total) {
        Nchw here = nchw(e, C, H, W);
        int n = here.n, c = here.c, y = here.y, xx = here.x;
        const float* plane = g + g_offset + n * gn + c * gc;
        // windows oy with oy*sh - ph <= y < oy*sh - ph + kh
        int oy_lo = max(0, (y + w.ph - w.kh + w.sh) / w.sh);
        int oy_hi = min(OH - 1, (y + w.ph) / w.sh);
        int ox_lo = max(0, (xx + w.pw - w.kw + w.sw) / w.sw);
        int ox_hi = min(OW - 1, (xx + w.pw) / w.sw);
        float sum = 0.f;
        for (int oy = oy_lo; oy <= oy_hi; oy++) {
            int y0 = oy * w.sh - w.ph;
            if (y < y0 || y >= y0 + w.kh) {
                continue;
            }
            for (int ox = ox_lo; ox <= ox_hi; ox++) {
                int x0 = ox * w.sw - w.pw;
                if (xx < x0 || xx >= x0 + w.kw) {
                    continue;
                }
                sum += plane[oy * gy + ox * gx] / (float) pool_divisor(y0, x0, w, H, W, count_include_pad,
                                                                        override_divisor);
            }
        }
        out[e] = sum;
    }
}
