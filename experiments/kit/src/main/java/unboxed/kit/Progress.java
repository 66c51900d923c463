package unboxed.kit;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Locale;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * A progress bar on stderr for long runs, closed by try-with-resources:
 *
 * <pre>{@code
 * try (Progress progress = Progress.start("train", steps)) {
 *     for (int i = 0; i < steps; i++) { ...; progress.step(); }
 * }
 * }</pre>
 *
 * <p>On a terminal it is a redrawn bar (me.tongfei.progressbar). When stderr is not a terminal
 * (a log file, CI, {@code make} piped to {@code tee}) it prints one compact line each time another
 * tenth of the work is done, so logs stay short and readable. {@code -Dunboxed.progress=plain}
 * or {@code =bar} forces either form; {@code =off} prints nothing.
 */
public final class Progress implements AutoCloseable {
    /** The forms a progress display takes. */
    public enum Mode { BAR, PLAIN, OFF }

    private final String task;
    private final long total;
    private final Mode mode;
    private final PrintStream out;
    private final ProgressBar bar;
    private final long startNanos = System.nanoTime();
    private long current;
    private int lastTenth;
    private String extra = "";
    private boolean closed;

    private Progress(String task, long total, Mode mode, PrintStream out) {
        this.task = task;
        this.total = total;
        this.mode = mode;
        this.out = out;
        if (mode == Mode.BAR) {
            bar = new ProgressBarBuilder().setTaskName(task).setInitialMax(total > 0 ? total : -1)
                    .setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(250)
                    .setConsumer(new ConsoleProgressBarConsumer(out)).build();
        } else {
            bar = null;
        }
    }

    /** A progress display on stderr for {@code total} steps ({@code total <= 0}: unknown). */
    public static Progress start(String task, long total) {
        return start(task, total, System.err, defaultMode());
    }

    /** A progress display of the given form on {@code out} (tests; special cases). */
    public static Progress start(String task, long total, PrintStream out, Mode mode) {
        return new Progress(task, total, mode, out);
    }

    /** One more step done. */
    public void step() {
        stepBy(1);
    }

    /** {@code n} more steps done. */
    public synchronized void stepBy(long n) {
        stepTo(current + n);
    }

    /** {@code done} steps done in all. */
    public synchronized void stepTo(long done) {
        current = done;
        if (bar != null) {
            bar.stepTo(done);
        } else if (mode == Mode.PLAIN && total > 0) {
            int tenth = (int) Math.min(10, (10 * Math.min(done, total)) / total);
            if (tenth > lastTenth) {
                lastTenth = tenth;
                out.println(line());
            }
        }
    }

    /** A short note shown beside the bar (e.g. the current loss); in plain form, on the next line printed. */
    public synchronized void message(String note) {
        extra = note == null ? "" : note;
        if (bar != null) {
            bar.setExtraMessage(extra);
        }
    }

    /** Steps done so far. */
    public synchronized long current() {
        return current;
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (bar != null) {
            bar.close();
        } else if (mode == Mode.PLAIN && (total <= 0 || lastTenth < 10)) {
            out.println(line());
        }
        out.flush();
    }

    private String line() {
        double elapsed = (System.nanoTime() - startNanos) / 1e9;
        StringBuilder s = new StringBuilder(task).append(": ");
        if (total > 0) {
            long pct = Math.min(100, Math.round(100.0 * Math.min(current, total) / total));
            s.append(pct).append("% (").append(current).append('/').append(total).append(")");
        } else {
            s.append(current).append(" steps");
        }
        s.append(String.format(Locale.ROOT, ", %.1f s elapsed", elapsed));
        if (total > 0 && current > 0 && current < total) {
            s.append(String.format(Locale.ROOT, ", ~%.0f s left", elapsed * (total - current) / current));
        }
        if (!extra.isEmpty()) {
            s.append(", ").append(extra);
        }
        return s.toString();
    }

    /** BAR when stderr is a terminal, PLAIN otherwise; {@code -Dunboxed.progress} overrides. */
    static Mode defaultMode() {
        String forced = System.getProperty("unboxed.progress");
        if (forced != null && !forced.isBlank()) {
            switch (forced.strip().toLowerCase(Locale.ROOT)) {
                case "bar": return Mode.BAR;
                case "off": return Mode.OFF;
                default: return Mode.PLAIN;
            }
        }
        return stderrIsTerminal() ? Mode.BAR : Mode.PLAIN;
    }

    private static boolean stderrIsTerminal() {
        if ("dumb".equals(System.getenv("TERM"))) {
            return false;
        }
        Path fd2 = Paths.get("/proc/self/fd/2");
        if (Files.exists(fd2, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            try {
                String target = Files.readSymbolicLink(fd2).toString();
                return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty");
            } catch (IOException | UnsupportedOperationException e) {
                // fall back on the console check below
            }
        }
        return System.console() != null;
    }
}
