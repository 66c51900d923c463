package unboxed.kit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import unboxed.io.Provenance;
import unboxed.io.Results;

/**
 * A sweep: many independent points (a configuration and a seed, named by an id such as
 * {@code relu-he-s2}), each computed alone into one result, then merged in point order.
 *
 * <p>The same point gives the same result wherever and whenever it runs, so the merged results do
 * not depend on the worker count or on which point finished first:
 * <ul>
 *   <li>{@link #run} computes the points on a local pool of threads and returns their results in
 *       the order of the ids;</li>
 *   <li>{@link #writeShard} writes one point's result as a results file of its own (what a
 *       {@code --point ID} command line of an experiment main does, so that a sweep can be handed,
 *       one command per line, to GNU parallel, a SLURM job array or a Kubernetes indexed Job), and
 *       {@link #readShards} reads such files back in point order, refusing when one is missing.</li>
 * </ul>
 * Both paths give every result as the JSON tree its serialised text reads back to, so a sweep
 * merged from shards is the same, to the bit, as the same sweep run in one process.
 *
 * <p>Thread safety, which the pool relies on: the engine's CPU backend keeps no mutable state
 * beyond atomic memory counters (the matrix product's packing buffers are per thread), the
 * grad mode is per thread, and {@code Backends.current()} is only read; so points may run on
 * several threads at once as long as each builds its own tensors, models and generators, and none
 * calls {@code Backends.use}. A point's result must not depend on anything but its id.
 */
public final class Sweep {
    private Sweep() {
    }

    /**
     * Computes {@code body(id)} for every id on {@code workers} threads (1: on this thread, in
     * order) and returns the results as JSON trees, in the order of {@code ids}. The first failure
     * is rethrown, naming the point, once the points already started have finished.
     */
    public static List<JsonNode> run(List<String> ids, Function<String, Object> body, int workers, String task) {
        checkIds(ids);
        if (workers < 1) {
            throw new IllegalArgumentException("Sweep: workers must be at least 1, got " + workers);
        }
        List<JsonNode> out = new ArrayList<>();
        try (Progress progress = Progress.start(task, ids.size())) {
            if (workers == 1 || ids.size() <= 1) {
                for (String id : ids) {
                    out.add(compute(id, body));
                    progress.step();
                }
                return out;
            }
            AtomicInteger names = new AtomicInteger();
            ExecutorService pool = Executors.newFixedThreadPool(Math.min(workers, ids.size()), r -> {
                Thread t = new Thread(r, "sweep-" + names.incrementAndGet());
                t.setDaemon(true);
                return t;
            });
            try {
                List<Future<JsonNode>> futures = new ArrayList<>();
                for (String id : ids) {
                    futures.add(pool.submit(() -> {
                        JsonNode r = compute(id, body);
                        progress.step();
                        return r;
                    }));
                }
                for (int i = 0; i < futures.size(); i++) {
                    try {
                        out.add(futures.get(i).get());
                    } catch (ExecutionException e) {
                        for (Future<JsonNode> f : futures) {
                            f.cancel(false);
                        }
                        Throwable cause = e.getCause();
                        if (cause instanceof RuntimeException re) {
                            throw re;
                        }
                        throw new IllegalStateException(cause);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new IllegalStateException("Sweep " + task + ": interrupted", e);
                    }
                }
                return out;
            } finally {
                pool.shutdownNow();
            }
        }
    }

    private static JsonNode compute(String id, Function<String, Object> body) {
        try {
            return canonical(body.apply(id));
        } catch (RuntimeException e) {
            throw new IllegalStateException("point " + id + ": " + ExperimentMain.describe(e), e);
        }
    }

