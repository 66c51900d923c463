package unboxed.backend.cpu;

import unboxed.backend.Backend;
import unboxed.backend.BackendProvider;

/** Registers the pure-Java backend as {@code cpu}. */
public final class CpuBackendProvider implements BackendProvider {
    @Override
    public String name() {
        return "cpu";
    }

    @Override
    public Backend create(int threads) {
        return new CpuBackend(threads);
    }
}
