package unboxed.data;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where the datasets live: {@code <repository>/data/datasets/}, the folder {@code make data} fills.
 *
 * <p>Tests and experiment mains run with different working directories (Maven runs a module's
 * tests inside the module folder, the Makefile at the repository root, an IDE anywhere), so the
 * path is resolved rather than taken relative to the working directory: first from the system
 * property {@code unboxed.root} (the parent POM passes the repository root to every test JVM),
 * otherwise by walking up from the working directory to the first folder holding both
 * {@code data/} and {@code pom.xml}.
 */
public final class Datasets {
    private Datasets() {
    }

    /** The system property naming the repository root. */
    public static final String ROOT_PROPERTY = "unboxed.root";

    /** {@code <repository>/data/datasets}; the folder need not exist yet (readers then say to run {@code make data}). */
    public static Path root() {
        return repositoryRoot().resolve("data").resolve("datasets");
    }

    /**
     * The repository root: {@code -Dunboxed.root=...} when set, else the nearest folder at or above
     * the working directory that holds {@code data/} and {@code pom.xml}.
     *
     * @throws IllegalStateException when neither finds it, naming the working directory and the fix
     */
    public static Path repositoryRoot() {
        String prop = System.getProperty(ROOT_PROPERTY);
        // an unexpanded "${...}" means Maven did not resolve it; fall back to searching
        if (prop != null && !prop.isBlank() && !prop.contains("${")) {
            return Path.of(prop).toAbsolutePath().normalize();
        }
        return searchUpward(Path.of("").toAbsolutePath().normalize());
    }

    /** The nearest folder at or above {@code start} holding {@code data/} and {@code pom.xml}. */
    static Path searchUpward(Path start) {
        for (Path d = start; d != null; d = d.getParent()) {
            if (Files.isDirectory(d.resolve("data")) && Files.isRegularFile(d.resolve("pom.xml"))) {
                return d;
            }
        }
        throw new IllegalStateException("cannot locate the repository root (a folder with data/ and pom.xml) at or above "
                + start + ": run from inside the repository or pass -D" + ROOT_PROPERTY + "=<repository root>");
    }
}
