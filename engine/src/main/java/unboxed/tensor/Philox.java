package unboxed.tensor;

/**
 * The counter-based generator Philox 4x32-10 (Salmon, Moraes, Dror and Shaw, "Parallel Random
 * Numbers: As Easy as 1, 2, 3", SC'11), the algorithm of the Random123 library, of cuRAND's
 * {@code curandStatePhilox4_32_10_t} and of PyTorch's CUDA generator.
 *
 * <h2>Why counter-based</h2>
 *
 * <p>A conventional generator (a Mersenne twister, say) is a recurrence: number k is
 * known only after numbers 0..k-1 have been produced, so a GPU cannot give each of its
 * thousands of threads "element i" without either running the recurrence serially or splitting it
 * into streams whose numbers then depend on how the work was split. Philox is instead a keyed
 * bijection {@code block(counter, key)} on 128-bit blocks: the random stream is simply
 * {@code block(0, key), block(1, key), block(2, key), ...}. Any element is a pure function of
 * (key, position) and costs the same ten rounds to compute whether or not its neighbours were
 * computed. A GPU thread computes its own element, a CPU loop computes them all in order, and
 * both get the same bits because each is the same integer function. There is no state to carry
 * between elements; the only state of a {@code Philox} object is its position, the
 * <em>offset</em>.
 *
 * <p>This is PyTorch's "philox seed + offset" idea: its CUDA generator holds a seed and an offset,
 * hands both to each random kernel and then bumps the offset past the numbers that kernel used, so
 * the next kernel draws fresh numbers. Here the offset counts 32-bit words, and every draw
 * consumes a known number of words, so the offset after any sequence of draws is plain arithmetic.
 * (The numbers are <em>not</em> PyTorch's own: PyTorch gives each CUDA thread its own subsequence,
 * so its values depend on the launch configuration, and it maps words to floats differently. The
 * flat mapping below makes the values independent of any thread layout, which is what CPU/GPU
 * agreement needs.)
 *
 * <h2>The contract (what a CUDA kernel must compute)</h2>
 *
 * <p>For a generator with 64-bit {@code seed}, element {@code i} (0-based) of a draw that starts
 * at offset {@code o} uses the stream word {@code w = o + i}, defined as:
 *
 * <pre>
 *   key[0]     = (uint32) seed              key[1]     = (uint32) (seed &gt;&gt; 32)
 *   c          = w / 4   (uint64)           lane       = w % 4
 *   counter[0] = (uint32) c                 counter[1] = (uint32) (c &gt;&gt; 32)
 *   counter[2] = 0                          counter[3] = 0
 *   word(w)    = philox4x32_10(counter, key)[lane]
 * </pre>
 *
 * <p>The counter is 128 bits; only its low 64 bits are ever non-zero here (offsets stay below
 * 2^63 words, far more than will ever be drawn), so counter[2] and counter[3] are always 0. They
 * remain free: a
 * future use may put a stream id there to get further independent streams under the same seed
 * (cuRAND's "subsequence" lives in exactly those two words). {@code philox4x32_10} is exactly
 * {@link #block} (Random123's {@code philox4x32_R} with R = 10, checked against its known-answer
 * vectors). The layout is also cuRAND's: its {@code curand_init(seed, subsequence, offset, &s)}
 * for {@code curandStatePhilox4_32_10_t} sets key = (seed low, seed high), puts {@code offset / 4}
 * in counter words 0-1, the subsequence in words 2-3 and {@code offset % 4} as the lane, so {@code
 * curand_init(seed, 0, w, &s); curand(&s)} should return {@code word(w)}. That reading of
 * {@code curand_kernel.h} is not exercised by the tests here; a kernel that computes the table
 * above directly depends on nothing but {@link #block}.
 *
 * <p>From the words, each distribution is element-wise:
 *
 * <ul>
 *   <li>uniform: {@code u(w) = (word(w) >>> 8) * 2^-24} &mdash; see {@link #uniform(long)};
 *       {@code uniform(low, high)} element i is {@code low + (high - low) * u(o + i)} in float32;
 *       n elements consume n words.
 *   <li>bernoulli: element i is {@code u(o + i) < p ? 1 : 0}; n elements consume n words.
 *   <li>normal: element i uses the pair of words {@code o + 2*(i/2)} and {@code o + 2*(i/2) + 1}
 *       and takes the cosine (i even) or sine (i odd) half of Box-Muller, see {@link
 *       #gaussian(long, long, long)}; n elements consume {@code n + (n & 1)} words (an odd
 *       count wastes the unused sine of the last pair so every draw starts on a pair).
 * </ul>
 *
 * <h2>Which results are bit-identical across devices</h2>
 *
 * <p>The words are integer arithmetic, so any correct implementation agrees bit for bit. Uniform
 * in [0, 1) and bernoulli are exact too: 24 bits scaled by a power of two are representable in
 * float32, so no rounding happens at all. {@code uniform(low, high)} rounds three times
 * (subtract, multiply, add; IEEE float32, round to nearest even; Java float arithmetic is strict
 * since Java 17), so a kernel matches bit for bit if it performs the same three float operations
 * and does not contract them into a fused multiply-add ({@code __fmul_rn}/{@code __fadd_rn}, or
 * {@code -fmad=false}). Normal samples are computed in double with {@link StrictMath} (the fdlibm
 * algorithms, specified bit for bit), so they are identical on every JVM and CPU; a GPU kernel
 * using CUDA's own {@code log}/{@code sin}/{@code cos} may differ from fdlibm in the last bit of a
 * double, which after rounding to float32 usually vanishes but occasionally leaves a one-ulp
 * difference. Normal values therefore agree to about one float ulp, and exactly only if the
 * kernel ports the same fdlibm routines.
 *
 * <p>Not thread-safe: a {@code Philox} object's offset is mutable. The static functions are pure.
 */
