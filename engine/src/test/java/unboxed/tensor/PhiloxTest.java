package unboxed.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * Philox 4x32-10: the published known answers, the word-offset contract a GPU kernel follows, the
 * offset arithmetic of bulk draws, and the statistics of the three distributions.
 */
class PhiloxTest {

    private static final long SEED = 0x0123_4567_89AB_CDEFL;

    // ------------------------------------------------------------------ the bijection

    /**
     * Known-answer vectors of Random123 ({@code kat_vectors}, lines "philox4x32 10 ...": counter
     * (4 words), key (2 words), expected output (4 words)). Taken from DEShawResearch/Random123-Boost,
     * libs/random/test/test_philox.cpp (commit 916db91a), whose comment says they are
     * "cut-and-pasted from the kat_vectors file in the original Random123 distribution"; the same
     * three lines appear in copies of Random123's tests/kat_vectors.
     */
    @Test
    void random123KnownAnswerVectors() {
        assertBlock(new int[] {0, 0, 0, 0}, new int[] {0, 0},
                new int[] {0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8});
        assertBlock(new int[] {0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff}, new int[] {0xffffffff, 0xffffffff},
                new int[] {0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd});
        assertBlock(new int[] {0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344}, new int[] {0xa4093822, 0x299f31d0},
                new int[] {0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1});
    }

    private static void assertBlock(int[] counter, int[] key, int[] expected) {
        int[] counterCopy = counter.clone();
        int[] keyCopy = key.clone();
        int[] got = Philox.block(counter, key);
        assertArrayEquals(expected, got, () -> "got " + hex(got) + " expected " + hex(expected));
        assertArrayEquals(counterCopy, counter, "block must not modify its counter");
        assertArrayEquals(keyCopy, key, "block must not modify its key");
    }

    private static String hex(int[] words) {
        StringBuilder sb = new StringBuilder();
        for (int w : words) {
            sb.append(String.format("%08x ", w));
        }
        return sb.toString().trim();
    }

    @Test
    void blockRejectsWrongSizes() {
        assertThrows(IllegalArgumentException.class, () -> Philox.block(new int[3], new int[2]));
        assertThrows(IllegalArgumentException.class, () -> Philox.block(new int[4], new int[1]));
    }

    // ------------------------------------------------------------------ the contract

    /** The contract written out by hand: counter = index / 4 split low/high, lane = index % 4, key = seed low/high. */
    private static int contractWord(long seed, long index) {
        long c = index >>> 2;
        int[] out = Philox.block(new int[] {(int) c, (int) (c >>> 32), 0, 0}, new int[] {(int) seed, (int) (seed >>> 32)});
        return out[(int) (index & 3)];
    }

    @Test
    void wordFollowsTheDocumentedCounterLayout() {
        long[] seeds = {0L, 42L, SEED, -1L, 1L << 32};
        long[] indices = {0, 1, 2, 3, 4, 5, 7, 1023, (1L << 32) * 4 - 1, (1L << 32) * 4, (1L << 34) + 6, Long.MAX_VALUE};
        for (long seed : seeds) {
            for (long index : indices) {
                assertEquals(contractWord(seed, index), Philox.word(seed, index), "seed " + seed + " index " + index);
            }
        }
        // Literal spelling of the split, so a swapped key or counter half cannot hide behind contractWord:
        // word 2^34 + 6 is block 2^32 + 1 (counter[0] = 1, counter[1] = 1), lane 2; seed 2^32 + 7 is key {7, 1}.
        int[] literal = Philox.block(new int[] {1, 1, 0, 0}, new int[] {7, 1});
        assertEquals(literal[2], Philox.word((1L << 32) + 7, (1L << 34) + 6));
        // Word 0 of seed 0 is lane 0 of the all-zero known answer.
        assertEquals(0x6627e8d5, Philox.word(0, 0));
        assertEquals(0x9b00dbd8, Philox.word(0, 3));
    }

