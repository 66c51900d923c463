package unboxed.brain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class LandauerTest {
    static final double K = 1.380649e-23;

    @Test
    void kTln2AtBodyTemperature() {
        // 1.380649e-23 J/K × 310 K × 0.693147… = 2.96668e-21 J
        assertEquals(2.96668e-21, Landauer.bitEnergy(K, 310), 1e-26);
        assertEquals(2 * Landauer.bitEnergy(K, 155), Landauer.bitEnergy(K, 310), 1e-35);
    }

    @Test
    void ordersAboveTheBoundPerBitAndPerOperation() {
        double bit = Landauer.bitEnergy(K, 310);
        assertEquals(0, Landauer.ordersAbove(bit, 1, bit), 1e-12);
        assertEquals(3, Landauer.ordersAbove(1000 * bit, 1, bit), 1e-12);
        // an operation that erases 100 bits has two orders less room than one erasing one
        assertEquals(1, Landauer.ordersAbove(1000 * bit, 100, bit), 1e-12);
        assertEquals(Math.log10(1e-12 / 2.96668e-21), Landauer.ordersAbove(1e-12, 1, bit), 1e-5);
    }

    @Test
    void refusesWhatHasNoMeaning() {
        assertThrows(IllegalArgumentException.class, () -> Landauer.bitEnergy(K, 0));
        assertThrows(IllegalArgumentException.class, () -> Landauer.ordersAbove(0, 1, 1e-21));
        assertThrows(IllegalArgumentException.class, () -> Landauer.ordersAbove(1e-12, 0, 1e-21));
    }
}
