package unboxed.backend.float64;

import unboxed.backend.Backend;
import unboxed.backend.BackendProvider;

/** Registers the double-precision reference backend as {@code float64}, for gradient checking and as an oracle. */
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
