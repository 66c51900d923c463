package unboxed.backend.cuda;

import static jcuda.driver.JCudaDriver.cuCtxSetCurrent;
import static jcuda.driver.JCudaDriver.cuDeviceGet;
import static jcuda.driver.JCudaDriver.cuDeviceGetAttribute;
import static jcuda.driver.JCudaDriver.cuDeviceGetCount;
import static jcuda.driver.JCudaDriver.cuDeviceGetName;
import static jcuda.driver.JCudaDriver.cuDevicePrimaryCtxReset;
import static jcuda.driver.JCudaDriver.cuDevicePrimaryCtxRetain;
import static jcuda.driver.JCudaDriver.cuDriverGetVersion;
import static jcuda.driver.JCudaDriver.cuInit;

import jcuda.driver.CUcontext;
import jcuda.driver.CUdevice;
import jcuda.driver.CUdevice_attribute;
import jcuda.driver.CUresult;
import unboxed.backend.BackendUnavailableException;

/**
 * The one place that talks to the driver before a backend exists: loads JCuda's JNI library (which
 * links only libcuda.so.1), initialises the driver, picks device 0 and retains its primary context.
 * Every way this can fail on a machine without a GPU becomes one {@link BackendUnavailableException}
 * sentence that says what is missing.
 */
final class Driver {
    /** The driver version the committed PTX (ISA 9.0, from nvcc 13.0) needs: CUDA 13.0, driver 580. */
    static final int MIN_DRIVER_API = 13000;

    record Device(CUdevice device, CUcontext context, String name, int computeMajor, int computeMinor,
                  int driverVersion, int multiprocessors, long totalBytes) {
    }

    private static Device device;

    private Driver() {
    }

    static synchronized Device open() {
        if (device != null) {
            cuCtxSetCurrent(device.context());
            return device;
        }
        try {
            Class.forName("jcuda.driver.JCudaDriver");
        } catch (Throwable e) {
            throw new BackendUnavailableException("libcuda.so.1, the NVIDIA driver's library, is not on this machine"
                    + " (the cuda backend needs an NVIDIA GPU with driver >= 580; use --backend cpu)", e);
        }
        int r;
        try {
            r = cuInit(0);
        } catch (UnsatisfiedLinkError | NoClassDefFoundError | ExceptionInInitializerError e) {
            throw new BackendUnavailableException("libcuda.so.1, the NVIDIA driver's library, is not on this machine"
                    + " (the cuda backend needs an NVIDIA GPU with driver >= 580; use --backend cpu)", e);
        }
        if (r != CUresult.CUDA_SUCCESS) {
            throw new BackendUnavailableException("the NVIDIA driver found no usable GPU"
                    + " (cuInit: " + CUresult.stringFor(r) + "); use --backend cpu");
        }
        int[] count = {0};
        cuDeviceGetCount(count);
        if (count[0] == 0) {
            throw new BackendUnavailableException("the NVIDIA driver sees no GPU; use --backend cpu");
        }
        int[] version = {0};
        cuDriverGetVersion(version);
        if (version[0] < MIN_DRIVER_API) {
            throw new BackendUnavailableException("the NVIDIA driver supports CUDA "
                    + version[0] / 1000 + "." + version[0] % 1000 / 10 + ", and our PTX needs CUDA 13.0 (driver >= 580);"
                    + " update the driver, or use --backend cpu");
        }
        CUdevice dev = new CUdevice();
        Cuda.check("cuDeviceGet", cuDeviceGet(dev, 0));
        CUcontext ctx = new CUcontext();
        Cuda.check("cuDevicePrimaryCtxRetain", cuDevicePrimaryCtxRetain(ctx, dev));
        Cuda.check("cuCtxSetCurrent", cuCtxSetCurrent(ctx));
        byte[] name = new byte[256];
        cuDeviceGetName(name, name.length, dev);
        String n = new String(name, java.nio.charset.StandardCharsets.US_ASCII).trim().replace("\0", "");
        device = new Device(dev, ctx, n, attribute(dev, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR),
                attribute(dev, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR), version[0],
                attribute(dev, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT), totalMemory(dev));
        return device;
    }

    /**
     * Destroys the primary context and everything in it, the only way out of a sticky error (an
     * illegal address). Every backend and storage created before is dead afterwards.
     */
    static synchronized void reset() {
        if (device != null) {
            cuDevicePrimaryCtxReset(device.device());
            device = null;
        }
    }

    private static long totalMemory(CUdevice dev) {
        long[] bytes = {0};
        Cuda.check("cuDeviceTotalMem", jcuda.driver.JCudaDriver.cuDeviceTotalMem(bytes, dev));
        return bytes[0];
    }

    private static int attribute(CUdevice dev, int attribute) {
        int[] v = {0};
        cuDeviceGetAttribute(v, attribute, dev);
        return v[0];
    }
}
