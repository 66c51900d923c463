package unboxed.basics;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import unboxed.basics.byhand.BCEWithLogitsByHand;
import unboxed.basics.byhand.CrossEntropyByHand;
import unboxed.basics.byhand.LinearByHand;
import unboxed.basics.byhand.MSELossByHand;
import unboxed.basics.byhand.ReLUByHand;
import unboxed.basics.byhand.SGDByHand;
import unboxed.nn.Parameter;
import unboxed.nn.functional.F;
import unboxed.nn.functional.Reduction;
import unboxed.optim.SGD;
import unboxed.tensor.Rng;
import unboxed.tensor.Tensor;

/**
 * Runs each hand-derived layer and the engine's autograd version on the same seeded inputs and
 * records the largest difference in the output and in every gradient.
 */
public final class ByHandCheck {
    /** One comparison: which layer, which configuration, and the largest |hand - autograd|. */
    public record Row(String layer, String config, double maxOutputDiff, double maxGradDiff) {
    }

    private ByHandCheck() {
    }

    public static List<Row> run(long seed) {
        Rng rng = new Rng(seed).fork("byhand");
        List<Row> rows = new ArrayList<>();
        rows.add(relu(rng));
        rows.add(linear(rng));
        for (Reduction r : Reduction.values()) {
            rows.add(crossEntropy(rng, null, -100, r, 0.0, "plain"));
            rows.add(crossEntropy(rng, Tensor.uniform(rng, 0.5, 2, 7), 2, r, 0.2, "weight, ignore_index=2, label_smoothing=0.2"));
            rows.add(bce(rng, r));
            rows.add(mse(rng, r));
        }
        rows.add(sgd(rng));
        return rows;
    }

    private static Row relu(Rng rng) {
        Tensor x = Tensor.randn(rng, 8, 16).requiresGrad(true);
        Tensor g = Tensor.randn(rng, 8, 16);
        ReLUByHand hand = new ReLUByHand();
        Tensor yh = hand.forward(x);
        Tensor gx = hand.backward(g);
        Tensor y = F.relu(x);
        y.backward(g);
        return new Row("ReLU", "(8, 16)", maxDiff(yh, y), maxDiff(gx, x.grad()));
    }

    private static Row linear(Rng rng) {
        Tensor x = Tensor.randn(rng, 8, 16).requiresGrad(true);
        Tensor w = Tensor.randn(rng, 5, 16).requiresGrad(true);
        Tensor b = Tensor.randn(rng, 5).requiresGrad(true);
        Tensor g = Tensor.randn(rng, 8, 5);
        LinearByHand hand = new LinearByHand(w.detach(), b.detach());
        Tensor yh = hand.forward(x.detach());
        Tensor gx = hand.backward(g);
        Tensor y = F.linear(x, w, b);
        y.backward(g);
        double grad = Math.max(maxDiff(gx, x.grad()), Math.max(maxDiff(hand.gradWeight(), w.grad()),
                maxDiff(hand.gradBias(), b.grad())));
        return new Row("Linear", "16 -> 5, batch 8", maxDiff(yh, y), grad);
    }

    private static Row crossEntropy(Rng rng, Tensor weight, int ignoreIndex, Reduction r, double eps, String what) {
        int n = 9;
        int c = 7;
        Tensor z = Tensor.randn(rng, n, c).mul(3f).requiresGrad(true);
        float[] t = new float[n];
        for (int i = 0; i < n; i++) {
            t[i] = rng.nextInt(c);
        }
        Tensor target = Tensor.of(t, n);
        Tensor g = r == Reduction.NONE ? Tensor.randn(rng, n) : Tensor.scalar(1.5f);
        CrossEntropyByHand hand = new CrossEntropyByHand(weight, ignoreIndex, r, eps);
        Tensor lh = hand.forward(z.detach(), target);
        Tensor gz = hand.backward(g);
        Tensor l = F.crossEntropy(z, target, new F.CrossEntropyOptions(weight, ignoreIndex, r, eps));
        l.backward(g);
        return new Row("CrossEntropyLoss", what + ", reduction=" + r, maxDiff(lh, l), maxDiff(gz, z.grad()));
    }

    private static Row bce(Rng rng, Reduction r) {
        Tensor x = Tensor.randn(rng, 6, 4).mul(5f).requiresGrad(true);
        Tensor t = Tensor.uniform(rng, 0, 1, 6, 4);
        Tensor w = Tensor.uniform(rng, 0.5, 2, 4);
        Tensor pw = Tensor.uniform(rng, 0.5, 3, 4);
        Tensor g = r == Reduction.NONE ? Tensor.randn(rng, 6, 4) : Tensor.scalar(0.7f);
        BCEWithLogitsByHand hand = new BCEWithLogitsByHand(w, r, pw);
        Tensor lh = hand.forward(x.detach(), t);
        Tensor gx = hand.backward(g);
        Tensor l = F.binaryCrossEntropyWithLogits(x, t, w, r, pw);
        l.backward(g);
        return new Row("BCEWithLogitsLoss", "weight, pos_weight, reduction=" + r, maxDiff(lh, l), maxDiff(gx, x.grad()));
    }

    private static Row mse(Rng rng, Reduction r) {
        Tensor x = Tensor.randn(rng, 6, 4).requiresGrad(true);
        Tensor t = Tensor.randn(rng, 6, 4);
        Tensor g = r == Reduction.NONE ? Tensor.randn(rng, 6, 4) : Tensor.scalar(0.7f);
        MSELossByHand hand = new MSELossByHand(r);
        Tensor lh = hand.forward(x.detach(), t);
        Tensor gx = hand.backward(g);
        Tensor l = F.mseLoss(x, t, r);
        l.backward(g);
        return new Row("MSELoss", "reduction=" + r, maxDiff(lh, l), maxDiff(gx, x.grad()));
    }

    private static Row sgd(Rng rng) {
        Tensor p0 = Tensor.randn(rng, 4, 3);
        Parameter p = new Parameter("p", Tensor.of(p0.toArray(), 4, 3));
        SGD engine = new SGD(List.of(p), 0.1, 0.9, 0, 0.01, true, false);
        SGDByHand hand = new SGDByHand(0.1, 0.9, 0, 0.01, true, false);
        Tensor ph = p0;
        double worst = 0;
        for (int s = 0; s < 5; s++) {
            Tensor g = Tensor.randn(rng, 4, 3);
            p.data().setGrad(g);
            engine.step();
            ph = hand.step(ph, g);
            worst = Math.max(worst, maxDiff(ph, p.data()));
        }
        return new Row("SGD", "lr=0.1, momentum=0.9, nesterov, weight_decay=0.01, 5 steps", worst, 0.0);
    }

    static double maxDiff(Tensor a, Tensor b) {
        float[] x = a.toArray();
        float[] y = b.toArray();
        if (x.length != y.length) {
            throw new IllegalStateException("compared tensors differ in size: " + x.length + " vs " + y.length);
        }
        double m = 0;
        for (int i = 0; i < x.length; i++) {
            m = Math.max(m, Math.abs((double) x[i] - y[i]));
        }
        return m;
    }

    static Map<String, Object> toJson(List<Row> rows) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("rows", rows);
        return out;
    }
}
