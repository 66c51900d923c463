package unboxed.kit;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import unboxed.io.AtomicFiles;

/**
 * Replaces a folder of pinned results whole, or not at all.
 *
 * <p>{@link #replace} lets a run write into a staging folder beside the target,
 * {@code <parent>/.staging-<name>-<pid>/} (git-ignored). Only when the run has finished and
 * succeeded does it complete that folder and swap it in:
 * <ol>
 *   <li>every entry of the target the run did not write (such as {@code bench.json}, which
 *       {@code make bench} writes and {@code make experiments} does not) is copied into the staging
 *       folder, except {@value #MANIFEST} and hidden entries;</li>
 *   <li>{@value #MANIFEST} is written there, over every {@code *.json} ({@link #manifest});</li>
 *   <li>the target is renamed aside to {@code .staging-<name>-<pid>.old}, the staging folder is
 *       renamed to the target, and the old folder is deleted.</li>
 * </ol>
 * A run that fails, throws, writes nothing or is interrupted leaves the target exactly as it was:
 * its staging folder is deleted (on Ctrl-C by a shutdown hook), and one left behind by a killed
 * process is deleted by the next {@link #replace} of the same target, which also renames an
 * {@code .old} folder back if a killed swap left the target missing.
 *
 * <p>{@code java unboxed.kit.Staging <folder> <file>...} pins files into a folder the same way
 * (what {@code make bench} runs after writing {@code bench.json} to a temporary folder).
 */
public final class Staging {
    /** The checksum manifest of a results folder, in {@code sha256sum}'s format. */
    public static final String MANIFEST = "SHA256SUMS";
    /** Staging folders are named {@code .staging-<target name>-<pid>}. */
    public static final String PREFIX = ".staging-";
    /** The target renamed aside during a swap: {@code .staging-<target name>-<pid>.old}. */
    public static final String ASIDE_SUFFIX = ".old";

    /** What runs into the staging folder; returns an exit code, 0 for success. */
    @FunctionalInterface
    public interface Run {
        int into(Path staging) throws Exception;
    }

    private Staging() {
    }

    /** {@code java unboxed.kit.Staging <folder> <file>...}: copies the files into the folder, staged; exit code 0, 1 or 2 (usage). */
    public static void main(String[] args) {
        System.exit(pinFiles(args, System.err));
    }

    static int pinFiles(String[] args, PrintStream log) {
        if (args.length < 2) {
            log.println("usage: java unboxed.kit.Staging <results folder> <file>...   (copies the files in, rewrites "
                    + MANIFEST + ", swaps the folder whole)");
            return 2;
        }
        Path target = Paths.get(args[0]);
        List<Path> files = new ArrayList<>();
        for (int i = 1; i < args.length; i++) {
            Path f = Paths.get(args[i]);
            if (!Files.isRegularFile(f)) {
                log.println("error: " + f + " is not a file");
                return 2;
            }
            files.add(f);
        }
        try {
            return replace(target, staging -> {
                for (Path f : files) {
                    Files.copy(f, staging.resolve(f.getFileName().toString()), StandardCopyOption.COPY_ATTRIBUTES);
                }
                return 0;
            }, log);
        } catch (Exception e) {
            log.println("error: " + e.getMessage());
            return 1;
        }
    }