public final class Philox {

    /** Philox multiplier for counter word 0. */
    public static final int M0 = 0xD2511F53;
    /** Philox multiplier for counter word 2. */
    public static final int M1 = 0xCD9E8D57;
    /** Weyl increment of key word 0 per round (the golden ratio, 2^32 / phi). */
    public static final int W0 = 0x9E3779B9;
    /** Weyl increment of key word 1 per round (sqrt(3) - 1, times 2^32). */
    public static final int W1 = 0xBB67AE85;
    /** Rounds of Philox 4x32-10. */
    public static final int ROUNDS = 10;

    private static final long MASK32 = 0xFFFFFFFFL;
    private static final float TWO_POW_MINUS_24 = 0x1.0p-24f;
    private static final double TWO_PI = 2.0 * Math.PI;

    private final long seed;
    private final int key0;
    private final int key1;
    private long offset;

    /** A generator at offset 0 whose key is the low and high 32 bits of {@code seed}. */
    public Philox(long seed) {
        this.seed = seed;
        this.key0 = (int) seed;
        this.key1 = (int) (seed >>> 32);
    }

    // ---------------------------------------------------------------- the bijection

    /**
     * The Philox 4x32-10 bijection: ten rounds on four 32-bit words under a two-word key. The
     * arrays hold unsigned 32-bit values in Java ints (only the bit patterns matter). Neither
     * argument is modified.
     */
    public static int[] block(int[] counter4, int[] key2) {
        if (counter4.length != 4 || key2.length != 2) {
            throw new IllegalArgumentException(
                    "block needs a 4-word counter and a 2-word key, got " + counter4.length + " and " + key2.length);
        }
        int[] out = new int[4];
        block(counter4[0], counter4[1], counter4[2], counter4[3], key2[0], key2[1], out);
        return out;
    }

