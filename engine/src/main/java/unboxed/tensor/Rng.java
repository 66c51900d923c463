package unboxed.tensor;

import java.util.SplittableRandom;

/**
 * A seeded random number generator whose streams are identical on every run and machine.
 *
 * <p>{@link SplittableRandom} is specified bit for bit by the JDK (SplitMix64), unlike
 * {@code Math.random}; normal samples use Box-Muller on its doubles, so a seed fully determines
 * every weight initialisation, shuffle and dropout mask. {@link #fork(String)} derives an
 * independent stream per purpose (init, shuffle, ...), so adding a draw in one place does not
 * shift the numbers drawn in another.
 */
public final class Rng {
    private final long seed;
    private final SplittableRandom random;
    private double spareNormal = Double.NaN;

    public Rng(long seed) {
        this.seed = seed;
        this.random = new SplittableRandom(seed);
    }

    public long seed() {
        return seed;
    }

    /** An independent generator for one purpose, determined by this generator's seed and the name. */
    public Rng fork(String purpose) {
        long h = seed * 0x9E3779B97F4A7C15L;
        for (int i = 0; i < purpose.length(); i++) {
            h = (h ^ purpose.charAt(i)) * 0x100000001B3L;
        }
        return new Rng(h ^ (h >>> 29));
    }

    /** Uniform in [0, 1). */
    public double nextDouble() {
        return random.nextDouble();
    }

    /** Uniform integer in [0, bound). */
    public int nextInt(int bound) {
        return random.nextInt(bound);
    }

    /** Standard normal, Box-Muller (both values of each pair are used). */
    public double nextGaussian() {
        if (!Double.isNaN(spareNormal)) {
            double s = spareNormal;
            spareNormal = Double.NaN;
            return s;
        }
        double u1 = 1.0 - random.nextDouble(); // (0, 1]: log is finite
        double u2 = random.nextDouble();
        double r = Math.sqrt(-2.0 * Math.log(u1));
        spareNormal = r * Math.sin(2 * Math.PI * u2);
        return r * Math.cos(2 * Math.PI * u2);
    }

    /** Uniform floats in [low, high). */
    public float[] uniform(int n, double low, double high) {
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            out[i] = (float) (low + (high - low) * random.nextDouble());
        }
        return out;
    }

    /** Normal floats with the given mean and standard deviation. */
    public float[] normal(int n, double mean, double std) {
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            out[i] = (float) (mean + std * nextGaussian());
        }
        return out;
    }

    /** A uniformly random permutation of 0..n-1 (Fisher-Yates). */
    public int[] permutation(int n) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }
}
