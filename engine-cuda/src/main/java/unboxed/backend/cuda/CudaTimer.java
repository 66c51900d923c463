package unboxed.backend.cuda;

import static jcuda.driver.JCudaDriver.cuEventCreate;
import static jcuda.driver.JCudaDriver.cuEventDestroy;
import static jcuda.driver.JCudaDriver.cuEventElapsedTime;
import static jcuda.driver.JCudaDriver.cuEventRecord;
import static jcuda.driver.JCudaDriver.cuEventSynchronize;

import jcuda.driver.CUevent;
import jcuda.driver.CUevent_flags;

/**
 * Times work on the backend's stream with CUDA events: the device's own clock between two points
 * in the stream, so host-side launch overhead counts only where it starves the device.
 */
public final class CudaTimer implements AutoCloseable {
    private final CudaBackend backend;
    private final CUevent start = new CUevent();
    private final CUevent stop = new CUevent();

    public CudaTimer(CudaBackend backend) {
        this.backend = backend;
        Cuda.check("cuEventCreate", cuEventCreate(start, CUevent_flags.CU_EVENT_DEFAULT));
        Cuda.check("cuEventCreate", cuEventCreate(stop, CUevent_flags.CU_EVENT_DEFAULT));
    }

    /** Milliseconds the device spent from before {@code work}'s first kernel to after its last. */
    public double millis(Runnable work) {
        Cuda.check("cuEventRecord", cuEventRecord(start, backend.stream()));
        work.run();
        Cuda.check("cuEventRecord", cuEventRecord(stop, backend.stream()));
        Cuda.check("cuEventSynchronize", cuEventSynchronize(stop));
        float[] ms = {0};
        Cuda.check("cuEventElapsedTime", cuEventElapsedTime(ms, start, stop));
        return ms[0];
    }

    @Override
    public void close() {
        cuEventDestroy(start);
        cuEventDestroy(stop);
    }
}