    /**
     * The bijection on scalars, writing the four output words into {@code out}. One round (S-box
     * of Philox): the two 32x32 -> 64-bit products of words 0 and 2 by the multipliers, their high
     * halves xor-ed with the other two words and the key, their low halves passed through; the
     * key gets its Weyl increment between rounds (Random123's order: round, bump, round, ...).
     */
    private static void block(int c0, int c1, int c2, int c3, int k0, int k1, int[] out) {
        for (int r = 0; r < ROUNDS; r++) {
            if (r > 0) {
                k0 += W0; // int overflow wraps, i.e. addition mod 2^32, as uint32 does
                k1 += W1;
            }
            // Unsigned 32x32 -> 64 product: zero-extend both into a long (an int would sign-extend).
            // The product is < 2^64 and fits a long's 64 bits; its top half is the "mulhi".
            long p0 = (M0 & MASK32) * (c0 & MASK32);
            long p1 = (M1 & MASK32) * (c2 & MASK32);
            int hi0 = (int) (p0 >>> 32);
            int lo0 = (int) p0;
            int hi1 = (int) (p1 >>> 32);
            int lo1 = (int) p1;
            c0 = hi1 ^ c1 ^ k0;
            c1 = lo1;
            c2 = hi0 ^ c3 ^ k1;
            c3 = lo0;
        }
        out[0] = c0;
        out[1] = c1;
        out[2] = c2;
        out[3] = c3;
    }

    // ---------------------------------------------------------------- stateless element definitions

    /**
     * Word {@code index} of the stream of {@code seed} (the contract in the class comment): lane
     * {@code index % 4} of {@code block({index / 4 low, index / 4 high, 0, 0}, {seed low, seed
     * high})}. {@code index} is read as unsigned 64-bit. Returned as the int holding the uint32 bits.
     */
    public static int word(long seed, long index) {
        long c = index >>> 2;
        int[] out = new int[4];
        block((int) c, (int) (c >>> 32), 0, 0, (int) seed, (int) (seed >>> 32), out);
        return out[(int) (index & 3)];
    }

    /**
     * A 32-bit word (its low 32 bits; higher bits are ignored) to [0, 1): the top 24 bits times
     * 2^-24. The result is one of the 2^24 values k/2^24, each exactly representable in float32, so
     * no rounding happens and every platform gets the same float. The top bits are used because
     * they are the ones a float would keep anyway.
     */
    public static float uniform(long word) {
        return (int) ((word & MASK32) >>> 8) * TWO_POW_MINUS_24;
    }

    /**
     * Element {@code i} of a standard normal draw that starts at offset {@code offset}: Box-Muller
     * on the pair of words {@code offset + 2*(i/2)} and {@code offset + 2*(i/2) + 1}, i.e. {@code
     * r = sqrt(-2 ln(1 - u_a))}, {@code theta = 2 pi u_b}, element {@code r cos theta} for even
     * {@code i} and {@code r sin theta} for odd {@code i}. {@code 1 - u_a} lies in (0, 1], so the
     * log is finite; with 24-bit uniforms |z| &lt;= sqrt(2 * 24 ln 2) ~ 5.77. Computed in double with
     * {@link StrictMath}, bit-identical on every JVM.
     */
    public static double gaussian(long seed, long offset, long i) {
        long pairStart = offset + 2 * (i >>> 1);
        double ua = uniform(word(seed, pairStart));
        double ub = uniform(word(seed, pairStart + 1));
        return boxMuller(ua, ub, (i & 1) != 0);
    }

    private static double boxMuller(double ua, double ub, boolean sine) {
        double r = StrictMath.sqrt(-2.0 * StrictMath.log(1.0 - ua));
        double theta = TWO_PI * ub;
        return r * (sine ? StrictMath.sin(theta) : StrictMath.cos(theta));
    }

    // ---------------------------------------------------------------- the stream position

    public long seed() {
        return seed;
    }

    /** The stream position: how many 32-bit words have been consumed since offset 0. */
    public long offset() {
        return offset;
    }

    /** Skips {@code words} words, as if they had been drawn (free: nothing is computed). */
    public void advance(long words) {
        if (words < 0) {
            throw new IllegalArgumentException("cannot advance by a negative count: " + words);
        }
        offset = Math.addExact(offset, words);
    }

    // ---------------------------------------------------------------- bulk draws