    /** A result as the JSON tree its results-file text reads back to (the form every merge uses). */
    public static JsonNode canonical(Object result) {
        try {
            byte[] bytes = Results.writer().writeValueAsBytes(result);
            return Results.mapper().readTree(bytes);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("a sweep point's result cannot be serialised to JSON: "
                    + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The results file of a sweep: its configuration, then every point's {@code "point"} in order.
     * Each point was computed as {@code {"config": ..., "point": ...}}; one computed with another
     * configuration (other --scale or --seed) is refused, naming it.
     */
    public static ObjectNode merge(Object config, String sweep, List<String> ids, List<JsonNode> points) {
        JsonNode expected = canonical(config);
        ObjectNode merged = Results.mapper().createObjectNode();
        merged.set("config", expected);
        ArrayNode arr = merged.putArray("points");
        for (int i = 0; i < points.size(); i++) {
            JsonNode p = points.get(i);
            if (!expected.equals(p.get("config"))) {
                throw new IllegalArgumentException("point " + sweep + "/" + ids.get(i) + " was computed with "
                        + p.get("config") + ", this run's configuration is " + expected + " (same --scale and --seed?)");
            }
            arr.add(p.get("point"));
        }
        return merged;
    }

    /** The seed index k of a point id that ends in {@code -s<k>} (the sweeps' naming). */
    public static int seedIndex(String id) {
        int at = id.lastIndexOf("-s");
        if (at < 0) {
            throw new IllegalArgumentException("Sweep: point id '" + id + "' does not end in -s<seed index>");
        }
        return Integer.parseInt(id.substring(at + 2));
    }

    /** The configuration part of a point id, without its {@code -s<k>} suffix. */
    public static String configOf(String id) {
        seedIndex(id);
        return id.substring(0, id.lastIndexOf("-s"));
    }

    /** The shard file of a point: {@code <dir>/<sweep>--<id>.json}. */
    public static Path shardFile(Path dir, String sweep, String id) {
        return dir.resolve(checkId(sweep) + "--" + checkId(id) + ".json");
    }

    /** Writes one point's result as a results file (name {@code <sweep>--<id>}); returns its path. */
    public static Path writeShard(Path dir, String post, String sweep, String id, Provenance provenance,
                                  Object result) throws IOException {
        Path file = shardFile(dir, sweep, id);
        Files.createDirectories(dir);
        Results.write(file, post, sweep + "--" + id, provenance, canonical(result));
        return file;
    }

    /**
     * The results of every point, read from their shard files in {@code dir}, in the order of
     * {@code ids}; throws, listing them, when shards are missing, and when a shard belongs to
     * another post or point.
     */
    public static List<JsonNode> readShards(Path dir, String post, String sweep, List<String> ids) throws IOException {
        checkIds(ids);
        List<String> missing = new ArrayList<>();
        for (String id : ids) {
            if (!Files.isRegularFile(shardFile(dir, sweep, id))) {
                missing.add(id);
            }
        }
        if (!missing.isEmpty()) {
            throw new IOException("sweep " + sweep + ": " + missing.size() + " of " + ids.size() + " shards missing in "
                    + dir + " (" + String.join(", ", missing.subList(0, Math.min(8, missing.size())))
                    + (missing.size() > 8 ? ", …" : "") + "): run their --point commands first");
        }
        List<JsonNode> out = new ArrayList<>();
        for (String id : ids) {
            Path f = shardFile(dir, sweep, id);
            JsonNode doc = Results.read(f);
            if (!post.equals(doc.path("post").asText()) || !(sweep + "--" + id).equals(doc.path("name").asText())) {
                throw new IOException("shard " + f + " is '" + doc.path("post").asText() + "/"
                        + doc.path("name").asText() + "', expected '" + post + "/" + sweep + "--" + id + "'");
            }
            out.add(doc.get("results"));
        }
        return out;
    }

    private static String checkId(String id) {
        if (id == null || !id.matches("[a-z0-9][a-z0-9.-]*")) {
            throw new IllegalArgumentException("Sweep: id '" + id + "': use lower-case letters, digits, dots and dashes"
                    + " (it becomes part of a file name)");
        }
        return id;
    }

    private static void checkIds(List<String> ids) {
        Set<String> seen = new HashSet<>();
        for (String id : ids) {
            checkId(id);
            if (!seen.add(id)) {
                throw new IllegalArgumentException("Sweep: point id '" + id + "' appears twice");
            }
        }
    }
}
