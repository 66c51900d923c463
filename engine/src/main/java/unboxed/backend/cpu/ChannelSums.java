package unboxed.backend.cpu;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * A bias gradient's sums for sixteen channels at a time, the channels in the lanes: x seen as
 * [before, kept, after] (a convolution's [N, O, H, W]: after = H W), channel c's terms summed
 * into acc[c] in doubles in row-major order, each lane one channel's chain: the order, and the
 * bits, of {@link CpuBackend}'s scalar loop. A channel's terms lie {@code after} floats apart from
 * the next channel's, so 16 x 16 blocks are transposed first (Sgemm's lane permutations); then
 * each position adds one vector of sixteen channels, widened to doubles in two halves. By hand on
 * a Zen 5 the MNIST CNN's second layer's bias gradient (64, 32, 14 x 14) took 0.12-0.15 ms
 * against 0.19-0.22 with four scalar chains, the first layer's (64, 16, 28 x 28) 0.28 against
 * 0.39. AVX-512 only (the transposition is 16 lanes wide).
 */
final class ChannelSums {
    private ChannelSums() {
    }

    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Double> D = DoubleVector.SPECIES_PREFERRED;
    private static final int DL = D.length();

    /** Channels this class sums at once. */
    static final int CHANNELS = 16;

    /** Whether {@link #add} applies: 16-lane vectors and at least a block of positions per channel. */
    static boolean suits(int after) {
        return F.length() == CHANNELS && after >= CHANNELS;
    }

    /**
     * acc[c0 .. c0 + 16) += the terms of channels c0 .. c0 + 15 over before and after, in order.
     * Where an image leaves a NaN in the sums, its terms are added again one by one from the sums
     * before it, so that a NaN comes out with the scalar loop's payload: a lane permutation may
     * replace a NaN's payload before the JIT compiles it.
     */
    static void add(float[] xs, int at0, double[] acc, int before, int kept, int after, int c0) {
        float[] square = new float[CHANNELS * CHANNELS];
        double[] saved = new double[CHANNELS];
        int whole = after / CHANNELS * CHANNELS;
        for (int a = 0; a < before; a++) {
            int at = at0 + (a * kept + c0) * after;
            System.arraycopy(acc, c0, saved, 0, CHANNELS);
            DoubleVector lo = DoubleVector.fromArray(D, acc, c0);
            DoubleVector hi = DoubleVector.fromArray(D, acc, c0 + DL);
            for (int b = 0; b < whole; b += CHANNELS) {
                // square[p][j] = channel c0 + j's term at position b + p
                Sgemm.Transpose16.run(xs, at + b, after, square, 0, CHANNELS);
                for (int p = 0; p < CHANNELS; p++) {
                    FloatVector v = FloatVector.fromArray(F, square, p * CHANNELS);
                    lo = lo.add((DoubleVector) v.convertShape(VectorOperators.F2D, D, 0));
                    hi = hi.add((DoubleVector) v.convertShape(VectorOperators.F2D, D, 1));
                }
            }
            lo.intoArray(acc, c0);
            hi.intoArray(acc, c0 + DL);
            int from = whole;
            if (lo.add(hi).compare(VectorOperators.NE, lo.add(hi)).anyTrue()) {
                System.arraycopy(saved, 0, acc, c0, CHANNELS);
                from = 0;
            }
            for (int j = 0; j < CHANNELS; j++) {
                double s = acc[c0 + j];
                for (int b = from, i = at + j * after + from; b < after; b++, i++) {
                    s += xs[i];
                }
                acc[c0 + j] = s;
            }
        }
    }
}
