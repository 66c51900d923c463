package unboxed.gpukit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.SplittableRandom;
import jcuda.driver.CUdeviceptr;
import unboxed.autograd.Autograd;
import unboxed.backend.Backend;
import unboxed.backend.Backends;
import unboxed.backend.Storage;
import unboxed.backend.Strided;
import unboxed.backend.cuda.ConvKernels;
import unboxed.backend.cuda.CudaBackend;
import unboxed.backend.cuda.CudaTimer;
import unboxed.nn.functional.F;
import unboxed.tensor.Tensor;

/**
 * conv2d on post 02's five reference shapes (the fifth, 64x16x14x32x5, the MNIST CNN's second
 * convolution at its training batch): every kernel version (forward, data gradient, weight
 * gradient, bias gradient) and the engine's own path (unfold + SGEMM + bias, through autograd)
 * checked against the CPU backend (itself checked against PyTorch by the fixtures), then timed
 * with CUDA events against cuDNN (PyTorch's F.conv2d, TF32 off).
 */
final class ConvStep {
    /** N x C x HW x K x R: batch, input channels, height = width, output channels, kernel size ('same' padding). */
    static final String[] SHAPES = {"64x3x32x64x3", "64x64x32x64x3", "64x128x16x128x3", "128x1x28x32x5",
            "64x16x14x32x5"};
    static final double FORWARD_TARGET = 0.5;

    record Geometry(int n, int c, int h, int w, int o, int r, int s, int oh, int ow, int pad) {
        static Geometry parse(String name) {
            String[] p = name.split("x");
            int n = Integer.parseInt(p[0]), c = Integer.parseInt(p[1]), hw = Integer.parseInt(p[2]),
                    o = Integer.parseInt(p[3]), r = Integer.parseInt(p[4]);
            return new Geometry(n, c, hw, hw, o, r, r, hw, hw, r / 2);
        }

        long forwardFlops() {
            return 2L * n * o * c * r * s * oh * ow;
        }
    }

    private ConvStep() {
    }

    static ObjectNode run(GpuCheck check, CudaBackend cuda) {
        JsonNode torch = check.torch();
        ObjectNode result = GpuCheck.JSON.createObjectNode();
        ArrayNode shapes = result.putArray("shapes");
        boolean allMet = true;
        for (String name : SHAPES) {
            ObjectNode r = shapes.addObject();
            r.put("shape", name);
            try {
                allMet &= shape(check, cuda, Geometry.parse(name), name, torch, r);
            } catch (RuntimeException e) {
                allMet = false;
                r.put("error", e.toString());
                GpuCheck.log("conv " + name + " failed: " + e);
                e.printStackTrace();
                if (!FixturesStep.healthy(cuda)) {
                    r.put("device_lost", true);
                    break;
                }
            }
        }
        result.put("forward_target", FORWARD_TARGET);
        result.put("forward_target_met_on_every_shape", allMet);
        return result;
    }

