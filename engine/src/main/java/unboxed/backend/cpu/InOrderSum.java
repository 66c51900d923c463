package unboxed.backend.cpu;

import java.util.ArrayDeque;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * acc[i] += part_0[i], then part_1[i], ... part_{n-1}[i]: a sum of per-task float arrays into a
 * double accumulator in task order, while the parts themselves are computed on several threads
 * in whatever order the threads take them. The weight gradient of a convolution is such a sum,
 * one product per image, added in image order as the unfold form's sum over the batch adds them.
 *
 * <p>Each thread takes the next task, computes its part into a slot of its own and hands the
 * slot in. Whoever hands in the part that is next in order adds it, and every part after it that
 * is already waiting, then goes back to computing; the others never wait for it. So a thread
 * that runs slower than the rest (a core shared with a busy neighbour: on a 2-core Zen 5 one core
 * ran the weight gradient's product 25 % slower than the other for minutes at a time, by hand,
 * while both ran pure FMA loops at the same speed) simply takes fewer tasks. At N, C, H, K = 64,
 * 128, 16, 128 on two threads the weight gradient took 17-18 ms this way, against 18-23 ms with
 * one range of taps per thread. Taking the tasks in waves of one per thread, each wave summed before the next
 * began, made every thread wait for the slowest at every wave.
 *
 * <p>Each element's additions are those of one thread adding the parts in order: the same bits
 * whatever the thread count and whoever computed or added which part. A thread takes its slot
 * before it takes a task, so the part next in order is always in the hands of a thread that has
 * one, and a thread out of slots waits only for that part to be added.
 */
final class InOrderSum {
    private InOrderSum() {
    }

    /** Computes task {@code t}'s part into {@code slot} (every element of [0, size) written). */
    interface Part {
        void compute(int t, float[] slot);
    }

    /** Slots per thread: one being filled, one waiting its turn. */
    private static final int SLOTS_PER_THREAD = 2;
    /**
     * Up to this many consecutive parts are added in one pass over the accumulator, which is then
     * read and written once for all of them. The accumulator of a large weight gradient does not
     * stay in L2 (1.2 MB of doubles at 128 x 128 channels, 3 x 3), so each pass streams it from
     * L3 (a profile of that shape's forward + backward on one thread gave the sums 6 % of it).
     */
    static final int GROUP = 4;
    /** The most floats a group's slots may hold together (16 MB): larger parts are added fewer at a time. */
    private static final int GROUP_FLOATS = 1 << 22;

    static void run(int tasks, int threads, int size, double[] acc, Part part) {
        int workers = Math.min(threads, tasks);
        if (workers <= 1) {
            int group = Math.min(tasks, groupOf(size));
            float[][] slots = new float[group][size];
            for (int t = 0; t < tasks; t += group) {
                int count = Math.min(group, tasks - t);
                for (int j = 0; j < count; j++) {
                    part.compute(t + j, slots[j]);
                }
                add(acc, slots, count, size);
            }
            return;
        }
        State state = new State(tasks, workers * SLOTS_PER_THREAD, size);
        Sgemm.parallelFor(workers, workers, w -> state.work(acc, part));
    }

    /** How many parts of {@code size} floats one pass adds. */
    static int groupOf(int size) {
        return Math.max(1, Math.min(GROUP, GROUP_FLOATS / Math.max(1, size)));
    }

    /**
     * Floats in a preferred vector, and doubles in a preferred vector (half as many lanes): the
     * kernels' float species only, since a second float species in the JVM slowed the matrix
     * kernel (by hand, the weight gradient at 128 x 128 channels 32 -> 45-59 ms with 256-bit float
     * vectors here: the JIT's type profiles in the shared Vector API code).
     */
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Double> D = DoubleVector.SPECIES_PREFERRED;
    private static final int FL = F.length();
    private static final int DL = D.length();

