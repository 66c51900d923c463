package unboxed.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import unboxed.nn.Parameter;
import unboxed.tensor.Tensor;

/** torch.optim.Adam and AdamW: a step worked out by hand, each option's effect, param groups, PyTorch's argument checks. */
class AdamTest {

    private static Parameter param(float... v) {
        return new Parameter("p", Tensor.of(v, v.length));
    }

    private static void grad(Parameter p, float... g) {
        p.data().setGrad(Tensor.of(g, g.length));
    }

    private static void rejects(Executable call, String... parts) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        for (String part : parts) {
            assertTrue(e.getMessage().contains(part), "message should contain '" + part + "': " + e.getMessage());
        }
    }

    private static final double[] BETAS = {0.9, 0.999};

    /**
     * The first step, by hand, in PyTorch's order of float32 operations: m = (1 - beta1) g, v = ((1 - beta2) g) g
     * (one rounding each, from zero), then p + ((float) -lr / (1 - beta1)) m / (sqrt(v) / sqrt(1 - beta2) + eps).
     */
    private static float firstStep(float p, float g, double lr, double beta1, double beta2, double eps) {
        float m = Math.fma((float) (1 - beta1), g, 0f * (float) beta1);
        float v = Math.fma((float) (1 - beta2) * g, g, 0f * (float) beta2);
        float stepSize = (float) -(lr / (1 - beta1));
        float denom = (float) Math.sqrt(v) / (float) Math.sqrt(1 - beta2) + (float) eps;
        return p + (stepSize * m) / denom;
    }

    @Test
    void firstStepByHand() {
        float[] p0 = {1f, -2f, 0.5f, 3f};
        float[] g = {0.1f, 0.3f, -0.2f, 1e-3f};
        Parameter p = param(p0);
        Tensor before = p.data();
        grad(p, g);
        new Adam(List.of(p), 0.1).step();
        float[] got = p.data().toArray();
        for (int i = 0; i < p0.length; i++) {
            assertEquals(firstStep(p0[i], g[i], 0.1, 0.9, 0.999, 1e-8), got[i], 0f, "element " + i);
            // bias-corrected, the first step is lr * g / (|g| + eps): about lr against the gradient's sign
            assertEquals(p0[i] - 0.1 * Math.signum(g[i]), got[i], 1e-5, "element " + i);
        }
        assertSame(before, p.data(), "updated in place");
        assertTrue(p.data().isLeaf() && p.data().requiresGrad(), "the update is not recorded");
    }

    @Test
    void adamWShrinksTheParameterBeforeTheStep() {
        float[] p0 = {1f, -2f, 0.5f};
        float[] g = {0.1f, 0.3f, -0.2f};
        Parameter p = param(p0);
        grad(p, g);
        new AdamW(List.of(p), 0.1, BETAS, 1e-8, 0.5, false, false).step();
        float shrink = (float) (1 - 0.1 * 0.5);
        float[] got = p.data().toArray();
        for (int i = 0; i < p0.length; i++) {
            assertEquals(firstStep(p0[i] * shrink, g[i], 0.1, 0.9, 0.999, 1e-8), got[i], 0f, "element " + i);
        }
    }

    @Test
    void adamWeightDecayIsAddedToTheGradient() {
        Parameter a = param(1f, -2f);
        Parameter b = param(1f, -2f);
        grad(a, 0.1f, 0.3f);
        // grad.add(param, alpha=weight_decay) in one rounding
        grad(b, Math.fma(0.5f, 1f, 0.1f), Math.fma(0.5f, -2f, 0.3f));
        new Adam(List.of(a), 0.01, BETAS, 1e-8, 0.5, false, false).step();
        new Adam(List.of(b), 0.01).step();
        assertArrayEquals(b.data().toArray(), a.data().toArray());
    }

    /** Trajectory of one parameter under {@code opt} for the given gradients, one row per step. */
    private static float[][] run(Optimizer opt, Parameter p, float[][] grads) {
        float[][] out = new float[grads.length][];
        for (int s = 0; s < grads.length; s++) {
            grad(p, grads[s]);
            opt.step();
            out[s] = p.data().toArray();
        }
        return out;
    }

    private static float[][] someGradients(int steps, int n, long seed) {
        java.util.Random r = new java.util.Random(seed);
        float[][] g = new float[steps][n];
        for (int s = 0; s < steps; s++) {
            for (int i = 0; i < n; i++) {
                g[s][i] = (float) (r.nextGaussian() * Math.exp(-s / 10.0)); // shrinking: v falls, so amsgrad differs
            }
        }
        return g;
    }

    @Test
    void amsgradKeepsTheLargestSecondMoment() {
        // large gradients, then small ones: v falls (quickly, with beta2 = 0.9). Note that PyTorch keeps the
        // maximum of v itself, before its bias correction
        float[][] grads = someGradients(30, 5, 1);
        for (int t = 5; t < grads.length; t++) {
            for (int i = 0; i < 5; i++) {
                grads[t][i] *= 0.01f;
            }
        }
        double[] betas = {0.9, 0.9};
        Parameter p = param(0, 0, 0, 0, 0);
        Adam ams = new Adam(List.of(p), 0.01, betas, 1e-8, 0, true, false);
        float[] max = new float[5];
        float[][] withMax = new float[grads.length][];
        for (int t = 0; t < grads.length; t++) {
            grad(p, grads[t]);
            ams.step();
            withMax[t] = p.data().toArray();
            Map<String, Tensor> s = ams.stateDict().state().get(0);
            float[] v = s.get("exp_avg_sq").toArray();
            for (int i = 0; i < 5; i++) {
                max[i] = Math.max(max[i], v[i]);
            }
            assertArrayEquals(max, s.get("max_exp_avg_sq").toArray(), "max_exp_avg_sq is the running maximum of exp_avg_sq");
        }
        // m and v are the same with and without amsgrad; the larger denominator only shortens the steps
        Parameter q = param(0, 0, 0, 0, 0);
        float[][] plain = run(new Adam(List.of(q), 0.01, betas, 1e-8, 0, false, false), q, grads);
        int shorter = 0;
        for (int t = 1; t < grads.length; t++) {
            for (int i = 0; i < 5; i++) {
                double stepAms = Math.abs(withMax[t][i] - withMax[t - 1][i]);
                double stepPlain = Math.abs(plain[t][i] - plain[t - 1][i]);
                assertTrue(stepAms <= stepPlain + 1e-7, "step " + t + " element " + i);
                shorter += stepAms < 0.5 * stepPlain ? 1 : 0;
            }
        }
        assertTrue(shorter > 20, "with a falling v, amsgrad's steps are much shorter: " + shorter + " of 145");
        assertEquals(null, new Adam(List.of(param(1)), 0.01).stateDict().state().get(0), "no state before a step");
    }

    @Test
    void maximizeClimbs() {
        float[][] grads = someGradients(20, 3, 2);
        float[][] negated = new float[grads.length][3];
        for (int s = 0; s < grads.length; s++) {
            for (int i = 0; i < 3; i++) {
                negated[s][i] = -grads[s][i];
            }
        }
        for (boolean decoupled : new boolean[] {false, true}) {
            Parameter a = param(1, 2, 3);
            Parameter b = param(1, 2, 3);
            Optimizer up = decoupled ? new AdamW(List.of(a), 0.01, BETAS, 1e-8, 0.1, false, true)
                    : new Adam(List.of(a), 0.01, BETAS, 1e-8, 0.1, false, true);
            Optimizer down = decoupled ? new AdamW(List.of(b), 0.01, BETAS, 1e-8, 0.1, false, false)
                    : new Adam(List.of(b), 0.01, BETAS, 1e-8, 0.1, false, false);
            assertArrayEquals(run(down, b, negated), run(up, a, grads),
                    "maximize with g is minimize with -g (decoupled=" + decoupled + ")");
        }
        Parameter p = param(0);
        grad(p, 1f);
        new Adam(List.of(p), 0.1, BETAS, 1e-8, 0, false, true).step();
        assertEquals(0.1f, p.data().toArray()[0], 1e-6f, "a positive gradient moves the parameter up");
    }

    @Test
    void adamWWithoutWeightDecayIsAdam() {
        float[][] grads = someGradients(25, 4, 3);
        Parameter a = param(1, -1, 2, -2);
        Parameter b = param(1, -1, 2, -2);
        assertArrayEquals(run(new Adam(List.of(a), 0.01, BETAS, 1e-8, 0, true, false), a, grads),
                run(new AdamW(List.of(b), 0.01, BETAS, 1e-8, 0, true, false), b, grads));
    }

    @Test
    void paramGroupsHaveTheirOwnOptions() {
        Parameter a = param(1, 2);
        Parameter b = param(1, 2);
        Adam opt = new Adam(List.of(new ParamGroup(List.of(a)), new ParamGroup(List.of(b)).set("lr", 0.1)), 0.01);
        assertEquals(0.01, opt.paramGroups().get(0).getDouble("lr"));
        assertEquals(0.1, opt.paramGroups().get(1).getDouble("lr"));
        assertEquals(List.of(0.9, 0.999), opt.paramGroups().get(1).getList("betas"), "the defaults fill in");
        grad(a, 0.5f, -0.5f);
        grad(b, 0.5f, -0.5f);
        opt.step();
        assertArrayEquals(new float[] {1 - 0.01f, 2 + 0.01f}, a.data().toArray(), 1e-6f);
        assertArrayEquals(new float[] {1 - 0.1f, 2 + 0.1f}, b.data().toArray(), 1e-6f);

        // the same as one optimizer per group, bit for bit
        float[][] grads = someGradients(10, 2, 4);
        Parameter c = param(1, 2);
        Parameter d = param(1, 2);
        Parameter e = param(1, 2);
        Parameter f = param(1, 2);
        Adam both = new Adam(List.of(new ParamGroup(List.of(c)).set("betas", new double[] {0.5, 0.9}),
                new ParamGroup(List.of(d)).set("lr", 0.1).set("amsgrad", true)), 0.01);
        Adam first = new Adam(List.of(e), 0.01, new double[] {0.5, 0.9}, 1e-8, 0, false, false);
        Adam second = new Adam(List.of(f), 0.1, BETAS, 1e-8, 0, true, false);
        for (float[] g : grads) {
            grad(c, g);
            grad(d, g);
            grad(e, g);
            grad(f, g);
            both.step();
            first.step();
            second.step();
        }
        assertArrayEquals(e.data().toArray(), c.data().toArray());
        assertArrayEquals(f.data().toArray(), d.data().toArray());

        // a changed lr takes effect at the next step, as group['lr'] = ... does
        Parameter g1 = param(0);
        Adam sched = new Adam(List.of(g1), 0.1);
        sched.paramGroups().get(0).set("lr", 0.0);
        grad(g1, 1f);
        sched.step();
        assertEquals(0f, g1.data().toArray()[0]);
    }

    @Test
    void parametersWithoutGradientAreSkippedAndCountTheirOwnSteps() {
        Parameter a = param(1);
        Parameter b = param(1);
        Adam opt = new Adam(List.of(a, b), 0.01);
        for (int s = 0; s < 4; s++) {
            grad(a, 0.5f);
            b.data().setGrad(s % 2 == 0 ? Tensor.of(new float[] {0.5f}, 1) : null);
            opt.step();
        }
        StateDict sd = opt.stateDict();
        assertEquals(4f, sd.state().get(0).get("step").item());
        assertEquals(2f, sd.state().get(1).get("step").item());
        assertEquals(0, sd.state().get(0).get("step").dim(), "step is a 0-dim tensor, as in PyTorch");
    }

    @Test
    void argumentChecksArePyTorchs() {
        List<Parameter> ps = List.of(param(1));
        rejects(() -> new Adam(ps, -0.1), "Adam", "Invalid learning rate: -0.1", "lr");
        rejects(() -> new Adam(ps, Double.NaN), "Invalid learning rate: NaN");
        rejects(() -> new Adam(ps, 0.1, new double[] {1.0, 0.999}, 1e-8, 0, false, false),
                "Invalid beta parameter at index 0: 1.0", "betas[0]");
        rejects(() -> new Adam(ps, 0.1, new double[] {-0.1, 0.999}, 1e-8, 0, false, false),
                "Invalid beta parameter at index 0: -0.1");
        rejects(() -> new Adam(ps, 0.1, new double[] {0.9, 1.5}, 1e-8, 0, false, false),
                "Invalid beta parameter at index 1: 1.5", "betas[1]");
        rejects(() -> new Adam(ps, 0.1, new double[] {0.9}, 1e-8, 0, false, false), "betas must be two numbers");
        rejects(() -> new Adam(ps, 0.1, BETAS, -1e-8, 0, false, false), "Invalid epsilon value: -1.0E-8", "eps");
        rejects(() -> new Adam(ps, 0.1, BETAS, 1e-8, -0.5, false, false), "Invalid weight_decay value: -0.5",
                "weight_decay");
        rejects(() -> new AdamW(ps, 0.1, BETAS, 1e-8, -0.5, false, false), "AdamW", "Invalid weight_decay value");
        rejects(() -> new Adam(List.<Parameter>of(), 0.1), "Adam", "empty parameter list");
        rejects(() -> new Adam(List.<ParamGroup>of(), 0.1), "Adam", "empty parameter list");
        new Adam(ps, 0.0); // lr = 0, eps = 0 and beta = 0 are allowed, as in PyTorch
        new Adam(ps, 0.1, new double[] {0.0, 0.0}, 0, 0, false, false);

        // in a group: the same rules, and the group is named
        Parameter q = param(1);
        rejects(() -> new Adam(List.of(new ParamGroup(List.of(q)).set("lr", -1)), 0.1),
                "Adam param group 0", "Invalid learning rate: -1.0");
        rejects(() -> new Adam(List.of(new ParamGroup(List.of(q)).set("lrr", 0.1)), 0.1),
                "unknown option 'lrr'", "lr, betas, eps, weight_decay, amsgrad, maximize");
        rejects(() -> new Adam(List.of(new ParamGroup(List.of(q)).set("amsgrad", 1)), 0.1),
                "option amsgrad must be true or false");
        Adam opt = new Adam(List.of(q), 0.1);
        rejects(() -> opt.paramGroups().get(0).set("betas", List.of(0.9, 1.0)), "Invalid beta parameter at index 1");
        assertEquals(0.1, opt.paramGroups().get(0).getDouble("lr"), "a refused value leaves the group as it was");
        rejects(() -> opt.paramGroups().get(0).set("momentum", 0.9), "Adam param group 0", "unknown option 'momentum'");
        rejects(() -> opt.addParamGroup(new ParamGroup(List.of(q))), "some parameters appear in more than one");
        rejects(() -> new Adam(List.of(q, q), 0.1), "listed twice");
        Parameter r = param(1);
        ParamGroup g = new ParamGroup(List.of(r));
        opt.addParamGroup(g);
        assertEquals(2, opt.paramGroups().size());
        rejects(() -> new Adam(List.of(g), 0.1), "already belongs");
    }

    @Test
    void amsgradSwitchedOnLateFailsLikePyTorch() {
        Parameter p = param(1);
        Adam opt = new Adam(List.of(p), 0.1);
        grad(p, 1f);
        opt.step();
        opt.paramGroups().get(0).set("amsgrad", true);
        IllegalStateException e = assertThrows(IllegalStateException.class, opt::step);
        assertTrue(e.getMessage().contains("max_exp_avg_sq"), e.getMessage());
    }

    /** beta^n as PyTorch's Python floats compute it, correctly rounded: checked against 60-digit decimals. */
    @Test
    void powerIsCorrectlyRounded() {
        MathContext mc = new MathContext(60);
        for (double beta : new double[] {0.9, 0.999, 0.99, 0.5, 0.95, 0.9999, 0.8, 0.0}) {
            BigDecimal b = new BigDecimal(beta);
            BigDecimal acc = BigDecimal.ONE;
            // down to 1e-300: below that the result is subnormal, and 1 - beta^n is 1 long before
            for (int n = 1; n <= 3000 && acc.compareTo(new BigDecimal("1e-300")) > 0; n++) {
                acc = acc.multiply(b, mc);
                assertEquals(acc.doubleValue(), AdamUpdate.power(beta, n), 0.0, beta + "^" + n);
            }
        }
        assertEquals(1.0, AdamUpdate.power(0.9, 0));
    }
}