    static boolean shape(GpuCheck check, CudaBackend cuda, Geometry g, String name, JsonNode torch, ObjectNode r) {
        SplittableRandom rng = new SplittableRandom(name.hashCode());
        float[] x = SgemmStep.random(rng, g.n * g.c * g.h * g.w);
        float[] w = SgemmStep.random(rng, g.o * g.c * g.r * g.s);
        float[] b = SgemmStep.random(rng, g.o);
        float[] gy = SgemmStep.random(rng, g.n * g.o * g.oh * g.ow);
        r.put("forward_flops", g.forwardFlops());
        Reference ref = Reference.compute(g, x, w, b, gy);

        Storage dx = cuda.upload(x), dw = cuda.upload(w), db = cuda.upload(b), dgy = cuda.upload(gy);
        Storage y = cuda.allocate(gy.length), gx = cuda.allocate(x.length), gw = cuda.allocate(w.length),
                gb = cuda.allocate(b.length);
        CUdeviceptr px = p(dx), pw = p(dw), pb = p(db), pgy = p(dgy), py = p(y), pgx = p(gx), pgw = p(gw), pgb = p(gb);
        double[] cudnnFwd = SgemmStep.samples(torch, "conv_" + name + "_fwd");
        double[] cudnnBoth = SgemmStep.samples(torch, "conv_" + name + "_fwdbwd");
        if (cudnnFwd != null) {
            r.put("cudnn_forward_median_ms", Stats.median(cudnnFwd));
        }
        if (cudnnBoth != null) {
            r.put("cudnn_forward_backward_median_ms", Stats.median(cudnnBoth));
        }
        ArrayNode kernels = r.putArray("kernels");
        double[] bestFwd = null;
        String bestFwdName = null;
        int reps = check.quick() ? 3 : 10;
        try (CudaTimer timer = new CudaTimer(cuda)) {
            for (ConvKernels.Version v : ConvKernels.Version.values()) {
                bestFwd = timed(kernels, "forward " + v.name(), timer, reps, cudnnFwd,
                        () -> ConvKernels.forward(cuda.kernels(), v, px, pw, pb, py, g.n, g.c, g.h, g.w, g.o, g.r, g.s,
                                g.oh, g.ow, 1, 1, g.pad, g.pad, 1, 1),
                        () -> Reference.check(cuda, y, ref.y, ref.yAbs, g.c * g.r * g.s), bestFwd);
                if (bestFwd != null && kernels.get(kernels.size() - 1).path("passed").asBoolean()
                        && (bestFwdName == null || Stats.median(bestFwd) == kernels.get(kernels.size() - 1).path("median_ms").asDouble())) {
                    bestFwdName = v.name();
                }
                timed(kernels, "backward data " + v.name(), timer, reps, null,
                        () -> ConvKernels.backwardData(cuda.kernels(), v, pgy, pw, pgx, g.n, g.c, g.h, g.w, g.o, g.r,
                                g.s, g.oh, g.ow, 1, 1, g.pad, g.pad, 1, 1),
                        () -> Reference.check(cuda, gx, ref.dx, ref.dxAbs, g.o * g.r * g.s), null);
                long wsFloats = ConvKernels.backwardWeightWorkspaceFloats(v, g.n, g.c, g.o, g.r, g.s, g.oh, g.ow);
                Storage ws = wsFloats > 0 ? cuda.allocate((int) wsFloats) : null;
                CUdeviceptr pws = ws == null ? null : p(ws);
                timed(kernels, "backward weight " + v.name(), timer, reps, null,
                        () -> ConvKernels.backwardWeight(cuda.kernels(), v, px, pgy, pgw, pws, g.n, g.c, g.h, g.w, g.o,
                                g.r, g.s, g.oh, g.ow, 1, 1, g.pad, g.pad, 1, 1),
                        () -> Reference.check(cuda, gw, ref.dw, ref.dwAbs, g.n * g.oh * g.ow), null);
                if (ws != null) {
                    ws.close();
                }
            }
            timed(kernels, "backward bias", timer, reps, null,
                    () -> ConvKernels.backwardBias(cuda.kernels(), pgy, pgb, g.n, g.o, g.oh, g.ow),
                    () -> Reference.check(cuda, gb, ref.db, ref.dbAbs, g.n * g.oh * g.ow), null);

            // the engine's own F.conv2d on cuda (unfold + one SGEMM + bias), forward and forward + backward
            Backends.use(cuda);
            Tensor tx = Tensor.of(cuda, x, g.n, g.c, g.h, g.w);
            Tensor tw = Tensor.of(cuda, w, g.o, g.c, g.r, g.s);
            Tensor tb = Tensor.of(cuda, b, g.o);
            Tensor tgy = Tensor.of(cuda, gy, g.n, g.o, g.oh, g.ow);
            Tensor[] out = new Tensor[1];
            double[] engineFwd = timed(kernels, "engine F.conv2d forward (unfold + sgemm + bias)", timer, reps, cudnnFwd,
                    () -> {
                        try (Autograd.GradMode m = Autograd.noGrad()) {
                            out[0] = F.conv2d(tx, tw, tb, g.pad);
                        }
                    },
                    () -> Reference.checkTensor(out[0], ref.y, ref.yAbs, g.c * g.r * g.s), null);
            Tensor vx = tx.detach().requiresGrad(true);
            Tensor vw = tw.detach().requiresGrad(true);
            Tensor vb = tb.detach().requiresGrad(true);
            timed(kernels, "engine F.conv2d forward + backward (autograd)", timer, reps, cudnnBoth,
                    () -> {
                        vx.setGrad(null);
                        vw.setGrad(null);
                        vb.setGrad(null);
                        F.conv2d(vx, vw, vb, g.pad).backward(tgy);
                    },
                    () -> Reference.checkTensor(vx.grad(), ref.dx, ref.dxAbs, g.o * g.r * g.s)
                            && Reference.checkTensor(vw.grad(), ref.dw, ref.dwAbs, g.n * g.oh * g.ow), null);
            if (engineFwd != null && (bestFwd == null || Stats.median(engineFwd) < Stats.median(bestFwd))) {
                bestFwd = engineFwd;
                bestFwdName = "engine F.conv2d";
            }
        }
        boolean met = false;
        if (bestFwd != null && cudnnFwd != null) {
            ObjectNode t = r.putObject("forward_target");
            t.put("best", bestFwdName);
            ObjectNode ratio = Stats.ratio(bestFwd, cudnnFwd, FORWARD_TARGET);
            t.set("speed_vs_cudnn", ratio);
            met = "met".equals(ratio.path("verdict").asText());
        }
        for (Storage s : new Storage[] {dx, dw, db, dgy, y, gx, gw, gb}) {
            s.close();
        }
        return met;
    }

