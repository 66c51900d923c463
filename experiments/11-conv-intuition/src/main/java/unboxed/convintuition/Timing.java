package unboxed.convintuition;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import unboxed.data.DataLoader;
import unboxed.kit.Rounding;
import unboxed.nn.functional.F;
import unboxed.optim.Adam;
import unboxed.tensor.Rng;
import unboxed.tensor.Tensor;

/**
 * The wall-clock time of training: each network trains on MNIST batches of 64, a few steps to warm
 * the JIT and the allocator up, then {@code steps} timed steps (batch, forward, loss, backward,
 * Adam); an epoch of 60,000 images is the median step times the steps it takes. One network at a
 * time, on every thread the backend was given. The machine's load average is recorded before and
 * after, since other work on a shared machine slows every step.
 */
final class Timing {
    private Timing() {
    }

    static Map<String, Object> measure(List<Arch> nets, int steps, long seed, String backend, int threads)
            throws IOException {
        Training.Data data = Training.Data.load("mnist", 4000, 1);
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("backend", backend);
        r.put("threads", threads);
        r.put("batch", Training.BATCH);
        r.put("warmup_steps", Experiment.WARMUP_STEPS);
        r.put("timed_steps", steps);
        r.put("epoch_images", Experiment.EPOCH_IMAGES);
        r.put("load_average_before", Rounding.sig4(load()));
        List<Map<String, Object>> rows = new ArrayList<>();
        int perEpoch = (Experiment.EPOCH_IMAGES + Training.BATCH - 1) / Training.BATCH;
        for (Arch a : nets) {
            Rng rng = new Rng(seed);
            Net net = new Net(a, rng.fork("init"));
            Adam opt = new Adam(net.parameters(), Training.LR);
            DataLoader loader = new DataLoader(data.train(), Training.BATCH, true, true, true, rng.fork("shuffle"));
            double[] seconds = new double[steps];
            int step = 0;
            while (step < Experiment.WARMUP_STEPS + steps) {
                for (DataLoader.Batch b : loader.epoch()) {
                    long t0 = System.nanoTime();
                    Tensor l = F.crossEntropy(net.forward(b.images()), b.labels());
                    net.zeroGrad();
                    l.backward();
                    opt.step();
                    l.item();  // waits for the step to finish on an asynchronous backend
                    long t1 = System.nanoTime();
                    if (step >= Experiment.WARMUP_STEPS) {
                        seconds[step - Experiment.WARMUP_STEPS] = (t1 - t0) / 1e9;
                    }
                    if (++step == Experiment.WARMUP_STEPS + steps) {
                        break;
                    }
                }
            }
            double median = median(seconds);
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("network", a.id());
            row.put("params", a.params());
            row.put("train_flops", a.trainFlops());
            row.put("step_seconds", Rounding.sig4(seconds));
            row.put("median_step_seconds", Rounding.sig4(median));
            row.put("epoch_seconds", Rounding.sig4(median * perEpoch));
            row.put("gflops_per_second", Rounding.sig4(a.trainFlops() * (double) Training.BATCH / median / 1e9));
            rows.add(row);
        }
        r.put("load_average_after", Rounding.sig4(load()));
        r.put("networks", rows);
        return r;
    }

    private static double load() {
        return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    }

    static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        int n = s.length;
        return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    }
}
