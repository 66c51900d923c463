package unboxed.backend;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.ServiceLoader;

/**
 * Finds backends by name among the {@link BackendProvider}s on the classpath and holds the default
 * one that new tensors are created on. The engine itself registers {@code cpu} (the default) and
 * {@code float64} (its double-precision reference, for gradient checks); another module registers
 * another backend by listing its provider under
 * {@code META-INF/services/unboxed.backend.BackendProvider}.
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
                    current = create("cpu", 1);
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

    /** The names of every backend on the classpath, in the order the service loader lists them. */
    public static List<String> available() {
        List<String> names = new ArrayList<>();
        for (BackendProvider p : ServiceLoader.load(BackendProvider.class)) {
            names.add(p.name());
        }
        return names;
    }

    /**
     * A backend by name. {@code threads} applies to backends that run on CPU workers (results do
     * not depend on it).
     *
     * @throws IllegalArgumentException when no backend of that name is on the classpath
     * @throws BackendUnavailableException when it is, but cannot start on this machine
     */
    public static Backend create(String name, int threads) {
        String wanted = name.toLowerCase(Locale.ROOT);
        for (BackendProvider p : ServiceLoader.load(BackendProvider.class)) {
            if (p.name().equals(wanted)) {
                return p.create(threads);
            }
        }
        throw new IllegalArgumentException("unknown backend '" + name + "': the backends on the classpath are "
                + String.join(", ", available()) + " (a backend module registers itself through"
                + " META-INF/services/" + BackendProvider.class.getName() + ")");
    }
}
