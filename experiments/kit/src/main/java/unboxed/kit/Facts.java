package unboxed.kit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import unboxed.io.AtomicFiles;
import unboxed.io.RepoRoot;

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

    /**
     * How many PyTorch fixture cases a post has, by op (the validation table runs them), as the
     * facts {@code fixture-cases} (a count) and {@code fixture-ops} (`op` count, …).
     */
    public static void fixtures(String post, Map<String, String> facts) throws IOException {
        Path dir = RepoRoot.get().resolve("data").resolve("fixtures").resolve(post);
        Map<String, Integer> ops = new TreeMap<>();
        int n = 0;
        try (var files = Files.list(dir)) {
            for (Path f : files.sorted().toList()) {
                String name = f.getFileName().toString();
                if (name.endsWith(".safetensors")) {
                    ops.merge(name.substring(0, name.indexOf("__")), 1, Integer::sum);
                    n++;
                }
            }
        } catch (NoSuchFileException e) {
            throw new IOException("no fixtures in " + dir + ": export them with `make fixtures`");
        }
        facts.put("fixture-cases", String.valueOf(n));
        List<String> parts = new ArrayList<>();
        ops.forEach((op, c) -> parts.add("`" + op + "` " + c));
        facts.put("fixture-ops", String.join(", ", parts));
    }
}
