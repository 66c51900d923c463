package unboxed.backend.cuda;

import static jcuda.driver.JCudaDriver.cuMemcpyDtoH;
import static jcuda.driver.JCudaDriver.cuMemcpyHtoD;
import static jcuda.driver.JCudaDriver.cuMemsetD32;
import static jcuda.driver.JCudaDriver.cuStreamCreate;
import static jcuda.driver.JCudaDriver.cuStreamDestroy;
import static jcuda.driver.JCudaDriver.cuStreamSynchronize;

import jcuda.Pointer;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUstream;
import unboxed.backend.Backend;
import unboxed.backend.BinaryOp;
import unboxed.backend.MemoryStats;
import unboxed.backend.ReduceOp;
import unboxed.backend.Storage;
import unboxed.backend.Strided;
import unboxed.backend.UnaryOp;
import unboxed.backend.Window2d;

/**
 * The CUDA backend: device memory from a caching allocator, our own kernels (src/main/cuda, as
 * PTX), one stream. Kernels are queued asynchronously; a download or {@link #synchronize()} waits.
 *
 * <p>Host copies use the synchronous driver calls on the legacy default stream; the backend's
 * stream is a blocking one, so each copy waits for the kernels queued before it and the kernels
 * queued after wait for the copy.
 */
public final class CudaBackend implements Backend {
    static final int BLOCK = 256;
    private static final int MAX_GRID = 65535;

    private final Driver.Device device;
    private final CUstream stream = new CUstream();
    private final Kernels kernels;
    private final DeviceAllocator allocator;
    /**
     * common.cuh's IndexError records, one per index op launched since the last check: a training
     * step runs a gather (the loss) and a scatter_add (its gradient) before it reads the loss, and
     * each keeps its own first bad index. With every slot taken, the next index op checks first.
     */
    static final int INDEX_SLOTS = 8;
    private final CUdeviceptr indexErrors = new CUdeviceptr();
    /** The ops whose index checks are pending (read at the next synchronisation), in launch order. */
    private final java.util.List<String> pendingIndexChecks = new java.util.ArrayList<>();

    public CudaBackend() {
        device = Driver.open();
        allocator = new DeviceAllocator(device.totalBytes());
        Cuda.check("cuStreamCreate", cuStreamCreate(stream, 0));
        kernels = new Kernels(stream);
        Cuda.check("cuMemAlloc(index error records)", jcuda.driver.JCudaDriver.cuMemAlloc(indexErrors, 16L * INDEX_SLOTS));
        Cuda.check("cuMemsetD32", cuMemsetD32(indexErrors, 0, 4L * INDEX_SLOTS));
    }

    @Override
    public String name() {
        return "cuda";
    }

    /** The GPU, as the driver names it. */
    public String deviceName() {
        return device.name();
    }

    /** Compute capability, such as "9.0". */
    public String computeCapability() {
        return device.computeMajor() + "." + device.computeMinor();
    }

    /** The driver's CUDA version, such as 13000 for 13.0. */
    public int driverVersion() {
        return device.driverVersion();
    }

    public Kernels kernels() {
        return kernels;
    }

    public CUstream stream() {
        return stream;
    }

    DeviceAllocator allocator() {
        return allocator;
    }

    /** The device address of a view's first element. */
    public static CUdeviceptr pointer(Strided v) {
        return base(v).withByteOffset(4L * v.offset());
    }

    /** The device address of a view's storage (element 0); kernels add the view's offset themselves. */
    static CUdeviceptr base(Strided v) {
        Storage s = v.storage();
        if (!(s instanceof CudaStorage c)) {
            throw new IllegalArgumentException("the cuda backend was given a tensor on the " + s.backend().name()
                    + " backend; move it first (tensor.to(backend))");
        }
        return c.pointer();
    }

    /**
     * Destroys the device context after a sticky error (an illegal address leaves every later call
     * failing): every backend and storage made before is unusable afterwards; a new backend works.
     */
    public static void resetDevice() {
        Driver.reset();
    }

    // ------------------------------------------------------------------ memory

    @Override
    public Storage allocate(int size) {
        if (size < 0) {
            throw new IllegalArgumentException("cannot allocate " + size + " floats");
        }
        return new CudaStorage(this, size, allocator);
    }

