package unboxed.convintuition;

import java.util.LinkedHashMap;
import java.util.Map;
import unboxed.autograd.Autograd;
import unboxed.nn.Conv2d;
import unboxed.nn.Linear;
import unboxed.nn.LocallyConnected2d;
import unboxed.nn.Parameter;
import unboxed.nn.functional.F;
import unboxed.tensor.FlopCounter;
import unboxed.tensor.Rng;
import unboxed.tensor.Tensor;

/**
 * What a network costs, computed from its shape ({@link Arch}) and measured on the engine: the
 * parameters its modules hold, and the FLOPs the engine's {@link FlopCounter} counts in a forward
 * pass and in a training step (forward, loss, backward) on a batch, per image.
 */
final class Cost {
    /** Images per counted pass. */
    static final int BATCH = 8;

    private Cost() {
    }

    static Map<String, Object> measure(Arch a, long seed) {
        Rng rng = new Rng(seed);
        Net net = new Net(a, rng.fork("init"));
        Tensor x = Tensor.randn(rng.fork("images"), BATCH, Arch.PIXELS);
        Tensor y = Tensor.of(new float[] {0, 1, 2, 3, 4, 5, 6, 7}, BATCH);
        long held = 0;
        for (Parameter p : net.parameters()) {
            held += p.data().numel();
        }
        long forward;
        try (FlopCounter c = FlopCounter.start()) {
            Autograd.noGrad(() -> net.forward(x));
            forward = c.total();
        }
        long train;
        try (FlopCounter c = FlopCounter.start()) {
            F.crossEntropy(net.forward(x), y).backward();
            train = c.total();
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("network", a.id());
        m.put("kind", a.kind().name().toLowerCase(java.util.Locale.ROOT));
        m.put("kernel", a.kernel());
        m.put("width", a.width());
        m.put("map_side", a.mapSide());
        m.put("head_inputs", a.headInputs());
        m.put("layer_params", a.layerParams());
        m.put("params", a.params());
        m.put("params_held", held);
        m.put("flops", a.flops());
        m.put("flops_counted", forward / BATCH);
        m.put("train_flops", a.trainFlops());
        m.put("train_flops_counted", train / BATCH);
        if (a.kind() == Arch.Kind.FC) {
            m.putAll(wholeImageKernels(a, rng.fork("equal")));
        }
        return m;
    }

    /**
     * The fully connected layer against a convolution and a locally connected layer whose 28 x 28
     * kernel covers the whole image: the same weights (the linear layer's rows viewed as kernels)
     * give the same outputs, and the same parameter count.
     */
    static Map<String, Object> wholeImageKernels(Arch a, Rng rng) {
        int w = a.width();
        int s = Arch.SIDE;
        Linear fc = new Linear(Arch.PIXELS, w, rng);
        Conv2d conv = new Conv2d(1, w, s, 0, rng);
        LocallyConnected2d lc = new LocallyConnected2d(1, w, s, s, rng);
        Tensor x = Tensor.randn(rng, BATCH, Arch.PIXELS);
        double convDiff;
        double lcDiff;
        try (Autograd.GradMode ignored = Autograd.noGrad()) {
            conv.weight().data().copy_(fc.weight().data().reshape(w, 1, s, s));
            conv.bias().data().copy_(fc.bias().data());
            lc.weight().data().copy_(fc.weight().data().reshape(1, 1, w, 1, s, s));
            lc.bias().data().copy_(fc.bias().data().reshape(w, 1, 1));
            float[] ref = fc.forward(x).toArray();
            convDiff = maxDiff(ref, conv.forward(x.reshape(BATCH, 1, s, s)).toArray());
            lcDiff = maxDiff(ref, lc.forward(x.reshape(BATCH, 1, s, s)).toArray());
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("conv28_params", (long) conv.weight().data().numel() + conv.bias().data().numel());
        m.put("lc28_params", (long) lc.weight().data().numel() + lc.bias().data().numel());
        m.put("conv28_max_abs_difference", convDiff);
        m.put("lc28_max_abs_difference", lcDiff);
        return m;
    }

    private static double maxDiff(float[] a, float[] b) {
        if (a.length != b.length) {
            throw new IllegalStateException("outputs of " + a.length + " and " + b.length + " values");
        }
        double m = 0;
        for (int i = 0; i < a.length; i++) {
            m = Math.max(m, Math.abs((double) a[i] - b[i]));
        }
        return m;
    }
}
