package unboxed.backend.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The AVX2 micro-kernel: a 4 x 16 tile of C in 8 ymm registers (4 rows x 2 vectors of 8 floats),
 * with its A micro-panel packed k-major (the 4 values of each k side by side).
 *
 * <p>AVX2 has 16 vector registers, and at 256 bits each fused multiply-add does half the work of
 * an AVX-512 one, so this loop must issue twice as many of them per cycle with half the registers.
 * Three choices make C2 compile it into a loop that does (measured on a Zen 4 limited to AVX2
 * with -XX:UseAVX=2, data in L1, 117 GFLOP/s the core's peak at that width):
 * <ul>
 *   <li><b>A packed k-major</b>, so that the 4 broadcasts of a step of k read one index plus
 *       constant offsets. Read in place, row by row, each broadcast needed its own address
 *       arithmetic, and the loop of 25 instructions for 8 fused multiply-adds was bound by
 *       instruction issue: 77 GFLOP/s.</li>
 *   <li><b>The loop counts along B</b> (the packed B index is the induction variable), which
 *       leaves 2 loads, 4 broadcasts, 8 fused multiply-adds and 3 instructions of loop control:
 *       109-110 GFLOP/s in each of 8 runs.</li>
 *   <li><b>Raw sums out</b>: the kernel stores its 8 accumulators and {@link #store} merges them
 *       into C. With alpha and beta in the kernel, C2 sometimes kept alpha in a vector register
 *       through the loop and copied accumulators between registers: 84 GFLOP/s in 3 of 6 runs.</li>
 * </ul>
 * Wider tiles (5 x 16, 6 x 16: 10 and 12 accumulators) reached the peak in some runs and half of
 * it in others, as C2's register allocation varied from one JVM to the next; this one never did.
 * On a Zen 5 limited to AVX2 (kernel alone, data in L1, three JVMs each, JDK 17 and 25 alike)
 * this tile ran at 96-100 GFLOP/s, 3 x 24 (9 accumulators) at 94-98, and every loop of 12 or
 * more multiply-adds with its loads half as fast: 6 x 16 and 4 x 24 at 46-52, this very tile
 * unrolled twice along k at 50-54; while 24 multiply-adds on registers alone ran at 106-111, the
 * core's peak at this width. Disassembled (hsdis; Zen 5, 2026-12-03, whole 1024^3 products):
 * 6 x 16 ran its product in 22-26 ms in three JVMs of six and in 47-51 in the other three, whose
 * loop kept three of its twelve accumulators on the stack, a store and a reload per step of k in
 * their chains (the fast JVMs' loop held all twelve in registers, and was no faster than this
 * tile over the whole product). OpenBLAS's Haswell kernels ran the whole 1024^3 product in
 * 20.8-21.2 ms on that machine (101-103 GFLOP/s): faster than this tile alone with its data in
 * L1, so no loop nest around it can catch up.
 *
 * <p><b>Never inlined.</b> {@link #sums} is kept above C2's inlining limit for a hot call
 * (-XX:FreqInlineSize, 325 bytes of bytecode on JDK 17 and 25) by its bounds check, so that its
 * loop is always compiled in a method of its own, as the 6 x 32 kernel (over 1100 bytes) is.
 * At 307 bytes it was inlined into Sgemm's tile loop, whose own live values then crowded the 16
 * general registers: in some JVMs C2 parked the loop's indices in vector registers, a round trip
 * of two register moves on the index's chain at every step of k, which had been one addition
 * (the step's multiply-adds take 4 cycles). Post 01's MLP epoch (Zen 5 limited to AVX2, one
 * thread) ran at 1200-1300 ms in half of its JMH forks and 730-780 in the others (three of six,
 * and two of three in the pinned run at 237eb84); not inlined (or with
 * -XX:CompileCommand=dontinline), six forks of six ran at 750-805 ms (2026-12-03).
 * {@code JitCompilesTheKernelsTest} checks that C2 does not inline it.
 * Each element of C is still one fused multiply-add chain over k, in order (see Sgemm,
 * "Determinism"), so the choice of tile changes no bit.
 */
final class Kernel256x4 implements MicroKernel {
    static final VectorSpecies<Float> S = FloatVector.SPECIES_256;
    static final int V = 8;
    static final int MR = 4;
    static final int NR = 2 * V;

    @Override
    public int mr() {
        return MR;
    }

    @Override
    public int nr() {
        return NR;
    }

    @Override
    public int vectorBits() {
        return 256;
    }

    @Override
    public boolean packsAByK() {
        return true;
    }

    /**
     * sums[r * NR + j] = sum over p of A[r, p] * B[p, j], one fused multiply-add per p in order,
     * with the A micro-panel k-major at {@code ao} ({@code MR} floats per k) and the B
     * micro-panel k-major at {@code bo} ({@code NR} floats per k).
     */
    static void sums(int kc, float[] ap, int ao, float[] bp, int bo, float[] sums) {
        // also what keeps this method over the JIT's inlining limit (see the class notes)
        if (kc < 0 || ao < 0 || ao > ap.length - kc * MR || bo < 0 || bo > bp.length - kc * NR
                || sums.length < MR * NR) {
            throw new IllegalArgumentException("Kernel256x4.sums: kc " + kc + " from A[" + ao + "] of " + ap.length
                    + " and B[" + bo + "] of " + bp.length + " into " + sums.length + " sums: out of the panels");
        }
        FloatVector c00 = FloatVector.zero(S), c01 = c00, c10 = c00, c11 = c00;
        FloatVector c20 = c00, c21 = c00, c30 = c00, c31 = c00;
        int ai = ao;
        int end = bo + kc * NR;
        for (int bi = bo; bi < end; bi += NR, ai += MR) {
            FloatVector b0 = FloatVector.fromArray(S, bp, bi);
            FloatVector b1 = FloatVector.fromArray(S, bp, bi + V);
            FloatVector x = FloatVector.broadcast(S, ap[ai]);
            c00 = x.fma(b0, c00);
            c01 = x.fma(b1, c01);
            x = FloatVector.broadcast(S, ap[ai + 1]);
            c10 = x.fma(b0, c10);
            c11 = x.fma(b1, c11);
            x = FloatVector.broadcast(S, ap[ai + 2]);
            c20 = x.fma(b0, c20);
            c21 = x.fma(b1, c21);
            x = FloatVector.broadcast(S, ap[ai + 3]);
            c30 = x.fma(b0, c30);
            c31 = x.fma(b1, c31);
        }
        c00.intoArray(sums, 0);
        c01.intoArray(sums, V);
        c10.intoArray(sums, NR);
        c11.intoArray(sums, NR + V);
        c20.intoArray(sums, 2 * NR);
        c21.intoArray(sums, 2 * NR + V);
        c30.intoArray(sums, 3 * NR);
        c31.intoArray(sums, 3 * NR + V);
    }

    /**
     * C[0:MR, 0:NR] (at {@code co}, row stride {@code ldc}) = alpha * sums + beta * C, Sgemm's
     * merge lane by lane: {@code s * alpha} when beta == 0 (C is not read), else
     * {@code fma(s, alpha, beta * c)}.
     */
    static void store(float[] sums, float alpha, float beta, float[] c, int co, int ldc) {
        FloatVector va = FloatVector.broadcast(S, alpha);
        if (beta == 0f) {
            for (int r = 0; r < MR; r++) {
                for (int j = 0; j < NR; j += V) {
                    FloatVector.fromArray(S, sums, r * NR + j).mul(va).intoArray(c, co + r * ldc + j);
                }
            }
        } else {
            FloatVector vb = FloatVector.broadcast(S, beta);
            for (int r = 0; r < MR; r++) {
                for (int j = 0; j < NR; j += V) {
                    int at = co + r * ldc + j;
                    FloatVector.fromArray(S, sums, r * NR + j).fma(va, FloatVector.fromArray(S, c, at).mul(vb))
                            .intoArray(c, at);
                }
            }
        }
    }
}
