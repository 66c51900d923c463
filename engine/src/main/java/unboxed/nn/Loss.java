package unboxed.nn;

import unboxed.tensor.Tensor;

/** A loss module: compares a prediction with a target. */
public interface Loss {
    Tensor forward(Tensor input, Tensor target);
}
