package unboxed.kit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import unboxed.io.AtomicFiles;

/**
 * A post's {@code facts.adoc}: every number its prose quotes, as AsciiDoc attributes computed from
 * pinned results, so that no number in a report is typed by hand. The first line cites the
 * results the facts come from.
 */
public final class Facts {
    private Facts() {
    }

    /**
     * Writes {@code outDir/facts.adoc}, one {@code :name: value} line per fact in insertion order.
     * An attribute name may not hold a dot, so dots are dropped from names ({@code normal-0.01}
     * becomes {@code normal-001}).
     */
    public static Path write(Path outDir, List<Pinned> sources, Map<String, String> facts) throws IOException {
        StringBuilder s = new StringBuilder("// Generated from pinned results: ")
                .append(Pinned.citation(sources)).append('\n');
        facts.forEach((k, v) -> s.append(':').append(k.replace(".", "")).append(": ").append(v).append('\n'));
        Path file = outDir.resolve("facts.adoc");
        AtomicFiles.write(file, s.toString().getBytes(StandardCharsets.UTF_8));
        return file;
    }
}
