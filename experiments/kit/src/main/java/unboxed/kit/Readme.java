package unboxed.kit;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import unboxed.io.AtomicFiles;
import unboxed.io.RepoRoot;

/**
 * The generated lines of README.adoc: what lies between
 *
 * <pre>
 * // BEGIN generated: 01-basics finding
 * ...
 * // END generated
 * </pre>
 *
 * is rewritten from the pinned results, never typed: region {@code <slug> finding} holds
 * {@link Post#finding} of that post, read from {@code data/results/<slug>/}.
 *
 * <p>{@code java unboxed.kit.Readme [--check] [README.adoc]} rewrites the regions (what
 * {@code make reports} runs), or with {@code --check} only says whether they are current (exit 1
 * when not). Every region must have a generator and every post with a finding must have a region;
 * otherwise both modes stop with a message that says which.
 */
public final class Readme {
    /** A region starts with this line, followed by its name. */
    public static final String BEGIN = "// BEGIN generated: ";
    /** And ends with this line. */
    public static final String END = "// END generated";

    private Readme() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out));
    }

    static int run(String[] args, PrintStream out) {
        boolean check = args.length > 0 && args[0].equals("--check");
        int first = check ? 1 : 0;
        if (args.length - first > 1 || (args.length > first && args[first].startsWith("-"))) {
            out.println("usage: java unboxed.kit.Readme [--check] [README.adoc]");
            return 2;
        }
        try {
            Path root = RepoRoot.get();
            Path readme = args.length > first ? Paths.get(args[first]) : root.resolve("README.adoc");
            List<Post> posts = new ArrayList<>();
            ServiceLoader.load(Post.class).forEach(posts::add);
            Map<String, String> regions = regions(posts, root.resolve("data").resolve("results"));
            String text = Files.readString(readme, StandardCharsets.UTF_8);
            String filled = fill(text, regions);
            if (filled.equals(text)) {
                out.println(readme + ": generated lines are current (" + String.join(", ", regions.keySet()) + ")");
                return 0;
            }
            if (check) {
                out.println(readme + ": generated lines differ from the pinned results; run `make reports`:\n"
                        + difference(text, filled));
                return 1;
            }
            AtomicFiles.write(readme, filled.getBytes(StandardCharsets.UTF_8));
            out.println(readme + ": rewrote the generated lines (" + String.join(", ", regions.keySet()) + ")");
            return 0;
        } catch (IOException | IllegalArgumentException | IllegalStateException e) {
            out.println("error: " + e.getMessage());
            return 1;
        }
    }

    /** The generated regions of the posts that have a finding, by region name, in slug order. */
    public static Map<String, String> regions(List<Post> posts, Path resultsRoot) throws IOException {
        List<Post> sorted = new ArrayList<>(posts);
        sorted.sort(Comparator.comparing(Post::slug));
        Map<String, String> regions = new LinkedHashMap<>();
        for (Post p : sorted) {
            String finding = p.finding(resultsRoot.resolve(p.slug()));
            if (finding != null) {
                regions.put(p.slug() + " finding", finding.strip());
            }
        }
        return regions;
    }

    /**
     * {@code text} with the lines of every region replaced by its generated text. Throws, naming the
     * line, when a region has no generator, is not closed, is nested or repeated, when an END has no
     * BEGIN, or when a generated region is missing from the text.
     */
    public static String fill(String text, Map<String, String> regions) {
        String[] lines = text.split("\n", -1);
        StringBuilder out = new StringBuilder();
        Set<String> seen = new LinkedHashSet<>();
        String open = null;
        int openedAt = 0;
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            String bare = line.endsWith("\r") ? line.substring(0, line.length() - 1) : line;
            boolean last = i == lines.length - 1;
            if (bare.startsWith(BEGIN)) {
                String name = bare.substring(BEGIN.length()).strip();
                if (open != null) {
                    throw new IllegalArgumentException("line " + (i + 1) + ": region '" + name + "' begins inside"
                            + " region '" + open + "' (opened on line " + openedAt + ")");
                }
                if (!regions.containsKey(name)) {
                    throw new IllegalArgumentException("line " + (i + 1) + ": no generator for region '" + name
                            + "' (known: " + String.join(", ", regions.keySet()) + ")");
                }
                if (!seen.add(name)) {
                    throw new IllegalArgumentException("line " + (i + 1) + ": region '" + name + "' appears twice");
                }
                open = name;
                openedAt = i + 1;
                out.append(line).append('\n');
                out.append(regions.get(name).strip()).append('\n');
            } else if (bare.equals(END)) {
                if (open == null) {
                    throw new IllegalArgumentException("line " + (i + 1) + ": '" + END + "' without a BEGIN");
                }
                open = null;
                out.append(line).append(last ? "" : "\n");
            } else if (open == null) {
                out.append(line).append(last ? "" : "\n");
            }
        }
        if (open != null) {
            throw new IllegalArgumentException("line " + openedAt + ": region '" + open + "' has no '" + END + "'");
        }
        List<String> missing = new ArrayList<>(regions.keySet());
        missing.removeAll(seen);
        if (!missing.isEmpty()) {
            throw new IllegalArgumentException("no region for " + String.join(", ", missing) + ": add the lines '"
                    + BEGIN + missing.get(0) + "' and '" + END + "' where it belongs");
        }
        return out.toString();
    }

    /** The first differing line of two texts, for a message. */
    public static String difference(String was, String now) {
        String[] a = was.split("\n", -1);
        String[] b = now.split("\n", -1);
        for (int i = 0; i < Math.max(a.length, b.length); i++) {
            String x = i < a.length ? a[i] : "(end of file)";
            String y = i < b.length ? b[i] : "(end of file)";
            if (!x.equals(y)) {
                return "line " + (i + 1) + ":\n  is:        " + x + "\n  should be: " + y;
            }
        }
        return "(they differ only in line endings)";
    }
}
