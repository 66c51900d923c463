package unboxed.gpukit;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import unboxed.backend.Backends;
import unboxed.backend.cuda.CudaBackend;
import unboxed.backend.cuda.CudaException;
import unboxed.fixtures.CaseResult;
import unboxed.fixtures.Verifier;
import unboxed.tensor.Tensor;

/**
 * Every fixture file through the cuda backend, one verdict each. A sticky CUDA error (an illegal
 * address) would fail every later case too, so after a failure the step probes the device, and
 * resets it when it is gone: the later cases still get a fair run.
 */
final class FixturesStep {
    private FixturesStep() {
    }

    static ObjectNode run(GpuCheck check, CudaBackend first) throws IOException {
        Path root = Paths.get(check.option("fixtures", "data/fixtures"));
        List<Path> files;
        try (Stream<Path> s = Files.walk(root)) {
            files = s.filter(p -> p.toString().endsWith(".safetensors")).sorted().toList();
        }
        CudaBackend backend = first;
        // correctness, not speed: wait after every launch, so that a failing kernel is named in its case
        backend.kernels().syncEveryLaunch(true);
        Backends.use(backend);
        ArrayNode cases = GpuCheck.JSON.createArrayNode();
        Map<String, int[]> byOp = new TreeMap<>();
        int passed = 0;
        int resets = 0;
        long t0 = System.nanoTime();
        for (Path f : files) {
            long c0 = System.nanoTime();
            CaseResult r = Verifier.verifyFile(f);
            ObjectNode c = cases.addObject();
            c.put("file", root.relativize(f).toString());
            c.put("op", r.op());
            c.put("passed", r.passed());
            c.put("max_abs_error", r.maxAbsError());
            c.put("max_rel_error", r.maxRelError());
            c.put("message", r.message());
            c.put("seconds", (System.nanoTime() - c0) / 1e9);
            int[] counts = byOp.computeIfAbsent(r.op(), k -> new int[2]);
            counts[r.passed() ? 0 : 1]++;
            if (r.passed()) {
                passed++;
            } else {
                GpuCheck.log("FAIL " + root.relativize(f) + ": " + r.message());
                if (!healthy(backend)) {
                    GpuCheck.log("  the device is in a sticky error state: resetting it for the remaining cases");
                    CudaBackend.resetDevice();
                    backend = new CudaBackend();
                    backend.kernels().syncEveryLaunch(true);
                    Backends.use(backend);
                    c.put("device_reset_after", true);
                    resets++;
                }
            }
        }
        ObjectNode result = GpuCheck.JSON.createObjectNode();
        result.put("fixtures_root", root.toString());
        result.put("cases", files.size());
        result.put("passed", passed);
        result.put("failed", files.size() - passed);
        result.put("device_resets", resets);
        result.put("seconds", (System.nanoTime() - t0) / 1e9);
        ObjectNode ops = result.putObject("by_op");
        byOp.forEach((op, n) -> {
            ObjectNode o = ops.putObject(op);
            o.put("passed", n[0]);
            o.put("failed", n[1]);
        });
        result.set("results", cases);
        GpuCheck.log("fixtures on cuda: " + passed + " passed, " + (files.size() - passed) + " failed of "
                + files.size());
        return result;
    }

    /** Whether the device still answers (a sticky error makes every call fail). */
    static boolean healthy(CudaBackend backend) {
        try {
            Tensor t = Tensor.of(backend, new float[] {1, 2}, 2);
            return t.add(1f).toArray()[1] == 3f;
        } catch (CudaException e) {
            return !e.isSticky();
        } catch (RuntimeException e) {
            return true;
        }
    }
}
