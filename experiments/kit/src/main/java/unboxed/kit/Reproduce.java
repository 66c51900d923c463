package unboxed.kit;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Stream;
import unboxed.io.Results;

/**
 * Compares freshly computed results with the pinned ones, bit for bit:
 * {@code java unboxed.kit.Reproduce <pinnedDir> <freshDir>} (what {@code make reproduce POST=...} runs
 * after rerunning the experiments into a temporary folder).
 *
 * <p>For every {@code *.json} in {@code pinnedDir} the {@code "results"} subtrees are compared value
 * by value, numbers by the exact text the writer gave them (so a one-ulp change is a difference,
 * and no rounding hides one). A file missing on either side is a difference. {@code "provenance"}
 * is not compared (times and machines differ by nature), but both command lines are printed for
 * the record. Files whose names start with {@code bench} (benchmarks) or {@code timing} (wall-clock
 * times an experiment measured) hold timings and are skipped.
 *
 * <p>Prints each difference as {@code file: /json/pointer: pinned X, fresh Y} (at most
 * {@value #MAX_SHOWN} per file, then a count) and ends with {@code reproduced: N files identical}
 * or a count of the differences. Exit code 0 only when everything compared is identical; 1 when
 * anything differs or nothing could be compared; 2 for a usage error.
 */
public final class Reproduce {
    /** Differences shown per file before the rest are only counted. */
    public static final int MAX_SHOWN = 20;

    private static final String ABSENT = "(absent)";