    @Test
    void bulkWordsEqualStatelessWords() {
        Philox p = new Philox(SEED);
        int[] bulk = p.words(1001);
        for (int i = 0; i < bulk.length; i++) {
            assertEquals(Philox.word(SEED, i), bulk[i], "word " + i);
        }
        assertEquals(1001, p.offset());
        // From an unaligned offset: element i of the draw is word offset + i.
        Philox q = new Philox(SEED);
        q.advance(13);
        int[] shifted = q.words(50);
        for (int i = 0; i < shifted.length; i++) {
            assertEquals(Philox.word(SEED, 13 + i), shifted[i], "word 13 + " + i);
        }
        assertEquals(63, q.offset());
    }

    // ------------------------------------------------------------------ offset arithmetic

    @Test
    void drawingNThenMEqualsDrawingNPlusM() {
        int[][] splits = {{0, 5}, {1, 1}, {3, 7}, {4, 4}, {5, 11}, {6, 2}, {17, 31}};
        for (int[] s : splits) {
            int n = s[0];
            int m = s[1];
            String what = n + " then " + m;

            Philox a = new Philox(SEED);
            Philox b = new Philox(SEED);
            assertArrayEquals(b.words(n + m), concat(a.words(n), a.words(m)), "words " + what);
            assertEquals(n + m, a.offset());

            a = new Philox(SEED);
            b = new Philox(SEED);
            float[] two = new float[n + m];
            a.fillUniform(two, 0, n);
            a.fillUniform(two, n, m);
            float[] one = new float[n + m];
            b.fillUniform(one, 0, n + m);
            assertArrayEquals(one, two, "fillUniform " + what);
            assertEquals(n + m, a.offset());

            a = new Philox(SEED);
            b = new Philox(SEED);
            assertArrayEquals(b.uniform(n + m, -2f, 3f), concat(a.uniform(n, -2f, 3f), a.uniform(m, -2f, 3f)), "uniform " + what);

            a = new Philox(SEED);
            b = new Philox(SEED);
            assertArrayEquals(b.bernoulliMask(n + m, 0.4f), concat(a.bernoulliMask(n, 0.4f), a.bernoulliMask(m, 0.4f)),
                    "bernoulli " + what);

            // Normal draws consume whole Box-Muller pairs, so the identity holds for even first parts.
            int even = n & ~1;
            a = new Philox(SEED);
            b = new Philox(SEED);
            assertArrayEquals(b.normal(even + m, 1, 2), concat(a.normal(even, 1, 2), a.normal(m, 1, 2)), "normal " + what);
            assertEquals(even + m + (m & 1), a.offset());
        }
    }

    @Test
    void advanceSkipsExactlyLikeDrawing() {
        Philox drawn = new Philox(SEED);
        drawn.words(37);
        Philox skipped = new Philox(SEED);
        skipped.advance(37);
        assertEquals(drawn.offset(), skipped.offset());
        assertArrayEquals(drawn.uniform(20, 0f, 1f), skipped.uniform(20, 0f, 1f));
        skipped.advance(0);
        assertEquals(57, skipped.offset());
    }

    @Test
    void oddNormalDrawConsumesTheWholeLastPair() {
        Philox a = new Philox(SEED);
        float[] first = a.normal(3, 0, 1);
        assertEquals(4, a.offset(), "3 normals use 2 pairs = 4 words");
        float[] second = a.normal(2, 0, 1);
        float[] whole = new Philox(SEED).normal(6, 0, 1);
        assertArrayEquals(Arrays.copyOfRange(whole, 0, 3), first);
        assertArrayEquals(Arrays.copyOfRange(whole, 4, 6), second); // whole[3] is the discarded sine
    }

    @Test
    void badArgumentsAreRejected() {
        Philox p = new Philox(SEED);
        assertThrows(IllegalArgumentException.class, () -> p.advance(-1));
        assertThrows(IllegalArgumentException.class, () -> p.bernoulliMask(4, 1.5f));
        assertThrows(IllegalArgumentException.class, () -> p.bernoulliMask(4, Float.NaN));
        assertThrows(IndexOutOfBoundsException.class, () -> p.fillUniform(new float[4], 2, 3));
        assertEquals(0, p.offset(), "failed calls consume nothing");
        p.advance(Long.MAX_VALUE - 1);
        assertThrows(ArithmeticException.class, () -> p.advance(2));
    }

