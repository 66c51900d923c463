package unboxed.data;

import java.nio.file.Path;
import unboxed.io.RepoRoot;

/**
 * Where the datasets live: {@code <repository>/data/datasets/}, the folder {@code make data} fills.
 *
 * <p>Tests and experiment mains run with different working directories (Maven runs a module's
 * tests inside the module folder, the Makefile at the repository root, an IDE anywhere), so the
 * path is resolved from the repository root ({@link RepoRoot}) rather than taken relative to the
 * working directory.
 */
public final class Datasets {
    private Datasets() {
    }

    /** {@code <repository>/data/datasets}; the folder need not exist yet (readers then say to run {@code make data}). */
    public static Path root() {
        return RepoRoot.get().resolve("data").resolve("datasets");
    }
}
