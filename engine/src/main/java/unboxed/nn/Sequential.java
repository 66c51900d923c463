package unboxed.nn;

import java.util.ArrayList;
import java.util.List;
import unboxed.tensor.Tensor;

/** {@code nn.Sequential(...)}: applies its modules in order; they are named "0", "1", ... */
public final class Sequential extends Module {
    private final List<Module> layers = new ArrayList<>();

    public Sequential(Module... modules) {
        for (Module m : modules) {
            layers.add(registerModule(Integer.toString(layers.size()), m));
        }
    }

    @Override
    public Tensor forward(Tensor input) {
        Tensor x = input;
        for (Module m : layers) {
            x = m.call(x);
        }
        return x;
    }

    public Module get(int i) {
        return layers.get(i);
    }

    public int size() {
        return layers.size();
    }
}