    @Override
    public Storage upload(float[] host) {
        CudaStorage s = new CudaStorage(this, host.length, allocator);
        if (host.length > 0) {
            Cuda.check("cuMemcpyHtoD(" + host.length + " floats)", cuMemcpyHtoD(s.pointer(), Pointer.to(host), 4L * host.length));
        }
        return s;
    }

    @Override
    public float[] download(Strided x) {
        int n = x.numel();
        float[] host = new float[n];
        if (n > 0) {
            if (x.isContiguous()) {
                Cuda.check("cuMemcpyDtoH(" + n + " floats)", cuMemcpyDtoH(Pointer.to(host), pointer(x), 4L * n));
            } else {
                try (Storage tmp = allocate(n)) {
                    Strided c = Strided.contiguous(tmp, x.shape());
                    copy(x, c);
                    Cuda.check("cuMemcpyDtoH(" + n + " floats)", cuMemcpyDtoH(Pointer.to(host), base(c), 4L * n));
                }
            }
        }
        checkIndices();
        return host;
    }

    @Override
    public void synchronize() {
        Cuda.check("cuStreamSynchronize", cuStreamSynchronize(stream));
        checkIndices();
    }

    @Override
    public MemoryStats memory() {
        return allocator.stats();
    }

    /** Gives cached device memory back to the driver (PyTorch's torch.cuda.empty_cache). */
    public void emptyCache() {
        synchronize();
        allocator.emptyCache();
    }

    @Override
    public void close() {
        synchronize();
        allocator.emptyCache();
        cuStreamDestroy(stream);
    }

    // ------------------------------------------------------------------ elementwise

    private static Dim3 grid(long n) {
        return Dim3.of((int) Math.max(1, Math.min((n + BLOCK - 1) / BLOCK, MAX_GRID)));
    }

    private void elementwise(String fn, Layouts.Packed p, Object... args) {
        if (p.numel() == 0) {
            return;
        }
        kernels.launch("elementwise", fn, grid(p.numel()), Dim3.of(BLOCK), 0, args);
    }

    @Override
    public void fill(Strided out, float value) {
        Layouts.Packed p = Layouts.pack(out.shape(), out);
        elementwise("ew_fill", p, p.shape(), p.view(0), base(out), value);
    }

    @Override
    public void copy(Strided src, Strided dst) {
        Layouts.Packed p = Layouts.pack(dst.shape(), src, dst);
        elementwise("ew_copy", p, p.shape(), p.view(0), base(src), p.view(1), base(dst));
    }

    @Override
    public void unary(UnaryOp op, Strided x, Strided out) {
        Layouts.Packed p = Layouts.pack(out.shape(), x, out);
        elementwise("ew_unary", p, op.ordinal(), p.shape(), p.view(0), base(x), p.view(1), base(out));
    }

    @Override
    public void binary(BinaryOp op, Strided a, Strided b, Strided out) {
        Layouts.Packed p = Layouts.pack(out.shape(), a, b, out);
        elementwise("ew_binary", p, op.ordinal(), p.shape(), p.view(0), base(a), p.view(1), base(b), p.view(2),
                base(out));
    }

    @Override
    public void binary(BinaryOp op, Strided a, float s, Strided out) {
        Layouts.Packed p = Layouts.pack(out.shape(), a, out);
        elementwise("ew_binary_scalar_right", p, op.ordinal(), p.shape(), p.view(0), base(a), s, p.view(1), base(out));
    }

    @Override
    public void binary(BinaryOp op, float s, Strided b, Strided out) {
        Layouts.Packed p = Layouts.pack(out.shape(), b, out);
        elementwise("ew_binary_scalar_left", p, op.ordinal(), p.shape(), s, p.view(0), base(b), p.view(1), base(out));
    }

    @Override
    public void where(Strided condition, Strided a, Strided b, Strided out) {
        Layouts.Packed p = Layouts.pack(out.shape(), condition, a, b, out);
        elementwise("ew_where", p, p.shape(), p.view(0), base(condition), p.view(1), base(a), p.view(2), base(b),
                p.view(3), base(out));
    }

    @Override
    public void axpy(float alpha, Strided x, Strided y) {
        Layouts.Packed p = Layouts.pack(y.shape(), x, y);
        elementwise("ew_axpy", p, alpha, p.shape(), p.view(0), base(x), p.view(1), base(y));
    }