    @Test
    void fillUniformWritesOnlyItsRange() {
        float[] out = new float[12];
        Arrays.fill(out, Float.NaN);
        new Philox(SEED).fillUniform(out, 3, 5);
        for (int i = 0; i < out.length; i++) {
            boolean inside = i >= 3 && i < 8;
            assertEquals(inside, !Float.isNaN(out[i]), "index " + i);
            if (inside) {
                assertEquals(Philox.uniform(Philox.word(SEED, i - 3)), out[i]);
            }
        }
    }

    // ------------------------------------------------------------------ seeds

    @Test
    void sameSeedSameNumbersDifferentSeedsDifferent() {
        assertArrayEquals(new Philox(7).words(64), new Philox(7).words(64));
        assertArrayEquals(new Philox(7).normal(9, 0, 1), new Philox(7).normal(9, 0, 1));
        assertFalse(Arrays.equals(new Philox(7).words(64), new Philox(8).words(64)));
        // Seeds that differ only in the high 32 bits use different keys.
        assertFalse(Arrays.equals(new Philox(7).words(64), new Philox(7 | (1L << 32)).words(64)));
        assertEquals(7 | (1L << 32), new Philox(7 | (1L << 32)).seed());
    }

    // ------------------------------------------------------------------ distributions, element-wise

    @Test
    void uniformMapsTheTop24BitsExactly() {
        assertEquals(0f, Philox.uniform(0));
        assertEquals(0f, Philox.uniform(0xFF)); // the low 8 bits are dropped
        assertEquals(0x1.0p-24f, Philox.uniform(0x100));
        assertEquals(0.5f, Philox.uniform(0x8000_0000L));
        assertEquals(1f - 0x1.0p-24f, Philox.uniform(0xFFFF_FFFFL));
        assertEquals(1f - 0x1.0p-24f, Philox.uniform(-1L)); // only the low 32 bits count
        assertEquals(1f - 0x1.0p-24f, Philox.uniform(-1)); // an int word, sign-extended by the call
        assertTrue(Philox.uniform(0xFFFF_FFFFL) < 1f);
    }

    @Test
    void uniformRangeIsLowPlusRangeTimesUInFloat() {
        float low = -0.3f;
        float high = 1.7f;
        Philox p = new Philox(SEED);
        p.advance(5);
        float[] got = p.uniform(257, low, high);
        for (int i = 0; i < got.length; i++) {
            float expected = low + (high - low) * Philox.uniform(Philox.word(SEED, 5 + i));
            assertEquals(Float.floatToRawIntBits(expected), Float.floatToRawIntBits(got[i]), "element " + i);
        }
        assertEquals(5 + 257, p.offset());
    }

    @Test
    void bernoulliIsUBelowP() {
        Philox p = new Philox(SEED);
        float[] mask = p.bernoulliMask(1000, 0.25f);
        for (int i = 0; i < mask.length; i++) {
            float u = Philox.uniform(Philox.word(SEED, i));
            assertEquals(u < 0.25f ? 1f : 0f, mask[i], "element " + i);
        }
        // The boundary is strict: with p equal to the first draw's u, that element is 0; one grid step up, 1.
        float u0 = Philox.uniform(Philox.word(SEED, 0));
        assertEquals(0f, new Philox(SEED).bernoulliMask(1, u0)[0]);
        assertEquals(1f, new Philox(SEED).bernoulliMask(1, u0 + 0x1.0p-24f)[0]);
        for (float m : new Philox(SEED).bernoulliMask(1000, 0f)) {
            assertEquals(0f, m);
        }
        for (float m : new Philox(SEED).bernoulliMask(1000, 1f)) {
            assertEquals(1f, m);
        }
    }

