package unboxed.kit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import unboxed.tensor.Rng;

/** The stimuli are what their names say: bars at the stated angle, edges of the stated polarity, ... */
class StimuliTest {
    static double at(double[] img, int size, int r, int c) {
        return img[r * size + c];
    }

    @Test
    void aGratingAt0DegreesHasHorizontalBarsAndAt90VerticalOnes() {
        double[] h = Stimuli.grating(28, 0, 4, 0);
        double[] v = Stimuli.grating(28, 90, 4, 0);
        for (int r = 0; r < 28; r++) {
            for (int c = 1; c < 28; c++) {
                assertEquals(at(h, 28, r, 0), at(h, 28, r, c), 1e-12, "0°: constant along a row");
                assertEquals(at(v, 28, 0, c), at(v, 28, r, c), 1e-12, "90°: constant down a column");
            }
        }
        // 4 cycles across 28 rows: the profile repeats every 7 rows
        assertEquals(at(h, 28, 3, 0), at(h, 28, 10, 0), 1e-12);
        for (double x : Stimuli.grating(28, 37, 6.5, 123)) {
            assertTrue(x >= 0 && x <= 1);
        }
        // a phase of 180° is the negative
        double[] a = Stimuli.grating(28, 30, 3, 0);
        double[] b = Stimuli.grating(28, 30, 3, 180);
        for (int i = 0; i < a.length; i++) {
            assertEquals(1 - a[i], b[i], 1e-12);
        }
    }

    @Test
    void aGratingFinerThanThePixelsIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Stimuli.grating(28, 0, 15, 0));
        assertTrue(e.getMessage().contains("aliasing"), e.getMessage());
    }

    @Test
    void edgesHaveTheirPolarityAndOrientation() {
        double[] up = Stimuli.edge(28, 0);
        assertEquals(1, at(up, 28, 0, 5), "0°: white above");
        assertEquals(0, at(up, 28, 27, 5));
        double[] down = Stimuli.edge(28, 180);
        for (int i = 0; i < up.length; i++) {
            assertEquals(1, up[i] + down[i], 1e-12, "180° is the negative of 0°");
        }
        double[] left = Stimuli.edge(28, 90);
        assertEquals(1, at(left, 28, 5, 0), "90°: a vertical edge, white on the left");
        assertEquals(0, at(left, 28, 5, 27));
        // an oblique edge is anti-aliased: grey pixels along the diagonal, half the image white
        double[] diag = Stimuli.edge(28, 45);
        double sum = 0;
        boolean grey = false;
        for (double x : diag) {
            sum += x;
            grey |= x > 0 && x < 1;
        }
        assertTrue(grey);
        // half the image, up to the sub-samples that fall on the line itself (counted black)
        assertEquals(28 * 28 / 2.0, sum, 0.5);
    }

    @Test
    void checkerboardsDotsNoiseAndInversion() {
        double[] cb = Stimuli.checkerboard(8, 2);
        assertArrayEquals(new double[] {1, 1, 0, 0, 1, 1, 0, 0}, java.util.Arrays.copyOfRange(cb, 0, 8));
        assertArrayEquals(new double[] {0, 0, 1, 1, 0, 0, 1, 1}, java.util.Arrays.copyOfRange(cb, 16, 24));
        double[] dots = Stimuli.dots(28, 7, 1.5);
        // the grid is centred: a dot covers the four middle pixels, and (3.5, 3.5) from it is dark
        assertEquals(1, at(dots, 28, 13, 14));
        assertEquals(0, at(dots, 28, 10, 17));
        double lit = 0;
        for (double x : dots) {
            lit += x;
        }
        // grid points at −14, −7, 0, 7, 14 on each axis: 9 whole dots, 12 halves on the edges, 4 quarters in
        // the corners, 16 dots' worth of area π·1.5² ≈ 7.07 pixels
        assertEquals(16 * Math.PI * 1.5 * 1.5, lit, 6);
        assertArrayEquals(Stimuli.noise(new Rng(3), 28), Stimuli.noise(new Rng(3), 28), "seeded");
        assertArrayEquals(Stimuli.randomDots(new Rng(4), 28, 5, 2), Stimuli.randomDots(new Rng(4), 28, 5, 2));
        assertArrayEquals(new double[] {1, 0.75, 0}, Stimuli.invert(new double[] {0, 0.25, 1}));
        assertThrows(IllegalArgumentException.class, () -> Stimuli.checkerboard(28, 0));
        assertThrows(IllegalArgumentException.class, () -> Stimuli.dots(1, 7, 1));
    }
}