    @Override
    public void fma(Strided a, Strided b, Strided c, Strided out) {
        Layouts.Packed p = Layouts.pack(out.shape(), a, b, c, out);
        elementwise("ew_fma", p, p.shape(), p.view(0), base(a), p.view(1), base(b), p.view(2), base(c), p.view(3),
                base(out));
    }

    @Override
    public void fma(float a, Strided b, Strided c, Strided out) {
        Layouts.Packed p = Layouts.pack(out.shape(), b, c, out);
        elementwise("ew_fma_scalar", p, a, p.shape(), p.view(0), base(b), p.view(1), base(c), p.view(2), base(out));
    }

    // ------------------------------------------------------------------ reductions

    @Override
    public void reduce(ReduceOp op, Strided x, Strided out) {
        int rank = x.dim();
        int[] xs = x.shape();
        int[] os = out.shape();
        int keptRank = 0;
        for (int d = 0; d < rank; d++) {
            if (!(os[d] == 1 && xs[d] != 1)) {
                keptRank++;
            }
        }
        int[] keptShape = new int[keptRank];
        int[] keptX = new int[keptRank];
        int[] keptOut = new int[keptRank];
        int[] redShape = new int[rank - keptRank];
        int[] redX = new int[rank - keptRank];
        for (int d = 0, k = 0, r = 0; d < rank; d++) {
            if (os[d] == 1 && xs[d] != 1) {
                redShape[r] = xs[d];
                redX[r++] = x.stride(d);
            } else {
                keptShape[k] = xs[d];
                keptX[k] = x.stride(d);
                keptOut[k++] = out.stride(d);
            }
        }
        Layouts.Packed kept = Layouts.pack(keptShape, new int[][] {keptX, keptOut}, new int[] {x.offset(), out.offset()});
        Layouts.Packed red = Layouts.pack(redShape, new int[][] {redX}, new int[] {0});
        if (kept.numel() == 0) {
            return;
        }
        boolean perBlock = red.numel() > 64 && (kept.numel() < 8192 || red.numel() > 2048);
        String fn = perBlock ? "reduce_per_block" : "reduce_per_thread";
        Dim3 g = perBlock ? Dim3.of(Math.min(kept.numel(), MAX_GRID)) : grid(kept.numel());
        kernels.launch("reduce", fn, g, Dim3.of(BLOCK), 0, op.ordinal(), kept.shape(), kept.view(0), kept.view(1),
                red.shape(), red.view(0), base(x), base(out));
    }

    @Override
    public void reduceWithIndex(ReduceOp op, Strided x, int dim, Strided values, Strided indices) {
        if (op == ReduceOp.SUM) {
            throw new IllegalArgumentException("reduceWithIndex takes MAX or MIN, got SUM");
        }
        int len = x.size(dim);
        if (len == 0) {
            throw new IllegalArgumentException("reduceWithIndex: dimension " + dim + " is empty");
        }
        Layouts.Packed p = Layouts.pack(Layouts.drop(x.shape(), dim),
                new int[][] {Layouts.drop(x.strides(), dim), Layouts.drop(values.strides(), dim),
                        Layouts.drop(indices.strides(), dim)},
                new int[] {x.offset(), values.offset(), indices.offset()});
        if (p.numel() == 0) {
            return;
        }
        kernels.launch("reduce", "reduce_with_index", grid(p.numel()), Dim3.of(BLOCK), 0, op.ordinal(), p.shape(),
                p.view(0), p.view(1), p.view(2), len, x.stride(dim), base(x), base(values), base(indices));
    }

    // ------------------------------------------------------------------ indexing

    @Override
    public void gather(int dim, Strided input, Strided index, Strided out) {
        Layouts.Packed p = Layouts.pack(index.shape(),
                new int[][] {index.strides(), Layouts.with(input.strides(), dim, 0), out.strides()},
                new int[] {index.offset(), input.offset(), out.offset()});
        if (p.numel() == 0) {
            return;
        }
        kernels.launch("index", "index_gather", grid(p.numel()), Dim3.of(BLOCK), 0, p.shape(), p.view(0), base(index),
                p.view(1), base(input), p.view(2), base(out), input.size(dim), input.stride(dim),
                indexSlot("gather along dimension " + dim));
    }

