package unboxed.minimizer;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import unboxed.autograd.Autograd;
import unboxed.convolutions.Cnn;
import unboxed.kit.Named;
import unboxed.kit.Rounding;
import unboxed.nn.Parameter;
import unboxed.optim.Adam;
import unboxed.optim.Optimizer;
import unboxed.optim.SGD;
import unboxed.tensor.Tensor;

/**
 * Gradient descent on the pixels of one image, the network frozen: the image changes so that one
 * conv layer of the CNN responds as little (or as much) as possible. The pixels are a
 * {@link Parameter} of their own, updated by the engine's SGD or Adam and then clipped back to
 * [0, 1], the range of the images the network was trained on (projected gradient descent).
 */
final class Minimize {
    /** What "the layer's response" is. */
    enum Objective implements Named {
        /** Σ ReLU(z): the total activation the next layer sees. */
        RELU("relu", "Σ ReLU(z)"),
        /** Σ z²: the energy of the pre-activations, which a negative z cannot hide. */
        SQUARE("square", "Σ z²");

        final String id;
        final String label;

        Objective(String id, String label) {
            this.id = id;
            this.label = label;
        }

        @Override
        public String id() {
            return id;
        }

        @Override
        public String label() {
            return label;
        }

        static Objective byId(String id) {
            return Named.byId(Objective.class, id);
        }
    }

    /** What decides which images count as "natural". */
    enum Regulariser implements Named {
        NONE("none", "none"),
        /** λ Σ (x − ½)²: pulls every pixel toward mid-grey. */
        L2("l2", "L2 toward grey"),
        /** λ Σ |∂x/∂i| + |∂x/∂j|: total variation, penalises edges and noise. */
        TV("tv", "total variation"),
        /** A 3 × 3 binomial blur of the image every {@link #BLUR_EVERY} steps. */
        BLUR("blur", "blur between steps");

        final String id;
        final String label;

        Regulariser(String id, String label) {
            this.id = id;
            this.label = label;
        }

        @Override
        public String id() {
            return id;
        }

        @Override
        public String label() {
            return label;
        }

        static Regulariser byId(String id) {
            return Named.byId(Regulariser.class, id);
        }
    }

    /** The settings of one run. */
    record Settings(int layer, Objective objective, boolean maximise, Regulariser regulariser, boolean adam,
                    int steps, int snapshotEvery) {
    }

    /** SGD's step on the pixels, by objective: Σ z² has gradients an order of magnitude larger than Σ ReLU. */
    static final double SGD_LR_RELU = 0.02;
    static final double SGD_LR_SQUARE = 0.001;
    static final double ADAM_LR = 0.01;
    static final double L2_WEIGHT = 2;
    static final double TV_WEIGHT = 2;
    static final int BLUR_EVERY = 4;
    /** The objective curve keeps every CURVE_EVERY-th step. */
    static final int CURVE_EVERY = 5;

    private Minimize() {
    }