    /**
     * Runs {@code run} into a fresh staging folder beside {@code target} and, when it returns 0 having
     * written something, swaps the completed folder in as described above. Returns {@code run}'s exit
     * code; rethrows what it throws. Either way, on anything but success the target is untouched.
     */
    public static int replace(Path target, Run run, PrintStream log) throws Exception {
        Path dir = target.toAbsolutePath().normalize();
        Path parent = dir.getParent();
        if (parent == null) {
            throw new IOException("cannot stage a replacement of " + dir + ": it has no parent folder");
        }
        Files.createDirectories(parent);
        cleanStale(dir, log);
        long pid = ProcessHandle.current().pid();
        Path staging = parent.resolve(PREFIX + dir.getFileName() + "-" + pid);
        Path aside = parent.resolve(staging.getFileName() + ASIDE_SUFFIX);
        deleteRecursively(staging);
        Files.createDirectory(staging);
        Guard guard = new Guard(staging);
        Thread hook = new Thread(guard::abandon, "discard " + staging.getFileName());
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            int code = run.into(staging);
            if (code != 0) {
                log.println("staging: the run failed (exit code " + code + "); " + dir + " is unchanged");
                return code;
            }
            List<String> written = names(staging);
            if (written.isEmpty()) {
                log.println("staging: the run wrote no files; " + dir + " is unchanged");
                return code;
            }
            List<String> kept = keepUnwritten(dir, staging, written);
            writeManifest(staging);
            guard.swap(dir, aside);
            log.println("staging: replaced " + dir + " (written: " + String.join(", ", written)
                    + (kept.isEmpty() ? "" : "; kept: " + String.join(", ", kept)) + ")");
            return code;
        } finally {
            guard.abandon();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook runs (or ran) anyway
            }
        }
    }

    /**
     * The staging folder's state, shared with the shutdown hook: once the swap has begun it is
     * finished, not abandoned; an abandoned staging folder is deleted.
     */
    private static final class Guard {
        private final Path staging;
        private boolean done;

        Guard(Path staging) {
            this.staging = staging;
        }

        synchronized void swap(Path target, Path aside) throws IOException {
            if (done) {
                throw new IOException("interrupted before the swap; " + target + " is unchanged");
            }
            done = true;
            copyPermissions(target, staging);
            boolean hadTarget = Files.exists(target);
            if (hadTarget) {
                Files.move(target, aside, StandardCopyOption.ATOMIC_MOVE);
            }
            try {
                Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException e) {
                if (hadTarget) {
                    Files.move(aside, target, StandardCopyOption.ATOMIC_MOVE);
                }
                deleteQuietly(staging);
                throw e;
            }
            if (hadTarget) {
                deleteRecursively(aside);
            }
        }

        synchronized void abandon() {
            if (!done) {
                done = true;
                deleteQuietly(staging);
            }
        }
    }

    /** Copies the entries of {@code target} that the run did not write into {@code staging}; returns their names. */
    private static List<String> keepUnwritten(Path target, Path staging, List<String> written) throws IOException {
        List<String> kept = new ArrayList<>();
        if (!Files.isDirectory(target)) {
            return kept;
        }
        for (String name : names(target)) {
            if (!written.contains(name) && !name.equals(MANIFEST)) {
                copyRecursively(target.resolve(name), staging.resolve(name));
                kept.add(name);
            }
        }
        return kept;
    }

    /**
     * The manifest of a results folder: one line per {@code *.json} file, sorted by name,
     * {@code <sha256>  <name>}, exactly as {@code sha256sum $(ls *.json | LC_ALL=C sort)} prints it.
     */
    public static String manifest(Path dir) throws IOException {
        StringBuilder s = new StringBuilder();
        for (String name : names(dir)) {
            Path f = dir.resolve(name);
            if (name.endsWith(".json") && Files.isRegularFile(f)) {
                s.append(Pinned.sha256(Files.readAllBytes(f))).append("  ").append(name).append('\n');
            }
        }
        return s.toString();
    }

    /** Writes {@link #manifest} to {@code dir/SHA256SUMS}, atomically. */
    public static void writeManifest(Path dir) throws IOException {
        AtomicFiles.write(dir.resolve(MANIFEST), manifest(dir).getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Deletes the staging folders of {@code target} that earlier processes, no longer running, left
     * behind; renames an {@code .old} folder back to the target when a swap was killed between its
     * two renames.
     */
    static void cleanStale(Path target, PrintStream log) throws IOException {
        Path parent = target.getParent();
        Pattern mine = Pattern.compile(Pattern.quote(PREFIX + target.getFileName() + "-") + "(\\d+)("
                + Pattern.quote(ASIDE_SUFFIX) + ")?");
        List<Path> stale = new ArrayList<>();
        try (Stream<Path> s = Files.list(parent)) {
            for (Path p : s.sorted().toList()) {
                Matcher m = mine.matcher(p.getFileName().toString());
                if (m.matches() && !running(Long.parseLong(m.group(1)))) {
                    stale.add(p);
                }
            }
        }
        for (Path p : stale) {
            if (p.getFileName().toString().endsWith(ASIDE_SUFFIX) && !Files.exists(target)) {
                Files.move(p, target, StandardCopyOption.ATOMIC_MOVE);
                log.println("staging: restored " + target + " from " + p.getFileName() + " (a swap was interrupted)");
            } else {
                deleteRecursively(p);
                log.println("staging: deleted " + p + ", left by an interrupted run");
            }
        }
    }

    private static boolean running(long pid) {
        return pid == ProcessHandle.current().pid() || ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    /** The names in a folder, sorted, without hidden ones (temporary files start with a dot). */
    private static List<String> names(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> !n.startsWith(".")).sorted().toList();
        }
    }

    private static void copyPermissions(Path from, Path to) throws IOException {
        if (!Files.isDirectory(from)) {
            return;
        }
        FileStore store = Files.getFileStore(to);
        if (store.supportsFileAttributeView(PosixFileAttributeView.class)) {
            Files.setPosixFilePermissions(to, Files.getPosixFilePermissions(from));
        }
    }

    private static void copyRecursively(Path from, Path to) throws IOException {
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : s.toList()) {
                Files.copy(p, to.resolve(from.relativize(p).toString()), StandardCopyOption.COPY_ATTRIBUTES);
            }
        }
    }

    static void deleteRecursively(Path p) throws IOException {
        if (!Files.exists(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> s = Files.walk(p)) {
            for (Path q : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(q);
            }
        }
    }

    private static void deleteQuietly(Path p) {
        try {
            deleteRecursively(p);
        } catch (IOException ignored) {
            // a leftover staging folder is deleted by the next run (cleanStale)
        }
    }
}