    @Override
    public void scatterAdd(int dim, Strided index, Strided src, Strided out) {
        Layouts.Packed p = Layouts.pack(Layouts.drop(index.shape(), dim),
                new int[][] {Layouts.drop(index.strides(), dim), Layouts.drop(src.strides(), dim),
                        Layouts.drop(out.strides(), dim)},
                new int[] {index.offset(), src.offset(), out.offset()});
        int len = index.size(dim);
        if (p.numel() == 0 || len == 0) {
            return;
        }
        // index's elements per step along dim, so that the kernel reports a bad index at its row-major position
        int inner = 1;
        for (int d = dim + 1; d < index.dim(); d++) {
            inner *= index.size(d);
        }
        kernels.launch("index", "index_scatter_add", grid(p.numel()), Dim3.of(BLOCK), 0, p.shape(), p.view(0),
                base(index), p.view(1), base(src), p.view(2), base(out), len, index.stride(dim), src.stride(dim),
                out.stride(dim), out.size(dim), inner, indexSlot("scatter_add along dimension " + dim));
    }

    /** The error record of the next index op (checking the pending ones first when every slot is taken). */
    private CUdeviceptr indexSlot(String op) {
        if (pendingIndexChecks.size() == INDEX_SLOTS) {
            synchronize();
        }
        CUdeviceptr slot = indexErrors.withByteOffset(16L * pendingIndexChecks.size());
        pendingIndexChecks.add(op);
        return slot;
    }

    /** Reads the records of the index ops launched since the last check; throws for the first that found a bad index. */
    private void checkIndices() {
        if (pendingIndexChecks.isEmpty()) {
            return;
        }
        int n = pendingIndexChecks.size();
        java.util.List<String> ops = java.util.List.copyOf(pendingIndexChecks);
        pendingIndexChecks.clear();
        // per slot, common.cuh's IndexError, little-endian: [0] the value's bits and [1] 0x7fffffff - position
        // (one 64-bit word, 0 when no index was bad), [2] the limit
        int[] rec = new int[4 * n];
        Cuda.check("cuMemcpyDtoH(index error records)", cuMemcpyDtoH(Pointer.to(rec), indexErrors, 16L * n));
        for (int k = 0; k < n; k++) {
            if (rec[4 * k + 1] != 0) {
                Cuda.check("cuMemsetD32", cuMemsetD32(indexErrors, 0, 4L * INDEX_SLOTS));
                throw new IndexOutOfBoundsException(ops.get(k) + ": index " + Float.intBitsToFloat(rec[4 * k])
                        + " (element " + (Integer.MAX_VALUE - rec[4 * k + 1]) + " of the index tensor) is not a whole"
                        + " number in [0, " + rec[4 * k + 2] + ")");
            }
        }
    }

    // ------------------------------------------------------------------ sliding windows

    private static int[] window(Window2d w) {
        return new int[] {w.kernelH(), w.kernelW(), w.strideH(), w.strideW(), w.padH(), w.padW(), w.dilationH(),
                w.dilationW()};
    }

    @Override
    public void im2col(Strided input, Window2d w, Strided out) {
        int n = input.size(0), c = input.size(1), h = input.size(2), wd = input.size(3);
        int oh = w.outH(h, false), ow = w.outW(wd, false);
        long total = (long) n * c * w.kernelH() * w.kernelW() * oh * ow;
        if (total == 0) {
            return;
        }
        kernels.launch("windows", "win_im2col", grid(total), Dim3.of(BLOCK), 0, base(input), input.offset(),
                input.stride(0), input.stride(1), input.stride(2), input.stride(3), n, c, h, wd, window(w), oh, ow,
                pointer(out));
    }

    @Override
    public void col2im(Strided cols, Window2d w, Strided out) {
        int n = out.size(0), c = out.size(1), h = out.size(2), wd = out.size(3);
        int oh = w.outH(h, false), ow = w.outW(wd, false);
        long total = (long) n * c * h * wd;
        if (total == 0) {
            return;
        }
        kernels.launch("windows", "win_col2im", grid(total), Dim3.of(BLOCK), 0, base(cols), cols.offset(),
                cols.stride(0), cols.stride(1), cols.stride(2), n, c, h, wd, window(w), oh, ow, pointer(out));
    }