    /** Runs, checks, then times one kernel; records it in {@code into}; returns its samples when it passed (or {@code best}). */
    static double[] timed(ArrayNode into, String label, CudaTimer timer, int reps, double[] peer, Runnable work,
                          java.util.function.BooleanSupplier check, double[] best) {
        ObjectNode k = into.addObject();
        k.put("kernel", label);
        try {
            work.run();
            boolean ok = check.getAsBoolean();
            k.put("passed", ok);
            double[] ms = SgemmStep.time(timer, work, reps, 3000);
            double med = Stats.median(ms);
            k.put("median_ms", med);
            k.putPOJO("samples_ms", GpuCheck.list(ms));
            if (peer != null) {
                k.set("speed_vs_torch", Stats.ratio(ms, peer, null));
            }
            GpuCheck.log(String.format("conv %-50s %9.3f ms %s", label, med, ok ? "ok" : "WRONG"));
            if (ok && (best == null || med < Stats.median(best))) {
                return ms;
            }
        } catch (RuntimeException e) {
            k.put("passed", false);
            k.put("error", e.toString());
            GpuCheck.log("conv " + label + " failed: " + e);
            if (e instanceof unboxed.backend.cuda.CudaException ce && ce.isSticky()) {
                throw e;
            }
        }
        return best;
    }

    private static CUdeviceptr p(Storage s) {
        return CudaBackend.pointer(Strided.contiguous(s, s.size()));
    }

    /** The CPU backend's results, and the same computation on absolute values for the error bounds. */
    record Reference(float[] y, float[] yAbs, float[] dx, float[] dxAbs, float[] dw, float[] dwAbs, float[] db,
                     float[] dbAbs) {
        static Reference compute(Geometry g, float[] x, float[] w, float[] b, float[] gy) {
            Backend cpu = Backends.create("cpu", Runtime.getRuntime().availableProcessors());
            Backend before = Backends.current();
            Backends.use(cpu);
            try {
                float[][] plain = run(cpu, g, x, w, b, gy);
                float[][] abs = run(cpu, g, abs(x), abs(w), abs(b), abs(gy));
                return new Reference(plain[0], abs[0], plain[1], abs[1], plain[2], abs[2], plain[3], abs[3]);
            } finally {
                Backends.use(before);
                cpu.close();
            }
        }

        private static float[][] run(Backend cpu, Geometry g, float[] x, float[] w, float[] b, float[] gy) {
            Tensor tx = Tensor.of(cpu, x, g.n, g.c, g.h, g.w).requiresGrad(true);
            Tensor tw = Tensor.of(cpu, w, g.o, g.c, g.r, g.s).requiresGrad(true);
            Tensor tb = Tensor.of(cpu, b, g.o).requiresGrad(true);
            Tensor y = F.conv2d(tx, tw, tb, g.pad);
            y.backward(Tensor.of(cpu, gy, g.n, g.o, g.oh, g.ow));
            return new float[][] {y.detach().toArray(), tx.grad().toArray(), tw.grad().toArray(), tb.grad().toArray()};
        }

        private static float[] abs(float[] a) {
            float[] r = new float[a.length];
            for (int i = 0; i < a.length; i++) {
                r[i] = Math.abs(a[i]);
            }
            return r;
        }

        /** |ours - cpu| within 2 K u of the sum of absolute products (both sides round K float32 terms), per element. */
        static boolean check(CudaBackend cuda, Storage s, float[] ref, float[] abs, int k) {
            return within(cuda.download(Strided.contiguous(s, ref.length)), ref, abs, k);
        }

        static boolean checkTensor(Tensor t, float[] ref, float[] abs, int k) {
            return t != null && within(t.toArray(), ref, abs, k);
        }

        static boolean within(float[] ours, float[] ref, float[] abs, int k) {
            if (ours.length != ref.length) {
                return false;
            }
            double u = 0x1p-24;
            for (int i = 0; i < ref.length; i++) {
                double bound = 2.0 * 2 * k * u * abs[i] + 1e-30;
                if (!(Math.abs(ours[i] - ref[i]) <= bound)) {
                    return false;
                }
            }
            return true;
        }
    }
}
