package unboxed.backend.cpu;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.Arrays;

/**
 * New float arrays for tensors whose every element is written before it is read (the outputs of
 * kernels, {@code Tensor.empty}), without the zeroing Java does for {@code new float[n]}.
 *
 * <p>Why: a training step allocates its outputs and gradients afresh (as PyTorch does from its
 * caching allocator), and for large ones the JVM's zeroing is a second full pass over memory
 * that the kernel then overwrites. In post 01's MLP epoch (1 GB allocated per epoch, the largest
 * array the 800 KB weight gradient) it measured 6 % of the epoch.
 *
 * <p>How: {@code jdk.internal.misc.Unsafe.allocateUninitializedArray}, which the JIT compiles to
 * an allocation without the zeroing where it allocates inline, in the thread's allocation buffer.
 * An array too large for that buffer goes to the JVM's slow path, which zeroes it whatever the
 * caller asked (seen in profiles as {@code OptoRuntime::new_array_C} and a memset): the
 * activations of a convolutional network's first layers are that large. It is reachable only
 * when the JVM runs with
 * {@code --add-exports java.base/jdk.internal.misc=ALL-UNNAMED} (every launcher of this repository
 * passes it; see {@link #describe()}); without it, arrays are zeroed as usual. Results are the
 * same either way, because nothing reads an element before writing it, and the test suite checks
 * exactly that: with {@code -Dunboxed.cpu.poison=true} (set for every module's tests) every
 * such array, of any size, starts filled with NaN, so a kernel that relied on zeros would turn
 * its output into NaN and fail its fixture checks.
 *
 * <p>The arrays over 1 MB (the JIT sends every larger allocation to the runtime: HotSpot's
 * FastAllocateSizeLimit) are zeroed whatever this class asks: 8.7 % of the MNIST CNN's epoch at
 * batch 64 was that memset (by hand on a Zen 5, one thread). {@link RecycledArrays} now hands the
 * arrays of the gradients autograd consumed out again, arrays the engine knows to be free.
 * Handing out the arrays of storages the collector found dead (phantom references on the
 * storages, each holding its array, polled at the next large allocation) was tried: the epoch went from 13.6-14.3 s to 24 s, because the arrays
 * waiting for reuse were live objects that the serial collector copied at every young collection.
 * Tried again with free lists per length (arrays of 256K floats or more only, a phantom reference
 * per storage, by hand on a Zen 5, one thread, 6 GB heap): an array comes back only at the
 * collection that finds its storage dead, and with fewer large allocations the collections come
 * less often, so more arrays wait at once. Under the serial collector the young generation grew
 * and each young collection promoted hundreds of MB (full collections every few seconds; epoch
 * 11.9 s against 10.8 s without reuse); with a 64 MB young generation, 7.7 ms a collection, the
 * epoch about as fast as without reuse and noisier; with G1, whose arrays this large are never
 * copied, collections cost little but the epoch took 11.5 s. Reuse that does not wait for the
 * collector would need the engine to know when a storage dies (reference counts, as PyTorch has).
 */
final class FloatArrays {
    /** Below this many floats the zeroing costs less than the call; Java's own allocation is used. */
    static final int MIN_UNINITIALIZED = 4096;

    private static final MethodHandle UNINITIALIZED = lookup();
    static final boolean POISON = Boolean.getBoolean("unboxed.cpu.poison");

    private FloatArrays() {
    }

    private static MethodHandle lookup() {
        try {
            Class<?> unsafeClass = Class.forName("jdk.internal.misc.Unsafe");
            Object unsafe = unsafeClass.getMethod("getUnsafe").invoke(null);
            return MethodHandles.lookup()
                    .findVirtual(unsafeClass, "allocateUninitializedArray",
                            MethodType.methodType(Object.class, Class.class, int.class))
                    .bindTo(unsafe);
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;            // not exported to us: zeroed arrays, same results
        }
    }

    /** An array of {@code n} floats with unspecified contents (NaN under -Dunboxed.cpu.poison=true). */
    static float[] uninitialized(int n) {
        if (POISON) {
            float[] a = new float[n];
            Arrays.fill(a, Float.NaN);
            return a;
        }
        if (UNINITIALIZED == null || n < MIN_UNINITIALIZED) {
            return new float[n];
        }
        try {
            return (float[]) (Object) UNINITIALIZED.invokeExact(float.class, n);
        } catch (Throwable t) {
            throw new IllegalStateException("allocating " + n + " floats", t);
        }
    }

    /** One line for provenance: whether large outputs skip the zeroing, and whether consumed gradients are recycled. */
    static String describe() {
        if (POISON) {
            return "outputs poisoned with NaN (-Dunboxed.cpu.poison=true)";
        }
        String recycled = RecycledArrays.ENABLED
                ? "; consumed gradients' arrays of " + RecycledArrays.MIN_LENGTH + " floats or more recycled (up to "
                        + (RecycledArrays.MAX_BYTES >> 20) + " MB kept)"
                : "; no recycling (-Dunboxed.cpu.recycle=false)";
        return (UNINITIALIZED != null ? "outputs allocated without zeroing"
                : "outputs zeroed by the JVM (run with --add-exports java.base/jdk.internal.misc=ALL-UNNAMED to skip it)")
                + recycled;
    }
}
