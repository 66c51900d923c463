package unboxed.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

/**
 * Parts computed on several threads, in whatever order they finish, must be added in task order:
 * the sum of floats of very different magnitudes into doubles is not associative, so any other
 * order shows in the bits.
 */
class InOrderSumTest {
    /** Part t: values spanning many magnitudes, so that a different order of addition shows. */
    private static void part(int t, float[] slot, int size) {
        SplittableRandom rnd = new SplittableRandom(100 + t);
        for (int i = 0; i < size; i++) {
            slot[i] = (float) (rnd.nextGaussian() * Math.pow(10, rnd.nextInt(-8, 9)));
        }
    }

    private static double[] inOrder(int tasks, int size) {
        double[] acc = new double[size];
        float[] slot = new float[size];
        for (int t = 0; t < tasks; t++) {
            part(t, slot, size);
            for (int i = 0; i < size; i++) {
                acc[i] += slot[i];
            }
        }
        return acc;
    }

    @Test
    void sameBitsAsAddingThePartsInOrderOnOneThread() {
        SplittableRandom rnd = new SplittableRandom(5);
        for (int trial = 0; trial < 40; trial++) {
            int tasks = rnd.nextInt(1, 30);
            int size = rnd.nextInt(1, 300);
            int threads = 1 + trial % 4;
            long seed = rnd.nextLong();
            double[] got = new double[size];
            // uneven delays, so that later parts often finish before earlier ones and wait
            InOrderSum.run(tasks, threads, size, got, (t, slot) -> {
                part(t, slot, size);
                LockSupport.parkNanos(new SplittableRandom(seed + t).nextInt(0, 300_000));
            });
            assertArrayEquals(inOrder(tasks, size), got, tasks + " parts of " + size + " on " + threads + " threads");
        }
    }

    @Test
    void theOrderShowsInTheBits() {
        // the check above can fail: these parts added in reverse order give other bits
        int tasks = 12;
        int size = 64;
        double[] reversed = new double[size];
        float[] slot = new float[size];
        for (int t = tasks - 1; t >= 0; t--) {
            part(t, slot, size);
            for (int i = 0; i < size; i++) {
                reversed[i] += slot[i];
            }
        }
        double[] want = inOrder(tasks, size);
        int differ = 0;
        for (int i = 0; i < size; i++) {
            differ += want[i] != reversed[i] ? 1 : 0;
        }
        assertEquals(true, differ > 0, "reversed order gave the same bits everywhere");
    }

    @Test
    void aFailingPartStopsTheOthersAndIsRethrown() {
        AtomicInteger computed = new AtomicInteger();
        IllegalStateException e = assertThrows(IllegalStateException.class, () ->
                InOrderSum.run(50, 3, 8, new double[8], (t, slot) -> {
                    computed.incrementAndGet();
                    if (t == 2) {
                        throw new IllegalStateException("part 2 failed");
                    }
                    LockSupport.parkNanos(1_000_000);
                }));
        assertEquals("part 2 failed", e.getMessage());
        assertEquals(true, computed.get() < 50, "the other threads went on after the failure");
    }
}
