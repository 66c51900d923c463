package unboxed.basics;

import unboxed.nn.Linear;
import unboxed.nn.ReLU;
import unboxed.nn.Sequential;
import unboxed.tensor.Rng;

/** The post's network: 784 -> 256 -> ReLU -> 10, initialised from one seeded stream. */
public final class Mlp {
    public static final int INPUT = 784;
    public static final int HIDDEN = 256;
    public static final int CLASSES = 10;

    private Mlp() {
    }

    public static Sequential create(Rng rng) {
        Rng init = rng.fork("init");
        return new Sequential(new Linear(INPUT, HIDDEN, init), new ReLU(), new Linear(HIDDEN, CLASSES, init));
    }
}
