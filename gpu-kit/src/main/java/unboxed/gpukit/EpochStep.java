package unboxed.gpukit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import unboxed.backend.Backend;
import unboxed.backend.Backends;
import unboxed.backend.cuda.CudaBackend;
import unboxed.basics.Mlp;
import unboxed.convolutions.Cnn;
import unboxed.data.Dataset;
import unboxed.nn.Module;
import unboxed.nn.functional.F;
import unboxed.optim.Optimizer;
import unboxed.optim.SGD;
import unboxed.tensor.Rng;
import unboxed.tensor.Tensor;

/**
 * One epoch of MNIST training on the GPU, ours and PyTorch's, with the same protocol
 * (tools/gpu/torch_gpu.py states it too): batches of a seeded permutation prepared on the host
 * before timing; per step: upload x and y, forward, cross-entropy, zero the gradients, backward,
 * SGD step, and read the loss (a synchronisation per step, as a training loop that logs does).
 * Also trains the same model from the same initialisation on the CPU for a few steps and reports
 * how far the two backends' losses drift apart: an end-to-end check of every kernel an epoch uses.
 */
final class EpochStep {
    static final int BATCH = 64;
    static final int AGREEMENT_STEPS = 50;

    record Model(String key, String post, String description, Function<Rng, Module> create,
                 Function<Module, Optimizer> optimizer) {
    }

    static final List<Model> MODELS = List.of(
            new Model("mlp_epoch", "01-basics", "post 01's MLP 784-256-10, SGD lr 0.1, batch 64",
                    rng -> Mlp.create(rng), m -> new SGD(m.parameters(), 0.1)),
            new Model("cnn_epoch", "02-convolutions", "post 02's CNN (conv5 16, pool, conv5 32, pool, 1568-128-10), SGD lr 0.01 momentum 0.9,"
                    + " batch 64", rng -> new Cnn(rng.fork("init")),
                    m -> new SGD(m.parameters(), 0.01, 0.9, 0, 0, false, false)));

    private EpochStep() {
    }

    /** {@code 01-basics/gpu-epoch-mlp} and {@code 02-convolutions/gpu-epoch-cnn}: each post gets its own model's epoch. */
    static Map<String, ObjectNode> run(GpuCheck check, CudaBackend cuda) throws IOException {
        ObjectNode all = both(check, cuda);
        Map<String, ObjectNode> files = new LinkedHashMap<>();
        for (Model m : MODELS) {
            ObjectNode r = GpuCheck.JSON.createObjectNode();
            r.set("protocol", all.get("protocol"));
            r.set(m.key(), all.get(m.key()));
            files.put(m.post() + "/gpu-epoch-" + m.key().replace("_epoch", ""), r);
        }
        return files;
    }

    static ObjectNode both(GpuCheck check, CudaBackend cuda) throws IOException {
        Dataset train = Dataset.mnist(datasetsRoot(Paths.get(check.option("mnist", "data/datasets/mnist"))), true);
        int repeats = check.quick() ? 1 : 3;
        List<float[][]> batches = prepare(train, 0);
        JsonNode torch = check.torch();
        ObjectNode result = GpuCheck.JSON.createObjectNode();
        result.put("protocol", "batches of a seeded permutation (batch " + BATCH + ", " + batches.size()
                + " steps) prepared on the host before timing; per step: upload x and y, forward, cross-entropy,"
                + " zero the gradients, backward, SGD step, read the loss; one warm-up epoch, then " + repeats
                + " timed epochs (wall clock)");
        for (Model m : MODELS) {
            ObjectNode r = result.putObject(m.key());
            r.put("model", m.description());
            try {
                Backends.use(cuda);
                Module model = m.create().apply(new Rng(0));
                Optimizer opt = m.optimizer().apply(model);
                double warm = epoch(cuda, model, opt, batches, null);
                double[] secs = new double[repeats];
                float[] last = new float[1];
                for (int i = 0; i < repeats; i++) {
                    secs[i] = epoch(cuda, model, opt, batches, last);
                }
                r.put("warmup_s", warm);
                r.putPOJO("samples_s", GpuCheck.list(secs));
                r.put("median_s", Stats.median(secs));
                r.put("steps", batches.size());
                r.put("steps_per_s", batches.size() / Stats.median(secs));
                r.put("final_loss", last[0]);
                r.put("kernel_launches_per_step", launchesPerStep(cuda, model, opt, batches));
                GpuCheck.log(m.key() + ": " + String.format("%.3f s per epoch on cuda", Stats.median(secs)));
                JsonNode peer = torch == null ? null : torch.path("results").path(m.key());
                if (peer != null && peer.has("samples_s")) {
                    double[] ps = new double[peer.get("samples_s").size()];
                    for (int i = 0; i < ps.length; i++) {
                        ps[i] = peer.get("samples_s").get(i).asDouble();
                    }
                    r.put("torch_median_s", Stats.median(ps));
                    // the target: our epoch no slower than PyTorch eager's (ratio torch/ours >= 1)
                    r.set("speed_ratio_vs_torch", Stats.ratio(secs, ps, m.key().equals("mlp_epoch") ? 1.0 : null));
                }
                r.set("cpu_agreement", agreement(cuda, m, batches));
            } catch (RuntimeException e) {
                r.put("error", e.toString());
                GpuCheck.log(m.key() + " failed: " + e);
                e.printStackTrace();
            }
        }
        return result;
    }

