package unboxed.nn;

import unboxed.tensor.Tensor;

/**
 * A forward hook, like the function given to PyTorch's {@code Module.register_forward_hook}:
 * called with the module, its input and its output after every {@link Module#call}. It returns the
 * output to pass on: {@code output} itself to only look, another tensor to replace it (PyTorch's
 * hook replaces the output when it returns something other than None).
 */
@FunctionalInterface
public interface ForwardHook {
    Tensor apply(Module module, Tensor input, Tensor output);
}
