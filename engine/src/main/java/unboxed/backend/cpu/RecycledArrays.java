package unboxed.backend.cpu;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * The CPU backend's caching allocator: arrays of storages the engine recycled (gradients its
 * backward pass consumed, {@code Backend.recycle}), kept in one free list per length and handed to
 * the next {@code allocate} of that length, newest first, without the JVM's zeroing.
 *
 * <p>Why: {@link FloatArrays} skips the zeroing only where the JIT allocates inline. An array of
 * 256K floats (1 MB) or more goes to the JVM's slow path, which zeroes it whatever the caller asks,
 * and a training step of a convolutional network allocates many such outputs and gradients afresh:
 * async-profiler (itimer, one thread, Zen 5) put about a tenth of the MNIST CNN's epoch at batch 64
 * in that memset. A recycled array is also one the step has just written, likely still in cache.
 * The arrays of a step's gradients come back as its backward pass consumes them, and the next
 * step's forward pass takes them for its outputs, which have the same lengths. By hand on the same
 * machine (CnnEpochBench, one JVM each way, -Dunboxed.cpu.recycle=false for the other): the epoch
 * 10.2 s against 10.9 s, 15 GB allocated per epoch against 25, 206 young collections against 347.
 *
 * <p>Arrays of fewer than {@link #MIN_LENGTH} floats are left to the collector (their allocation is
 * cheap), and at most {@link #MAX_BYTES} are kept. Results are unchanged: {@code allocate}'s
 * contents are unspecified and every kernel writes before it reads; under the tests' poison a
 * reused array is filled with NaN, as a new one is. {@code -Dunboxed.cpu.recycle=false} turns it off.
 */
final class RecycledArrays {
    static final int MIN_LENGTH = FloatArrays.MIN_UNINITIALIZED;
    static final boolean ENABLED = !"false".equals(System.getProperty("unboxed.cpu.recycle", "true"));
    /** At most this many bytes are kept: an eighth of the heap, at most 256 MB. */
    static final long MAX_BYTES = Math.min(256L << 20, Runtime.getRuntime().maxMemory() / 8);

    private final Map<Integer, ArrayDeque<float[]>> free = new HashMap<>();
    private boolean enabled = ENABLED;
    private long bytes;
    private long reused;

    /** Tests compare a backend with and one without. */
    synchronized void enable(boolean on) {
        enabled = on;
    }

    /** An array of {@code n} floats from the free list, or null. */
    synchronized float[] take(int n) {
        if (n < MIN_LENGTH || bytes == 0) {
            return null;
        }
        ArrayDeque<float[]> list = free.get(n);
        if (list == null || list.isEmpty()) {
            return null;
        }
        float[] a = list.pop();
        bytes -= 4L * n;
        reused++;
        if (FloatArrays.POISON) {
            Arrays.fill(a, Float.NaN);
        }
        return a;
    }

    /** Keeps {@code a} for a later {@link #take} (null, short or past the bound: dropped). */
    synchronized void give(float[] a) {
        if (!enabled || a == null || a.length < MIN_LENGTH || bytes + 4L * a.length > MAX_BYTES) {
            return;
        }
        free.computeIfAbsent(a.length, k -> new ArrayDeque<>()).push(a);
        bytes += 4L * a.length;
    }

    synchronized long[] counts() {
        return new long[] {reused, bytes};
    }
}
