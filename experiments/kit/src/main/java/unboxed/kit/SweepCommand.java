package unboxed.kit;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import picocli.CommandLine.Option;
import unboxed.backend.Backends;
import unboxed.io.Provenance;
import unboxed.io.Results;

/**
 * The command line of an experiment made of sweeps ({@link Sweep}), as a picocli mixin: which
 * points run at once ({@code --workers}), one point alone as a shard ({@code --point SWEEP/ID}),
 * shards merged into the results files ({@code --merge DIR}), and the command of every point, one
 * per line, for a scheduler ({@code --list-points}). {@link #run} does what they ask; the post only
 * says what its sweeps are ({@link Sweeps}).
 */
public final class SweepCommand {
    @Option(names = "--workers", paramLabel = "N",
            description = "points computed at once, each on one thread (default: --threads; 1 on a GPU backend)")
    Integer workers;

    @Option(names = "--point", paramLabel = "SWEEP/ID",
            description = "compute one point and write it as a shard, <out>/<sweep>--<id>.json")
    String point;

    @Option(names = "--merge", paramLabel = "DIR", description = "merge the shards in DIR into the results files")
    Path merge;

    @Option(names = "--list-points", description = "print the command line of every point, one per line, and exit")
    boolean listPoints;

    /** What a post's sweeps are; P names them (its constants are the sweeps and the results files). */
    public interface Sweeps<P extends Enum<P>> {
        /** The point ids of a sweep, in merge order. */
        List<String> ids(P sweep);

        /** The configuration every point of the sweep is computed with (it heads the results file). */
        Object config(P sweep);

        /**
         * The computation of one point of the sweep, from its id, returning {@code {"config", "point"}};
         * what every point shares (a dataset) is loaded here, once per sweep.
         */
        Function<String, Object> points(P sweep) throws java.io.IOException;

        /**
         * Why the sweep cannot run here (data that cannot be fetched is absent, say), or null when it
         * can. A sweep with a reason is left out, the reason printed, when every sweep runs or is
         * listed; asked for by name ({@code --only}, {@code --point}) it runs, and fails as it will.
         */
        default String skipReason(P sweep) {
            return null;
        }

        /** The sweeps of a post whose points need nothing loaded first: three functions of the sweep. */
        static <P extends Enum<P>> Sweeps<P> of(Function<P, List<String>> ids, Function<P, Object> config,
                                                java.util.function.BiFunction<P, String, Object> point) {
            return new Sweeps<>() {
                @Override
                public List<String> ids(P sweep) {
                    return ids.apply(sweep);
                }

                @Override
                public Object config(P sweep) {
                    return config.apply(sweep);
                }

                @Override
                public Function<String, Object> points(P sweep) {
                    return id -> point.apply(sweep, id);
                }
            };
        }
    }

    /**
     * Whether this command computes the sweeps here, in one process: not one point (--point), a
     * merge of shards (--merge) or a list of points (--list-points). What a post runs besides its
     * sweeps (wall-clock measurements, which need the machine to themselves) runs only then.
     */
    public boolean computesHere() {
        return point == null && merge == null && !listPoints;
    }

    /**
     * Runs the sweeps: every one ({@code only} null) or one, on the workers asked for, into
     * {@code <out>/<sweep>.json}; or one point; or a merge of shards; or the list of points. Sets
     * the default backend (one thread per point when several run at once). Returns the exit code.
     */
    public <P extends Enum<P>> int run(String post, Class<?> main, CommonOptions options, String[] args,
                                       Class<P> type, P only, Sweeps<P> sweeps) throws Exception {
        List<P> parts = new ArrayList<>();
        for (P p : only == null ? Arrays.asList(type.getEnumConstants()) : List.of(only)) {
            String reason = only == null && point == null ? sweeps.skipReason(p) : null;
            if (reason != null) {
                System.err.println(p + ": skipped, " + reason);
            } else {
                parts.add(p);
            }
        }
        boolean cpu = options.backend().equals("cpu");
        int w = workers != null ? workers : (cpu ? options.threads() : 1);
        if (w < 1) {
            throw new IllegalArgumentException("--workers must be at least 1, got " + w);
        }
        if (!cpu && w > 1) {
            throw new IllegalArgumentException("--workers " + w + ": points run one at a time on the " + options.backend()
                    + " backend");
        }
        // each point computes on one thread when several run at once; results do not depend on the thread count
        Backends.use(Backends.create(options.backend(), w > 1 ? 1 : options.threads()));
        Path out = options.out(post);
        Provenance run = options.provenance(args);
        if (listPoints) {
            // the shards go to --out when it is given, else to shards/ under the repository root (tools/java.sh runs there)
            String shards = options.outOption() == null ? "shards"
                    : CommonOptions.shellQuote(options.outOption().toAbsolutePath().toString());
            for (P part : parts) {
                for (String id : sweeps.ids(part)) {
                    System.out.println("tools/java.sh experiments/" + post + " " + main.getName()
                            + " --scale " + options.scale() + " --seed " + options.seed() + " --threads 1"
                            + " --point " + part + "/" + id + " --out " + shards);
                }
            }
            System.out.println("# then: tools/java.sh experiments/" + post + " unboxed.kit.RunPost " + post
                    + " --scale " + options.scale() + " --seed " + options.seed() + " --merge " + shards);
            return 0;
        }
        if (point != null) {
            int slash = point.indexOf('/');
            P part = null;
            for (P p : type.getEnumConstants()) {
                part = slash > 0 && p.name().equals(point.substring(0, slash)) ? p : part;
            }
            if (part == null) {
                throw new IllegalArgumentException("--point " + point + ": expected SWEEP/ID with SWEEP one of "
                        + Arrays.toString(type.getEnumConstants()) + " (--list-points prints every point)");
            }
            String id = point.substring(slash + 1);
            if (!sweeps.ids(part).contains(id)) {
                throw new IllegalArgumentException("--point " + point + ": no such point at --scale " + options.scale()
                        + " (--list-points prints them)");
            }
            Function<String, Object> body = sweeps.points(part);
            Provenance p = run.restart();
            Object r = body.apply(id);
            Path f = Sweep.writeShard(out, post, part.name(), id, p.finish(), r);
            System.err.println("wrote " + f);
            return 0;
        }
        for (P part : parts) {
            Provenance p = run.restart();
            List<String> ids = sweeps.ids(part);
            List<JsonNode> points = merge != null ? Sweep.readShards(merge, post, part.name(), ids)
                    : Sweep.run(ids, sweeps.points(part), w, part.name());
            Results.write(out.resolve(part.name() + ".json"), post, part.name(), p.finish(),
                    Sweep.merge(sweeps.config(part), part.name(), ids, points));
        }
        return 0;
    }
}
