package unboxed.optim;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import unboxed.tensor.Tensor;

/**
 * The update that {@link Adam} and {@link AdamW} share: PyTorch 1.13's {@code _single_tensor_adam}
 * and {@code _single_tensor_adamw} (the path {@code torch.optim.Adam} takes by default on the CPU:
 * not foreach, not fused, not capturable), with their order of floating-point operations:
 * <pre>
 *   g = maximize ? -grad : grad
 *   step += 1                                          a float32 counter, as PyTorch's step tensor
 *   AdamW: p *= (float) (1 - lr * weight_decay)        (double, then float32)
 *   Adam:  g = g + weight_decay * p                    one rounding (fused), when weight_decay != 0
 *   m = m * beta1;  m = m + (1 - beta1) * g            the second line one rounding (fused)
 *   v = v * beta2;  v = v + ((1 - beta2) * g) * g      (1 - beta2) * g rounded, then fused
 *   bias_correction1 = 1 - beta1^step                  in double, as PyTorch's Python floats
 *   bias_correction2 = 1 - beta2^step
 *   step_size = lr / bias_correction1                  double
 *   amsgrad: v_max = max(v_max, v); v = v_max
 *   denom = sqrt(v) / (float) sqrt(bias_correction2) + (float) eps
 *   p = p + ((float) -step_size * m) / denom
 * </pre>
 * Every scalar reaches a kernel as PyTorch's does: computed in double, rounded once to float32.
 * The fused steps are PyTorch's CPU kernels ({@code add(x, alpha)} and {@code addcmul} use
 * {@code vec::fmadd}, scalar tails included), so on the CPU backend each step gives PyTorch's bits.
 * beta^step is a power by squaring in double-double arithmetic ({@link #power}): correctly rounded
 * wherever the tests compare it with 60-digit decimals, and the same on every JVM. glibc's {@code pow}, which Python's {@code **} calls, is not always
 * correctly rounded: over betas 0, 0.3, 0.5, 0.8, 0.9, 0.95, 0.98, 0.99, 0.999, 0.9999 and steps 1 to
 * 20,000, 1 - beta^step differs from PyTorch's in the last bit of a double 6 times in 200,000, and not
 * once does that reach the float32 values the kernels get (lr / bias_correction1 for five lr, and
 * sqrt(bias_correction2)).
 */
final class AdamUpdate {
    private AdamUpdate() {
    }


