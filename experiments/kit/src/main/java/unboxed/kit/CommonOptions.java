package unboxed.kit;

import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import unboxed.io.Provenance;
import unboxed.io.RepoRoot;

/**
 * The options every experiment main takes, as a picocli mixin:
 *
 * <pre>{@code
 * @Command(name = "01-basics", mixinStandardHelpOptions = true)
 * final class Experiment implements Callable<Integer> {
 *     @Mixin CommonOptions common;
 *     public Integer call() throws Exception {
 *         Provenance p = common.provenance(args);
 *         ...
 *         Results.write(common.out("01-basics").resolve("loss-alternatives.json"), "01-basics", "loss-alternatives", p, results);
 *     }
 * }
 * }</pre>
 */
public final class CommonOptions {
    /** The backends a run can use. */
    public enum BackendChoice { cpu, cuda }

    /** How big a run is: {@code quick} (minutes on 2 CPU cores; what is pinned without a GPU) or {@code full}. */
    public enum Scale { quick, full }

    @Spec(Spec.Target.MIXEE)
    private CommandSpec spec;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "0",
            description = "seed of every random stream (default: ${DEFAULT-VALUE})")
    private long seed;

    @Option(names = "--backend", paramLabel = "NAME", defaultValue = "cpu",
            description = "where tensors live: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE})")
    private BackendChoice backend;

    @Option(names = "--scale", paramLabel = "SIZE", defaultValue = "quick",
            description = "${COMPLETION-CANDIDATES}: quick is sized for minutes on 2 CPU cores (default: ${DEFAULT-VALUE})")
    private Scale scale;

    @Option(names = "--out", paramLabel = "DIR",
            description = "where results files go (default: data/results/<post> under the repository root)")
    private Path out;

    private int threads = Math.max(1, Runtime.getRuntime().availableProcessors());

    @Option(names = "--threads", paramLabel = "N",
            description = "CPU worker threads (default: the available processors)")
    void setThreads(int n) {
        if (n < 1) {
            throw new ParameterException(spec.commandLine(),
                    "Invalid value for option '--threads': must be at least 1, got " + n);
        }
        threads = n;
    }

    public long seed() {
        return seed;
    }

    /** The backend name as the engine takes it ({@code unboxed.backend.Backends.create(name, threads)}). */
    public String backend() {
        return backend.name();
    }

    public Scale scale() {
        return scale;
    }

    public boolean full() {
        return scale == Scale.full;
    }

    public int threads() {
        return threads;
    }

    /**
     * Set by {@link RunPost} to the staging folder it swaps in once the run has finished: while set,
     * {@link #out} returns it, whatever {@code --out} says, so that the command line a results file
     * records stays the one that was typed.
     */
    public static final String STAGING_PROPERTY = "unboxed.out.staging";

    /**
     * Where this run writes its results files: the staging folder of {@link #STAGING_PROPERTY} when a
     * launcher set one, else the {@code --out} directory, else {@code data/results/<post>} under the
     * repository root.
     */
    public Path out(String post) {
        String staging = System.getProperty(STAGING_PROPERTY);
        if (staging != null && !staging.isBlank()) {
            return Paths.get(staging).toAbsolutePath();
        }
        return out != null ? out.toAbsolutePath() : pinnedFolder(post);
    }

    /** The {@code --out} folder as given on the command line, or null when it was not. */
    public Path outOption() {
        return out;
    }

    /** {@code data/results/<post>} under the repository root: where a post's results are pinned. */
    public static Path pinnedFolder(String post) {
        return RepoRoot.get().resolve("data").resolve("results").resolve(post);
    }

    /** Provenance of a run starting now with these options; {@code args} are the main's arguments. */
    public Provenance provenance(String[] args) {
        return Provenance.capture(seed, backend(), scale.name(), threads, commandLine(args));
    }

    /**
     * The command line as it could be retyped: the main class (from the JVM's
     * {@code sun.java.command}) and the arguments, each shell-quoted where needed.
     */
    /** Set by a launcher such as {@link RunPost} to the words that precede the main's own arguments. */
    public static final String LAUNCHER_PROPERTY = "unboxed.launcher";

    public static String commandLine(String[] args) {
        List<String> words = new ArrayList<>();
        String javaCommand = System.getProperty("sun.java.command");
        String launcher = System.getProperty(LAUNCHER_PROPERTY);
        if (launcher != null && !launcher.isBlank()) {
            words.add(launcher);
        } else if (javaCommand != null && !javaCommand.isBlank()) {
            words.add("java " + javaCommand.strip().split("\\s+", 2)[0]);
        } else {
            words.add("java <main>");
        }
        for (String a : args) {
            words.add(shellQuote(a));
        }
        return String.join(" ", words);
    }

    /** {@code s} as one shell word: as it is when it needs no quoting, else in single quotes. */
    public static String shellQuote(String s) {
        if (!s.isEmpty() && s.matches("[A-Za-z0-9_./:=,+@%-]+")) {
            return s;
        }
        return "'" + s.replace("'", "'\\''") + "'";
    }
}
