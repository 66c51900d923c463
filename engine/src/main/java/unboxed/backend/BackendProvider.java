package unboxed.backend;

/**
 * How a backend makes itself known. Each backend module lists its provider in
 * {@code META-INF/services/unboxed.backend.BackendProvider}; {@link Backends} finds them with
 * {@link java.util.ServiceLoader}, so the engine names no backend but its own CPU one and a GPU
 * backend arrives by putting its jar on the classpath.
 */
public interface BackendProvider {
    /** The name used on command lines ({@code --backend NAME}). */
    String name();

    /**
     * A new backend. {@code threads} is the number of CPU workers where that applies.
     *
     * @throws BackendUnavailableException when this machine cannot run it (no device or driver)
     */
    Backend create(int threads);
}
