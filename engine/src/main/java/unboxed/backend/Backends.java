package unboxed.backend;

import java.util.Locale;
import unboxed.backend.cpu.CpuBackend;

/**
 * Chooses a backend by name ({@code --backend cpu|cuda}) and holds the default one that new
 * tensors are created on.
 */
public final class Backends {
    private static volatile Backend current;

    private Backends() {
    }

    /** The default backend: the CPU with one thread unless {@link #use} said otherwise. */
    public static Backend current() {
        Backend b = current;
        if (b == null) {
            synchronized (Backends.class) {
                if (current == null) {
                    current = new CpuBackend(1);
                }
                b = current;
            }
        }
        return b;
    }

    /** Makes {@code backend} the default for tensors created from now on. */
    public static void use(Backend backend) {
        current = backend;
    }

    /**
     * A backend by name. {@code threads} applies to the CPU backend (matrix products are split
     * across that many workers; results do not depend on it).
     */
    public static Backend create(String name, int threads) {
        switch (name.toLowerCase(Locale.ROOT)) {
            case "cpu":
                return new CpuBackend(threads);
            case "cuda":
                throw new UnsupportedOperationException("backend 'cuda': the CUDA backend is not part of this build yet;"
                        + " use --backend cpu");
            default:
                throw new IllegalArgumentException("unknown backend '" + name + "': expected one of cpu, cuda");
        }
    }
}
