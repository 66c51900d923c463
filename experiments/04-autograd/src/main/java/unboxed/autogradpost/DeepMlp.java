package unboxed.autogradpost;

import java.util.ArrayList;
import java.util.List;
import unboxed.nn.Linear;
import unboxed.nn.Module;
import unboxed.nn.ReLU;
import unboxed.nn.Sequential;
import unboxed.tensor.Rng;

/**
 * An MLP of a given number of Linear layers for 784-pixel images and 10 classes: Linear(784, W),
 * then (layers - 2) × [ReLU, Linear(W, W)], then ReLU, Linear(W, 10); one layer is Linear(784, 10).
 * PyTorch's default initialisation, from one seeded stream.
 */
final class DeepMlp {
    static final int WIDTH = 128;

    private DeepMlp() {
    }

    static Sequential create(int layers, Rng rng) {
        if (layers < 1) {
            throw new IllegalArgumentException("DeepMlp: layers must be >= 1, got " + layers);
        }
        Rng init = rng.fork("init");
        List<Module> m = new ArrayList<>();
        if (layers == 1) {
            m.add(new Linear(784, 10, init));
        } else {
            m.add(new Linear(784, WIDTH, init));
            for (int i = 0; i < layers - 2; i++) {
                m.add(new ReLU());
                m.add(new Linear(WIDTH, WIDTH, init));
            }
            m.add(new ReLU());
            m.add(new Linear(WIDTH, 10, init));
        }
        return new Sequential(m.toArray(new Module[0]));
    }
}
