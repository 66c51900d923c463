package unboxed.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import unboxed.tensor.Rng;
import unboxed.tensor.Tensor;

/** Forward hooks (PyTorch's register_forward_hook) and the Tanh and Sigmoid modules. */
class ForwardHookTest {

    @Test
    void hookSeesInputAndOutputOfEveryCallInsideSequential() throws Exception {
        Rng rng = new Rng(1);
        ReLU relu = new ReLU();
        Sequential net = new Sequential(new Linear(1, 3, rng), relu, new Linear(3, 1, rng));
        List<Tensor> inputs = new ArrayList<>();
        List<Tensor> outputs = new ArrayList<>();
        AutoCloseable h = relu.registerForwardHook((m, in, out) -> {
            assertSame(relu, m);
            inputs.add(in);
            outputs.add(out);
            return out;
        });
        Tensor x = Tensor.of(new float[] {-1f, 0.5f}, 2, 1);
        Tensor y = net.call(x);
        assertEquals(1, inputs.size());
        assertArrayEquals(new int[] {2, 3}, inputs.get(0).shape());
        float[] pre = inputs.get(0).toArray();
        float[] post = outputs.get(0).toArray();
        for (int i = 0; i < pre.length; i++) {
            assertEquals(Math.max(pre[i], 0f), post[i]);
        }
        assertArrayEquals(net.forward(x).toArray(), y.toArray());
        assertEquals(2, inputs.size(), "Sequential.forward calls its children, hooks included");
        h.close();
        net.call(x);
        assertEquals(2, inputs.size(), "a removed hook no longer runs");
    }

    @Test
    void hookThatReturnsATensorReplacesTheOutput() throws Exception {
        Tanh t = new Tanh();
        try (AutoCloseable h = t.registerForwardHook((m, in, out) -> out.mul(2f))) {
            float[] y = t.call(Tensor.of(new float[] {0.5f}, 1)).toArray();
            assertEquals(2 * (float) Math.tanh(0.5), y[0], 1e-6);
        }
        assertEquals((float) Math.tanh(0.5), t.call(Tensor.of(new float[] {0.5f}, 1)).toArray()[0], 1e-6);
    }

    @Test
    void tanhAndSigmoidModulesMatchTheTensorOps() {
        Tensor x = Tensor.of(new float[] {-3f, -0.1f, 0f, 2f}, 4);
        assertArrayEquals(x.tanh().toArray(), new Tanh().forward(x).toArray());
        assertArrayEquals(x.sigmoid().toArray(), new Sigmoid().forward(x).toArray());
    }
}
