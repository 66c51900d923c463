package unboxed.backend.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The AVX2 micro-kernel: a 4 x 16 tile of C in 8 ymm registers (4 rows x 2 vectors of 8 floats).
 * AVX2 has 16 vector registers, and C2 needs a few of them for itself: the AVX-512 kernel's
 * 6 x 2 shape (15 live vectors) spills there and ran at 57 GFLOP/s with data in L1, against
 * 115-123 for this one (and 120-127 for 3 x 24) on the same core limited to AVX2 with
 * -XX:UseAVX=2. 8 independent fused multiply-adds per step of k still cover the FMA latency
 * (4 cycles) times its throughput (2 per cycle).
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

    /**
     * C[0:MR, 0:NR] (at {@code co}, row stride {@code ldc}) = alpha * (A panel . B panel) + beta * C,
     * with the A micro-panel's rows at {@code ao + r * lda} ({@code kc} floats each) and the packed
     * B micro-panel k-major at {@code bo} ({@code NR} floats per k). beta == 0 never reads C. Static,
     * so that Sgemm calls it directly (see Sgemm.Call#kernel).
     */
    static void kernel(int kc, float[] a, int ao, int lda, float[] bp, int bo, float alpha, float beta, float[] c, int co,
                       int ldc) {
        FloatVector c00 = FloatVector.zero(S), c01 = c00, c10 = c00, c11 = c00;
        FloatVector c20 = c00, c21 = c00, c30 = c00, c31 = c00;
        int a0 = ao;
        int a1 = a0 + lda;
        int a2 = a1 + lda;
        int a3 = a2 + lda;
        for (int p = 0; p < kc; p++) {
            int bi = bo + p * NR;
            FloatVector b0 = FloatVector.fromArray(S, bp, bi);
            FloatVector b1 = FloatVector.fromArray(S, bp, bi + V);
            FloatVector x = FloatVector.broadcast(S, a[a0 + p]);
            c00 = x.fma(b0, c00);
            c01 = x.fma(b1, c01);
            x = FloatVector.broadcast(S, a[a1 + p]);
            c10 = x.fma(b0, c10);
            c11 = x.fma(b1, c11);
            x = FloatVector.broadcast(S, a[a2 + p]);
            c20 = x.fma(b0, c20);
            c21 = x.fma(b1, c21);
            x = FloatVector.broadcast(S, a[a3 + p]);
            c30 = x.fma(b0, c30);
            c31 = x.fma(b1, c31);
        }
        FloatVector va = FloatVector.broadcast(S, alpha);
        if (beta == 0f) {
            c00.mul(va).intoArray(c, co + 0 * ldc);
            c01.mul(va).intoArray(c, co + 0 * ldc + V);
            c10.mul(va).intoArray(c, co + 1 * ldc);
            c11.mul(va).intoArray(c, co + 1 * ldc + V);
            c20.mul(va).intoArray(c, co + 2 * ldc);
            c21.mul(va).intoArray(c, co + 2 * ldc + V);
            c30.mul(va).intoArray(c, co + 3 * ldc);
            c31.mul(va).intoArray(c, co + 3 * ldc + V);
        } else {
            // fma(s, alpha, beta * c): Sgemm's merge, lane by lane
            FloatVector vb = FloatVector.broadcast(S, beta);
            c00.fma(va, FloatVector.fromArray(S, c, co + 0 * ldc).mul(vb)).intoArray(c, co + 0 * ldc);
            c01.fma(va, FloatVector.fromArray(S, c, co + 0 * ldc + V).mul(vb)).intoArray(c, co + 0 * ldc + V);
            c10.fma(va, FloatVector.fromArray(S, c, co + 1 * ldc).mul(vb)).intoArray(c, co + 1 * ldc);
            c11.fma(va, FloatVector.fromArray(S, c, co + 1 * ldc + V).mul(vb)).intoArray(c, co + 1 * ldc + V);
            c20.fma(va, FloatVector.fromArray(S, c, co + 2 * ldc).mul(vb)).intoArray(c, co + 2 * ldc);
            c21.fma(va, FloatVector.fromArray(S, c, co + 2 * ldc + V).mul(vb)).intoArray(c, co + 2 * ldc + V);
            c30.fma(va, FloatVector.fromArray(S, c, co + 3 * ldc).mul(vb)).intoArray(c, co + 3 * ldc);
            c31.fma(va, FloatVector.fromArray(S, c, co + 3 * ldc + V).mul(vb)).intoArray(c, co + 3 * ldc + V);
        }
    }
}
