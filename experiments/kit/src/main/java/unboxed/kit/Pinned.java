package unboxed.kit;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import unboxed.io.Provenance;
import unboxed.io.RepoRoot;
import unboxed.io.Results;

/**
 * A pinned results file, as a figure or table step reads it: its {@code "results"}, its
 * provenance, the sha256 of its bytes and where it lives, so that every figure and table can say
 * exactly which numbers it was drawn from ({@link #citation()}).
 *
 * <p>A missing or corrupt file throws ({@link Results#read}): a report is never drawn from
 * nothing. The lookups {@link #at}, {@link #doubles} and {@link #number} throw, naming the file
 * and the JSON pointer, when the value is not there.
 */
public final class Pinned {
    private final Path file;
    private final String relativePath;
    private final String post;
    private final String name;
    private final JsonNode results;
    private final JsonNode provenance;
    private final String sha256;

    private Pinned(Path file, String relativePath, JsonNode doc, String sha256) {
        this.file = file;
        this.relativePath = relativePath;
        this.post = doc.path("post").asText();
        this.name = doc.path("name").asText();
        this.results = doc.get("results");
        this.provenance = doc.get("provenance");
        this.sha256 = sha256;
    }

    /** {@code <resultsDir>/<name>.json}. */
    public static Pinned load(Path resultsDir, String name) throws IOException {
        return load(resultsDir.resolve(name + ".json"));
    }

    /** A results file; its path is cited relative to the repository that holds it (else {@link RepoRoot#get()}). */
    public static Pinned load(Path file) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        Path root = parent == null ? null : RepoRoot.find(parent);
        if (root == null) {
            try {
                root = RepoRoot.get();
            } catch (IllegalStateException e) {
                root = null;
            }
        }
        return load(file, root);
    }

    /** A results file, cited relative to {@code repoRoot} (absolute when it lies outside, or {@code repoRoot} is null). */
    public static Pinned load(Path file, Path repoRoot) throws IOException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new java.io.FileNotFoundException(Results.missingMessage(file));
        }
        JsonNode doc = Results.parse(file, bytes);
        return new Pinned(file.toAbsolutePath().normalize(), relative(file, repoRoot), doc, sha256(bytes));
    }

    /** The {@code "results"} subtree. */
    public JsonNode results() {
        return results;
    }

    /** The {@code "provenance"} object as written. */
    public JsonNode provenanceJson() {
        return provenance;
    }

    /** The provenance, parsed. */
    public Provenance provenance() {
        return Provenance.fromJson(provenance);
    }

    /** The sha256 of the file's bytes, 64 lower-case hex digits. */
    public String sha256() {
        return sha256;
    }

    /** The absolute path of the file. */
    public Path file() {
        return file;
    }

    /** The path relative to the repository root, with forward slashes: {@code data/results/01-basics/x.json}. */
    public String relativePath() {
        return relativePath;
    }

    /** The post slug the file says it belongs to. */
    public String post() {
        return post;
    }

    /** The results name the file says it has. */
    public String name() {
        return name;
    }

    /**
     * {@code make experiments POST=<post>}; for benchmark results ("bench*") {@code make bench POST=<post>}
     * ({@code KIND=avx2} for the AVX2 kind's files, bench-avx2-&lt;cpu&gt;) on a machine with that CPU,
     * and for a profile ("bench-profile-*") {@code tools/bench/profile.sh <post>} ({@code --kind avx2}).
     */
    public String regenerateCommand() {
        boolean avx2 = name.matches("bench-(profile-)?avx2(-.*)?");
        if (name.startsWith("bench-profile")) {
            return "tools/bench/profile.sh " + post + (avx2 ? " --kind avx2" : "");
        }
        if (name.startsWith("bench")) {
            return "make bench POST=" + post + (avx2 ? " KIND=avx2" : "");
        }
        return "make experiments POST=" + post;
    }

    /**
     * "Source: data/results/01-basics/x.json (sha256 1a2b3c4d…), regenerate with
     * `make experiments POST=01-basics`".
     */
    public String citation() {
        return citation(List.of(this));
    }

    /** One citation for a figure or table drawn from several files (of one post or several). */
    public static String citation(List<Pinned> sources) {
        if (sources.isEmpty()) {
            throw new IllegalArgumentException("a citation needs at least one pinned results file");
        }
        StringBuilder s = new StringBuilder(sources.size() == 1 ? "Source: " : "Sources: ");
        for (int i = 0; i < sources.size(); i++) {
            Pinned p = sources.get(i);
            if (i > 0) {
                s.append(", ");
            }
            s.append(p.relativePath).append(" (sha256 ").append(p.sha256, 0, 8).append("…)");
        }
        s.append(", regenerate with ");
        List<String> commands = sources.stream().map(Pinned::regenerateCommand).distinct().toList();
        for (int i = 0; i < commands.size(); i++) {
            s.append(i == 0 ? "" : " and ").append('`').append(commands.get(i)).append('`');
        }
        return s.toString();
    }

    /** The value at a JSON pointer into {@code "results"} (e.g. {@code /curves/sgd/loss}); throws when absent. */
    public JsonNode at(String pointer) {
        JsonNode n = results.at(pointer);
        if (n.isMissingNode()) {
            throw new IllegalArgumentException("no value at " + pointer + " in the results of " + relativePath
                    + ": regenerate with `" + regenerateCommand() + "` or fix the figure step");
        }
        return n;
    }

    /** The array of numbers at a JSON pointer into {@code "results"}; throws when absent, empty or not all numbers. */
    public double[] doubles(String pointer) {
        JsonNode n = at(pointer);
        if (!n.isArray() || n.isEmpty()) {
            throw new IllegalArgumentException("expected a non-empty array of numbers at " + pointer + " in "
                    + relativePath + ", found " + describe(n));
        }
        double[] out = new double[n.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = number(n.get(i), pointer + "/" + i);
        }
        return out;
    }

    /** The number at a JSON pointer into {@code "results"}; {@code "NaN"} and {@code "Infinity"} strings are numbers. */
    public double number(String pointer) {
        return number(at(pointer), pointer);
    }

    private double number(JsonNode n, String pointer) {
        if (n.isNumber()) {
            return n.doubleValue();
        }
        if (n.isTextual()) {
            switch (n.asText()) {
                case "NaN": return Double.NaN;
                case "Infinity": return Double.POSITIVE_INFINITY;
                case "-Infinity": return Double.NEGATIVE_INFINITY;
                default: break;
            }
        }
        throw new IllegalArgumentException("expected a number at " + pointer + " in " + relativePath + ", found "
                + describe(n));
    }

    private static String describe(JsonNode n) {
        String s = n.toString();
        return n.getNodeType().toString().toLowerCase(java.util.Locale.ROOT) + " "
                + (s.length() > 60 ? s.substring(0, 60) + "…" : s);
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    static String relative(Path file, Path repoRoot) {
        Path abs = file.toAbsolutePath().normalize();
        if (repoRoot != null) {
            Path root = repoRoot.toAbsolutePath().normalize();
            if (abs.startsWith(root)) {
                return root.relativize(abs).toString().replace('\\', '/');
            }
        }
        return abs.toString().replace('\\', '/');
    }
}
