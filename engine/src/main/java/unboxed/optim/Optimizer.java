package unboxed.optim;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import unboxed.nn.Parameter;
import unboxed.tensor.Tensor;

/**
 * PyTorch's {@code torch.optim.Optimizer}: parameters in {@link ParamGroup}s, each group with its
 * own options (the optimizer's defaults, where the group does not override them), a state per
 * parameter, and {@link #stateDict()} / {@link #loadStateDict} to save and resume it.
 *
 * <p>{@link #step()} runs without recording a graph and updates every parameter in place, so the
 * tensors a module computes with are always the current ones.
 */
public abstract class Optimizer {
    private final String name;
    private final Map<String, Object> defaults;
    private final List<ParamGroup> paramGroups = new ArrayList<>();
    private final Map<Tensor, ParamState> state = new IdentityHashMap<>();

    /** What an optimizer keeps for one parameter, PyTorch's {@code optimizer.state[p]}. */
    protected interface ParamState {
        /**
         * The state as {@code state_dict()} holds it: named tensors, a step counter as a 0-dim float32
         * tensor (as PyTorch keeps it). Copies, so that later steps do not change a saved dict.
         */
        Map<String, Tensor> toStateDict();
    }

    /** One group holding {@code params}, with the defaults as its options. */
    protected Optimizer(String name, List<Parameter> params, Map<String, Object> defaults) {
        this(name, defaults);
        if (params.isEmpty()) {
            throw new IllegalArgumentException(name + ": optimizer got an empty parameter list");
        }
        addParamGroup(new ParamGroup(params));
    }

    /** The given groups, each completed with the defaults it does not override. */
    protected Optimizer(String name, Collection<ParamGroup> groups, Map<String, Object> defaults) {
        this(name, defaults);
        if (groups.isEmpty()) {
            throw new IllegalArgumentException(name + ": optimizer got an empty parameter list");
        }
        for (ParamGroup g : groups) {
            addParamGroup(g);
        }
    }

    private Optimizer(String name, Map<String, Object> defaults) {
        this.name = name;
        Map<String, Object> d = new LinkedHashMap<>();
        defaults.forEach((k, v) -> d.put(k, ParamGroup.normalise(k, v)));
        // PyTorch checks the constructor's arguments; the groups are checked as they are added
        checkGroup(d, name);
        this.defaults = Collections.unmodifiableMap(d);
    }

    /** Updates every parameter that has a gradient, once. */
    public abstract void step();

    /**
     * Sets every gradient to null, like {@code zero_grad(set_to_none=True)} (PyTorch 2's default;
     * torch 1.13's {@code zero_grad()} zeroes in place, {@link #zeroGrad(boolean) zeroGrad(false)}).
     */
    public void zeroGrad() {
        zeroGrad(true);
    }

    /**
     * {@code zero_grad(set_to_none)}: with true every gradient becomes null (the next backward
     * allocates it anew); with false each existing gradient is filled with zeros in place, so it stays
     * the same tensor, as PyTorch does.
     */
    public void zeroGrad(boolean setToNone) {
        for (ParamGroup g : paramGroups) {
            for (Parameter p : g.params()) {
                Parameter.zeroGrad(p.data(), setToNone);
            }
        }
    }

    /** The optimizer's name, as in PyTorch ({@code SGD}, {@code Adam}, ...). */
    public final String name() {
        return name;
    }

    /** PyTorch's {@code defaults}: every option, at the value the constructor was given. */
    public final Map<String, Object> defaults() {
        return defaults;
    }

    /** PyTorch's {@code param_groups}; change a group's options with {@link ParamGroup#set}. */
    public final List<ParamGroup> paramGroups() {
        return Collections.unmodifiableList(paramGroups);
    }

