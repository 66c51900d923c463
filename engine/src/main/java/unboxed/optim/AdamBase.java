package unboxed.optim;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import unboxed.autograd.Autograd;
import unboxed.nn.Parameter;
import unboxed.tensor.Tensor;

/**
 * What {@link Adam} and {@link AdamW} share: the options, their checks, the state, and the loop of
 * {@link #step()} over the groups; the update itself is {@link AdamUpdate}. They are siblings, as
 * in PyTorch, where AdamW is not a kind of Adam.
 */
abstract class AdamBase extends Optimizer {
    private final boolean decoupled;
    private final AdamDeparture departure;

    AdamBase(String name, List<Parameter> params, Map<String, Object> defaults, boolean decoupled,
             AdamDeparture departure) {
        super(name, params, defaults);
        this.decoupled = decoupled;
        this.departure = departure;
    }

    AdamBase(String name, Collection<ParamGroup> groups, Map<String, Object> defaults, boolean decoupled) {
        super(name, groups, defaults);
        this.decoupled = decoupled;
        this.departure = AdamDeparture.NONE;
    }

    @Override
    protected final void checkGroup(Map<String, Object> options, String where) {
        AdamUpdate.check(options, where);
    }

    @Override
    protected final ParamState restoreState(Map<String, Tensor> saved, Tensor param, Map<String, Object> options,
                                            String where) {
        return AdamUpdate.restore(saved, param, options, where);
    }

    @Override
    public final void step() {
        try (Autograd.GradMode ignored = Autograd.noGrad()) {
            int index = 0;
            for (ParamGroup group : paramGroups()) {
                for (Parameter param : group.params()) {
                    Tensor p = param.data();
                    Tensor grad = p.grad();
                    if (grad != null) {
                        AdamUpdate.State s = (AdamUpdate.State) state(p);
                        if (s == null) {
                            // PyTorch's lazy initialisation, at a parameter's first step with a gradient
                            s = AdamUpdate.State.fresh(p, group.getBoolean("amsgrad"));
                            putState(p, s);
                        }
                        AdamUpdate.step(p, grad, s, group, decoupled, departure,
                                name() + " parameter " + index + " (" + param.name() + ")");
                    }
                    index++;
                }
            }
        }
    }
}
