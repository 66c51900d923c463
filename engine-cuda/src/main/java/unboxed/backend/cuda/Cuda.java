package unboxed.backend.cuda;

import jcuda.driver.CUresult;

/** Turns driver return codes into exceptions that name the call. */
final class Cuda {
    private Cuda() {
    }

    static void check(String call, int result) {
        if (result != CUresult.CUDA_SUCCESS) {
            throw new CudaException(call + " failed: " + CUresult.stringFor(result) + " (" + result + ")", result);
        }
    }

    static void check(String call, int result, String context) {
        if (result != CUresult.CUDA_SUCCESS) {
            throw new CudaException(call + " failed: " + CUresult.stringFor(result) + " (" + result + ") " + context,
                    result);
        }
    }
}