    /** The options of Adam and AdamW, PyTorch's names in PyTorch's order. */
    static Map<String, Object> defaults(double lr, double[] betas, double eps, double weightDecay, boolean amsgrad,
                                        boolean maximize) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("lr", lr);
        d.put("betas", betas);
        d.put("eps", eps);
        d.put("weight_decay", weightDecay);
        d.put("amsgrad", amsgrad);
        d.put("maximize", maximize);
        return d;
    }

    /** PyTorch's checks, in its order and with its words; the message also names the option. */
    static void check(Map<String, Object> o, String where) {
        double lr = Optimizer.number(o, "lr", where);
        Object b = o.get("betas");
        if (!(b instanceof List<?> betas) || betas.size() != 2) {
            throw new IllegalArgumentException(where + ": option betas must be two numbers (beta1, beta2), got " + b);
        }
        double eps = Optimizer.number(o, "eps", where);
        double weightDecay = Optimizer.number(o, "weight_decay", where);
        Optimizer.flag(o, "amsgrad", where);
        Optimizer.flag(o, "maximize", where);
        if (!(lr >= 0)) {
            throw new IllegalArgumentException(where + ": Invalid learning rate: " + lr + " (lr must be at least 0)");
        }
        if (!(eps >= 0)) {
            throw new IllegalArgumentException(where + ": Invalid epsilon value: " + eps + " (eps must be at least 0)");
        }
        for (int i = 0; i < 2; i++) {
            double beta = (Double) betas.get(i);
            if (!(beta >= 0 && beta < 1)) {
                throw new IllegalArgumentException(where + ": Invalid beta parameter at index " + i + ": " + beta
                        + " (betas[" + i + "] must be in [0, 1))");
            }
        }
        if (!(weightDecay >= 0)) {
            throw new IllegalArgumentException(where + ": Invalid weight_decay value: " + weightDecay
                    + " (weight_decay must be at least 0)");
        }
    }

    /** One parameter's state: PyTorch's step (a float32 tensor there, a float here), exp_avg, exp_avg_sq, max_exp_avg_sq. */
    static final class State implements Optimizer.ParamState {
        float step;
        final Tensor expAvg;
        final Tensor expAvgSq;
        final Tensor maxExpAvgSq;

        State(float step, Tensor expAvg, Tensor expAvgSq, Tensor maxExpAvgSq) {
            this.step = step;
            this.expAvg = expAvg;
            this.expAvgSq = expAvgSq;
            this.maxExpAvgSq = maxExpAvgSq;
        }

        /** PyTorch's lazy initialisation: zeros like the parameter; max_exp_avg_sq only with amsgrad. */
        static State fresh(Tensor p, boolean amsgrad) {
            return new State(0f, p.zerosLike(), p.zerosLike(), amsgrad ? p.zerosLike() : null);
        }

        @Override
        public Map<String, Tensor> toStateDict() {
            Map<String, Tensor> m = new LinkedHashMap<>();
            m.put("step", Tensor.full(expAvg.backend(), step));
            m.put("exp_avg", expAvg.copy());
            m.put("exp_avg_sq", expAvgSq.copy());
            if (maxExpAvgSq != null) {
                m.put("max_exp_avg_sq", maxExpAvgSq.copy());
            }
            return m;
        }
    }

    static State restore(Map<String, Tensor> saved, Tensor param, Map<String, Object> options, String where) {
        Optimizer.onlyKeys(saved, Set.of("step", "exp_avg", "exp_avg_sq", "max_exp_avg_sq"), where);
        Tensor step = saved.get("step");
        if (step == null || step.numel() != 1) {
            throw new IllegalArgumentException(where + ": 'step' must be a one-element tensor, got "
                    + (step == null ? "none (saved: " + saved.keySet() + ")" : "shape " + java.util.Arrays.toString(step.shape())));
        }
        float s = step.item();
        if (!(s >= 0) || s != Math.rint(s)) {
            throw new IllegalArgumentException(where + ": 'step' must be a whole number of steps, got " + s);
        }
        boolean amsgrad = (Boolean) options.get("amsgrad");
        if (amsgrad && !saved.containsKey("max_exp_avg_sq")) {
            throw new IllegalArgumentException(where + ": its group has amsgrad=true, but 'max_exp_avg_sq' is missing");
        }
        return new State(s, Optimizer.savedLike(saved, "exp_avg", param, where),
                Optimizer.savedLike(saved, "exp_avg_sq", param, where),
                saved.containsKey("max_exp_avg_sq") ? Optimizer.savedLike(saved, "max_exp_avg_sq", param, where) : null);
    }

    /**
     * One step of one parameter, in place. {@code decoupled}: AdamW's weight decay (the parameter
     * shrinks by lr * weight_decay); otherwise Adam's (weight_decay * p added to the gradient).
     */
    static void step(Tensor p, Tensor grad, State s, ParamGroup group, boolean decoupled, AdamDeparture departure,
                     String where) {
        double lr = group.getDouble("lr");
        List<Double> betas = group.getList("betas");
        double beta1 = betas.get(0);
        double beta2 = betas.get(1);
        double eps = group.getDouble("eps");
        double weightDecay = group.getDouble("weight_decay");
        boolean amsgrad = group.getBoolean("amsgrad");
        boolean maximize = group.getBoolean("maximize");
        if (amsgrad && s.maxExpAvgSq == null) {
            throw new IllegalStateException(where + ": amsgrad was turned on after this parameter's first step, so its"
                    + " state has no max_exp_avg_sq (PyTorch fails here too); set it before the first step");
        }

        Tensor g = maximize ? grad.neg() : grad;
        // PyTorch's step is a float32 tensor: from 2^24 on, adding 1 leaves it where it is
        s.step += 1f;
        if (decoupled) {
            float shrink = (float) (1 - lr * weightDecay);
            if (shrink != 1f) { // multiplying by 1 changes no bit: skip the pass over memory
                p.mul_(shrink);
            }
        } else if (weightDecay != 0) {
            // grad.add(param, alpha=weight_decay): a new tensor, the gradient itself stays as it is
            g = (maximize ? g : g.copy()).add_(p, (float) weightDecay);
        }

        s.expAvg.mul_((float) beta1).add_(g, (float) (1 - beta1));
        s.expAvgSq.mul_((float) beta2).addcmul_(g, g, (float) (1 - beta2));

        double step = s.step;
        double biasCorrection1 = 1 - power(beta1, (long) step);
        double biasCorrection2 = 1 - power(beta2, (long) step);
        if (departure == AdamDeparture.NO_BIAS_CORRECTION) {
            biasCorrection1 = 1;
            biasCorrection2 = 1;
        }
        double stepSize = lr / biasCorrection1;
        double biasCorrection2Sqrt = Math.sqrt(biasCorrection2);

        Tensor v = s.expAvgSq;
        if (amsgrad) {
            // torch.maximum(max_exp_avg_sq, exp_avg_sq, out=max_exp_avg_sq)
            s.maxExpAvgSq.copy_(s.maxExpAvgSq.maximum(s.expAvgSq));
            v = s.maxExpAvgSq;
        }
        Tensor denom = departure == AdamDeparture.EPS_INSIDE_SQRT
                ? v.div((float) biasCorrection2).add((float) eps).sqrt()
                : v.sqrt().div((float) biasCorrection2Sqrt).add((float) eps);
        p.addcdiv_(s.expAvg, denom, (float) -stepSize);
    }

    /**
     * base^n for a whole n >= 0, correctly rounded in the cases checked (see the class comment):
     * squaring in double-double arithmetic keeps about 100 bits, and only the final sum rounds.
     */
    static double power(double base, long n) {
        double rh = 1;
        double rl = 0;
        double bh = base;
        double bl = 0;
        while (n > 0) {
            if ((n & 1) != 0) {
                double ph = rh * bh;
                double pl = Math.fma(rh, bh, -ph) + (rh * bl + rl * bh);
                rh = ph + pl;
                rl = pl - (rh - ph);
            }
            n >>= 1;
            if (n > 0) {
                double ph = bh * bh;
                double pl = Math.fma(bh, bh, -ph) + 2 * bh * bl;
                bh = ph + pl;
                bl = pl - (bh - ph);
            }
        }
        return rh + rl;
    }
}
