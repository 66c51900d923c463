package unboxed.backend.cpu;

import java.util.ArrayDeque;
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

    static void run(int tasks, int threads, int size, double[] acc, Part part) {
        int workers = Math.min(threads, tasks);
        if (workers <= 1) {
            float[] slot = new float[size];
            for (int t = 0; t < tasks; t++) {
                part.compute(t, slot);
                add(acc, slot, size);
            }
            return;
        }
        State state = new State(tasks, workers * SLOTS_PER_THREAD, size);
        Sgemm.parallelFor(workers, workers, w -> state.work(acc, part));
    }

    private static void add(double[] acc, float[] part, int size) {
        for (int i = 0; i < size; i++) {
            acc[i] += part[i];
        }
    }

    /** The tasks handed out, the parts waiting their turn and the free slots, under one lock. */
    private static final class State {
        final int tasks;
        final int size;
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
            while (true) {
                float[] next;
                lock.lock();
                try {
                    next = nextAdded < tasks ? waiting[nextAdded] : null;
                    if (next == null || failed) {
                        adding = false;
                        return;
                    }
                    waiting[nextAdded] = null;
                } finally {
                    lock.unlock();
                }
                add(acc, next, size);
                lock.lock();
                try {
                    nextAdded++;
                    free.add(next);
                    slotFreed.signal();
                } finally {
                    lock.unlock();
                }
            }
        }
    }
}
