package unboxed.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import unboxed.backend.Storage;

/**
 * The CPU backend's outputs start uninitialised (FloatArrays). Every module's tests run with
 * -Dunboxed.cpu.poison=true (the parent pom's surefire argLine), which fills them with NaN, so
 * that a kernel reading an element before writing it fails its fixture and bit-identity checks
 * instead of silently relying on Java's zeroing. These tests fail if that check is switched off.
 */
class FloatArraysTest {
    @Test
    void testsRunWithPoisonedOutputs() {
        assertTrue(Boolean.getBoolean("unboxed.cpu.poison"),
                "the tests must run with -Dunboxed.cpu.poison=true (parent pom, surefire argLine)");
        CpuBackend cpu = new CpuBackend(1);
        for (int n : new int[] {1, 17, FloatArrays.MIN_UNINITIALIZED, 100_000}) {
            Storage s = cpu.allocate(n);
            float[] host = ((CpuStorage) s).array();
            assertEquals(n, host.length);
            for (float v : host) {
                assertTrue(Float.isNaN(v), "allocate(" + n + ") under poison must hold NaN");
            }
        }
    }

    @Test
    void zeroedAllocationsStayZeroedUnderPoison() {
        Storage s = new CpuBackend(1).allocateZeroed(100_000);
        for (float v : ((CpuStorage) s).array()) {
            assertEquals(0f, v);
        }
    }
}
