package unboxed.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * How a results file was made: the code (git commit, whether the tree had changes), the command
 * line, the seed, backend, scale and thread count, the machine (JDK, CPU, cores, GPU, OS), when it
 * started and how long it took.
 *
 * <p>Written as the {@code "provenance"} object of a results file, keys in this order:
 * {@code git_commit, git_dirty, command, seed, backend, scale, threads, jdk, cpu, cores, gpu, os,
 * started, wall_seconds}. {@link #capture} fills everything but the wall time at the start of a
 * run; {@link #finish} stops the clock just before the results are written.
 */
public final class Provenance {
    /** What {@code git_commit} says when git, or the repository, is not available. */
    public static final String UNKNOWN = "unknown";

    private final String gitCommit;
    private final boolean gitDirty;
    private final String command;
    private final long seed;
    private final String backend;
    private final String scale;
    private final int threads;
    private final String jdk;
    private final String cpu;
    private final int cores;
    private final String gpu;
    private final String os;
    private final Instant started;
    private final long startNanos;
    private Double wallSeconds;

    /** Every field given; prefer {@link #capture}, which measures the machine. */
    public Provenance(String gitCommit, boolean gitDirty, String command, long seed, String backend, String scale,
                      int threads, String jdk, String cpu, int cores, String gpu, String os, Instant started,
                      Double wallSeconds) {
        this.gitCommit = gitCommit;
        this.gitDirty = gitDirty;
        this.command = command;
        this.seed = seed;
        this.backend = backend;
        this.scale = scale;
        this.threads = threads;
        this.jdk = jdk;
        this.cpu = cpu;
        this.cores = cores;
        this.gpu = gpu;
        this.os = os;
        this.started = started;
        this.startNanos = System.nanoTime();
        this.wallSeconds = wallSeconds;
    }

    /**
     * The provenance of a run starting now: git commit and dirtiness of the repository root
     * ({@code "unknown"} and dirty when git or the repository cannot be found: a clean tree is
     * never claimed without evidence), JDK, CPU model, cores, OS, start time (UTC, whole seconds)
     * and, for any backend but the host's {@code cpu} (a device backend), the GPU model as
     * nvidia-smi reports it.
     */
    public static Provenance capture(long seed, String backend, String scale, int threads, String commandLine) {
        Path root = RepoRoot.find(rootHint());
        String commit = UNKNOWN;
        boolean dirty = true;
        if (root != null) {
            String head = run(root, List.of("git", "rev-parse", "HEAD"));
            if (head != null && head.strip().matches("[0-9a-f]{40,64}")) {
                commit = head.strip();
                String status = run(root, List.of("git", "status", "--porcelain"));
                dirty = status == null || !status.isBlank();
            }
        }
        String gpu = null;
        if (!"cpu".equalsIgnoreCase(backend)) {
            String smi = run(Paths.get("").toAbsolutePath(),
                    List.of("nvidia-smi", "--query-gpu=name", "--format=csv,noheader"));
            gpu = smi == null || smi.isBlank() ? UNKNOWN : smi.strip().lines().findFirst().orElse(UNKNOWN);
        }
        return new Provenance(commit, dirty, commandLine, seed, backend, scale, threads, jdkDescription(), cpuModel(),
                Runtime.getRuntime().availableProcessors(), gpu, osDescription(),
                Instant.now().truncatedTo(ChronoUnit.SECONDS), null);
    }

    /**
     * The same run's provenance for a further piece of work starting now: git state, command and
     * machine as captured once at the start (the files this run has written since would otherwise
     * make the tree look modified), with a new start time and clock.
     */
    public Provenance restart() {
        return new Provenance(gitCommit, gitDirty, command, seed, backend, scale, threads, jdk, cpu, cores, gpu, os,
                Instant.now().truncatedTo(ChronoUnit.SECONDS), null);
    }

    /** Stops the clock: {@code wall_seconds} is the time since this object was made, in milliseconds' precision. */
    public Provenance finish() {
        long nanos = System.nanoTime() - startNanos;
        this.wallSeconds = Math.round(nanos / 1e6) / 1e3;
        return this;
    }

    /** The {@code "provenance"} object, keys in the documented order. */
    public ObjectNode toJson() {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.put("git_commit", gitCommit);
        n.put("git_dirty", gitDirty);
        n.put("command", command);
        n.put("seed", seed);
        n.put("backend", backend);
        n.put("scale", scale);
        n.put("threads", threads);
        n.put("jdk", jdk);
        n.put("cpu", cpu);
        n.put("cores", cores);
        n.put("gpu", gpu);
        n.put("os", os);
        n.put("started", started == null ? null : started.toString());
        if (wallSeconds == null) {
            n.putNull("wall_seconds");
        } else {
            n.put("wall_seconds", wallSeconds.doubleValue());
        }
        return n;
    }

    /** Reads back a {@code "provenance"} object (missing fields become null / 0 / false). */
    public static Provenance fromJson(JsonNode n) {
        String started = text(n, "started");
        JsonNode wall = n.path("wall_seconds");
        return new Provenance(text(n, "git_commit"), n.path("git_dirty").asBoolean(false), text(n, "command"),
                n.path("seed").asLong(0), text(n, "backend"), text(n, "scale"), n.path("threads").asInt(0),
                text(n, "jdk"), text(n, "cpu"), n.path("cores").asInt(0), text(n, "gpu"), text(n, "os"),
                started == null ? null : Instant.parse(started), wall.isNumber() ? wall.doubleValue() : null);
    }

    public String gitCommit() {
        return gitCommit;
    }

    public boolean gitDirty() {
        return gitDirty;
    }

    public String command() {
        return command;
    }

    public long seed() {
        return seed;
    }

    public String backend() {
        return backend;
    }

    public String scale() {
        return scale;
    }

    public int threads() {
        return threads;
    }

    public String jdk() {
        return jdk;
    }

    public String cpu() {
        return cpu;
    }

    public int cores() {
        return cores;
    }

    /** The GPU model, or null when no GPU was used. */
    public String gpu() {
        return gpu;
    }

    public String os() {
        return os;
    }

    public Instant started() {
        return started;
    }

    /** Seconds from capture to {@link #finish}, or null while the run is still going. */
    public Double wallSeconds() {
        return wallSeconds;
    }

    @Override
    public String toString() {
        return toJson().toString();
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }

    private static Path rootHint() {
        String property = System.getProperty(RepoRoot.PROPERTY);
        if (property != null && !property.isBlank() && !property.contains("${")) {
            return Paths.get(property);
        }
        return Paths.get("").toAbsolutePath();
    }

    private static String jdkDescription() {
        return System.getProperty("java.vm.name", "?") + " " + System.getProperty("java.runtime.version", "?");
    }

    private static String osDescription() {
        return System.getProperty("os.name", "?") + " " + System.getProperty("os.version", "?") + " "
                + System.getProperty("os.arch", "?");
    }

    /** "model name" from /proc/cpuinfo (Linux), else the architecture. */
    static String cpuModel() {
        Path cpuinfo = Paths.get("/proc/cpuinfo");
        if (Files.isReadable(cpuinfo)) {
            try {
                for (String line : Files.readAllLines(cpuinfo, StandardCharsets.UTF_8)) {
                    int colon = line.indexOf(':');
                    if (colon > 0 && line.substring(0, colon).strip().toLowerCase(Locale.ROOT).equals("model name")) {
                        return line.substring(colon + 1).strip();
                    }
                }
            } catch (IOException | RuntimeException e) {
                // fall through to the architecture
            }
        }
        return System.getProperty("os.arch", UNKNOWN);
    }

    /** Runs a short command, returning its stdout, or null when it cannot run, fails or takes over 10 s. */
    private static String run(Path dir, List<String> command) {
        try {
            Process p = new ProcessBuilder(command).directory(dir.toFile())
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            p.getOutputStream().close();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            Thread reader = new Thread(() -> {
                try (InputStream in = p.getInputStream()) {
                    in.transferTo(out);
                } catch (IOException e) {
                    // the exit status decides
                }
            }, "provenance-" + command.get(0));
            reader.setDaemon(true);
            reader.start();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return null;
            }
            reader.join(2000);
            return p.exitValue() == 0 ? out.toString(StandardCharsets.UTF_8) : null;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }
}