    /** The next {@code n} raw words (uint32 bits in ints); consumes n words. */
    public int[] words(int n) {
        int[] out = new int[n];
        fillWords(out, 0, n);
        return out;
    }

    /**
     * Writes words {@code offset .. offset+n-1} into {@code out[from .. from+n-1]} and advances the
     * offset by n. Each Philox block is computed once and all its lanes in range are used.
     */
    private void fillWords(int[] out, int from, int n) {
        checkRange(out.length, from, n);
        long start = offset;
        advance(n);
        int[] block = new int[4];
        int i = 0;
        while (i < n) {
            long w = start + i;
            long c = w >>> 2;
            block((int) c, (int) (c >>> 32), 0, 0, key0, key1, block);
            for (int lane = (int) (w & 3); lane < 4 && i < n; lane++, i++) {
                out[from + i] = block[lane];
            }
        }
    }

    /**
     * Fills {@code out[from .. from+n-1]} with uniforms in [0, 1) (element i is {@link
     * #uniform(long)} of word {@code offset + i}) and advances the offset by n.
     */
    public void fillUniform(float[] out, int from, int n) {
        checkRange(out.length, from, n);
        int[] w = new int[n];
        fillWords(w, 0, n);
        for (int i = 0; i < n; i++) {
            out[from + i] = uniform(w[i]);
        }
    }

    /**
     * n uniforms on [low, high): element i is {@code low + (high - low) * u} with u = {@link
     * #uniform(long)} of word {@code offset + i}, evaluated in float32 as written: {@code high -
     * low}, then the product, then the sum, each rounded to nearest (ties to even), no fused
     * multiply-add. Because of that rounding the result can equal {@code high} when u is within
     * half an ulp of 1 relative to the range (e.g. low = 1, high = 2, u = 1 - 2^-24 gives 2.0); the
     * interval is [low, high) before rounding. Consumes n words.
     */
    public float[] uniform(int n, float low, float high) {
        float[] out = new float[n];
        fillUniform(out, 0, n);
        float range = high - low;
        for (int i = 0; i < n; i++) {
            out[i] = low + range * out[i];
        }
        return out;
    }

    /**
     * A 0/1 mask: element i is 1 when {@link #uniform(long)} of word {@code offset + i} is below
     * {@code p}, so it is 1 with probability p (exactly ceil(p 2^24) / 2^24, the 24-bit grid; p = 0
     * gives all zeros and p = 1 all ones). For dropout pass the keep probability {@code 1 - drop}.
     * Consumes n words.
     */
    public float[] bernoulliMask(int n, float p) {
        if (!(p >= 0f && p <= 1f)) {
            throw new IllegalArgumentException("probability must be in [0, 1], got " + p);
        }
        float[] out = new float[n];
        fillUniform(out, 0, n);
        for (int i = 0; i < n; i++) {
            out[i] = out[i] < p ? 1f : 0f;
        }
        return out;
    }

    /**
     * n normal samples: element i is {@code (float) (mean + std * gaussian(seed, offset, i))}, the
     * arithmetic in double and one rounding to float at the end. Consumes {@code n + (n & 1)} words
     * (both halves of every Box-Muller pair are used; an odd n discards the last sine).
     */
    public float[] normal(int n, double mean, double std) {
        if (n < 0) {
            throw new IllegalArgumentException("negative count: " + n);
        }
        int pairs = (n + 1) / 2;
        float[] u = new float[2 * pairs];
        fillUniform(u, 0, 2 * pairs);
        float[] out = new float[n];
        for (int k = 0; k < pairs; k++) {
            double ua = u[2 * k];
            double ub = u[2 * k + 1];
            out[2 * k] = (float) (mean + std * boxMuller(ua, ub, false));
            if (2 * k + 1 < n) {
                out[2 * k + 1] = (float) (mean + std * boxMuller(ua, ub, true));
            }
        }
        return out;
    }

    private static void checkRange(int length, int from, int n) {
        if (n < 0 || from < 0 || from > length - n) {
            throw new IndexOutOfBoundsException("range [" + from + ", " + from + " + " + n + ") of an array of " + length);
        }
    }
}
