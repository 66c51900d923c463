package unboxed.backend;

/** Registers the double-precision reference backend as {@code float64} (test classpath only). */
public final class Float64BackendProvider implements BackendProvider {
    @Override
    public String name() {
        return "float64";
    }

    /** Single-threaded whatever {@code threads} says. */
    @Override
    public Backend create(int threads) {
        return new Float64Backend();
    }
}
