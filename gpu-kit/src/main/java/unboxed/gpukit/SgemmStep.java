package unboxed.gpukit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.SplittableRandom;
import jcuda.driver.CUdeviceptr;
import unboxed.backend.Storage;
import unboxed.backend.Strided;
import unboxed.backend.cuda.CudaBackend;
import unboxed.backend.cuda.CudaTimer;
import unboxed.backend.cuda.SgemmKernels;

/**
 * Every SGEMM version, first checked (odd shapes with transposed and broadcast operands, then
 * sampled entries of 4096^3) against a double-precision product on the host, then timed on
 * 4096^3 with CUDA events against cuBLAS (PyTorch's torch.mm, TF32 off and on).
 */
final class SgemmStep {
    static final int N = 4096;
    static final double TARGET = 0.7;

    private SgemmStep() {
    }

    static ObjectNode run(GpuCheck check, CudaBackend cuda) {
        JsonNode torch = check.torch();
        double[] cublas = samples(torch, "sgemm_" + N + "_tf32_off");
        double[] cublasTf32 = samples(torch, "sgemm_" + N + "_tf32_on");
        ObjectNode result = GpuCheck.JSON.createObjectNode();
        result.put("n", N);
        result.put("flops", 2.0 * N * N * N);
        if (cublas != null) {
            result.put("cublas_fp32_median_ms", Stats.median(cublas));
        }
        if (cublasTf32 != null) {
            result.put("cublas_tf32_median_ms", Stats.median(cublasTf32));
        }
        SplittableRandom rng = new SplittableRandom(1);
        float[] a = random(rng, N * N);
        float[] b = random(rng, N * N);
        Storage da = cuda.upload(a);
        Storage db = cuda.upload(b);
        Storage dc = cuda.allocate(N * N);
        ArrayNode versions = result.putArray("versions");
        double best = Double.POSITIVE_INFINITY;
        String bestName = null;
        double[] bestSamples = null;
        try (CudaTimer timer = new CudaTimer(cuda)) {
            for (SgemmKernels.Version v : SgemmKernels.Version.values()) {
                ObjectNode r = versions.addObject();
                r.put("version", v.name());
                r.put("kernel", v.kernel());
                r.put("description", v.description());
                try {
                    r.set("checks", correctness(cuda, v, rng));
                    CUdeviceptr pa = CudaBackend.pointer(Strided.contiguous(da, N, N));
                    CUdeviceptr pb = CudaBackend.pointer(Strided.contiguous(db, N, N));
                    CUdeviceptr pc = CudaBackend.pointer(Strided.contiguous(dc, N, N));
                    Runnable launch = () -> SgemmKernels.run(cuda.kernels(), v, pa, pb, pc, 1, N, N, N, 0, N, 1, 0, N, 1);
                    double[] ms = time(timer, launch, check.quick() ? 3 : 10, 4000);
                    r.set("large_check", sampledCheck(cuda, a, b, dc, rng));
                    double med = Stats.median(ms);
                    r.putPOJO("samples_ms", GpuCheck.list(ms));
                    r.put("median_ms", med);
                    r.put("gflops", 2.0 * N * N * N / (med * 1e6));
                    if (cublas != null) {
                        r.set("speed_vs_cublas_fp32", Stats.ratio(ms, cublas, null));
                    }
                    GpuCheck.log(String.format("sgemm %-14s %8.3f ms %8.0f GFLOP/s", v.name(), med,
                            2.0 * N * N * N / (med * 1e6)));
                    boolean passed = r.get("checks").path("passed").asBoolean() && r.get("large_check").path("passed").asBoolean();
                    r.put("passed", passed);
                    if (passed && med < best) {
                        best = med;
                        bestName = v.name();
                        bestSamples = ms;
                    }
                } catch (RuntimeException e) {
                    r.put("passed", false);
                    r.put("error", e.toString());
                    GpuCheck.log("sgemm " + v.name() + " failed: " + e);
                    if (!FixturesStep.healthy(cuda)) {
                        r.put("device_lost", true);
                        GpuCheck.log("the device is in a sticky error state: the remaining versions cannot run");
                        break;
                    }
                }
            }
        }
        if (bestName != null) {
            ObjectNode t = result.putObject("target");
            t.put("best_version", bestName);
            t.put("best_median_ms", best);
            if (cublas != null) {
                t.set("speed_vs_cublas_fp32", Stats.ratio(bestSamples, cublas, TARGET));
            }
            if (cublasTf32 != null) {
                t.set("speed_vs_cublas_tf32", Stats.ratio(bestSamples, cublasTf32, null));
            }
        }
        return result;
    }

    static double[] samples(JsonNode torch, String key) {
        JsonNode r = torch == null ? null : torch.path("results").path(key);
        if (r == null || !r.has("samples_ms")) {
            return null;
        }
        JsonNode s = r.get("samples_ms");
        double[] out = new double[s.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = s.get(i).asDouble();
        }
        return out;
    }