    private Reproduce() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out));
    }

    /** Runs the comparison for command-line arguments; returns the exit code. */
    public static int run(String[] args, PrintStream out) {
        if (args.length != 2) {
            out.println("usage: java unboxed.kit.Reproduce <pinnedDir> <freshDir>");
            return 2;
        }
        Path pinned = Paths.get(args[0]);
        Path fresh = Paths.get(args[1]);
        for (Path d : List.of(pinned, fresh)) {
            if (!Files.isDirectory(d)) {
                out.println("error: " + d + " is not a directory"
                        + (d == pinned ? " (no pinned results: run `make experiments POST=<post>` first)" : ""));
                return 2;
            }
        }
        try {
            return compare(pinned, fresh, out);
        } catch (IOException e) {
            out.println("error: " + e.getMessage());
            return 1;
        }
    }

    /** Compares the two folders, printing as described above; returns 0 when identical, else 1. */
    public static int compare(Path pinnedDir, Path freshDir, PrintStream out) throws IOException {
        TreeSet<String> names = new TreeSet<>(jsonFiles(pinnedDir));
        TreeSet<String> freshNames = new TreeSet<>(jsonFiles(freshDir));
        TreeSet<String> all = new TreeSet<>(names);
        all.addAll(freshNames);
        int compared = 0;
        int differing = 0;
        long differences = 0;
        for (String file : all) {
            if (file.startsWith("bench") || file.startsWith("timing")) {
                out.println(file + ": skipped (" + (file.startsWith("bench") ? "benchmark timings" : "wall-clock times")
                        + " are not reproducible by nature)");
                continue;
            }
            compared++;
            if (!freshNames.contains(file)) {
                out.println(file + ": missing from the fresh results (" + freshDir.resolve(file) + ")");
                differing++;
                differences++;
                continue;
            }
            if (!names.contains(file)) {
                out.println(file + ": not pinned, only in the fresh results (" + freshDir.resolve(file) + ")");
                differing++;
                differences++;
                continue;
            }
            Flat a;
            Flat b;
            try {
                a = flatten(pinnedDir.resolve(file));
                b = flatten(freshDir.resolve(file));
            } catch (IOException e) {
                out.println(file + ": cannot compare: " + e.getMessage());
                differing++;
                differences++;
                continue;
            }
            out.println(file + ": command pinned: " + a.command);
            out.println(" ".repeat(file.length()) + "          fresh:  " + b.command);
            List<String> diffs = diff(a.values, b.values);
            if (!diffs.isEmpty()) {
                differing++;
                differences += diffs.size();
                for (int i = 0; i < Math.min(MAX_SHOWN, diffs.size()); i++) {
                    out.println(file + ": " + diffs.get(i));
                }
                if (diffs.size() > MAX_SHOWN) {
                    out.println(file + ": ... and " + (diffs.size() - MAX_SHOWN) + " more differences ("
                            + diffs.size() + " in all)");
                }
            }
        }
        if (compared == 0) {
            out.println("nothing to compare: no results files in " + pinnedDir + " or " + freshDir);
            return 1;
        }
        if (differing == 0) {
            out.println("reproduced: " + compared + " files identical");
            return 0;
        }
        out.println("NOT reproduced: " + differences + " difference" + (differences == 1 ? "" : "s") + " in "
                + differing + " of " + compared + " files");
        return 1;
    }

    /** The differences between two flattened subtrees, pinned order first, then values only the fresh one has. */
    static List<String> diff(Map<String, String> pinned, Map<String, String> fresh) {
        List<String> out = new ArrayList<>();
        for (Map.Entry<String, String> e : pinned.entrySet()) {
            String other = fresh.get(e.getKey());
            if (!e.getValue().equals(other)) {
                out.add(show(e.getKey()) + ": pinned " + e.getValue() + ", fresh " + (other == null ? ABSENT : other));
            }
        }
        for (Map.Entry<String, String> e : fresh.entrySet()) {
            if (!pinned.containsKey(e.getKey())) {
                out.add(show(e.getKey()) + ": pinned " + ABSENT + ", fresh " + e.getValue());
            }
        }
        return out;
    }

    private static String show(String pointer) {
        return pointer.isEmpty() ? "/" : pointer;
    }

    /** A results file reduced to what is compared: leaf values by JSON pointer, plus the command for the record. */
    record Flat(Map<String, String> values, String command) {
    }

    /**
     * Reads a results file into a map from JSON pointer (into {@code "results"}) to the exact JSON
     * text of each leaf: numbers as written, strings quoted, empty objects and arrays as {@code {}} and {@code []}.
     */
    static Flat flatten(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        JsonNode doc = Results.parse(file, bytes);  // format, structure and JSON syntax checked here
        Map<String, String> values = new LinkedHashMap<>();
        try (JsonParser p = Results.mapper().createParser(bytes)) {
            p.nextToken();
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                p.nextToken();
                if (field.equals("results")) {
                    flattenValue(p, "", values);
                } else {
                    p.skipChildren();
                }
            }
        } catch (JsonProcessingException e) {
            throw new IOException("corrupt results file " + file + ": " + e.getOriginalMessage(), e);
        }
        JsonNode cmd = doc.path("provenance").path("command");
        return new Flat(values, cmd.isTextual() ? cmd.asText() : "(no command recorded)");
    }

    private static void flattenValue(JsonParser p, String pointer, Map<String, String> out) throws IOException {
        JsonToken t = p.currentToken();
        switch (t) {
            case START_OBJECT: {
                int n = 0;
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String key = p.currentName().replace("~", "~0").replace("/", "~1");
                    p.nextToken();
                    flattenValue(p, pointer + "/" + key, out);
                    n++;
                }
                if (n == 0) {
                    out.put(pointer, "{}");
                }
                break;
            }
            case START_ARRAY: {
                int i = 0;
                while (p.nextToken() != JsonToken.END_ARRAY) {
                    flattenValue(p, pointer + "/" + i, out);
                    i++;
                }
                if (i == 0) {
                    out.put(pointer, "[]");
                }
                break;
            }
            case VALUE_STRING:
                out.put(pointer, Results.mapper().writeValueAsString(p.getText()));
                break;
            default:
                out.put(pointer, p.getText());  // numbers exactly as written; true, false, null
                break;
        }
    }

    private static List<String> jsonFiles(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(Files::isRegularFile).map(f -> f.getFileName().toString())
                    .filter(n -> n.endsWith(".json") && !n.startsWith(".")).sorted().toList();
        }
    }
}