    @Test
    void normalElementsAreStatelessGaussians() {
        double mean = 0.5;
        double std = 1.5;
        Philox p = new Philox(SEED);
        p.advance(3); // an odd offset: pairs straddle Philox blocks
        float[] got = p.normal(101, mean, std);
        for (int i = 0; i < got.length; i++) {
            float expected = (float) (mean + std * Philox.gaussian(SEED, 3, i));
            assertEquals(Float.floatToRawIntBits(expected), Float.floatToRawIntBits(got[i]), "element " + i);
        }
        assertEquals(3 + 102, p.offset());
        // Box-Muller by hand for element 0 and 1 (cosine, then sine of the same pair).
        double ua = Philox.uniform(Philox.word(SEED, 3));
        double ub = Philox.uniform(Philox.word(SEED, 4));
        double r = StrictMath.sqrt(-2 * StrictMath.log(1 - ua));
        assertEquals(r * StrictMath.cos(2 * Math.PI * ub), Philox.gaussian(SEED, 3, 0));
        assertEquals(r * StrictMath.sin(2 * Math.PI * ub), Philox.gaussian(SEED, 3, 1));
    }

    // ------------------------------------------------------------------ statistics on 1e6 samples
    // Each bound is about six standard errors: deterministic seeds make the tests reproducible, and a
    // wrong mapping (a lane dropped, a sign-extended word, a biased transform) misses by far more.

    private static final int N = 1_000_000;

    @Test
    void uniformStatistics() {
        float[] u = new float[N];
        new Philox(SEED).fillUniform(u, 0, N);
        double sum = 0;
        double[] laneSum = new double[4];
        int[] bins = new int[64];
        for (int i = 0; i < N; i++) {
            float x = u[i];
            assertTrue(x >= 0f && x < 1f, "out of [0, 1): " + x);
            sum += x;
            laneSum[i & 3] += x;
            bins[(int) (x * 64)]++;
        }
        double mean = sum / N;
        double var = 0;
        for (float x : u) {
            var += (x - mean) * (x - mean);
        }
        var /= N - 1;
        assertEquals(0.5, mean, 6 * Math.sqrt(1.0 / 12 / N), "mean");
        assertEquals(1.0 / 12, var, 6 * Math.sqrt((1.0 / 80 - 1.0 / 144) / N), "variance");
        for (int lane = 0; lane < 4; lane++) {
            assertEquals(0.5, laneSum[lane] / (N / 4), 6 * Math.sqrt(1.0 / 12 / (N / 4)), "mean of lane " + lane);
        }
        double expected = N / 64.0;
        double chi2 = 0;
        for (int b : bins) {
            chi2 += (b - expected) * (b - expected) / expected;
        }
        // 63 degrees of freedom: mean 63, standard deviation sqrt(126) ~ 11.2.
        assertTrue(chi2 < 63 + 6 * Math.sqrt(126), "chi-square over 64 bins: " + chi2);
    }

    @Test
    void bernoulliRate() {
        float p = 0.3f;
        float[] mask = new Philox(SEED).bernoulliMask(N, p);
        double ones = 0;
        for (float m : mask) {
            assertTrue(m == 0f || m == 1f);
            ones += m;
        }
        assertEquals(p, ones / N, 6 * Math.sqrt(p * (1 - p) / N), "rate of ones");
    }

    @Test
    void normalStatistics() {
        double mean = 2.0;
        double std = 3.0;
        float[] z = new Philox(SEED).normal(N, mean, std);
        double sum = 0;
        int withinOneStd = 0;
        for (float x : z) {
            assertTrue(Math.abs(x - mean) <= std * 5.78, "beyond the 24-bit Box-Muller range: " + x);
            sum += x;
            if (Math.abs(x - mean) < std) {
                withinOneStd++;
            }
        }
        double m = sum / N;
        double var = 0;
        for (float x : z) {
            var += (x - m) * (x - m);
        }
        double s = Math.sqrt(var / (N - 1));
        assertEquals(mean, m, 6 * std / Math.sqrt(N), "mean");
        assertEquals(std, s, 6 * std / Math.sqrt(2.0 * N), "standard deviation");
        double p1 = 0.6826894921370859; // P(|Z| < 1)
        assertEquals(p1, (double) withinOneStd / N, 6 * Math.sqrt(p1 * (1 - p1) / N), "mass within one std");
    }

    // ------------------------------------------------------------------ helpers

    private static int[] concat(int[] a, int[] b) {
        int[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static float[] concat(float[] a, float[] b) {
        float[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