    /**
     * Warm-up, then CUDA-event samples, up to {@code count} of them or {@code budgetMs} of device
     * time. As on the PyTorch side, a sample times enough back-to-back calls to last about 2 ms
     * and scores their mean, so that short kernels are not measured by the gaps between launches.
     */
    static double[] time(CudaTimer timer, Runnable launch, int count, double budgetMs) {
        double first = timer.millis(launch);
        double second = timer.millis(launch);
        double one = Math.max(Math.min(first, second), 1e-3);
        int calls = (int) Math.max(1, Math.min(1000, Math.ceil(2.0 / one)));
        int n = Math.max(3, Math.min(count, (int) (budgetMs / (one * calls))));
        double[] ms = new double[n];
        for (int i = 0; i < n; i++) {
            ms[i] = timer.millis(() -> {
                for (int c = 0; c < calls; c++) {
                    launch.run();
                }
            }) / calls;
        }
        return ms;
    }

    static float[] random(SplittableRandom rng, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) (rng.nextDouble() * 2 - 1);
        }
        return a;
    }

    /**
     * Small odd shapes, the ones that break tiling: edges not multiples of the tile, a batch of 3
     * with a broadcast (stride 0) B, and transposed operands (v5 requires unit inner strides, and
     * is given only the shapes it supports).
     */
    static ObjectNode correctness(CudaBackend cuda, SgemmKernels.Version v, SplittableRandom rng) {
        int[][] shapes = {{1, 1, 1, 1}, {3, 67, 132, 44}, {2, 129, 65, 33}, {1, 128, 128, 128}, {1, 200, 256, 100}};
        ObjectNode r = GpuCheck.JSON.createObjectNode();
        ArrayNode cases = r.putArray("cases");
        boolean all = true;
        for (int[] s : shapes) {
            for (int layout = 0; layout < 3; layout++) {
                int batch = s[0], m = s[1], n = s[2], k = s[3];
                // layout 0: both row-major; 1: A transposed (column-major); 2: B transposed; B broadcast over the batch when batch > 1
                int sAm = layout == 1 ? 1 : k, sAk = layout == 1 ? m : 1;
                int sBk = layout == 2 ? 1 : n, sBn = layout == 2 ? k : 1;
                int sAb = m * k, sBb = 0;
                if (!SgemmKernels.supports(v, batch, m, n, k, sAb, sAm, sAk, sBb, sBk, sBn, 0L, 0L, 0L)) { // fresh blocks are 512-byte aligned
                    continue;
                }
                float[] a = random(rng, batch * m * k);
                float[] b = random(rng, k * n);
                Storage da = cuda.upload(a);
                Storage db = cuda.upload(b);
                Storage dc = cuda.allocate(batch * m * n);
                SgemmKernels.run(cuda.kernels(), v, CudaBackend.pointer(Strided.contiguous(da, a.length)),
                        CudaBackend.pointer(Strided.contiguous(db, b.length)),
                        CudaBackend.pointer(Strided.contiguous(dc, batch * m * n)), batch, m, n, k, sAb, sAm, sAk, sBb,
                        sBk, sBn);
                float[] c = cuda.download(Strided.contiguous(dc, batch * m * n));
                double worst = 0;
                for (int bt = 0; bt < batch; bt++) {
                    for (int i = 0; i < m; i++) {
                        for (int j = 0; j < n; j++) {
                            double ref = 0, abs = 0;
                            for (int t = 0; t < k; t++) {
                                double p = (double) a[bt * sAb + i * sAm + t * sAk] * b[t * sBk + j * sBn];
                                ref += p;
                                abs += Math.abs(p);
                            }
                            double bound = 2.0 * k * 0x1p-24 * abs + 1e-30;
                            worst = Math.max(worst, Math.abs(c[(bt * m + i) * n + j] - ref) / bound);
                        }
                    }
                }
                ObjectNode cs = cases.addObject();
                cs.put("shape", batch + "x" + m + "x" + n + "x" + k);
                cs.put("layout", layout == 0 ? "row-major" : layout == 1 ? "A transposed" : "B transposed");
                cs.put("worst_error_over_bound", worst);
                cs.put("passed", worst <= 1);
                all &= worst <= 1;
                da.close();
                db.close();
                dc.close();
            }
        }
        r.put("passed", all);
        return r;
    }

    /** 256 random entries of the 4096^3 product against double precision on the host. */
    static ObjectNode sampledCheck(CudaBackend cuda, float[] a, float[] b, Storage dc, SplittableRandom rng) {
        float[] c = cuda.download(Strided.contiguous(dc, N * N));
        double worst = 0;
        for (int s = 0; s < 256; s++) {
            int i = rng.nextInt(N), j = rng.nextInt(N);
            double ref = 0, abs = 0;
            for (int t = 0; t < N; t++) {
                double p = (double) a[i * N + t] * b[t * N + j];
                ref += p;
                abs += Math.abs(p);
            }
            worst = Math.max(worst, Math.abs(c[i * N + j] - ref) / (2.0 * N * 0x1p-24 * abs));
        }
        ObjectNode r = GpuCheck.JSON.createObjectNode();
        r.put("entries", 256);
        r.put("worst_error_over_bound", worst);
        r.put("passed", worst <= 1);
        return r;
    }
}
