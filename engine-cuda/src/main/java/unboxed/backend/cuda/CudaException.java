package unboxed.backend.cuda;

/**
 * A CUDA driver call that failed. The message names the call, the CUDA error, and for a kernel
 * launch the kernel and its launch shape; an asynchronous error (an illegal address, say) surfaces
 * at the next call that waits for the device, which is why {@code -Dunboxed.cuda.sync=true} exists:
 * it waits after every launch, so the message names the kernel that failed.
 */
public final class CudaException extends RuntimeException {
    private final int code;

    public CudaException(String message, int code) {
        super(message);
        this.code = code;
    }

    /** The driver's CUresult. */
    public int code() {
        return code;
    }

    /**
     * Whether the error leaves the context unusable (every later call fails the same way), as an
     * illegal memory access or a kernel that trapped does; only a device reset recovers from one.
     */
    public boolean isSticky() {
        return code == 700 || code == 701 || code == 702 || code == 708 || code == 709 || code == 710
                || code == 714 || code == 715 || code == 716 || code == 719 || code == 720;
    }
}