    /** One epoch; returns its wall-clock seconds and leaves the last loss in {@code last}. */
    static double epoch(Backend backend, Module model, Optimizer opt, List<float[][]> batches, float[] last) {
        long t0 = System.nanoTime();
        float loss = Float.NaN;
        for (float[][] b : batches) {
            loss = step(backend, model, opt, b);
        }
        backend.synchronize();
        if (last != null) {
            last[0] = loss;
        }
        return (System.nanoTime() - t0) / 1e9;
    }

    static float step(Backend backend, Module model, Optimizer opt, float[][] b) {
        int n = b[1].length;
        Tensor x = Tensor.of(backend, b[0], n, Mlp.INPUT);
        Tensor y = Tensor.of(backend, b[1], n);
        Tensor loss = F.crossEntropy(model.forward(x), y);
        opt.zeroGrad();
        loss.backward();
        opt.step();
        return loss.item();
    }

    static double launchesPerStep(CudaBackend cuda, Module model, Optimizer opt, List<float[][]> batches) {
        long before = cuda.kernels().launches();
        int steps = Math.min(20, batches.size());
        for (int i = 0; i < steps; i++) {
            step(cuda, model, opt, batches.get(i));
        }
        return (cuda.kernels().launches() - before) / (double) steps;
    }

    /** The same model, initialisation and batches on the CPU and on cuda: the largest loss difference over the first steps. */
    static ObjectNode agreement(CudaBackend cuda, Model m, List<float[][]> batches) {
        Backend cpu = Backends.create("cpu", Runtime.getRuntime().availableProcessors());
        double[] diffs = new double[AGREEMENT_STEPS];
        float[][] losses = new float[2][AGREEMENT_STEPS];
        Backend[] backends = {cpu, cuda};
        for (int k = 0; k < 2; k++) {
            Backends.use(backends[k]);
            Module model = m.create().apply(new Rng(0));
            Optimizer opt = m.optimizer().apply(model);
            for (int i = 0; i < AGREEMENT_STEPS; i++) {
                losses[k][i] = step(backends[k], model, opt, batches.get(i));
            }
        }
        Backends.use(cuda);
        cpu.close(); // its worker threads, which would otherwise idle until the JVM exits
        double max = 0;
        for (int i = 0; i < AGREEMENT_STEPS; i++) {
            diffs[i] = Math.abs(losses[0][i] - losses[1][i]);
            max = Math.max(max, diffs[i]);
        }
        ObjectNode r = GpuCheck.JSON.createObjectNode();
        r.put("steps", AGREEMENT_STEPS);
        r.put("first_loss_cpu", losses[0][0]);
        r.put("first_loss_cuda", losses[1][0]);
        r.put("last_loss_cpu", losses[0][AGREEMENT_STEPS - 1]);
        r.put("last_loss_cuda", losses[1][AGREEMENT_STEPS - 1]);
        r.put("max_abs_loss_difference", max);
        // float32 rounding differs between the backends' sums; the losses agree to a few 1e-5 unless a kernel is wrong
        r.put("passed", max < 1e-3 && losses[1][0] == losses[1][0]);
        return r;
    }

    /** Host batches of a seeded permutation: [images (n*784), labels (n)] each. */
    static List<float[][]> prepare(Dataset train, long seed) {
        int[] order = new Rng(seed).fork("shuffle").permutation(train.size());
        float[] images = train.images();
        int[] labels = train.labels();
        int d = train.sampleSize();
        List<float[][]> out = new ArrayList<>();
        for (int from = 0; from < order.length; from += BATCH) {
            int n = Math.min(BATCH, order.length - from);
            float[] x = new float[n * d];
            float[] y = new float[n];
            for (int j = 0; j < n; j++) {
                System.arraycopy(images, order[from + j] * d, x, j * d, d);
                y[j] = labels[order[from + j]];
            }
            out.add(new float[][] {x, y});
        }
        return out;
    }

    /** Dataset.mnist wants the folder above mnist/: accept that folder or the mnist folder itself. */
    static Path datasetsRoot(Path dir) throws IOException {
        if (Files.exists(dir.resolve("mnist").resolve("train-images-idx3-ubyte"))) {
            return dir;
        }
        if (Files.exists(dir.resolve("train-images-idx3-ubyte"))) {
            if (dir.getFileName().toString().equals("mnist")) {
                return dir.toAbsolutePath().getParent();
            }
            Path tmp = Files.createTempDirectory("mnist-root");
            Files.createSymbolicLink(tmp.resolve("mnist"), dir.toAbsolutePath());
            return tmp;
        }
        throw new IOException("no MNIST idx files (train-images-idx3-ubyte, ...) in " + dir + " or " + dir.resolve("mnist"));
    }
}
