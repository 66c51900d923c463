package unboxed.backend;

/** A backend that exists but cannot start on this machine (no device, no driver); the message says why in one sentence. */
public final class BackendUnavailableException extends RuntimeException {
    public BackendUnavailableException(String message) {
        super(message);
    }

    public BackendUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
