package unboxed.kit;

import java.lang.reflect.InvocationTargetException;
import java.util.Arrays;
import java.util.ServiceLoader;
import java.util.stream.Collectors;

/**
 * {@code RunPost <slug> [options]}: finds the post by its slug among the registered {@link Post}s
 * and runs its experiment main with the remaining options. This is how the Makefile runs any post
 * without knowing its main class.
 */
public final class RunPost {
    private RunPost() {
    }

    public static void main(String[] args) throws Throwable {
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
        try {
            post.experimentMain().getMethod("main", String[].class).invoke(null, (Object) rest);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }
}