    /**
     * PyTorch's {@code add_param_group}: the group takes the defaults for the options it does not
     * set. Refused: an option this optimizer does not have, a value its rules reject, a parameter
     * that another group (or this one, twice) already holds.
     */
    public final void addParamGroup(ParamGroup group) {
        String where = name + " param group " + paramGroups.size();
        if (group.owner() != null) {
            throw new IllegalArgumentException(where + ": this param group already belongs to "
                    + (group.owner() == this ? "this optimizer" : "another optimizer") + "; make a new ParamGroup");
        }
        for (String key : group.options().keySet()) {
            if (!defaults.containsKey(key)) {
                throw new IllegalArgumentException(where + ": unknown option '" + key + "' (" + name + " has "
                        + String.join(", ", defaults.keySet()) + ")");
            }
        }
        Set<Tensor> held = Collections.newSetFromMap(new IdentityHashMap<>());
        for (ParamGroup g : paramGroups) {
            for (Parameter p : g.params()) {
                held.add(p.data());
            }
        }
        Set<Tensor> mine = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Parameter p : group.params()) {
            if (held.contains(p.data())) {
                throw new IllegalArgumentException(where + ": some parameters appear in more than one parameter group ("
                        + p.name() + ")");
            }
            if (!mine.add(p.data())) {
                // PyTorch only warns here; the parameter would then be stepped twice per step
                throw new IllegalArgumentException(where + ": parameter " + p.name() + " is listed twice in the group");
            }
        }
        Map<String, Object> complete = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : defaults.entrySet()) {
            complete.put(e.getKey(), group.has(e.getKey()) ? group.get(e.getKey()) : e.getValue());
        }
        checkGroup(complete, where);
        group.adopt(this, complete);
        paramGroups.add(group);
    }

    /**
     * Checks a complete set of options (the defaults, or a group's), throwing an
     * IllegalArgumentException that starts with {@code where} and names the option.
     */
    protected abstract void checkGroup(Map<String, Object> options, String where);

    /**
     * Checks one parameter's saved state against the parameter and the options of its group, and
     * builds the state to install (nothing is installed until every parameter has passed).
     */
    protected abstract ParamState restoreState(Map<String, Tensor> saved, Tensor param, Map<String, Object> options,
                                               String where);

    /** The state of a parameter, or null before its first step. */
    protected final ParamState state(Tensor param) {
        return state.get(param);
    }

    protected final void putState(Tensor param, ParamState s) {
        state.put(param, s);
    }

    String where(ParamGroup group) {
        return name + " param group " + paramGroups.indexOf(group);
    }

    /**
     * PyTorch's {@code state_dict()}: {@code state} maps a parameter's index (counted over the groups,
     * in order) to its state, for the parameters that have one; {@code param_groups} holds each
     * group's options and, under {@code params}, the indices of its parameters. The tensors are
     * copies (PyTorch hands out its own, and {@code torch.save} copies them); {@link StateDict#save}
     * writes the dict to a file.
     */
    public final StateDict stateDict() {
        Map<Integer, Map<String, Tensor>> st = new LinkedHashMap<>();
        List<Map<String, Object>> groups = new ArrayList<>();
        int index = 0;
        for (ParamGroup g : paramGroups) {
            Map<String, Object> packed = new LinkedHashMap<>(g.options());
            List<Integer> ids = new ArrayList<>();
            for (Parameter p : g.params()) {
                ParamState s = state.get(p.data());
                if (s != null) {
                    st.put(index, s.toStateDict());
                }
                ids.add(index++);
            }
            packed.put("params", ids);
            groups.add(packed);
        }
        return new StateDict(st, groups);
    }

    /**
     * PyTorch's {@code load_state_dict}: the saved groups' options replace the current ones, and the
     * saved states replace all state (a parameter without a saved state starts afresh). Parameters
     * are matched by position: the dict must have as many groups, each as many parameters, as this
     * optimizer. Everything is checked before anything changes, so a refused dict leaves the
     * optimizer as it was.
     */
    public final void loadStateDict(StateDict dict) {
        List<Map<String, Object>> saved = dict.paramGroups();
        if (saved.size() != paramGroups.size()) {
            throw new IllegalArgumentException(name + ": loaded state dict has a different number of parameter groups ("
                    + saved.size() + "; the optimizer has " + paramGroups.size() + ")");
        }
        Map<Integer, Tensor> paramOf = new LinkedHashMap<>();
        Map<Integer, Map<String, Object>> optionsOf = new LinkedHashMap<>();
        List<Map<String, Object>> newOptions = new ArrayList<>();
        for (int i = 0; i < saved.size(); i++) {
            String where = name + " loaded param group " + i;
            Map<String, Object> s = saved.get(i);
            List<Integer> ids = indices(s.get("params"), where);
            ParamGroup g = paramGroups.get(i);
            if (ids.size() != g.params().size()) {
                throw new IllegalArgumentException(where + ": loaded state dict contains a parameter group that doesn't"
                        + " match the size of optimizer's group (" + ids.size() + " parameters saved, "
                        + g.params().size() + " here)");
            }
            // an unknown option first: a dict of another optimizer is then named for what it is
            for (String key : s.keySet()) {
                if (!key.equals("params") && !defaults.containsKey(key)) {
                    throw new IllegalArgumentException(where + ": unknown option '" + key + "' (" + name + " has "
                            + String.join(", ", defaults.keySet()) + ")");
                }
            }
            Map<String, Object> options = new LinkedHashMap<>();
            for (String key : defaults.keySet()) {
                if (!s.containsKey(key)) {
                    throw new IllegalArgumentException(where + ": option '" + key + "' is missing (" + name + " has "
                            + String.join(", ", defaults.keySet()) + ")");
                }
                options.put(key, ParamGroup.normalise(key, s.get(key)));
            }
            checkGroup(options, where);
            newOptions.add(options);
            for (int k = 0; k < ids.size(); k++) {
                if (paramOf.put(ids.get(k), g.params().get(k).data()) != null) {
                    throw new IllegalArgumentException(where + ": parameter index " + ids.get(k) + " appears twice");
                }
                optionsOf.put(ids.get(k), options);
            }
        }
        Map<Tensor, ParamState> restored = new IdentityHashMap<>();
        for (Map.Entry<Integer, Map<String, Tensor>> e : dict.state().entrySet()) {
            Tensor p = paramOf.get(e.getKey());
            if (p == null) {
                throw new IllegalArgumentException(name + ": loaded state dict has a state for parameter " + e.getKey()
                        + ", which none of its param groups lists (they list " + paramOf.keySet() + ")");
            }
            restored.put(p, restoreState(e.getValue(), p, optionsOf.get(e.getKey()),
                    name + " loaded state of parameter " + e.getKey()));
        }
        state.clear();
        state.putAll(restored);
        for (int i = 0; i < paramGroups.size(); i++) {
            paramGroups.get(i).adopt(this, newOptions.get(i));
        }
    }

    private static List<Integer> indices(Object v, String where) {
        if (!(v instanceof List<?> l)) {
            throw new IllegalArgumentException(where + ": 'params' must be a list of parameter indices, got " + v);
        }
        List<Integer> out = new ArrayList<>();
        for (Object o : l) {
            if (!(o instanceof Number n) || n.doubleValue() != Math.rint(n.doubleValue()) || n.doubleValue() < 0) {
                throw new IllegalArgumentException(where + ": 'params' must be a list of parameter indices, got " + l);
            }
            out.add(n.intValue());
        }
        return out;
    }

    // ------------------------------------------------------------------ helpers for the rules

    /** A numeric option; the message names the option and the value it got. */
    protected static double number(Map<String, Object> options, String key, String where) {
        Object v = options.get(key);
        if (!(v instanceof Double d)) {
            throw new IllegalArgumentException(where + ": option " + key + " must be a number, got " + v);
        }
        return d;
    }

    protected static boolean flag(Map<String, Object> options, String key, String where) {
        Object v = options.get(key);
        if (!(v instanceof Boolean b)) {
            throw new IllegalArgumentException(where + ": option " + key + " must be true or false, got " + v);
        }
        return b;
    }

    /**
     * A saved state tensor, checked against its parameter's shape and copied onto the parameter's
     * backend (PyTorch casts a loaded state to the parameter's device).
     */
    protected static Tensor savedLike(Map<String, Tensor> saved, String key, Tensor param, String where) {
        Tensor t = saved.get(key);
        if (t == null) {
            throw new IllegalArgumentException(where + ": '" + key + "' is missing (saved: " + saved.keySet() + ")");
        }
        if (!java.util.Arrays.equals(t.shape(), param.shape())) {
            throw new IllegalArgumentException(where + ": '" + key + "' has shape " + java.util.Arrays.toString(t.shape())
                    + ", the parameter " + java.util.Arrays.toString(param.shape()));
        }
        Tensor on = t.to(param.backend());
        return on == t ? t.copy() : on;
    }

    /** Fails on a saved state entry that this optimizer does not keep. */
    protected static void onlyKeys(Map<String, Tensor> saved, Set<String> allowed, String where) {
        for (String k : saved.keySet()) {
            if (!allowed.contains(k)) {
                throw new IllegalArgumentException(where + ": unknown state '" + k + "' (expected "
                        + String.join(", ", new java.util.TreeSet<>(allowed)) + ")");
            }
        }
    }
}
