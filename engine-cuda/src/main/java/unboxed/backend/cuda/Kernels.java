package unboxed.backend.cuda;

import static jcuda.driver.JCudaDriver.cuFuncSetAttribute;
import static jcuda.driver.JCudaDriver.cuLaunchKernel;
import static jcuda.driver.JCudaDriver.cuModuleGetFunction;
import static jcuda.driver.JCudaDriver.cuModuleLoadData;
import static jcuda.driver.JCudaDriver.cuStreamSynchronize;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import jcuda.Pointer;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUfunction;
import jcuda.driver.CUfunction_attribute;
import jcuda.driver.CUmodule;
import jcuda.driver.CUresult;
import jcuda.driver.CUstream;

/**
 * Our kernels: PTX modules loaded from the classpath ({@code unboxed/backend/cuda/ptx/<module>.ptx},
 * generated from {@code src/main/cuda/<module>.cu} by {@code make ptx}), JIT-compiled by the driver
 * for whatever GPU this is on first use, and launched on the backend's stream.
 */
public final class Kernels {
    /** Waits after every launch, so that an asynchronous error names the kernel that caused it. */
    private boolean syncEveryLaunch = Boolean.getBoolean("unboxed.cuda.sync");

    private final CUstream stream;
    private final Map<String, CUmodule> modules = new HashMap<>();
    private final Map<String, CUfunction> functions = new HashMap<>();
    private long launches;

    Kernels(CUstream stream) {
        this.stream = stream;
    }

    /**
     * Waits after every launch from now on (or stops waiting): slower, but an error names the kernel
     * that caused it. {@code -Dunboxed.cuda.sync=true} sets it at start.
     */
    public void syncEveryLaunch(boolean on) {
        syncEveryLaunch = on;
    }

    /** How many kernels were launched so far (the launch-bound cost of small batches shows here). */
    public long launches() {
        return launches;
    }

    /**
     * Launches {@code extern "C"} kernel {@code function} of PTX module {@code module}. Arguments, in
     * the kernel's order: {@link CUdeviceptr} (a device address; {@code new CUdeviceptr()} is the null
     * pointer), {@link Integer}, {@link Float}, {@link Long}, or {@code int[]} (a struct of ints passed
     * by value, such as a {@code Shape} or {@code View} of common.cuh).
     */
    public void launch(String module, String function, Dim3 grid, Dim3 block, int sharedBytes, Object... args) {
        CUfunction f = function(module, function, sharedBytes);
        Pointer[] params = new Pointer[args.length];
        for (int i = 0; i < args.length; i++) {
            params[i] = param(args[i], function, i);
        }
        int r = cuLaunchKernel(f, grid.x(), grid.y(), grid.z(), block.x(), block.y(), block.z(), sharedBytes, stream,
                Pointer.to(params), null);
        launches++;
        if (r != CUresult.CUDA_SUCCESS) {
            throw new CudaException("cuLaunchKernel failed: " + CUresult.stringFor(r) + " (" + r + ") launching "
                    + module + "." + function + " grid " + grid + " block " + block + " shared " + sharedBytes
                    + " bytes", r);
        }
        if (syncEveryLaunch) {
            r = cuStreamSynchronize(stream);
            if (r != CUresult.CUDA_SUCCESS) {
                throw new CudaException(module + "." + function + " failed: " + CUresult.stringFor(r) + " (" + r
                        + ") with grid " + grid + " block " + block + " shared " + sharedBytes + " bytes", r);
            }
        }
    }

    private static Pointer param(Object a, String function, int i) {
        if (a instanceof CUdeviceptr p) {
            return Pointer.to(p);
        } else if (a instanceof Integer v) {
            return Pointer.to(new int[] {v});
        } else if (a instanceof Float v) {
            return Pointer.to(new float[] {v});
        } else if (a instanceof Long v) {
            return Pointer.to(new long[] {v});
        } else if (a instanceof int[] v) {
            return Pointer.to(v);
        }
        throw new IllegalArgumentException("kernel " + function + ": argument " + i + " is a "
                + (a == null ? "null" : a.getClass().getSimpleName())
                + "; pass a CUdeviceptr, Integer, Float, Long or int[] (use new CUdeviceptr() for a null pointer)");
    }

    private CUfunction function(String module, String name, int sharedBytes) {
        String key = module + "." + name;
        CUfunction f = functions.get(key);
        if (f == null) {
            f = new CUfunction();
            Cuda.check("cuModuleGetFunction(" + key + ")", cuModuleGetFunction(f, module(module), name),
                    "(is the kernel declared extern \"C\" in " + module + ".cu, and the PTX regenerated with make ptx?)");
            functions.put(key, f);
        }
        if (sharedBytes > 48 * 1024) {
            // more than 48 KiB of dynamic shared memory is opt-in, per kernel
            Cuda.check("cuFuncSetAttribute(" + key + ", max dynamic shared " + sharedBytes + ")",
                    cuFuncSetAttribute(f, CUfunction_attribute.CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES, sharedBytes));
        }
        return f;
    }

    private CUmodule module(String name) {
        CUmodule m = modules.get(name);
        if (m == null) {
            byte[] ptx = ptx(name);
            m = new CUmodule();
            int r = cuModuleLoadData(m, ptx);
            if (r == CUresult.CUDA_ERROR_UNSUPPORTED_PTX_VERSION) {
                throw new CudaException("cuModuleLoadData(" + name + ".ptx) failed: the driver is older than the PTX"
                        + " (ISA 9.0 from nvcc 13.0 needs driver >= 580); update the driver", r);
            }
            Cuda.check("cuModuleLoadData(" + name + ".ptx)", r);
            modules.put(name, m);
        }
        return m;
    }

    /** The PTX text of a module, NUL-terminated as cuModuleLoadData wants it. */
    static byte[] ptx(String module) {
        String resource = "/unboxed/backend/cuda/ptx/" + module + ".ptx";
        try (InputStream in = Kernels.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("no PTX module '" + module + "' on the classpath (" + resource
                        + "): run make ptx, which compiles engine-cuda/src/main/cuda/" + module + ".cu");
            }
            byte[] text = in.readAllBytes();
            return Arrays.copyOf(text, text.length + 1);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
