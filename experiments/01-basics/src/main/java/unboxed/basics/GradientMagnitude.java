package unboxed.basics;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import unboxed.tensor.Tensor;

/**
 * |dL/dz_y| as a function of p for each loss, measured with the engine's autograd on one sample
 * whose logits put probability p on the correct class and spread the rest evenly over the other
 * nine: z_y = log p, z_other = log((1 - p) / 9).
 */
public final class GradientMagnitude {
    private GradientMagnitude() {
    }

    public static Map<String, Object> run(int points) {
        List<Double> ps = new ArrayList<>();
        for (int i = 1; i <= points; i++) {
            ps.add((double) i / (points + 1));
        }
        Map<String, Object> curves = new LinkedHashMap<>();
        for (LossOfP loss : LossOfP.values()) {
            List<Double> grad = new ArrayList<>();
            for (double p : ps) {
                grad.add(measure(loss, p));
            }
            curves.put(loss.id(), grad);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("p", ps);
        out.put("abs_grad_correct_logit", curves);
        return out;
    }

    static double measure(LossOfP loss, double p) {
        int c = Mlp.CLASSES;
        float[] z = new float[c];
        for (int j = 0; j < c; j++) {
            z[j] = (float) (j == 0 ? Math.log(p) : Math.log((1 - p) / (c - 1)));
        }
        Tensor logits = Tensor.of(z, 1, c).requiresGrad(true);
        loss.loss(logits, Tensor.of(new float[] {0}, 1)).backward();
        return Math.abs(logits.grad().toArray()[0]);
    }
}
