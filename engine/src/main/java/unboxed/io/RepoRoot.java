package unboxed.io;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/**
 * Where the repository lives, so that every module finds {@code data/} the same way.
 *
 * <p>The root is the system property {@code unboxed.root} when it is set (Maven passes it to
 * tests and to the mains it runs), otherwise the working directory; from there we walk up to the
 * first directory that holds both {@code pom.xml} and {@code data/}. A checkout that has no
 * {@code data/} yet (before the first results or fixtures are written) is recognised by
 * {@code pom.xml} beside {@code engine/} and {@code experiments/}.
 */
public final class RepoRoot {
    /** The system property that names the repository root. */
    public static final String PROPERTY = "unboxed.root";

    private RepoRoot() {
    }

    /** The repository root; throws {@link IllegalStateException} naming where it looked. */
    public static Path get() {
        String property = System.getProperty(PROPERTY);
        boolean fromProperty = property != null && !property.isBlank() && !property.contains("${");
        Path start = fromProperty ? Paths.get(property) : Paths.get("").toAbsolutePath();
        Path root = find(start);
        if (root == null) {
            throw new IllegalStateException("cannot find the repository root (a directory holding pom.xml and data/)"
                    + " at or above " + start.toAbsolutePath().normalize()
                    + (fromProperty ? " (from -D" + PROPERTY + ")" : " (the working directory)")
                    + ": run from inside the checkout or pass -D" + PROPERTY + "=/path/to/checkout");
        }
        return root;
    }

    /** The nearest directory at or above {@code start} that looks like the repository root, or null. */
    public static Path find(Path start) {
        for (Path dir = start.toAbsolutePath().normalize(); dir != null; dir = dir.getParent()) {
            if (isRoot(dir)) {
                return dir;
            }
        }
        return null;
    }

    private static boolean isRoot(Path dir) {
        if (!Files.isRegularFile(dir.resolve("pom.xml"))) {
            return false;
        }
        return Files.isDirectory(dir.resolve("data"))
                || (Files.isDirectory(dir.resolve("engine")) && Files.isDirectory(dir.resolve("experiments")));
    }
}