    /**
     * acc[i] += parts[0][i], then parts[1][i], ... parts[count-1][i] (count at most GROUP), each
     * element's additions in that order: the bits of adding the parts one pass each. In vectors:
     * each vector of floats widened to doubles (exact), its lower and upper halves, then the same
     * double additions lane by lane. By hand on a Zen 5, adding 64 parts of 147,456 floats one at
     * a time took 3.2 ms as a scalar loop (the JDK 17 JIT does not vectorize the widening) and
     * 1.6 ms in vectors. Each count is written out: a vector sum carried through an inner loop
     * over the parts is boxed by the JDK 17 JIT.
     */
    static void add(double[] acc, float[][] parts, int count, int size) {
        int i = 0;
        int end = size - size % FL;
        switch (count) {
            case 1 -> {
                float[] p = parts[0];
                for (; i < end; i += FL) {
                    FloatVector pf = FloatVector.fromArray(F, p, i);
                    DoubleVector.fromArray(D, acc, i)
                            .add((DoubleVector) pf.convertShape(VectorOperators.F2D, D, 0)).intoArray(acc, i);
                    DoubleVector.fromArray(D, acc, i + DL)
                            .add((DoubleVector) pf.convertShape(VectorOperators.F2D, D, 1)).intoArray(acc, i + DL);
                }
                for (; i < size; i++) {
                    acc[i] = acc[i] + p[i];
                }
            }
            case 2 -> {
                float[] p = parts[0];
                float[] q = parts[1];
                for (; i < end; i += FL) {
                    FloatVector pf = FloatVector.fromArray(F, p, i);
                    FloatVector qf = FloatVector.fromArray(F, q, i);
                    DoubleVector.fromArray(D, acc, i)
                            .add((DoubleVector) pf.convertShape(VectorOperators.F2D, D, 0))
                            .add((DoubleVector) qf.convertShape(VectorOperators.F2D, D, 0)).intoArray(acc, i);
                    DoubleVector.fromArray(D, acc, i + DL)
                            .add((DoubleVector) pf.convertShape(VectorOperators.F2D, D, 1))
                            .add((DoubleVector) qf.convertShape(VectorOperators.F2D, D, 1)).intoArray(acc, i + DL);
                }
                for (; i < size; i++) {
                    acc[i] = acc[i] + p[i] + q[i];
                }
            }
            case 3 -> {
                float[] p = parts[0];
                float[] q = parts[1];
                float[] r = parts[2];
                for (; i < end; i += FL) {
                    FloatVector pf = FloatVector.fromArray(F, p, i);
                    FloatVector qf = FloatVector.fromArray(F, q, i);
                    FloatVector rf = FloatVector.fromArray(F, r, i);
                    DoubleVector.fromArray(D, acc, i)
                            .add((DoubleVector) pf.convertShape(VectorOperators.F2D, D, 0))
                            .add((DoubleVector) qf.convertShape(VectorOperators.F2D, D, 0))
                            .add((DoubleVector) rf.convertShape(VectorOperators.F2D, D, 0)).intoArray(acc, i);
                    DoubleVector.fromArray(D, acc, i + DL)
                            .add((DoubleVector) pf.convertShape(VectorOperators.F2D, D, 1))
                            .add((DoubleVector) qf.convertShape(VectorOperators.F2D, D, 1))
                            .add((DoubleVector) rf.convertShape(VectorOperators.F2D, D, 1)).intoArray(acc, i + DL);
                }
                for (; i < size; i++) {
                    acc[i] = acc[i] + p[i] + q[i] + r[i];
                }
            }
            default -> {
                if (count != GROUP) {
                    throw new IllegalArgumentException("at most " + GROUP + " parts a pass, got " + count);
                }
                float[] p = parts[0];
                float[] q = parts[1];
                float[] r = parts[2];
                float[] u = parts[3];
                for (; i < end; i += FL) {
                    FloatVector pf = FloatVector.fromArray(F, p, i);
                    FloatVector qf = FloatVector.fromArray(F, q, i);
                    FloatVector rf = FloatVector.fromArray(F, r, i);
                    FloatVector uf = FloatVector.fromArray(F, u, i);
                    DoubleVector.fromArray(D, acc, i)
                            .add((DoubleVector) pf.convertShape(VectorOperators.F2D, D, 0))
                            .add((DoubleVector) qf.convertShape(VectorOperators.F2D, D, 0))
                            .add((DoubleVector) rf.convertShape(VectorOperators.F2D, D, 0))
                            .add((DoubleVector) uf.convertShape(VectorOperators.F2D, D, 0)).intoArray(acc, i);
                    DoubleVector.fromArray(D, acc, i + DL)
                            .add((DoubleVector) pf.convertShape(VectorOperators.F2D, D, 1))
                            .add((DoubleVector) qf.convertShape(VectorOperators.F2D, D, 1))
                            .add((DoubleVector) rf.convertShape(VectorOperators.F2D, D, 1))
                            .add((DoubleVector) uf.convertShape(VectorOperators.F2D, D, 1)).intoArray(acc, i + DL);
                }
                for (; i < size; i++) {
                    acc[i] = acc[i] + p[i] + q[i] + r[i] + u[i];
                }
            }
        }
    }

