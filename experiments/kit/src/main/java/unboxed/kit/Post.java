package unboxed.kit;

import java.io.IOException;
import java.nio.file.Path;

/**
 * One post of the series, as the site builder sees it. Each post module implements this once and
 * registers it in {@code src/main/resources/META-INF/services/unboxed.kit.Post}.
 */
public interface Post {
    /** {@code "01-basics"}: the folder {@code experiments/<slug>}, {@code data/results/<slug>}, {@code data/fixtures/<slug>}. */
    String slug();

    /** {@code "Basics: ReLU, Linear, the losses and SGD by hand"}. */
    String title();

    /** One sentence for the index page. */
    String summary();

    /**
     * The post's experiment main ({@code public static void main(String[])}, picocli options of
     * {@link CommonOptions}): what {@code make experiments POST=<slug>} and {@code make reproduce}
     * run, through {@link RunPost}.
     */
    Class<?> experimentMain();

    /**
     * Draw every figure and table of the post from pinned results under {@code resultsDir} into
     * {@code outDir} ({@code figures/}, {@code tables/}), with {@link Figures} and {@link Tables}.
     * A missing pinned result throws (see {@link Pinned}); nothing is drawn from a live run.
     */
    void generate(Path resultsDir, Path outDir) throws IOException;

    /**
     * The post's headline finding, one sentence of AsciiDoc computed from the pinned results under
     * {@code resultsDir} (the same numbers its report shows), or null when it has none.
     * {@link Readme} writes it into README.adoc between {@code // BEGIN generated: <slug> finding}
     * and {@code // END generated}, so that no result is quoted there by hand.
     */
    default String finding(Path resultsDir) throws IOException {
        return null;
    }
}