    /**
     * Runs the optimisation from {@code start} (size × size pixels in [0, 1]); returns the
     * objective curve (the layer's mean response per output), the final image, and every
     * {@code snapshotEvery} steps the image (0: none kept).
     */
    static Map<String, Object> run(Cnn model, double[][] start, Settings s) {
        int size = start.length;
        float[] px = new float[size * size];
        for (int i = 0; i < size; i++) {
            for (int j = 0; j < size; j++) {
                px[i * size + j] = (float) start[i][j];
            }
        }
        Parameter image = new Parameter("image", Tensor.of(px, 1, 1, size, size).requiresGrad(true));
        Optimizer opt = s.adam() ? new Adam(List.of(image), ADAM_LR)
                : new SGD(List.of(image), s.objective() == Objective.RELU ? SGD_LR_RELU : SGD_LR_SQUARE, 0, 0, 0, false,
                false);
        List<Double> curve = new ArrayList<>();
        List<double[][]> snapshots = new ArrayList<>();
        List<Integer> snapshotSteps = new ArrayList<>();
        double first = Double.NaN;
        double last = Double.NaN;
        for (int step = 0; step <= s.steps(); step++) {
            if (s.snapshotEvery() > 0 && step % s.snapshotEvery() == 0) {
                snapshots.add(Images.rounded(Images.grid(image.data().toArray(), size)));
                snapshotSteps.add(step);
            }
            opt.zeroGrad();
            Tensor z = model.convOutput(image.data(), s.layer());
            Tensor response = s.objective() == Objective.RELU ? z.relu().sum() : z.mul(z).sum();
            double mean = response.item() / z.numel();
            if (step == 0) {
                first = mean;
            }
            last = mean;
            if (step % CURVE_EVERY == 0 || step == s.steps()) {
                curve.add(mean);
            }
            if (step == s.steps()) {
                break;
            }
            Tensor loss = s.maximise() ? response.neg() : response;
            loss = loss.add(penalty(image.data(), s.regulariser()));
            loss.backward();
            opt.step();
            clipAndBlur(image, size, s.regulariser() == Regulariser.BLUR && (step + 1) % BLUR_EVERY == 0);
        }
        double[][] fin = Images.grid(image.data().toArray(), size);
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("objective_start", Rounding.sig4(first));
        r.put("objective_end", Rounding.sig4(last));
        r.put("curve_every", CURVE_EVERY);
        r.put("curve", Rounding.sig4(curve));
        r.put("image_mean", Rounding.sig4(Images.mean(fin)));
        r.put("image_std", Rounding.sig4(Images.std(fin)));
        r.put("image_roughness", Rounding.sig4(Images.roughness(fin)));
        if (size == Cnn.SIDE) {
            double[] p = classify(model, image.data());
            int best = 0;
            for (int k = 1; k < p.length; k++) {
                best = p[k] > p[best] ? k : best;
            }
            r.put("predicted_class", best);
            r.put("predicted_probability", Rounding.sig4(p[best]));
        }
        r.put("image", Images.rounded(fin));
        if (!snapshots.isEmpty()) {
            r.put("snapshot_steps", snapshotSteps);
            r.put("snapshots", snapshots);
        }
        return r;
    }

    /** The regulariser's penalty on the image [1, 1, n, n] (0 for none and blur, which acts between steps). */
    static Tensor penalty(Tensor x, Regulariser r) {
        int n = x.size(3);
        return switch (r) {
            case L2 -> x.sub(Tensor.of(new float[] {0.5f}, 1)).pow(2).sum().mul((float) L2_WEIGHT);
            case TV -> x.narrow(2, 1, n - 1).sub(x.narrow(2, 0, n - 1)).abs().sum()
                    .add(x.narrow(3, 1, n - 1).sub(x.narrow(3, 0, n - 1)).abs().sum()).mul((float) TV_WEIGHT);
            default -> Tensor.of(new float[] {0f}, 1).sum();
        };
    }

    /** Clips the pixels to [0, 1] (and blurs them first, if asked), in place, outside the graph. */
    private static void clipAndBlur(Parameter image, int size, boolean blur) {
        try (Autograd.GradMode ignored = Autograd.noGrad()) {
            float[] v = image.data().toArray();
            if (blur) {
                v = Images.blur(v, size);
            }
            for (int i = 0; i < v.length; i++) {
                v[i] = Math.max(0f, Math.min(1f, v[i]));
            }
            image.data().copy_(Tensor.of(v, 1, 1, size, size));
        }
    }

    /** The classifier's softmax on a 28 × 28 image. */
    static double[] classify(Cnn model, Tensor image) {
        try (Autograd.GradMode ignored = Autograd.noGrad()) {
            float[] logits = model.forward(image.reshape(1, Cnn.PIXELS)).toArray();
            double max = Double.NEGATIVE_INFINITY;
            for (float l : logits) {
                max = Math.max(max, l);
            }
            double sum = 0;
            double[] p = new double[logits.length];
            for (int k = 0; k < p.length; k++) {
                p[k] = Math.exp(logits[k] - max);
                sum += p[k];
            }
            for (int k = 0; k < p.length; k++) {
                p[k] /= sum;
            }
            return p;
        }
    }
}
