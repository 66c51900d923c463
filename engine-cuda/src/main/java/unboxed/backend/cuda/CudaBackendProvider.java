package unboxed.backend.cuda;

import unboxed.backend.Backend;
import unboxed.backend.BackendProvider;

/** Registers {@code cuda} with {@link unboxed.backend.Backends} (META-INF/services). */
public final class CudaBackendProvider implements BackendProvider {
    @Override
    public String name() {
        return "cuda";
    }

    @Override
    public Backend create(int threads) {
        return new CudaBackend();
    }
}
