package unboxed.kit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import unboxed.io.RepoRoot;
import unboxed.io.Results;

/**
 * A sweep's points run the way a user who outgrew one machine runs them: the lines of the
 * experiment's {@code --list-points}, one command per point, handed to GNU parallel, each command a
 * JVM of its own writing one shard. {@link SweepCommand}'s {@code --merge} (or {@link Sweep#readShards}
 * and {@link Sweep#merge}) then combines them. A post uses it to show that the merged results are
 * the same bytes whichever way the points ran.
 *
 * <p>The commands are {@code tools/java.sh} lines; they run with {@code UNBOXED_PREBUILT=1}, so that
 * each uses the classpath the build already wrote instead of running Maven again.
 */
public final class GnuParallel {
    /** What to install where GNU parallel is missing. */
    public static final String INSTALL = "apt-get install -y parallel";

    private GnuParallel() {
    }

    /**
     * Lists the points of {@code main} ({@code --list-points} with {@code args}, shards into
     * {@code shardDir}), runs every command under GNU parallel with {@code jobs} jobs from the
     * repository root, and returns how many commands ran. Throws, with the tail of the log, when a
     * command fails, and with the install command when GNU parallel is missing.
     */
    public static int runPoints(String post, Class<?> main, List<String> args, Path shardDir, int jobs) throws IOException {
        if (jobs < 1) {
            throw new IllegalArgumentException("GnuParallel: jobs must be at least 1, got " + jobs);
        }
        requireParallel();
        Path root = RepoRoot.get();
        Files.createDirectories(shardDir);
        Path list = shardDir.resolve("commands.txt");
        Path log = shardDir.resolve("parallel.log");
        StringBuilder cmd = new StringBuilder("set -euo pipefail; tools/java.sh experiments/").append(post).append(' ')
                .append(main.getName()).append(" --list-points");
        for (String a : args) {
            cmd.append(' ').append(CommonOptions.shellQuote(a));
        }
        cmd.append(" --out ").append(CommonOptions.shellQuote(shardDir.toString()))
                .append(" | grep -v '^#' > ").append(CommonOptions.shellQuote(list.toString()))
                .append("; parallel --will-cite --halt now,fail=1 -j ").append(jobs)
                .append(" < ").append(CommonOptions.shellQuote(list.toString()));
        ProcessBuilder pb = new ProcessBuilder("bash", "-c", cmd.toString()).directory(root.toFile())
                .redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("UNBOXED_PREBUILT", "1");
        pb.environment().put("JAVA_OPTS", "-Dunboxed.progress=off");
        int code;
        try {
            code = pb.start().waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while GNU parallel ran the points of " + post, e);
        }
        if (code != 0) {
            throw new IOException("GNU parallel running the points of " + post + " exited with " + code + "; the end"
                    + " of its log:\n" + tail(log, 15));
        }
        int n = 0;
        for (String line : Files.readAllLines(list, StandardCharsets.UTF_8)) {
            n += line.isBlank() ? 0 : 1;
        }
        return n;
    }

    /** Throws, saying how to install it, when {@code parallel} is not on the PATH. */
    public static void requireParallel() throws IOException {
        requireParallel(System.getenv("PATH"));
    }

    /** As {@link #requireParallel()}, looking in the folders of {@code path} (a PATH value). */
    static void requireParallel(String path) throws IOException {
        int code;
        try {
            ProcessBuilder pb = new ProcessBuilder("bash", "-c", "command -v parallel").redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD);
            pb.environment().put("PATH", path == null ? "" : path);
            code = pb.start().waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while looking for GNU parallel", e);
        }
        if (code != 0) {
            throw new IOException("GNU parallel is not installed, and the demonstration runs a sweep's points with it:"
                    + " install it with `" + INSTALL + "` (Debian), then rerun");
        }
    }

    /** The sha256 of a results tree, serialised as a results file holds it. */
    public static String sha256(JsonNode results) {
        try {
            return Pinned.sha256(Results.writer().writeValueAsBytes(results));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("results cannot be serialised: " + e.getOriginalMessage(), e);
        }
    }

    /** Removes a folder and everything under it. */
    public static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    private static String tail(Path log, int lines) {
        try {
            List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", new ArrayList<>(all.subList(Math.max(0, all.size() - lines), all.size())));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }
}
