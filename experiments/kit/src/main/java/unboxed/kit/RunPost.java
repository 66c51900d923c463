package unboxed.kit;

import java.io.PrintStream;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Arrays;
import java.util.ServiceLoader;
import java.util.stream.Collectors;

/**
 * {@code RunPost <slug> [options]}: finds the post by its slug among the registered {@link Post}s
 * and runs its experiment main with the remaining options. This is how the Makefile runs any post
 * without knowing its main class.
 *
 * <p>The results folder ({@code --out}, by default {@code data/results/<slug>}) is replaced whole
 * or not at all ({@link Staging}): the experiment writes into a staging folder beside it
 * ({@link CommonOptions#STAGING_PROPERTY} points {@link CommonOptions#out} there), and only when
 * it exits with 0 are the files it did not write (such as {@code bench.json}) copied over,
 * {@code SHA256SUMS} written, and the folder swapped in. A run that fails or is interrupted
 * leaves the folder as it was.
 */
public final class RunPost {
    private RunPost() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 0) {
            System.err.println("usage: RunPost <post slug> [experiment options]");
            System.exit(ExperimentMain.USAGE);
        }
        Post post = null;
        for (Post p : ServiceLoader.load(Post.class)) {
            if (p.slug().equals(args[0])) {
                post = p;
            }
        }
        if (post == null) {
            String known = ServiceLoader.load(Post.class).stream().map(pr -> pr.get().slug()).sorted()
                    .collect(Collectors.joining(", "));
            System.err.println("unknown post '" + args[0] + "' (registered on this classpath: " + known + ")");
            System.exit(ExperimentMain.USAGE);
        }
        String[] rest = Arrays.copyOfRange(args, 1, args.length);
        System.setProperty(CommonOptions.LAUNCHER_PROPERTY, "java " + RunPost.class.getName() + " " + post.slug());
        if (Arrays.asList(rest).contains("--list-points")) {
            // a listing writes nothing: no staging, and the main's own --out names the shard folder
            int code = ExperimentMain.invokeMain(post.experimentMain(), rest);
            if (code == ExperimentMain.USAGE) {
                System.err.println("RunPost: " + post.slug() + "'s experiment takes no --list-points: its runs are not"
                        + " split into sweep points (see unboxed.kit.SweepCommand)");
            }
            System.exit(code);
        }
        System.exit(run(post, rest, System.err));
    }

    /**
     * Runs the post's experiment main with {@code args} into a staging folder and swaps it in over
     * the results folder when the run succeeds; returns the experiment's exit code.
     */
    public static int run(Post post, String[] args, PrintStream log) throws Exception {
        Path target = outOption(args);
        if (target == null) {
            target = CommonOptions.pinnedFolder(post.slug());
        }
        return Staging.replace(target, staging -> {
            String before = System.getProperty(CommonOptions.STAGING_PROPERTY);
            System.setProperty(CommonOptions.STAGING_PROPERTY, staging.toString());
            try {
                return ExperimentMain.invokeMain(post.experimentMain(), args);
            } finally {
                if (before == null) {
                    System.clearProperty(CommonOptions.STAGING_PROPERTY);
                } else {
                    System.setProperty(CommonOptions.STAGING_PROPERTY, before);
                }
            }
        }, log);
    }

    /** The value of {@code --out DIR} or {@code --out=DIR} among the options (the last one wins), or null. */
    static Path outOption(String[] args) {
        Path out = null;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--")) {
                break;
            }
            if (args[i].equals("--out") && i + 1 < args.length) {
                out = Paths.get(args[++i]);
            } else if (args[i].startsWith("--out=")) {
                out = Paths.get(args[i].substring("--out=".length()));
            }
        }
        return out == null ? null : out.toAbsolutePath();
    }
}