    @Override
    public void maxPool2d(Strided input, Window2d w, boolean ceilMode, Strided out, Strided indices) {
        int n = input.size(0), c = input.size(1), h = input.size(2), wd = input.size(3);
        int oh = w.outH(h, ceilMode), ow = w.outW(wd, ceilMode);
        long total = (long) n * c * oh * ow;
        if (total == 0) {
            return;
        }
        kernels.launch("windows", "win_max_pool", grid(total), Dim3.of(BLOCK), 0, base(input), input.offset(),
                input.stride(0), input.stride(1), input.stride(2), input.stride(3), n, c, h, wd, window(w), oh, ow,
                pointer(out), pointer(indices));
    }

    @Override
    public void avgPool2d(Strided input, Window2d w, boolean ceilMode, boolean countIncludePad, int divisor,
                          Strided out) {
        int n = input.size(0), c = input.size(1), h = input.size(2), wd = input.size(3);
        int oh = w.outH(h, ceilMode), ow = w.outW(wd, ceilMode);
        long total = (long) n * c * oh * ow;
        if (total == 0) {
            return;
        }
        kernels.launch("windows", "win_avg_pool", grid(total), Dim3.of(BLOCK), 0, base(input), input.offset(),
                input.stride(0), input.stride(1), input.stride(2), input.stride(3), n, c, h, wd, window(w), oh, ow,
                countIncludePad ? 1 : 0, divisor, pointer(out));
    }

    @Override
    public void avgPool2dBackward(Strided gradOut, Window2d w, boolean ceilMode, boolean countIncludePad, int divisor,
                                  Strided gradInput) {
        int n = gradInput.size(0), c = gradInput.size(1), h = gradInput.size(2), wd = gradInput.size(3);
        int oh = w.outH(h, ceilMode), ow = w.outW(wd, ceilMode);
        long total = (long) n * c * h * wd;
        if (total == 0) {
            return;
        }
        kernels.launch("windows", "win_avg_pool_backward", grid(total), Dim3.of(BLOCK), 0, base(gradOut),
                gradOut.offset(), gradOut.stride(0), gradOut.stride(1), gradOut.stride(2), gradOut.stride(3), n, c, h,
                wd, window(w), oh, ow, countIncludePad ? 1 : 0, divisor, pointer(gradInput));
    }

    // ------------------------------------------------------------------ products and softmax

    @Override
    public void matmul(Strided a, Strided b, Strided out) {
        SgemmKernels.matmul(kernels, a, b, out);
    }

    @Override
    public void softmax(Strided x, int dim, boolean log, Strided out) {
        int len = x.dim() == 0 ? 1 : x.size(dim);
        if (x.dim() == 0) {
            fill(out, log ? 0f : 1f);
            return;
        }
        Layouts.Packed p = Layouts.pack(Layouts.drop(x.shape(), dim),
                new int[][] {Layouts.drop(x.strides(), dim), Layouts.drop(out.strides(), dim)},
                new int[] {x.offset(), out.offset()});
        if (p.numel() == 0 || len == 0) {
            return;
        }
        kernels.launch("reduce", "softmax_rows", rowGrid(p.numel()), Dim3.of(BLOCK), 0, log ? 1 : 0, p.shape(),
                p.view(0), p.view(1), len, x.stride(dim), out.stride(dim), base(x), base(out));
    }

    @Override
    public void softmaxBackward(Strided y, Strided gy, int dim, boolean log, Strided gx) {
        if (y.dim() == 0) {
            fill(gx, 0f);
            return;
        }
        int len = y.size(dim);
        Layouts.Packed p = Layouts.pack(Layouts.drop(y.shape(), dim),
                new int[][] {Layouts.drop(y.strides(), dim), Layouts.drop(gy.strides(), dim),
                        Layouts.drop(gx.strides(), dim)},
                new int[] {y.offset(), gy.offset(), gx.offset()});
        if (p.numel() == 0 || len == 0) {
            return;
        }
        kernels.launch("reduce", "softmax_backward_rows", rowGrid(p.numel()), Dim3.of(BLOCK), 0, log ? 1 : 0,
                p.shape(), p.view(0), p.view(1), p.view(2), len, y.stride(dim), gy.stride(dim), gx.stride(dim),
                base(y), base(gy), base(gx));
    }

    /** One warp per row, eight rows per block. */
    private static Dim3 rowGrid(int rows) {
        return Dim3.of(Math.max(1, Math.min((rows + BLOCK / 32 - 1) / (BLOCK / 32), MAX_GRID)));
    }
}
