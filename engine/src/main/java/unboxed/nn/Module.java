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
    private final Map<String, Tensor> buffers = new LinkedHashMap<>();
    private final Map<String, Module> children = new LinkedHashMap<>();
    private boolean training = true;
    private final List<ForwardHook> forwardHooks = new ArrayList<>();

    public abstract Tensor forward(Tensor input);

    /**
     * {@code module(input)} in PyTorch ({@code __call__}): {@link #forward}, then every forward hook
     * in the order registered, each given the output of the one before. Containers such as
     * {@link Sequential} call their children this way, so a hook on any layer sees it run.
     */
    public final Tensor call(Tensor input) {
        Tensor out = forward(input);
        if (!forwardHooks.isEmpty()) {
            for (ForwardHook h : List.copyOf(forwardHooks)) {
                Tensor r = h.apply(this, input, out);
                if (r != null) {
                    out = r;
                }
            }
        }
        return out;
    }

    /**
     * {@code register_forward_hook(hook)}: {@code hook} runs after every {@link #call} of this
     * module with (module, input, output); what it returns replaces the output (null keeps it).
     * Closing the handle removes the hook, as PyTorch's {@code RemovableHandle.remove()} does.
     */
    public final AutoCloseable registerForwardHook(ForwardHook hook) {
        java.util.Objects.requireNonNull(hook, "hook");
        ForwardHook own = hook::apply; // its own identity: registering one hook twice runs it twice, removes one
        forwardHooks.add(own);
        return () -> forwardHooks.removeIf(h -> h == own);
    }

    protected final Parameter registerParameter(String name, Tensor value) {
        Parameter p = new Parameter(name, value);
        parameters.put(name, p);
        return p;
    }

    /**
     * {@code register_buffer}: state that belongs to the module and is saved in {@link #stateDict()}
     * but is not a parameter (no gradient, no optimizer update), such as BatchNorm's running mean.
     * Registering a name again replaces the buffer (modules update running statistics this way).
     */
    protected final Tensor registerBuffer(String name, Tensor value) {
        if (parameters.containsKey(name) || children.containsKey(name)) {
            throw new IllegalArgumentException("register_buffer: attribute '" + name + "' already exists as a "
                    + (parameters.containsKey(name) ? "parameter" : "child module"));
        }
        if (name.isEmpty() || name.contains(".")) {
            throw new IllegalArgumentException("register_buffer: buffer name must be non-empty and contain no '.', got '"
                    + name + "'");
        }
        Tensor b = value.detach();
        buffers.put(name, b);
        return b;
    }

    /** The buffer registered under {@code name} in this module (not its children). */
    protected final Tensor buffer(String name) {
        Tensor b = buffers.get(name);
        if (b == null) {
            throw new IllegalArgumentException("no buffer '" + name + "' (registered: " + buffers.keySet() + ")");
        }
        return b;
    }

    /** All buffers of this module and its children, depth first, named like state_dict keys. */
    public final Map<String, Tensor> namedBuffers() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        collectBuffers("", out);
        return out;
    }

    private void collectBuffers(String prefix, Map<String, Tensor> out) {
        buffers.forEach((n, b) -> out.put(prefix + n, b));
        children.forEach((n, m) -> m.collectBuffers(prefix + n + ".", out));
    }

    /**
     * {@code state_dict()}: every parameter and buffer by its dotted name, in registration order
     * (parameters before buffers within each module, as PyTorch orders them). The tensors are the
     * module's own (detached), not copies.
     */
    public final Map<String, Tensor> stateDict() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        collectState("", out);
        return out;
    }

    private void collectState(String prefix, Map<String, Tensor> out) {
        parameters.forEach((n, p) -> out.put(prefix + n, p.data().detach()));
        buffers.forEach((n, b) -> out.put(prefix + n, b));
        children.forEach((n, m) -> m.collectState(prefix + n + ".", out));
    }

    /**
     * {@code load_state_dict(strict=True)}: copies each tensor into the parameter or buffer of that
     * name. Every key must match and every shape agree; otherwise nothing is copied and the error
     * lists the missing keys, the unexpected keys and the shape mismatches.
     */
    public final void loadStateDict(Map<String, Tensor> state) {
        Map<String, Tensor> own = stateDict();
        List<String> problems = new ArrayList<>();
        for (String k : own.keySet()) {
            if (!state.containsKey(k)) {
                problems.add("missing key '" + k + "'");
            } else if (!java.util.Arrays.equals(own.get(k).shape(), state.get(k).shape())) {
                problems.add("'" + k + "': checkpoint shape " + java.util.Arrays.toString(state.get(k).shape())
                        + ", module shape " + java.util.Arrays.toString(own.get(k).shape()));
            }
        }
        for (String k : state.keySet()) {
            if (!own.containsKey(k)) {
                problems.add("unexpected key '" + k + "'");
            }
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("load_state_dict: " + String.join("; ", problems));
        }
        try (unboxed.autograd.Autograd.GradMode ignored = unboxed.autograd.Autograd.noGrad()) {
            own.forEach((k, t) -> t.copy_(state.get(k).to(t.backend())));
        }
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

    /**
     * Sets every parameter's gradient to null, like {@code zero_grad(set_to_none=True)} (PyTorch 2's
     * default; torch 1.13's {@code zero_grad()} zeroes in place, {@link #zeroGrad(boolean) zeroGrad(false)}).
     */
    public final void zeroGrad() {
        zeroGrad(true);
    }

    /** {@code zero_grad(set_to_none)}: null gradients, or each existing gradient zeroed in place (the same tensor). */
    public final void zeroGrad(boolean setToNone) {
        for (Parameter p : parameters()) {
            Parameter.zeroGrad(p.data(), setToNone);
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
