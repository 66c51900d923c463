package unboxed.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import unboxed.nn.Parameter;
import unboxed.tensor.Tensor;

/** torch.optim.SGD's update rules, step by step against the formulas, and its argument checks. */
class SGDTest {

    private static Parameter param(float... v) {
        return new Parameter("p", Tensor.of(v, v.length));
    }

    private static void rejects(Executable call, String... parts) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        for (String p : parts) {
            assertTrue(e.getMessage().contains(p), "message should contain '" + p + "': " + e.getMessage());
        }
    }

    @Test
    void argumentChecksNameTheOptimizerAndTheValue() {
        List<Parameter> ps = List.of(param(1));
        rejects(() -> new SGD(ps, -0.1), "SGD", "learning rate", "-0.1");
        rejects(() -> new SGD(ps, Double.NaN), "SGD", "learning rate", "NaN");
        rejects(() -> new SGD(ps, 0.1, -0.5, 0, 0, false, false), "SGD", "momentum", "-0.5");
        rejects(() -> new SGD(ps, 0.1, 0, 0, -1e-4, false, false), "SGD", "weight_decay", "-1.0E-4");
        rejects(() -> new SGD(ps, 0.1, 0, 0, 0, true, false), "SGD", "Nesterov", "momentum=0.0");
        rejects(() -> new SGD(ps, 0.1, 0.9, 0.1, 0, true, false), "SGD", "Nesterov", "dampening=0.1");
        rejects(() -> new SGD(List.<Parameter>of(), 0.1), "empty parameter list");
        new SGD(ps, 0.0); // lr = 0 is allowed, as in PyTorch
        new SGD(ps, 0.1, 0.9, 0, 0, true, false);
    }

    @Test
    void plainStep() {
        Parameter p = param(1, 2, 3);
        Tensor before = p.data();
        p.data().setGrad(Tensor.of(new float[] {0.5f, -1, 2}, 3));
        new SGD(List.of(p), 0.1).step();
        assertArrayEquals(new float[] {1 - 0.1f * 0.5f, 2 - 0.1f * -1, 3 - 0.1f * 2}, p.data().toArray());
        assertSame(before, p.data(), "updated in place: modules keep computing with the same tensor");
        assertTrue(p.data().isLeaf(), "the update is not recorded");
        assertTrue(p.data().requiresGrad());
    }

    @Test
    void parametersWithoutGradientAreSkipped() {
        Parameter a = param(1, 2);
        Parameter b = param(3, 4);
        b.data().setGrad(Tensor.of(new float[] {1, 1}, 2));
        new SGD(List.of(a, b), 1.0, 0.9, 0, 0.1, false, false).step();
        assertArrayEquals(new float[] {1, 2}, a.data().toArray());
        assertArrayEquals(new float[] {3 - (1 + 0.1f * 3), 4 - (1 + 0.1f * 4)}, b.data().toArray(), 1e-6f);
    }

    /** Runs the rule of torch.optim.SGD in double, for comparison. */
    private static double[] reference(double p0, double[] grads, double lr, double momentum, double dampening,
                                      double wd, boolean nesterov, boolean maximize) {
        double p = p0;
        double buf = 0;
        double[] out = new double[grads.length];
        for (int t = 0; t < grads.length; t++) {
            double g = maximize ? -grads[t] : grads[t];
            g += wd * p;
            if (momentum != 0) {
                buf = t == 0 ? g : momentum * buf + (1 - dampening) * g;
                g = nesterov ? g + momentum * buf : buf;
            }
            p -= lr * g;
            out[t] = p;
        }
        return out;
    }

    private static void checkAgainstReference(double lr, double momentum, double dampening, double wd,
                                              boolean nesterov, boolean maximize) {
        double[] grads = {0.5, -1.25, 2.0, 0.75, -0.3};
        Parameter p = param(1.5f);
        SGD opt = new SGD(List.of(p), lr, momentum, dampening, wd, nesterov, maximize);
        double[] expected = reference(1.5, grads, lr, momentum, dampening, wd, nesterov, maximize);
        for (int t = 0; t < grads.length; t++) {
            p.data().setGrad(Tensor.of(new float[] {(float) grads[t]}, 1));
            opt.step();
            assertEquals(expected[t], p.data().toArray()[0], 1e-5,
                    "step " + t + " lr=" + lr + " momentum=" + momentum + " dampening=" + dampening + " wd=" + wd
                            + " nesterov=" + nesterov + " maximize=" + maximize);
        }
    }

    @Test
    void updateRulesMatchTorch() {
        checkAgainstReference(0.1, 0, 0, 0, false, false);
        checkAgainstReference(0.1, 0.9, 0, 0, false, false);
        checkAgainstReference(0.1, 0.9, 0.5, 0, false, false);
        checkAgainstReference(0.05, 0.8, 0, 0.01, true, false);
        checkAgainstReference(0.1, 0, 0, 0.1, false, false);
        checkAgainstReference(0.1, 0.9, 0.1, 0.1, false, true);
        checkAgainstReference(0.1, 0.5, 1.0, 0, false, false);
    }

    @Test
    void momentumBuffersArePerParameter() {
        Parameter a = param(0);
        Parameter b = param(0);
        SGD opt = new SGD(List.of(a, b), 1.0, 0.5, 0, 0, false, false);
        a.data().setGrad(Tensor.of(new float[] {1}, 1));
        b.data().setGrad(Tensor.of(new float[] {-2}, 1));
        opt.step();
        opt.step();
        // buf_a: 1, then 0.5 + 1 = 1.5; p_a = -1 - 1.5. buf_b: -2, then -1 - 2 = -3; p_b = 2 + 3
        assertEquals(-2.5f, a.data().toArray()[0]);
        assertEquals(5f, b.data().toArray()[0]);
    }

    @Test
    void firstMomentumStepCopiesTheGradient() {
        // the buffer must not alias the gradient: changing the grad afterwards must not change the buffer
        Parameter a = param(0);
        SGD opt = new SGD(List.of(a), 1.0, 0.5, 0, 0, false, false);
        Tensor g = Tensor.of(new float[] {1}, 1);
        a.data().setGrad(g);
        opt.step();
        g.fill_(100f);
        a.data().setGrad(Tensor.of(new float[] {0}, 1));
        opt.step();
        assertEquals(-1.5f, a.data().toArray()[0], "buf = 0.5 * 1 + 0; p = -1 - 0.5");
    }

    @Test
    void paramGroupsHaveTheirOwnOptions() {
        Parameter a = param(1, 2);
        Parameter b = param(1, 2);
        Parameter c = param(1, 2);
        Parameter d = param(1, 2);
        SGD both = new SGD(List.of(new ParamGroup(List.of(a)),
                new ParamGroup(List.of(b)).set("lr", 0.5).set("nesterov", true)), 0.1, 0.9, 0, 0.01, false, false);
        SGD first = new SGD(List.of(c), 0.1, 0.9, 0, 0.01, false, false);
        SGD second = new SGD(List.of(d), 0.5, 0.9, 0, 0.01, true, false);
        float[][] grads = {{0.5f, -1}, {2, 0.25f}, {-0.75f, 1.5f}};
        for (float[] g : grads) {
            for (Parameter p : List.of(a, b, c, d)) {
                p.data().setGrad(Tensor.of(g.clone(), 2));
            }
            both.step();
            first.step();
            second.step();
        }
        assertArrayEquals(c.data().toArray(), a.data().toArray(), "group 0 is SGD with the defaults, bit for bit");
        assertArrayEquals(d.data().toArray(), b.data().toArray(), "group 1 is SGD with its own lr and nesterov");
        rejects(() -> new SGD(List.of(new ParamGroup(List.of(param(1))).set("nesterov", true)), 0.1),
                "SGD param group 0", "Nesterov");
        rejects(() -> new SGD(List.of(new ParamGroup(List.of(param(1))).set("betas", List.of(0.9, 0.99))), 0.1),
                "unknown option 'betas'", "lr, momentum, dampening, weight_decay, nesterov, maximize");
    }

    @Test
    void zeroGradSetsGradientsToNone() {
        Parameter a = param(1);
        a.data().setGrad(Tensor.ones(1));
        SGD opt = new SGD(List.of(a), 0.1);
        opt.zeroGrad();
        assertNull(a.grad());
    }
}
