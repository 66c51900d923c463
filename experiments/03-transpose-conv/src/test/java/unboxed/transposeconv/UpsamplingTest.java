package unboxed.transposeconv;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import unboxed.tensor.Tensor;

/** The fixed upsampling kernels of part 3. */
class UpsamplingTest {
    @Test
    void bilinearKernelOfFactorTwo() {
        float[][] k = Upsampling.bilinearKernel(2);
        float[] p = {0.25f, 0.75f, 0.75f, 0.25f};
        assertEquals(4, k.length);
        for (int i = 0; i < 4; i++) {
            for (int j = 0; j < 4; j++) {
                assertEquals(p[i] * p[j], k[i][j], 0f, "(" + i + ", " + j + ")");
            }
        }
    }

    @Test
    void bilinearKernelOfAnOddFactorPeaksAtOne() {
        // factor 3: size 5, centre 2, 1 - |i - 2| / 3
        float[][] k = Upsampling.bilinearKernel(3);
        assertEquals(5, k.length);
        assertEquals(1f, k[2][2], 0f);
        assertEquals((float) ((1 / 3.0) * (2 / 3.0)), k[0][1], 1e-7f);
    }

    @Test
    void nearestRepeatsEachPixelAsATwoByTwoBlock() {
        Tensor x = Tensor.of(new float[] {1, 2, 3, 4}, 1, 1, 2, 2);
        assertArrayEquals(new float[] {1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4}, Upsampling.nearest(x).toArray());
    }

    @Test
    void bilinearBlendsThreeToOneAndKeepsAConstantInside() {
        // one row 0, 4: the outputs between the two pixels are 3:1 and 1:3 blends
        Tensor row = Tensor.of(new float[] {0, 4, 0, 4, 0, 4, 0, 4}, 1, 1, 4, 2);
        float[] y = Upsampling.bilinear(row).toArray();   // [1, 1, 8, 4]
        // a middle row of the output (row 3), columns 1 and 2: 0.75*0 + 0.25*4 and 0.25*0 + 0.75*4
        assertEquals(1f, y[3 * 4 + 1], 1e-6f);
        assertEquals(3f, y[3 * 4 + 2], 1e-6f);
        float[] c = Upsampling.bilinear(Tensor.full(2f, 1, 1, 5, 5)).toArray();
        assertEquals(2f, c[4 * 10 + 4], 1e-6f);            // interior
        assertEquals(1.5f, c[4 * 10], 1e-6f);              // left edge: only 3/4 of the kernel lands inside
    }

    @Test
    void firstOfEachClassFindsTheFirstOccurrence() {
        float[] px = new float[6];
        unboxed.data.Dataset d = new unboxed.data.Dataset("t", px, new int[] {2, 0, 2, 1, 0, 1}, 1, 1, 1, 3, null);
        assertArrayEquals(new int[] {1, 3, 0}, Upsampling.firstOfEachClass(d, 3));
    }
}
