package unboxed.optim;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import unboxed.nn.Parameter;

/**
 * One of an optimizer's {@code param_groups}: some parameters and the options that apply to them,
 * as PyTorch's {@code {'params': ..., 'lr': 1e-3, ...}}. A group names only the options it
 * overrides; when an optimizer adopts it, every other option takes the optimizer's default
 * ({@code add_param_group}'s {@code setdefault}). Options keep PyTorch's names ({@code lr},
 * {@code betas}, {@code weight_decay}, ...).
 *
 * <pre>
 *   Adam opt = new Adam(List.of(
 *           new ParamGroup(base.parameters()),
 *           new ParamGroup(head.parameters()).set("lr", 1e-2)), 1e-3);
 *   opt.paramGroups().get(0).set("lr", 5e-4);      // takes effect at the next step, as in PyTorch
 * </pre>
 *
 * <p>Values are held as {@code Double} (any number), {@code Boolean}, or an unmodifiable
 * {@code List<Double>} ({@code betas}, given as a list or a {@code double[]}). Once a group belongs
 * to an optimizer, {@link #set} checks the value with that optimizer's rules, so a bad value fails
 * where it is set, with the optimizer's message, not at the next step.
 */
public final class ParamGroup {
    private final List<Parameter> params;
    private final Map<String, Object> options = new LinkedHashMap<>();
    private Optimizer owner;

    public ParamGroup(List<Parameter> params) {
        this.params = List.copyOf(params);
    }

    /** The group's parameters, in order. */
    public List<Parameter> params() {
        return params;
    }

    /** Every option the group holds (after adoption: all of the optimizer's options), in order. */
    public Map<String, Object> options() {
        return Collections.unmodifiableMap(options);
    }

    /** Sets an option, PyTorch's {@code group[name] = value}; returns this group. */
    public ParamGroup set(String name, Object value) {
        Object v = normalise(name, value);
        if (owner != null) {
            if (!owner.defaults().containsKey(name)) {
                throw new IllegalArgumentException(owner.where(this) + ": unknown option '" + name + "' ("
                        + owner.name() + " has " + String.join(", ", owner.defaults().keySet()) + ")");
            }
            Map<String, Object> next = new LinkedHashMap<>(options);
            next.put(name, v);
            owner.checkGroup(next, owner.where(this));
        }
        options.put(name, v);
        return this;
    }

    /** Whether the group holds this option (before adoption: whether it overrides the default). */
    public boolean has(String name) {
        return options.containsKey(name);
    }

    public Object get(String name) {
        Object v = options.get(name);
        if (v == null) {
            throw new IllegalArgumentException("param group has no option '" + name + "' (it has " + options.keySet() + ")");
        }
        return v;
    }

    public double getDouble(String name) {
        return (Double) get(name);
    }

    public boolean getBoolean(String name) {
        return (Boolean) get(name);
    }

    @SuppressWarnings("unchecked")
    public List<Double> getList(String name) {
        return (List<Double>) get(name);
    }

    /** The optimizer that adopted this group, or null. */
    Optimizer owner() {
        return owner;
    }

    void adopt(Optimizer optimizer, Map<String, Object> complete) {
        owner = optimizer;
        options.clear();
        options.putAll(complete);
    }

    /** A number as Double, a boolean as Boolean, a list or double[] of numbers as an unmodifiable List<Double>. */
    static Object normalise(String name, Object value) {
        if (value instanceof Number n) {
            return n.doubleValue();
        }
        if (value instanceof Boolean b) {
            return b;
        }
        if (value instanceof double[] d) {
            List<Double> l = new ArrayList<>(d.length);
            for (double x : d) {
                l.add(x);
            }
            return List.copyOf(l);
        }
        if (value instanceof List<?> list) {
            List<Double> l = new ArrayList<>(list.size());
            for (Object o : list) {
                if (!(o instanceof Number n)) {
                    throw new IllegalArgumentException("option " + name + " must be a number, a boolean or a list of"
                            + " numbers, got a list holding " + o);
                }
                l.add(n.doubleValue());
            }
            return List.copyOf(l);
        }
        throw new IllegalArgumentException("option " + name + " must be a number, a boolean or a list of numbers, got "
                + (value == null ? "null" : value + " (" + value.getClass().getSimpleName() + ")"));
    }

    @Override
    public String toString() {
        return "ParamGroup(" + params.size() + " params, " + options + ")";
    }
}
