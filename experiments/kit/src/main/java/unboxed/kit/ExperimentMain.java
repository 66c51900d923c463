package unboxed.kit;

import java.io.PrintWriter;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import picocli.CommandLine;
import unboxed.backend.BackendUnavailableException;

/**
 * Runs an experiment main: parses the command line with picocli, runs the command, exits.
 *
 * <pre>{@code
 * public static void main(String[] args) { ExperimentMain.run(new Experiment(), args); }
 * }</pre>
 *
 * <p>Exit codes: the command's own (0 for a {@link Runnable}); 2 for a usage error (the message,
 * then the usage); 1 when the command throws: one line, {@code error: <message>}, with the stack
 * trace only under {@code -Dunboxed.debug=true}.
 *
 * <p>A launcher that must act after the experiment ({@link RunPost} swaps the staged results in)
 * calls the main through {@link #invokeMain}, which returns the exit code instead of exiting.
 */
public final class ExperimentMain {
    /** Exit code of a command that threw. */
    public static final int FAILED = 1;
    /** Exit code of a usage error (unknown option, bad value). */
    public static final int USAGE = 2;

    /** Set while {@link #invokeMain} runs a main on this thread: {@link #run} then returns its code by throwing {@link Exit}. */
    private static final ThreadLocal<Boolean> RETURN_INSTEAD_OF_EXIT = ThreadLocal.withInitial(() -> false);

    /** Carries the exit code of {@link #run} back to {@link #invokeMain}; an Error, so that no {@code catch (Exception)} swallows it. */
    private static final class Exit extends Error {
        private static final long serialVersionUID = 1L;
        final int code;

        Exit(int code) {
            super("exit " + code, null, false, false);
            this.code = code;
        }
    }

    private ExperimentMain() {
    }

    /** Executes {@code command} (a picocli {@code @Command} Runnable or Callable) and exits the JVM with its code. */
    public static void run(Object command, String[] args) {
        PrintWriter out = new PrintWriter(System.out, true);
        PrintWriter err = new PrintWriter(System.err, true);
        int code = execute(command, args, out, err);
        out.flush();
        err.flush();
        if (RETURN_INSTEAD_OF_EXIT.get()) {
            throw new Exit(code);
        }
        System.exit(code);
    }

    /**
     * Calls {@code main.main(args)} on this thread and returns the exit code that {@link #run} would
     * have exited with (0 when the main returns without calling it), instead of ending the JVM.
     * Whatever else the main throws is rethrown as it is.
     */
    public static int invokeMain(Class<?> main, String[] args) throws Exception {
        Method m = main.getMethod("main", String[].class);
        boolean outer = RETURN_INSTEAD_OF_EXIT.get();
        RETURN_INSTEAD_OF_EXIT.set(true);
        try {
            m.invoke(null, (Object) args);
            return 0;
        } catch (InvocationTargetException e) {
            Throwable cause = e.getCause();
            if (cause instanceof Exit) {
                return ((Exit) cause).code;
            }
            if (cause instanceof Exception) {
                throw (Exception) cause;
            }
            if (cause instanceof Error) {
                throw (Error) cause;
            }
            throw e;
        } finally {
            RETURN_INSTEAD_OF_EXIT.set(outer);
        }
    }

    /** As {@link #run} but returns the exit code instead of exiting (tests). */
    public static int execute(Object command, String[] args, PrintWriter out, PrintWriter err) {
        boolean debug = Boolean.getBoolean("unboxed.debug");
        CommandLine cl = new CommandLine(command);
        cl.setOut(out);
        cl.setErr(err);
        cl.setParameterExceptionHandler((ex, a) -> {
            CommandLine c = ex.getCommandLine();
            c.getErr().println("error: " + ex.getMessage());
            if (!CommandLine.UnmatchedArgumentException.printSuggestions(ex, c.getErr())) {
                c.usage(c.getErr());
            }
            c.getErr().flush();
            return USAGE;
        });
        cl.setExecutionExceptionHandler((ex, c, parseResult) -> {
            if (ex instanceof BackendUnavailableException) {
                // a machine without the device asked for: one sentence, no stack trace, a usage-class exit
                c.getErr().println("error: " + ex.getMessage());
                c.getErr().flush();
                return USAGE;
            }
            c.getErr().println("error: " + describe(ex));
            if (debug) {
                ex.printStackTrace(c.getErr());
            } else {
                c.getErr().println("(rerun with -Dunboxed.debug=true for the stack trace)");
            }
            c.getErr().flush();
            return FAILED;
        });
        return cl.execute(args);
    }

    /** The exception's message, or its type where it has none; the root cause's message is added when it says more. */
    static String describe(Throwable ex) {
        String msg = ex.getMessage();
        String head = msg == null || msg.isBlank() ? ex.getClass().getName() : msg;
        Throwable root = ex;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        if (root != ex && root.getMessage() != null && !head.contains(root.getMessage())) {
            head += ": " + root.getMessage();
        }
        return head;
    }
}
