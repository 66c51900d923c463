package unboxed.kit.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.profile.InternalProfiler;
import org.openjdk.jmh.results.AggregationPolicy;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.ScalarResult;
import org.openjdk.jmh.runner.IterationType;

/**
 * The peer takes turns with our benchmark iteration by iteration: a JMH profiler that, in the
 * forked JVM, starts the PyTorch peer as a server ({@code tools/bench/torch_peer.py --serve}) and
 * has it run one iteration of the same work next to each of ours, alternately just before and
 * just after it, on the same cores (the peer inherits the fork's affinity). Its time per call
 * comes back as the secondary result {@code peer} of that iteration (and its CPU time over wall
 * time as {@code peerCpuOverWall}), so that every measured iteration is a pair measured seconds
 * apart, and the speed ratio is taken pair by pair (tools/bench/compare.py).
 *
 * <p>Why: the machines are shared and their speed drifts, by tens of per cent over minutes.
 * Alternating whole processes (one JMH fork, then one peer run) still left minutes between the
 * two sides of a comparison; alternating iterations leaves one.
 *
 * <p>Enabled with {@code -prof unboxed.kit.bench.PeerTurns:TURNS.json}, where TURNS.json (written
 * by tools/bench/run.sh from the bench spec) gives the peer's command and which of our benchmarks
 * (name and parameters) it times with which of its workloads. A benchmark not in the file runs
 * as without the profiler. A peer that fails stops the benchmark with its message: a comparison
 * with a side missing is no comparison.
 */
public final class PeerTurns implements InternalProfiler {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final List<String> command = new ArrayList<>();
    private final JsonNode workloads;
    private Process peer;
    private Writer toPeer;
    private BufferedReader fromPeer;
    /** Iterations of this fork so far, warm-up and measured: even ones have the peer go first. */
    private int iteration;
    private double peerMs = Double.NaN;
    private double peerCpu = Double.NaN;

    public PeerTurns(String initLine) {
        if (initLine == null || initLine.isBlank()) {
            throw new IllegalArgumentException("PeerTurns: expected -prof unboxed.kit.bench.PeerTurns:TURNS.json");
        }
        Path file = Path.of(initLine.trim());
        try {
            JsonNode turns = JSON.readTree(Files.readString(file));
            turns.path("command").forEach(a -> command.add(a.asText()));
            workloads = turns.path("workloads");
        } catch (IOException e) {
            throw new UncheckedIOException("PeerTurns: cannot read " + file, e);
        }
        if (command.isEmpty() || !workloads.isArray()) {
            throw new IllegalArgumentException("PeerTurns: " + file + " needs \"command\" (a list) and \"workloads\"");
        }
    }

    @Override
    public String getDescription() {
        return "the PyTorch peer runs one iteration of the same work beside each of ours (tools/bench/torch_peer.py --serve)";
    }

    /** The peer's workload for this benchmark and its parameters, or null. */
    private String workload(BenchmarkParams params) {
        return workloadFor(workloads, params.getBenchmark(), params::getParam);
    }

    /**
     * The peer's workload for our benchmark (its full name, or ending in the name the file gives:
     * {@code Class.method}) whose parameters include every one the file gives; null when none.
     */
    static String workloadFor(JsonNode workloads, String benchmark, Function<String, String> param) {
        for (JsonNode w : workloads) {
            String ours = w.path("benchmark").asText();
            if (!benchmark.endsWith("." + ours) && !benchmark.equals(ours)) {
                continue;
            }
            boolean same = true;
            for (Iterator<Map.Entry<String, JsonNode>> it = w.path("params").fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> p = it.next();
                same &= p.getValue().asText().equals(param.apply(p.getKey()));
            }
            if (same) {
                return w.path("peer").asText();
            }
        }
        return null;
    }

    @Override
    public void beforeIteration(BenchmarkParams benchmarkParams, IterationParams iterationParams) {
        peerMs = Double.NaN;
        peerCpu = Double.NaN;
        String w = workload(benchmarkParams);
        if (w != null && iteration % 2 == 0) {
            turn(w, benchmarkParams, iterationParams);
        }
    }

