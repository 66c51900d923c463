package unboxed.nn;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import unboxed.tensor.Tensor;

/**
 * A layer or a network, like {@code torch.nn.Module}: it owns parameters and child modules
 * (registered by name, in order) and maps an input tensor to an output tensor.
 */
public abstract class Module {
    private final Map<String, Parameter> parameters = new LinkedHashMap<>();
    private final Map<String, Module> children = new LinkedHashMap<>();
    private boolean training = true;

    public abstract Tensor forward(Tensor input);

    protected final Parameter registerParameter(String name, Tensor value) {
        Parameter p = new Parameter(name, value);
        parameters.put(name, p);
        return p;
    }

    protected final <M extends Module> M registerModule(String name, M module) {
        children.put(name, module);
        return module;
    }

    /** All parameters of this module and its children, depth first, named like state_dict keys ("0.weight"). */
    public final Map<String, Parameter> namedParameters() {
        Map<String, Parameter> out = new LinkedHashMap<>();
        collect("", out);
        return out;
    }

    private void collect(String prefix, Map<String, Parameter> out) {
        parameters.forEach((n, p) -> out.put(prefix + n, p));
        children.forEach((n, m) -> m.collect(prefix + n + ".", out));
    }

    public final List<Parameter> parameters() {
        return new ArrayList<>(namedParameters().values());
    }

    /** Sets every parameter's gradient to null, like {@code zero_grad(set_to_none=True)}. */
    public final void zeroGrad() {
        for (Parameter p : parameters()) {
            p.data().setGrad(null);
        }
    }

    public final Module train(boolean mode) {
        training = mode;
        children.values().forEach(m -> m.train(mode));
        return this;
    }

    public final Module eval() {
        return train(false);
    }

    public final boolean isTraining() {
        return training;
    }
}
