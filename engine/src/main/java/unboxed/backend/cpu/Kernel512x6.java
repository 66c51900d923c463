package unboxed.backend.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The AVX-512 micro-kernel: a 6 x 32 tile of C in 12 zmm registers (6 rows x 2 vectors of 16
 * floats). Each step of k loads two vectors of the packed B row, broadcasts one value from each
 * of the 6 rows of the A micro-panel, and issues 12 independent fused multiply-adds: enough to
 * cover the FMA latency (4 cycles) times its throughput (2 per cycle). 12 + 2 + 1 = 15 live
 * vectors fit the 32 registers of AVX-512 with room to spare; wider tiles (8 x 32, 6 x 48) ran
 * at the same speed with data in L1 and made C2 spill in the full loop nest. Loading beta * C
 * before the loop, so that the tile of C would arrive during the sums (27 live vectors), measured
 * 0.99x at 1024^3 on a Zen 5 (one thread, paired in one JVM) and ran at half speed in one JVM of
 * three.
 *
 * <p>C2's loop for it (hsdis, Zen 5, 1024^3, 2026-12-03) keeps four of the six row offsets
 * on the stack and reloads each at every step of k before its broadcast (a load
 * and an add per row beside the 12 multiply-adds): the general registers run short, not the
 * vector ones. With its data in L1 the loop still reaches the core's peak (Sgemm's notes); what
 * the extra loads cost in the full loop nest, where the SGEMM misses its target, is not measured.
 * Reading A packed k-major, as {@link Kernel256x4} does, needs one index for all six rows: tried
 * the same day (this tile, its loop along the packed B, A packed six rows side by side in the
 * same loop order), the 1024^3 product took 12.3-12.6 ms against 11.3-11.7 in the quieter JVMs
 * of six taking turns (the packing of A it adds outweighed the loads it saves); not kept. Nor
 * A's rows copied (System.arraycopy per row, per block of MC rows) at a constant distance of KC
 * floats, so that the six broadcasts read one index plus constant offsets and the loop keeps no
 * row offset: in a hand-written nest 1-2 % faster than in place, in the engine (every A packed
 * so, NC 256 or 512, six JVMs each way in turns) 10.4-11.3 ms against 10.5-11.4 in place (the
 * same day, the same machine): nothing measurable, and a copy of A that the in-place reads avoid.
 */
final class Kernel512x6 implements MicroKernel {
    static final VectorSpecies<Float> S = FloatVector.SPECIES_512;
    static final int V = 16;
    static final int MR = 6;
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
        return 512;
    }

    @Override
    public boolean packsAByK() {
        return false;
    }

    /**
     * C[0:MR, 0:NR] (at {@code co}, row stride {@code ldc}) = alpha * (A panel . B panel) + beta * C,
     * with the A micro-panel's rows at {@code ao + r * lda} ({@code kc} floats each) and the packed
     * B micro-panel k-major at {@code bo} ({@code NR} floats per k). beta == 0 never reads C. Static,
     * so that Sgemm calls it directly (see Sgemm.Call#kernel).
     */
    static void kernel(int kc, float[] a, int ao, int lda, float[] bp, int bo, float alpha, float beta, float[] c, int co,
                       int ldc) {
        FloatVector c00 = FloatVector.zero(S), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00;
        FloatVector c30 = c00, c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00;
        int a0 = ao;
        int a1 = a0 + lda;
        int a2 = a1 + lda;
        int a3 = a2 + lda;
        int a4 = a3 + lda;
        int a5 = a4 + lda;
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
            x = FloatVector.broadcast(S, a[a4 + p]);
            c40 = x.fma(b0, c40);
            c41 = x.fma(b1, c41);
            x = FloatVector.broadcast(S, a[a5 + p]);
            c50 = x.fma(b0, c50);
            c51 = x.fma(b1, c51);
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
            c40.mul(va).intoArray(c, co + 4 * ldc);
            c41.mul(va).intoArray(c, co + 4 * ldc + V);
            c50.mul(va).intoArray(c, co + 5 * ldc);
            c51.mul(va).intoArray(c, co + 5 * ldc + V);
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
            c40.fma(va, FloatVector.fromArray(S, c, co + 4 * ldc).mul(vb)).intoArray(c, co + 4 * ldc);
            c41.fma(va, FloatVector.fromArray(S, c, co + 4 * ldc + V).mul(vb)).intoArray(c, co + 4 * ldc + V);
            c50.fma(va, FloatVector.fromArray(S, c, co + 5 * ldc).mul(vb)).intoArray(c, co + 5 * ldc);
            c51.fma(va, FloatVector.fromArray(S, c, co + 5 * ldc + V).mul(vb)).intoArray(c, co + 5 * ldc + V);
        }
    }
}