    /** The tasks handed out, the parts waiting their turn and the free slots, under one lock. */
    private static final class State {
        final int tasks;
        final int size;
        /** The most waiting parts one pass adds. */
        final int group;
        final ReentrantLock lock = new ReentrantLock();
        final Condition slotFreed = lock.newCondition();
        final ArrayDeque<float[]> free = new ArrayDeque<>();
        /** Parts computed but not yet added, by task. */
        final float[][] waiting;
        int nextTask;
        /** The task whose part is added next. */
        int nextAdded;
        /** A thread is adding parts: the others only hand theirs in. */
        boolean adding;
        /** A task failed: the others stop (the failure is rethrown by parallelFor). */
        boolean failed;

        State(int tasks, int slots, int size) {
            this.tasks = tasks;
            this.size = size;
            this.group = groupOf(size);
            this.waiting = new float[tasks][];
            for (int s = 0; s < slots; s++) {
                free.add(new float[size]);
            }
        }

        void work(double[] acc, Part part) {
            try {
                while (true) {
                    float[] slot;
                    int t;
                    lock.lock();
                    try {
                        while (free.isEmpty() && !failed && nextTask < tasks) {
                            slotFreed.awaitUninterruptibly();
                        }
                        if (failed || nextTask == tasks) {
                            return;
                        }
                        slot = free.poll();
                        t = nextTask++;
                    } finally {
                        lock.unlock();
                    }
                    part.compute(t, slot);
                    handIn(acc, t, slot);
                }
            } catch (RuntimeException | Error e) {
                lock.lock();
                try {
                    failed = true;
                    slotFreed.signalAll();
                } finally {
                    lock.unlock();
                }
                throw e;
            }
        }

        /** Leaves part t waiting; if no one is adding, adds every part that is next in order. */
        private void handIn(double[] acc, int t, float[] slot) {
            lock.lock();
            try {
                waiting[t] = slot;
                if (adding) {
                    return;
                }
                adding = true;
            } finally {
                lock.unlock();
            }
            float[][] run = new float[GROUP][];
            while (true) {
                int count = 0;
                lock.lock();
                try {
                    while (count < group && nextAdded + count < tasks && waiting[nextAdded + count] != null) {
                        run[count] = waiting[nextAdded + count];
                        waiting[nextAdded + count] = null;
                        count++;
                    }
                    if (count == 0 || failed) {
                        adding = false;
                        return;
                    }
                } finally {
                    lock.unlock();
                }
                add(acc, run, count, size);
                lock.lock();
                try {
                    nextAdded += count;
                    for (int j = 0; j < count; j++) {
                        free.add(run[j]);
                        run[j] = null;
                    }
                    slotFreed.signalAll();
                } finally {
                    lock.unlock();
                }
            }
        }
    }
}