    @Override
    public Collection<? extends Result> afterIteration(BenchmarkParams benchmarkParams, IterationParams iterationParams,
                                                       IterationResult result) {
        String w = workload(benchmarkParams);
        if (w == null) {
            return List.of();
        }
        if (iteration % 2 == 1) {
            turn(w, benchmarkParams, iterationParams);
        }
        iteration++;
        if (iterationParams.getType() == IterationType.MEASUREMENT && lastMeasured(benchmarkParams)) {
            stop();
        }
        return List.of(new ScalarResult("peer", peerMs, "ms/op", AggregationPolicy.AVG),
                new ScalarResult("peerCpuOverWall", peerCpu, "", AggregationPolicy.AVG));
    }

    private boolean lastMeasured(BenchmarkParams params) {
        return iteration == params.getWarmup().getCount() + params.getMeasurement().getCount();
    }

    /** One iteration of the peer's workload, as JMH runs ours: for its time, or one call (single shot). */
    private void turn(String workload, BenchmarkParams benchmarkParams, IterationParams iterationParams) {
        double[] reply = turn(workload, iterationParams.getType() == IterationType.MEASUREMENT,
                benchmarkParams.getMode() == org.openjdk.jmh.annotations.Mode.SingleShotTime,
                iterationParams.getTime().convertTo(TimeUnit.MICROSECONDS) / 1e6);
        peerMs = reply[0];
        peerCpu = reply[1];
    }

    /** Asks the peer (started on first use) for one iteration; its ms per call and CPU over wall time. */
    double[] turn(String workload, boolean measured, boolean singleShot, double seconds) {
        ObjectNode request = JSON.createObjectNode();
        request.put("name", workload);
        request.put("measured", measured);
        request.put("single_shot", singleShot);
        request.put("seconds", seconds);
        try {
            start();
            toPeer.write(JSON.writeValueAsString(request) + "\n");
            toPeer.flush();
            String line = fromPeer.readLine();
            if (line == null) {
                throw new IllegalStateException("PeerTurns: the peer exited (" + String.join(" ", command) + ")");
            }
            JsonNode reply = JSON.readTree(line);
            if (reply.has("error")) {
                throw new IllegalStateException("PeerTurns: the peer failed on " + workload + ": " + reply.get("error").asText());
            }
            double ms = reply.path("ms").asDouble(Double.NaN);
            if (!(ms > 0)) {
                throw new IllegalStateException("PeerTurns: the peer answered " + line + " for " + workload + ", no time");
            }
            return new double[] {ms, reply.path("cpu_over_wall").asDouble(Double.NaN)};
        } catch (IOException e) {
            throw new UncheckedIOException("PeerTurns: talking to the peer", e);
        }
    }

    private void start() throws IOException {
        if (peer != null) {
            return;
        }
        // stderr to this JVM's (JMH shows it); the peer inherits the fork's cores and environment
        peer = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        toPeer = new OutputStreamWriter(peer.getOutputStream(), StandardCharsets.UTF_8);
        fromPeer = new BufferedReader(new InputStreamReader(peer.getInputStream(), StandardCharsets.UTF_8));
    }

    /** Closes the peer's input (it writes its results file and exits) and waits for it. */
    void stop() {
        if (peer == null) {
            return;
        }
        try {
            toPeer.close();
            if (!peer.waitFor(120, TimeUnit.SECONDS)) {
                peer.destroyForcibly();
                throw new IllegalStateException("PeerTurns: the peer did not exit within 120 s of its last turn");
            }
            if (peer.exitValue() != 0) {
                throw new IllegalStateException("PeerTurns: the peer exited with status " + peer.exitValue());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("PeerTurns: closing the peer", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("PeerTurns: interrupted waiting for the peer", e);
        } finally {
            peer = null;
        }
    }
}
