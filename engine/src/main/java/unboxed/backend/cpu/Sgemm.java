package unboxed.backend.cpu;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * Single-precision general matrix multiply, {@code C = alpha * A * B + beta * C}: the engine's
 * matmul, and the last of the numbered versions in post 01 ({@code MatmulV1Naive} ...
 * {@code MatmulV4Vector}, then this).
 *
 * <h2>Structure (GotoBLAS / BLIS)</h2>
 * <pre>
 *   for jc in N by NC:
 *     for pc in K by KC:
 *       pack B[pc:pc+KC, jc:jc+NC]         into NR-wide column panels, k-major (L2)
 *       for ic in M by MC:
 *         pack A[ic:ic+MC, pc:pc+KC]       into MR-tall row panels (skipped for contiguous rows)
 *         for ir in MC by MR:              one A micro-panel (MR x KC, in L1) ...
 *           for jr in NC by NR:            ... meets every B micro-panel (KC x NR, streamed)
 *             micro-kernel: MR x NR tile of C, held in registers for the whole KC loop
 * </pre>
 * (BLIS swaps the two innermost loops; see the blocking notes for why this order won here with
 * the AVX-512 kernel, and why the AVX2 kernel, which reads A packed k-major, takes BLIS's.)
 * Packing is where the arbitrary strides of A and B are absorbed (a transposed view needs no
 * copy: only the packing loop differs, with fast paths for unit strides), and it lays both
 * operands out in exactly the order the micro-kernel reads them, so that the kernel's loads are
 * sequential and the hardware prefetcher keeps the next cache lines coming. The kernel reads its
 * A micro-panel as MR rows, so when A's rows are contiguous (row-major A, the common case) the
 * copy of A is skipped and the kernel reads A in place. Packing costs O(MK + KN) against the
 * kernel's O(MNK): a few per cent at the training shapes (M = 64).
 *
 * <h2>The micro-kernel and the blocking, per machine</h2>
 * The innermost tile is a {@link MicroKernel} chosen at start-up for this CPU ({@link SgemmPlan}):
 * a 6 x 32 tile in 12 AVX-512 registers, or a 4 x 16 tile in 8 AVX2 registers where only 16
 * vector registers exist (that one reads A packed k-major, never in place: see Kernel256x4). The blocking (MC, NC) follows the detected cache sizes. None of these
 * choices changes a bit of the result (see "Determinism"); only KC does, and it is fixed.
 *
 * <h2>Determinism</h2>
 * Every element of C is computed by the same sequence of floating-point operations, whatever the
 * thread count, the position of the element in its tile, the micro-kernel and vector width of the
 * machine, or whether the small-matrix path is taken:
 * <pre>
 *   K is cut into blocks that depend on k only (balanced blocks of at most KC);
 *   for each block in order:  s = 0;  for p in block, in order: s = fma(a[i,p], b[p,j], s)
 *                              first block:  c = beta == 0 ? s * alpha : fma(s, alpha, beta * c)
 *                              later blocks: c = fma(s, alpha, c)
 * </pre>
 * Threads split C, never K; each vector lane is an independent element, so an edge tile
 * (computed into a scratch tile on zero-padded panels, then merged with the same scalar
 * formula) gives the same bits as an interior one. Hence results are bit-identical for any
 * {@code threads}, on every machine kind, and from run to run. When {@code beta == 0}, C is never read (it may hold NaN).
 */
public final class Sgemm {
    private Sgemm() {
    }

    // ---- blocking ------------------------------------------------------------------------------
    //
    // Measured on the development machines (AMD EPYC Zen 4: 32 KiB L1d and 1 MiB L2 per core;
    // Zen 5: 48 KiB L1d, 1 MiB L2), one thread, 1024^3, 256^3 and the MNIST training shapes:
    //
    //  - the A micro-panel (MR x KC = 6 x 256 floats = 6 KiB) stays in L1 while the kernel sweeps
    //    every B micro-panel of the block past it (the "ir outer, jr inner" order below); each
    //    B micro-panel (KC x NR = 32 KiB) streams in sequentially, which the L2 prefetcher
    //    follows. This order measured 103-105 GFLOP/s at 1024^3 against 92-97 for the classic
    //    BLIS order (B micro-panel held in L1, A streamed) on the Zen 4; on the Zen 5 (48 KiB L1)
    //    the two orders, and packing A or reading it in place, measured within the noise
    //    (195-217 GFLOP/s);
    //  - the AVX2 kernel (4 x 16, A packed k-major) takes the other order, BLIS's: one B
    //    micro-panel (KC x 16 = 16 KiB) stays in L1 while the packed A micro-panels of the block
    //    (MC x KC, in L2) stream past it. Per step of k that kernel reads 64 bytes of B and 16 of
    //    A, so streaming A instead of B moves a quarter of the bytes; and its B block spans all
    //    of N (SgemmPlan), more than the L2 holds, so in the order above every B micro-panel came
    //    from L3 once per A micro-panel. Measured at 1024^3 on the Zen 5 limited to AVX2
    //    (-XX:UseAVX=2, L2 taken as 512K; the two orders taking turns in one JVM, three JVMs):
    //    23.5-24.6 ms against 24.0-27.3 on one thread, 12.9-13.5 against 13.8-14.2 on two; the
    //    MNIST training shapes within 1 % either way (64 x 784 x 256 2-5 % faster);
    //  - the packed B block (kc x NC floats) is reread once per A micro-panel: NC is sized so that
    //    it takes a quarter of the L2 (SgemmPlan), which leaves room for the block of C it updates;
    //    a short K block (the training shapes' K = 64 weight gradients) gets a wider NC;
    //  - MC only sets how many A micro-panels are packed at once (when A needs packing at all):
    //    with the A micro-panel reused across all of NC, it does not change the speed measurably;
    //  - on a Zen 5 virtual machine where the 6 x 32 kernel ran at the core's peak with its data
    //    in L1 (225 GFLOP/s) and at 172-177 at 1024^3, an 8 x 32 tile (A packed k-major, the loop
    //    along B, raw sums out, as Kernel256x4) measured 164-167 at 1024^3 and no faster on the
    //    s2 convolution's products (64 x 256 x 576): a B micro-panel serving 8 rows of A instead
    //    of 6 is not what the full loop nest waits for there;
    //  - where the rest went, on a Zen 5 (one thread, 1024^3, by hand, variants taking turns in one
    //    JVM, several JVMs): the kernel calls alone in this nest's order, B packed once, 10.6-11.0
    //    ms a product, while this class took 11.7-12.1 (OpenBLAS 10.7-10.9, timed in turns). Most
    //    of the difference was packing B: its copy loop ran over nr, a field, so the JIT saw a
    //    loop of unknown trip count per k; the two vector copies written out made the whole
    //    product 4-7 % faster (six JVMs). Calling the kernel straight for a row of full tiles,
    //    without tile()'s bookkeeping, gave 0.4-2 % more (six JVMs, all faster); the class is now
    //    within 1-4 % of a hand-written nest of the same kernel calls and copies;
    //  - and in the benchmark runs: in some forks this product takes 15-18 ms for the whole fork
    //    while OpenBLAS, taking turns with it, slows by 5-10 % only (post 01's pinned Zen 5 run at
    //    0a7e7da: two of three forks). Reproduced by hand on the Zen 5: for minutes at a time,
    //    and in single JVMs between normal ones, with or without the peer taking turns, with or
    //    without transparent huge pages (-XX:+UseTransparentHugePages), with the same JIT
    //    compilations (the kernel's compiled sizes vary as much between fast JVMs). In a slow JVM
    //    every variant of the nest was as slow: A packed or read in place, NC 128 or 256. What
    //    slows this kernel by a third on these shared machines, and OpenBLAS by a tenth, is not
    //    found (no hardware counters in the VM). A memory hog of our own on the other core (a triad
    //    over 192 MB, or over 12-24 MB to thrash the shared L3) slowed neither this product nor
    //    OpenBLAS measurably (Zen 5, 2026-12-03): the slow state is not that simple to provoke;
    //  - BLIS's order with A packed (the AVX2 kernel's, above) tried again for this kernel on the
    //    Zen 5 (MC 96-480, NC 512-1024, taking turns with this order in one JVM, five JVMs): 0-5 %
    //    faster at 1024^3, 2-8 % slower at the MNIST training shapes (the copy of A); kept as it is;
    //  - a clue to the slow forks: the speed depends on where the matrices lie in memory. In one
    //    JVM (Zen 5 limited to AVX2, 1024^3, one thread), four freshly allocated sets of the same
    //    matrices ran at 28.0, 27.9, 25.0 and 24.7 ms, each set steady over its rounds (each of
    //    six JVMs had a set some 12-16 % slower than its fastest). Swapping one matrix at a time,
    //    C made the difference: in two JVMs of four, A and B of the first set into the first C
    //    took 26.2-27.3 ms, into either of two other C arrays 23.9-24.9 (the other two JVMs, and
    //    five more tried later with three C arrays each, had no slow C). OpenBLAS's Haswell
    //    kernels, four sets in each of five processes, ran at 20.4-21.4 ms throughout. C is the
    //    one operand read and written in place, a tile of rows 4 KiB apart at a time, so which
    //    cache sets and pages its rows get (physical placement, out of a JVM's hands) can slow a
    //    whole fork. Staging tried with the AVX-512 kernel (a block's raw sums into a buffer of
    //    the thread's own, then merged into C row by row, the same bits): 4-8 % slower in four
    //    JVMs with four C arrays each, none of them slow there (with this kernel, sets of
    //    matrices came out up to 9 % apart in one JVM of six);
    //  - part of that placement is alignment, which a Java program does not choose: an array's
    //    first element lies 16 bytes past its header, and where the header lies is the JVM's
    //    business, so a 64-byte vector of the packed B or of C spans two cache lines unless the
    //    array happens to sit right. Measured on a Zen 5 (AVX-512, one thread, 1024^3, by hand
    //    with sun.misc.Unsafe reading the arrays' addresses; a copy of this nest's loops and
    //    kernel without its edge rows, B packed at an offset chosen per call, four placements of
    //    each taking turns in one JVM, four JVMs, 2026-12-03): with both B and C on 64-byte
    //    boundaries 9.9-10.1 ms a product in most rounds (up to 10.3), with the packed B 16, 32
    //    or 48 bytes off 10.15-10.4, with C off 10.0-10.3 (one round 10.7). OpenBLAS through
    //    PyTorch, run the same hour on that core, 10.2-10.5 ms; PyTorch's tensors are 64-byte
    //    aligned. The JVM offers no aligned arrays (and the garbage collector moves them), so the
    //    engine leaves it to chance: some of the spread from one JVM to the next, and a few per
    //    cent of the gap to OpenBLAS, are this. Aligned memory off the heap is no way round on
    //    JDK 17, whose Vector API reads only arrays and buffers; on JDK 25 (the same nest with
    //    the packed B in a 64-byte aligned native MemorySegment, three JVMs taking turns, the
    //    same day) the segment on a boundary ran 2-3 % faster than 16 bytes off, but reading a
    //    segment cost more than reading an array: 11.2-12.1 ms a product against 10.9-11.9;
    //  - a linear layer's forward pass (x @ W^T: B a transposed view) packs B by transposing all
    //    of W: in a JFR profile of the MNIST MLP's training epoch (Zen 5, AVX-512, one thread)
    //    Transpose16 took 17.6 % of the samples, packing W^T. Computing C^T = W x^T instead
    //    (swapsOperands: W's rows read in place, x transposed while packing, 4 times fewer floats
    //    at 64 x 784 than W^T's 784 x 256, then C^T transposed into C) brought that share to 8.2 %;
    //    the epoch's JMH iterations (three forks of each form taking turns, five iterations each)
    //    had medians of 444-482 ms against 478-494 (2026-12-03). With the AVX2 kernel, which packs
    //    A k-major anyway, the swap was no faster (three forks each), so only the kernel that
    //    reads A in place takes it.
    //
    // KC is part of the arithmetic (see "Determinism"): changing it changes the low bits of
    // results. MC, NC, MR and NR are not: any value gives the same bits.

    /**
     * Largest block of K summed in registers before C is updated. Public because it is part of
     * the arithmetic's definition (see "Determinism"), not only a speed setting.
     */
    public static final int KC = SgemmPlan.KC;

    /** The JVM's preferred vectors, for copies while packing (every tile width is a multiple of them). */
    private static final VectorSpecies<Float> SP = FloatVector.SPECIES_PREFERRED;
    private static final int VP = SP.length();

    /**
     * At or below this many multiply-adds (m*n*k) the unpacked path is used: packing an 8x8x8
     * product already pays for itself (3.3 against 1.7 GFLOP/s), so only tiny products go there.
     */
    static final long SMALL = 256;
    /**
     * Least work (multiply-adds) per task before a second thread is woken: waking a parked pool
     * thread costs some 10-50 us, about 1-5 million multiply-adds at full speed.
     */
    static final long TASK_WORK = 1L << 20;
    /** How long a caller spins for its helpers to finish before it parks (see runParallel). */
    static final long SPIN_NANOS = 200_000;

    /**
     * C[M,N] = alpha * A[M,K] * B[K,N] + beta * C, with A and B given by arbitrary element strides
     * (so transposed views need no copy). C is row-major with leading dimension {@code ldc}.
     *
     * @param threads number of workers to use (the caller counts as one); the result does not
     *                depend on it
     */
    public static void sgemm(int m, int n, int k, float alpha,
                             float[] a, int aOffset, int aRowStride, int aColStride,
                             float[] b, int bOffset, int bRowStride, int bColStride,
                             float beta, float[] c, int cOffset, int ldc, int threads) {
        sgemm(SgemmPlan.get(), m, n, k, alpha, a, aOffset, aRowStride, aColStride, b, bOffset, bRowStride, bColStride,
                beta, c, cOffset, ldc, threads);
    }

    /** As above, cut the way {@code plan} says (tests run one machine kind's plan on another). */
    public static void sgemm(SgemmPlan plan, int m, int n, int k, float alpha,
                             float[] a, int aOffset, int aRowStride, int aColStride,
                             float[] b, int bOffset, int bRowStride, int bColStride,
                             float beta, float[] c, int cOffset, int ldc, int threads) {
        if (nothingToMultiply(m, n, k, alpha, beta, c, cOffset, ldc, threads)) {
            return;
        }
        long work = (long) m * n * k;
        if (work <= SMALL) {
            small(m, n, k, alpha, a, aOffset, aRowStride, aColStride, b, bOffset, bRowStride, bColStride,
                    beta, c, cOffset, ldc);
            return;
        }
        if (swapsOperands(plan, m, n, aColStride, bRowStride, bColStride, beta)) {
            // C^T = B^T A^T into a buffer of this thread's, then transposed into C: packing then
            // transposes A (M x K) rather than B (K x N), and B^T's rows are read in place
            float[] ct = BUFFERS.get().swapped(m * n);
            run(new Call(plan, n, m, k, alpha, b, bOffset, bColStride, bRowStride,
                    a, aOffset, aColStride, aRowStride, 0f, ct, 0, m), threads);
            transposeInto(plan, ct, n, m, c, cOffset, ldc);
            return;
        }
        run(new Call(plan, m, n, k, alpha, a, aOffset, aRowStride, aColStride,
                b, bOffset, bRowStride, bColStride, beta, c, cOffset, ldc), threads);
    }

    /**
     * Whether {@link #sgemm} computes C^T = B^T A^T instead: where B is a transposed view (its
     * columns contiguous: x @ W^T, a linear layer's forward pass) and A's rows are contiguous,
     * packing B transposes all of it (K x N), while in the swapped product B^T's rows are read in
     * place by a kernel that reads A in place, and packing transposes A (M x K), smaller when M
     * is: a training batch of 64 against a layer of 256 outputs. C must not be read (beta 0),
     * as the product lands in a buffer first. The result is the same bits: each element is the
     * same chain of the same products (a b = b a exactly) in the same K blocks (see
     * "Determinism"), and a transpose only moves floats. What it saves is in the blocking notes.
     */
    static boolean swapsOperands(SgemmPlan plan, int m, int n, int aColStride, int bRowStride, int bColStride,
                                 float beta) {
        return beta == 0f && !plan.kernel.packsAByK() && aColStride == 1 && bRowStride == 1 && bColStride != 1
                && m >= SWAP_MIN_ROWS && m < n;
    }

    /** The fewest rows of C for {@link #swapsOperands}: fewer would leave the swapped product's columns to edge tiles. */
    static final int SWAP_MIN_ROWS = 16;

    /** c[cOffset + i * ldc + j] = t[j * cols + i] for i < cols, j < rows: square blocks in registers of the plan's width, the rest one by one. */
    private static void transposeInto(SgemmPlan plan, float[] t, int rows, int cols, float[] c, int cOffset, int ldc) {
        boolean wide = plan.vectorBits() == 512;
        int s = wide ? 16 : 8;
        int i = 0;
        for (; i + s <= cols; i += s) {
            int j = 0;
            for (; j + s <= rows; j += s) {
                if (wide) {
                    Transpose16.run(t, j * cols + i, cols, c, cOffset + i * ldc + j, ldc);
                } else {
                    Transpose8.run(t, j * cols + i, cols, c, cOffset + i * ldc + j, ldc);
                }
            }
            for (; j < rows; j++) {
                for (int r = i; r < i + s; r++) {
                    c[cOffset + r * ldc + j] = t[j * cols + r];
                }
            }
        }
        for (; i < cols; i++) {
            for (int j = 0; j < rows; j++) {
                c[cOffset + i * ldc + j] = t[j * cols + i];
            }
        }
    }

    /**
     * Checks the arguments; true (with C scaled by beta where that is the whole result) when there
     * is no product to compute: an empty C, or k == 0, or alpha == 0.
     */
    private static boolean nothingToMultiply(int m, int n, int k, float alpha, float beta, float[] c, int cOffset,
                                             int ldc, int threads) {
        if (m < 0 || n < 0 || k < 0) {
            throw new IllegalArgumentException("sgemm: negative size m=" + m + " n=" + n + " k=" + k);
        }
        if (threads < 1) {
            throw new IllegalArgumentException("sgemm: threads must be >= 1, got " + threads);
        }
        if (m == 0 || n == 0) {
            return true;
        }
        if (ldc < n) {
            throw new IllegalArgumentException("sgemm: ldc=" + ldc + " < n=" + n);
        }
        if (k == 0 || alpha == 0f) {
            scale(m, n, beta, c, cOffset, ldc);
            return true;
        }
        return false;
    }

    /** The blocked loops of one call on up to {@code threads} workers (one, below a task's worth of work). */
    private static void run(Call call, int threads) {
        long work = (long) call.m * call.n * call.k;
        int tasks = (int) Math.max(1, Math.min(threads, work / TASK_WORK));
        if (tasks == 1) {
            call.blocked(0, call.m, 0, call.n, BUFFERS.get().forPlan(call.plan));
            return;
        }
        call.split(tasks);
        runParallel(call, call.tm * call.tn, tasks);
    }

    /**
     * Where the blocked loops take B from when B is not a strided array: something that writes
     * B[pc:pc+kc, jc:jc+nc] into {@code bp} exactly as the strided packing does, as nr-wide
     * panels (panel jp holds, for each p, the nr values B[pc+p, jc+jp*nr .. +nr) one after the
     * other, zeros past nc). The convolutions use it to pack their im2col matrix straight from
     * the image, without ever writing that matrix out. The packed panels are the same floats, so
     * the product is the same bits (see "Determinism").
     */
    public interface PanelSource {
        void pack(int kc, int nc, int pc, int jc, int nr, float[] bp);
    }

    /**
     * C[M,N] = alpha * A[M,K] * B[K,N] + beta * C with B packed by {@code b}: the same loops,
     * blocking, threads and arithmetic as the strided form (it never takes the unpacked path for
     * tiny products, which would give the same bits anyway).
     */
    public static void sgemm(int m, int n, int k, float alpha,
                             float[] a, int aOffset, int aRowStride, int aColStride,
                             PanelSource b, float beta, float[] c, int cOffset, int ldc, int threads) {
        if (nothingToMultiply(m, n, k, alpha, beta, c, cOffset, ldc, threads)) {
            return;
        }
        Call call = new Call(SgemmPlan.get(), m, n, k, alpha, a, aOffset, aRowStride, aColStride, null, 0, 0, 0, beta,
                c, cOffset, ldc);
        call.source = b;
        run(call, threads);
    }

    /**
     * Where the blocked loops take A from when A is not a strided array: something that writes
     * A[ic:ic+mc, pc:pc+kc] into {@code ap} exactly as the strided packing does, as mr-tall
     * panels (row r of panel ip at {@code (ip*mr + r) * kc}, each row kc floats, zero rows past
     * mc). Same floats, same bits.
     */
    public interface RowPanelSource {
        void pack(int kc, int mc, int pc, int ic, int mr, float[] ap);
    }

    /** C[M,N] = alpha * A[M,K] * B[K,N] + beta * C with A packed by {@code a} (see the B-source form). */
    public static void sgemm(int m, int n, int k, float alpha, RowPanelSource a,
                             float[] b, int bOffset, int bRowStride, int bColStride,
                             float beta, float[] c, int cOffset, int ldc, int threads) {
        if (nothingToMultiply(m, n, k, alpha, beta, c, cOffset, ldc, threads)) {
            return;
        }
        Call call = new Call(SgemmPlan.get(), m, n, k, alpha, null, 0, 0, 0, b, bOffset, bRowStride, bColStride, beta,
                c, cOffset, ldc);
        call.aSource = a;
        run(call, threads);
    }

    // ---- k == 0 or alpha == 0: C = beta * C, without touching A and B -------------------------

    private static void scale(int m, int n, float beta, float[] c, int cOffset, int ldc) {
        for (int i = 0; i < m; i++) {
            int row = cOffset + i * ldc;
            if (beta == 0f) {
                java.util.Arrays.fill(c, row, row + n, 0f);
            } else if (beta != 1f) {
                for (int j = 0; j < n; j++) {
                    c[row + j] = beta * c[row + j];
                }
            }
        }
    }

    // ---- small problems: the same arithmetic, no packing ---------------------------------------

    /**
     * For tiny products the packing and the thread hand-off cost more than the multiply. This path
     * performs, element by element, exactly the operations of the blocked path (same K blocks,
     * same fma chain, same update), so the switch between the two never changes a bit.
     */
    static void small(int m, int n, int k, float alpha,
                      float[] a, int aOffset, int aRowStride, int aColStride,
                      float[] b, int bOffset, int bRowStride, int bColStride,
                      float beta, float[] c, int cOffset, int ldc) {
        int kb = kBlock(k);
        for (int i = 0; i < m; i++) {
            int aRow = aOffset + i * aRowStride;
            int cRow = cOffset + i * ldc;
            for (int j = 0; j < n; j++) {
                int bCol = bOffset + j * bColStride;
                for (int pc = 0; pc < k; pc += kb) {
                    int pEnd = Math.min(k, pc + kb);
                    float s = 0f;
                    for (int p = pc; p < pEnd; p++) {
                        s = Math.fma(a[aRow + p * aColStride], b[bCol + p * bRowStride], s);
                    }
                    c[cRow + j] = merge(s, alpha, pc == 0 ? beta : 1f, c, cRow + j);
                }
            }
        }
    }

    /** The update of one element of C by one K block's sum {@code s}; beta == 0 never reads C. */
    private static float merge(float s, float alpha, float beta, float[] c, int idx) {
        return beta == 0f ? s * alpha : Math.fma(s, alpha, beta * c[idx]);
    }

    /** Balanced K blocks of at most KC: depends on k only, so never on threads or tiling. */
    public static int kBlock(int k) {
        if (k <= KC) {
            return Math.max(k, 1);
        }
        int blocks = (k + KC - 1) / KC;
        return (k + blocks - 1) / blocks;
    }

    static int roundUp(int x, int to) {
        return (x + to - 1) / to * to;
    }

    // ---- one call: its operands, its split into tasks, the blocked loops ---------------------

    private static final class Call {
        final SgemmPlan plan;
        final int mr, nr, mcStep, ncStep;
        final boolean wide;
        /** The kernel reads its A micro-panels k-major (packed, never in place). */
        final boolean aByK;
        final int m, n, k;
        final float alpha, beta;
        final float[] a, b, c;
        final int aOffset, aRowStride, aColStride, bOffset, bRowStride, bColStride, cOffset, ldc;
        /** B's packer when B is not a strided array (null: pack from b with its strides). */
        PanelSource source;
        /** A's packer when A is not a strided array (null: pack from a with its strides, or read it in place). */
        RowPanelSource aSource;
        int tm = 1, tn = 1;

        Call(SgemmPlan plan, int m, int n, int k, float alpha,
             float[] a, int aOffset, int aRowStride, int aColStride,
             float[] b, int bOffset, int bRowStride, int bColStride,
             float beta, float[] c, int cOffset, int ldc) {
            this.plan = plan;
            this.wide = plan.vectorBits() == 512;
            this.aByK = plan.kernel.packsAByK();
            this.mr = plan.mr();
            this.nr = plan.nr();
            this.mcStep = plan.mc();
            this.ncStep = plan.nc(kBlock(k));
            this.m = m;
            this.n = n;
            this.k = k;
            this.alpha = alpha;
            this.a = a;
            this.aOffset = aOffset;
            this.aRowStride = aRowStride;
            this.aColStride = aColStride;
            this.b = b;
            this.bOffset = bOffset;
            this.bRowStride = bRowStride;
            this.bColStride = bColStride;
            this.beta = beta;
            this.c = c;
            this.cOffset = cOffset;
            this.ldc = ldc;
        }

        /**
         * Choose a tm x tn grid of C blocks for {@code tasks} workers. Cutting N makes every
         * worker pack all of A (nothing when A is read in place), cutting M makes every worker
         * pack all of B: pick the grid that packs least, among those that give each worker at
         * least one micro-panel.
         */
        void split(int tasks) {
            int mPanels = (m + mr - 1) / mr;
            int nPanels = (n + nr - 1) / nr;
            long packA = aColStride == 1 && aSource == null && !aByK ? 0 : (long) m * k;
            long packB = (long) k * n;
            long best = Long.MAX_VALUE;
            for (int x = 1; x <= tasks; x++) {
                if (tasks % x != 0) {
                    continue;
                }
                int y = tasks / x;
                if (x > mPanels || y > nPanels) {
                    continue;
                }
                long cost = (y - 1) * packA + (x - 1) * packB;
                if (cost < best) {
                    best = cost;
                    tm = x;
                    tn = y;
                }
            }
            if (best == Long.MAX_VALUE) {          // e.g. a prime task count larger than both
                tm = Math.min(tasks, mPanels);
                tn = 1;
            }
        }

        void task(int t, Buffers buf) {
            int ti = t / tn;
            int tj = t % tn;
            int mPanels = (m + mr - 1) / mr;
            int nPanels = (n + nr - 1) / nr;
            int i0 = Math.min(m, (int) ((long) mPanels * ti / tm) * mr);
            int i1 = Math.min(m, (int) ((long) mPanels * (ti + 1) / tm) * mr);
            int j0 = Math.min(n, (int) ((long) nPanels * tj / tn) * nr);
            int j1 = Math.min(n, (int) ((long) nPanels * (tj + 1) / tn) * nr);
            if (i0 < i1 && j0 < j1) {
                blocked(i0, i1, j0, j1, buf);
            }
        }

        /** The five GotoBLAS loops over the block C[i0:i1, j0:j1], on one thread. */
        void blocked(int i0, int i1, int j0, int j1, Buffers buf) {
            int kb = kBlock(k);
            boolean inPlace = !aByK && aSource == null && aColStride == 1;
            float[] tile = buf.tile;
            for (int jc = j0; jc < j1; jc += ncStep) {
                int nc = Math.min(ncStep, j1 - jc);
                int ncPanels = (nc + nr - 1) / nr;
                for (int pc = 0; pc < k; pc += kb) {
                    int kc = Math.min(kb, k - pc);
                    float betaK = pc == 0 ? beta : 1f;
                    float[] bp = buf.b(ncPanels * nr * kc);
                    packB(kc, nc, pc, jc, bp);
                    for (int ic = i0; ic < i1; ic += mcStep) {
                        int mc = Math.min(mcStep, i1 - ic);
                        int mcPanels = (mc + mr - 1) / mr;
                        float[] ap = buf.a(mcPanels * mr * kc);
                        // rows of A contiguous: full micro-panels are read in place, only a
                        // last partial one is copied (zero-padded); otherwise pack them all
                        // (a kernel that reads A k-major always has them packed)
                        if (aSource != null && aByK) {
                            float[] rows = buf.rows(mcPanels * mr * kc);
                            aSource.pack(kc, mc, pc, ic, mr, rows);
                            byK(rows, ap, mcPanels, kc);
                        } else if (aSource != null) {
                            aSource.pack(kc, mc, pc, ic, mr, ap);
                        } else {
                            packA(mc, kc, ic, pc, ap, aColStride == 1 && !aByK ? mc / mr : 0);
                        }
                        if (aByK) {
                            // jr outer, ir inner: one B micro-panel stays in L1 while the packed
                            // A micro-panels stream past it from L2 (see the blocking notes above)
                            for (int jr = 0; jr < ncPanels; jr++) {
                                for (int ir = 0; ir < mcPanels; ir++) {
                                    tile(ir, jr, mc, nc, kc, ic, jc, pc, ap, bp, betaK, tile);
                                }
                            }
                            continue;
                        }
                        // ir outer, jr inner: one A micro-panel stays in L1 while the
                        // B micro-panels stream past it (see the blocking notes above)
                        int fullRows = inPlace ? mc / mr : 0;
                        int fullCols = nc / nr;
                        for (int ir = 0; ir < mcPanels; ir++) {
                            int jr = 0;
                            if (ir < fullRows) {
                                // a row of full tiles, A read in place: the kernel straight
                                int ao = aOffset + (ic + ir * mr) * aRowStride + pc;
                                int co = cOffset + (ic + ir * mr) * ldc + jc;
                                for (; jr < fullCols; jr++) {
                                    kernel(kc, a, ao, aRowStride, bp, jr * nr * kc, alpha, betaK, c, co + jr * nr, ldc, tile);
                                }
                            }
                            for (; jr < ncPanels; jr++) {
                                tile(ir, jr, mc, nc, kc, ic, jc, pc, ap, bp, betaK, tile);
                            }
                        }
                    }
                }
            }
        }

        private void tile(int ir, int jr, int mc, int nc, int kc, int ic, int jc, int pc,
                          float[] ap, float[] bp, float betaK, float[] tile) {
            int rows = Math.min(mr, mc - ir * mr);
            int cols = Math.min(nr, nc - jr * nr);
            // the A micro-panel: in place when A's rows are contiguous, else packed (see packA)
            boolean inPlace = !aByK && aSource == null && aColStride == 1 && rows == mr;
            float[] as = inPlace ? a : ap;
            int ao = inPlace ? aOffset + (ic + ir * mr) * aRowStride + pc : ir * mr * kc;
            int lda = inPlace ? aRowStride : kc;
            int bo = jr * nr * kc;
            int co = cOffset + (ic + ir * mr) * ldc + jc + jr * nr;
            if (rows == mr && cols == nr) {
                kernel(kc, as, ao, lda, bp, bo, alpha, betaK, c, co, ldc, tile);
            } else {
                // Edge tile: the same kernel on the zero-padded panels into a scratch tile
                // (alpha = 1, beta = 0 stores the raw sums s exactly), then the scalar merge,
                // which is the vector update's arithmetic lane by lane.
                kernel(kc, as, ao, lda, bp, bo, 1f, 0f, tile, 0, nr, tile);
                for (int r = 0; r < rows; r++) {
                    int cr = co + r * ldc;
                    for (int j = 0; j < cols; j++) {
                        c[cr + j] = merge(tile[r * nr + j], alpha, betaK, c, cr + j);
                    }
                }
            }
        }

        /**
         * The plan's micro-kernel, called as a static method: measured 5-10 % faster at 1024^3
         * than the same call through the interface. The AVX2 kernel leaves its raw sums in
         * {@code scratch} (a tile of the thread's own) and merges them into C in a second step
         * (see Kernel256x4); scratch may be C itself, for an edge tile.
         */
        private void kernel(int kc, float[] as, int ao, int lda, float[] bp, int bo, float alpha, float beta,
                            float[] c, int co, int ldc, float[] scratch) {
            if (wide) {
                Kernel512x6.kernel(kc, as, ao, lda, bp, bo, alpha, beta, c, co, ldc);
            } else {
                Kernel256x4.sums(kc, as, ao, bp, bo, scratch);
                Kernel256x4.store(scratch, alpha, beta, c, co, ldc);
            }
        }

        /**
         * Pack B[pc:pc+kc, jc:jc+nc] as nr-wide panels: panel jp holds, for each p, the nr values
         * B[pc+p, jc+jp*nr .. +nr) contiguously, zero-padded past nc.
         */
        private void packB(int kc, int nc, int pc, int jc, float[] bp) {
            if (source != null) {
                source.pack(kc, nc, pc, jc, nr, bp);
                return;
            }
            int panels = (nc + nr - 1) / nr;
            for (int jp = 0; jp < panels; jp++) {
                int cols = Math.min(nr, nc - jp * nr);
                int d = jp * nr * kc;
                int src = bOffset + pc * bRowStride + (jc + jp * nr) * bColStride;
                if (bColStride == 1 && cols == nr && nr == 2 * VP) {
                    // rows of B are contiguous: copy nr floats per k, two vectors (every kernel's
                    // tile is two vectors wide). Vector copies: System.arraycopy's call costs more
                    // than 32 floats' worth of work; the two copies written out rather than a loop
                    // over nr (a field, so an unknown trip count to the JIT): the whole product
                    // ran 4-7 % faster by hand (Zen 5, 1024^3, one thread; JFR had put about 5 %
                    // of it in packing B)
                    for (int p = 0; p < kc; p++, d += nr, src += bRowStride) {
                        FloatVector.fromArray(SP, b, src).intoArray(bp, d);
                        FloatVector.fromArray(SP, b, src + VP).intoArray(bp, d + VP);
                    }
                } else if (bColStride == 1 && cols == nr) {
                    // the same for a plan made for another vector width (tests run every kind's plan)
                    for (int p = 0; p < kc; p++, d += nr, src += bRowStride) {
                        for (int j = 0; j < nr; j += VP) {
                            FloatVector.fromArray(SP, b, src + j).intoArray(bp, d + j);
                        }
                    }
                } else if (bRowStride == 1 && cols == nr) {
                    // columns of B are contiguous (B is a transposed view, x @ W^T): transpose
                    // square blocks in registers of the plan's width (16 x 16 with AVX-512, 8 x 8
                    // with AVX2), then finish the last rows of kc one by one
                    int t = wide ? 16 : 8;
                    int p = 0;
                    for (; p + t <= kc; p += t) {
                        for (int g = 0; g < nr; g += t) {
                            if (wide) {
                                Transpose16.run(b, src + g * bColStride + p, bColStride, bp, d + p * nr + g, nr);
                            } else {
                                Transpose8.run(b, src + g * bColStride + p, bColStride, bp, d + p * nr + g, nr);
                            }
                        }
                    }
                    for (; p < kc; p++) {
                        int s = src + p;
                        for (int j = 0; j < nr; j++, s += bColStride) {
                            bp[d + p * nr + j] = b[s];
                        }
                    }
                } else if (bRowStride == 1) {
                    // columns of B are contiguous (B is a transposed view): read down each column
                    for (int j = 0; j < cols; j++) {
                        int s = src + j * bColStride;
                        for (int p = 0; p < kc; p++) {
                            bp[d + p * nr + j] = b[s + p];
                        }
                    }
                    if (cols < nr) {
                        for (int p = 0; p < kc; p++) {
                            java.util.Arrays.fill(bp, d + p * nr + cols, d + p * nr + nr, 0f);
                        }
                    }
                } else {
                    for (int p = 0; p < kc; p++, d += nr, src += bRowStride) {
                        int s = src;
                        for (int j = 0; j < cols; j++, s += bColStride) {
                            bp[d + j] = b[s];
                        }
                        for (int j = cols; j < nr; j++) {
                            bp[d + j] = 0f;
                        }
                    }
                }
            }
        }

        /**
         * Pack A[ic:ic+mc, pc:pc+kc], from micro-panel {@code first} on, as mr-tall panels: panel
         * ip holds its mr rows one after the other, each kc floats long (row r of panel ip at
         * {@code (ip*mr + r) * kc}), zero rows past mc. That is the layout of A itself when its
         * rows are contiguous, so the kernel reads a packed panel and an in-place one alike: six
         * sequential streams, one per row, 6 KiB in all at KC = 256, which stay in L1 while the
         * whole B block streams past. Reading A in place saves the copy: 16 % at 256^3, 8 % on
         * the forward product x @ W^T (M, N, K = 64, 256, 784), measured against copying every
         * panel.
         */
        private void packA(int mc, int kc, int ic, int pc, float[] ap, int first) {
            if (aByK) {
                packAByK(mc, kc, ic, pc, ap);
                return;
            }
            int panels = (mc + mr - 1) / mr;
            for (int ip = first; ip < panels; ip++) {
                int rows = Math.min(mr, mc - ip * mr);
                int d = ip * mr * kc;
                int src = aOffset + (ic + ip * mr) * aRowStride + pc * aColStride;
                if (aColStride == 1) {
                    // rows of A are contiguous: one copy per row
                    for (int r = 0; r < rows; r++) {
                        System.arraycopy(a, src + r * aRowStride, ap, d + r * kc, kc);
                    }
                } else if (rows == mr && aRowStride == 1) {
                    // columns of A are contiguous (A is a transposed view): read mr floats per
                    // k, write them to the mr rows
                    for (int p = 0; p < kc; p++, src += aColStride) {
                        for (int r = 0; r < mr; r++) {
                            ap[d + r * kc + p] = a[src + r];
                        }
                    }
                } else {
                    for (int r = 0; r < rows; r++) {
                        int s = src + r * aRowStride;
                        for (int p = 0; p < kc; p++, s += aColStride) {
                            ap[d + r * kc + p] = a[s];
                        }
                    }
                }
                if (rows < mr) {
                    java.util.Arrays.fill(ap, d + rows * kc, d + mr * kc, 0f);
                }
            }
        }

        /**
         * Pack A[ic:ic+mc, pc:pc+kc] as mr-tall panels, k-major: panel ip holds, for each p, its
         * mr values A[ic+ip*mr .. +mr, pc+p] side by side (at {@code ip*mr*kc + p*mr}), zeros
         * past mc. The order the AVX2 kernel reads them in (see Kernel256x4).
         */
        private void packAByK(int mc, int kc, int ic, int pc, float[] ap) {
            int panels = (mc + mr - 1) / mr;
            for (int ip = 0; ip < panels; ip++) {
                int rows = Math.min(mr, mc - ip * mr);
                int d = ip * mr * kc;
                int src = aOffset + (ic + ip * mr) * aRowStride + pc * aColStride;
                if (rows == 4 && mr == 4 && aColStride == 1) {
                    // four contiguous rows (the AVX2 tile): read them side by side, write sequentially
                    int s0 = src;
                    int s1 = s0 + aRowStride;
                    int s2 = s1 + aRowStride;
                    int s3 = s2 + aRowStride;
                    for (int p = 0, t = d; p < kc; p++, t += 4) {
                        ap[t] = a[s0 + p];
                        ap[t + 1] = a[s1 + p];
                        ap[t + 2] = a[s2 + p];
                        ap[t + 3] = a[s3 + p];
                    }
                    continue;
                }
                for (int r = 0; r < mr; r++) {
                    int s = src + r * aRowStride;
                    for (int p = 0; p < kc; p++, s += aColStride) {
                        ap[d + p * mr + r] = r < rows ? a[s] : 0f;
                    }
                }
            }
        }

        /** Row panels as a RowPanelSource writes them (row r of panel ip at (ip*mr + r) * kc), rewritten k-major. */
        private void byK(float[] rows, float[] ap, int panels, int kc) {
            for (int ip = 0; ip < panels; ip++) {
                int d = ip * mr * kc;
                for (int r = 0; r < mr; r++) {
                    int s = d + r * kc;
                    for (int p = 0; p < kc; p++) {
                        ap[d + p * mr + r] = rows[s + p];
                    }
                }
            }
        }
    }

    // ---- packing a transposed B: 16 x 16 transposes in registers ------------------------------

    /**
     * Packing B = W^T (columns of B contiguous) has to transpose: element by element that costs
     * about 0.35 ns a float, some 20 % of the forward product x @ W^T (M, N, K = 64, 256, 784). With
     * 16-lane vectors, a 16 x 16 block is loaded as 16 vectors (16 columns of B, 16 values of k
     * each) and transposed in registers in log2(16) = 4 stages: at stage s, in rows r and r + s
     * (bit s of r clear), the lanes with bit s set in row r trade places with the lanes with bit s
     * clear in row r + s, which swaps bit s between the row and the lane index. Each trade is a
     * blend gathering the two rows' trading lanes into one vector, one lane permutation (lane l
     * to l ^ s: every trading lane lands where its row wants it) and a blend back into each row:
     * 32 permutations and 96 blends for 256 floats, measured 1.5x faster than the scalar copy
     * (with a permutation and a blend per row, the first form). Halving the permutations left
     * this block's time as it was (44-47 ns either way on a Zen 5 with JDK 17, by hand, three
     * JVMs each; JDK 25 runs either in some 25 ns) and made Transpose8's 13 % shorter (9.6-9.9 ns
     * against 11.1-11.2, the same machine limited to AVX2). Used only when the preferred vector
     * has 16 lanes (AVX-512); elsewhere the scalar loops below it do the job.
     */
    static final class Transpose16 {
        static final VectorSpecies<Float> S16 = FloatVector.SPECIES_512;
        static final VectorShuffle<Float> SW8 = VectorShuffle.fromOp(S16, l -> l ^ 8);
        static final VectorMask<Float> HI8 = VectorMask.fromLong(S16, lanesWithBit(8));
        static final VectorMask<Float> LO8 = HI8.not();
        static final VectorShuffle<Float> SW4 = VectorShuffle.fromOp(S16, l -> l ^ 4);
        static final VectorMask<Float> HI4 = VectorMask.fromLong(S16, lanesWithBit(4));
        static final VectorMask<Float> LO4 = HI4.not();
        static final VectorShuffle<Float> SW2 = VectorShuffle.fromOp(S16, l -> l ^ 2);
        static final VectorMask<Float> HI2 = VectorMask.fromLong(S16, lanesWithBit(2));
        static final VectorMask<Float> LO2 = HI2.not();
        static final VectorShuffle<Float> SW1 = VectorShuffle.fromOp(S16, l -> l ^ 1);
        static final VectorMask<Float> HI1 = VectorMask.fromLong(S16, lanesWithBit(1));
        static final VectorMask<Float> LO1 = HI1.not();

        private static long lanesWithBit(int bit) {
            long m = 0;
            for (int l = 0; l < 16; l++) {
                if ((l & bit) != 0) {
                    m |= 1L << l;
                }
            }
            return m;
        }

        /** bp[d + p*ld + j] = b[src + j*cs + p] for p, j in [0, 16). */
        static void run(float[] b, int src, int cs, float[] bp, int d, int ld) {
            FloatVector x0 = FloatVector.fromArray(S16, b, src);
            FloatVector x1 = FloatVector.fromArray(S16, b, src + 1 * cs);
            FloatVector x2 = FloatVector.fromArray(S16, b, src + 2 * cs);
            FloatVector x3 = FloatVector.fromArray(S16, b, src + 3 * cs);
            FloatVector x4 = FloatVector.fromArray(S16, b, src + 4 * cs);
            FloatVector x5 = FloatVector.fromArray(S16, b, src + 5 * cs);
            FloatVector x6 = FloatVector.fromArray(S16, b, src + 6 * cs);
            FloatVector x7 = FloatVector.fromArray(S16, b, src + 7 * cs);
            FloatVector x8 = FloatVector.fromArray(S16, b, src + 8 * cs);
            FloatVector x9 = FloatVector.fromArray(S16, b, src + 9 * cs);
            FloatVector x10 = FloatVector.fromArray(S16, b, src + 10 * cs);
            FloatVector x11 = FloatVector.fromArray(S16, b, src + 11 * cs);
            FloatVector x12 = FloatVector.fromArray(S16, b, src + 12 * cs);
            FloatVector x13 = FloatVector.fromArray(S16, b, src + 13 * cs);
            FloatVector x14 = FloatVector.fromArray(S16, b, src + 14 * cs);
            FloatVector x15 = FloatVector.fromArray(S16, b, src + 15 * cs);
            FloatVector t;
            // stage 8: swap bit 8 between row and lane
            t = x0.blend(x8, LO8).rearrange(SW8); x0 = x0.blend(t, HI8); x8 = x8.blend(t, LO8);
            t = x1.blend(x9, LO8).rearrange(SW8); x1 = x1.blend(t, HI8); x9 = x9.blend(t, LO8);
            t = x2.blend(x10, LO8).rearrange(SW8); x2 = x2.blend(t, HI8); x10 = x10.blend(t, LO8);
            t = x3.blend(x11, LO8).rearrange(SW8); x3 = x3.blend(t, HI8); x11 = x11.blend(t, LO8);
            t = x4.blend(x12, LO8).rearrange(SW8); x4 = x4.blend(t, HI8); x12 = x12.blend(t, LO8);
            t = x5.blend(x13, LO8).rearrange(SW8); x5 = x5.blend(t, HI8); x13 = x13.blend(t, LO8);
            t = x6.blend(x14, LO8).rearrange(SW8); x6 = x6.blend(t, HI8); x14 = x14.blend(t, LO8);
            t = x7.blend(x15, LO8).rearrange(SW8); x7 = x7.blend(t, HI8); x15 = x15.blend(t, LO8);
            // stage 4: swap bit 4 between row and lane
            t = x0.blend(x4, LO4).rearrange(SW4); x0 = x0.blend(t, HI4); x4 = x4.blend(t, LO4);
            t = x1.blend(x5, LO4).rearrange(SW4); x1 = x1.blend(t, HI4); x5 = x5.blend(t, LO4);
            t = x2.blend(x6, LO4).rearrange(SW4); x2 = x2.blend(t, HI4); x6 = x6.blend(t, LO4);
            t = x3.blend(x7, LO4).rearrange(SW4); x3 = x3.blend(t, HI4); x7 = x7.blend(t, LO4);
            t = x8.blend(x12, LO4).rearrange(SW4); x8 = x8.blend(t, HI4); x12 = x12.blend(t, LO4);
            t = x9.blend(x13, LO4).rearrange(SW4); x9 = x9.blend(t, HI4); x13 = x13.blend(t, LO4);
            t = x10.blend(x14, LO4).rearrange(SW4); x10 = x10.blend(t, HI4); x14 = x14.blend(t, LO4);
            t = x11.blend(x15, LO4).rearrange(SW4); x11 = x11.blend(t, HI4); x15 = x15.blend(t, LO4);
            // stage 2: swap bit 2 between row and lane
            t = x0.blend(x2, LO2).rearrange(SW2); x0 = x0.blend(t, HI2); x2 = x2.blend(t, LO2);
            t = x1.blend(x3, LO2).rearrange(SW2); x1 = x1.blend(t, HI2); x3 = x3.blend(t, LO2);
            t = x4.blend(x6, LO2).rearrange(SW2); x4 = x4.blend(t, HI2); x6 = x6.blend(t, LO2);
            t = x5.blend(x7, LO2).rearrange(SW2); x5 = x5.blend(t, HI2); x7 = x7.blend(t, LO2);
            t = x8.blend(x10, LO2).rearrange(SW2); x8 = x8.blend(t, HI2); x10 = x10.blend(t, LO2);
            t = x9.blend(x11, LO2).rearrange(SW2); x9 = x9.blend(t, HI2); x11 = x11.blend(t, LO2);
            t = x12.blend(x14, LO2).rearrange(SW2); x12 = x12.blend(t, HI2); x14 = x14.blend(t, LO2);
            t = x13.blend(x15, LO2).rearrange(SW2); x13 = x13.blend(t, HI2); x15 = x15.blend(t, LO2);
            // stage 1: swap bit 1 between row and lane
            t = x0.blend(x1, LO1).rearrange(SW1); x0 = x0.blend(t, HI1); x1 = x1.blend(t, LO1);
            t = x2.blend(x3, LO1).rearrange(SW1); x2 = x2.blend(t, HI1); x3 = x3.blend(t, LO1);
            t = x4.blend(x5, LO1).rearrange(SW1); x4 = x4.blend(t, HI1); x5 = x5.blend(t, LO1);
            t = x6.blend(x7, LO1).rearrange(SW1); x6 = x6.blend(t, HI1); x7 = x7.blend(t, LO1);
            t = x8.blend(x9, LO1).rearrange(SW1); x8 = x8.blend(t, HI1); x9 = x9.blend(t, LO1);
            t = x10.blend(x11, LO1).rearrange(SW1); x10 = x10.blend(t, HI1); x11 = x11.blend(t, LO1);
            t = x12.blend(x13, LO1).rearrange(SW1); x12 = x12.blend(t, HI1); x13 = x13.blend(t, LO1);
            t = x14.blend(x15, LO1).rearrange(SW1); x14 = x14.blend(t, HI1); x15 = x15.blend(t, LO1);
            x0.intoArray(bp, d);
            x1.intoArray(bp, d + 1 * ld);
            x2.intoArray(bp, d + 2 * ld);
            x3.intoArray(bp, d + 3 * ld);
            x4.intoArray(bp, d + 4 * ld);
            x5.intoArray(bp, d + 5 * ld);
            x6.intoArray(bp, d + 6 * ld);
            x7.intoArray(bp, d + 7 * ld);
            x8.intoArray(bp, d + 8 * ld);
            x9.intoArray(bp, d + 9 * ld);
            x10.intoArray(bp, d + 10 * ld);
            x11.intoArray(bp, d + 11 * ld);
            x12.intoArray(bp, d + 12 * ld);
            x13.intoArray(bp, d + 13 * ld);
            x14.intoArray(bp, d + 14 * ld);
            x15.intoArray(bp, d + 15 * ld);
        }
    }

    /**
     * The AVX2 twin of {@link Transpose16}: an 8 x 8 block in 256-bit registers, in log2(8) = 3
     * stages, each trade one lane permutation and three blends. Without it the AVX2 plan packed the
     * transposed weight of x @ W^T element by element, 9 % of a training epoch in the profile.
     */
    static final class Transpose8 {
        static final VectorSpecies<Float> S8 = FloatVector.SPECIES_256;
        static final VectorShuffle<Float> SW4 = VectorShuffle.fromOp(S8, l -> l ^ 4);
        static final VectorMask<Float> HI4 = VectorMask.fromLong(S8, lanesWithBit(4));
        static final VectorMask<Float> LO4 = HI4.not();
        static final VectorShuffle<Float> SW2 = VectorShuffle.fromOp(S8, l -> l ^ 2);
        static final VectorMask<Float> HI2 = VectorMask.fromLong(S8, lanesWithBit(2));
        static final VectorMask<Float> LO2 = HI2.not();
        static final VectorShuffle<Float> SW1 = VectorShuffle.fromOp(S8, l -> l ^ 1);
        static final VectorMask<Float> HI1 = VectorMask.fromLong(S8, lanesWithBit(1));
        static final VectorMask<Float> LO1 = HI1.not();

        private static long lanesWithBit(int bit) {
            long m = 0;
            for (int l = 0; l < 8; l++) {
                if ((l & bit) != 0) {
                    m |= 1L << l;
                }
            }
            return m;
        }

        /** bp[d + p*ld + j] = b[src + j*cs + p] for p, j in [0, 8). */
        static void run(float[] b, int src, int cs, float[] bp, int d, int ld) {
            FloatVector x0 = FloatVector.fromArray(S8, b, src + 0 * cs);
            FloatVector x1 = FloatVector.fromArray(S8, b, src + 1 * cs);
            FloatVector x2 = FloatVector.fromArray(S8, b, src + 2 * cs);
            FloatVector x3 = FloatVector.fromArray(S8, b, src + 3 * cs);
            FloatVector x4 = FloatVector.fromArray(S8, b, src + 4 * cs);
            FloatVector x5 = FloatVector.fromArray(S8, b, src + 5 * cs);
            FloatVector x6 = FloatVector.fromArray(S8, b, src + 6 * cs);
            FloatVector x7 = FloatVector.fromArray(S8, b, src + 7 * cs);
            FloatVector t;
            // stage 4: swap bit 4 between row and lane
            t = x0.blend(x4, LO4).rearrange(SW4); x0 = x0.blend(t, HI4); x4 = x4.blend(t, LO4);
            t = x1.blend(x5, LO4).rearrange(SW4); x1 = x1.blend(t, HI4); x5 = x5.blend(t, LO4);
            t = x2.blend(x6, LO4).rearrange(SW4); x2 = x2.blend(t, HI4); x6 = x6.blend(t, LO4);
            t = x3.blend(x7, LO4).rearrange(SW4); x3 = x3.blend(t, HI4); x7 = x7.blend(t, LO4);
            // stage 2: swap bit 2 between row and lane
            t = x0.blend(x2, LO2).rearrange(SW2); x0 = x0.blend(t, HI2); x2 = x2.blend(t, LO2);
            t = x1.blend(x3, LO2).rearrange(SW2); x1 = x1.blend(t, HI2); x3 = x3.blend(t, LO2);
            t = x4.blend(x6, LO2).rearrange(SW2); x4 = x4.blend(t, HI2); x6 = x6.blend(t, LO2);
            t = x5.blend(x7, LO2).rearrange(SW2); x5 = x5.blend(t, HI2); x7 = x7.blend(t, LO2);
            // stage 1: swap bit 1 between row and lane
            t = x0.blend(x1, LO1).rearrange(SW1); x0 = x0.blend(t, HI1); x1 = x1.blend(t, LO1);
            t = x2.blend(x3, LO1).rearrange(SW1); x2 = x2.blend(t, HI1); x3 = x3.blend(t, LO1);
            t = x4.blend(x5, LO1).rearrange(SW1); x4 = x4.blend(t, HI1); x5 = x5.blend(t, LO1);
            t = x6.blend(x7, LO1).rearrange(SW1); x6 = x6.blend(t, HI1); x7 = x7.blend(t, LO1);
            x0.intoArray(bp, d + 0 * ld);
            x1.intoArray(bp, d + 1 * ld);
            x2.intoArray(bp, d + 2 * ld);
            x3.intoArray(bp, d + 3 * ld);
            x4.intoArray(bp, d + 4 * ld);
            x5.intoArray(bp, d + 5 * ld);
            x6.intoArray(bp, d + 6 * ld);
            x7.intoArray(bp, d + 7 * ld);
        }
    }

    // ---- per-thread pack buffers ----------------------------------------------------------------

    /** Pack buffers of one thread, grown on demand and kept: a training loop allocates nothing. */
    static final class Buffers {
        float[] a = new float[0];
        float[] b = new float[0];
        float[] tile = new float[0];
        /** A's row panels from a RowPanelSource, before a k-major kernel's repacking. */
        float[] rows = new float[0];
        /** C^T of a product with its operands swapped (see swapsOperands). */
        float[] swapped = new float[0];

        float[] swapped(int size) {
            if (swapped.length < size) {
                swapped = new float[size];
            }
            return swapped;
        }

        /** Sized for the plan's tile (a scratch for edge tiles). */
        Buffers forPlan(SgemmPlan plan) {
            if (tile.length < plan.mr() * plan.nr()) {
                tile = new float[plan.mr() * plan.nr()];
            }
            return this;
        }

        float[] rows(int size) {
            if (rows.length < size) {
                rows = new float[size];
            }
            return rows;
        }

        float[] a(int size) {
            if (a.length < size) {
                a = new float[size];
            }
            return a;
        }

        float[] b(int size) {
            if (b.length < size) {
                b = new float[size];
            }
            return b;
        }
    }

    private static final ThreadLocal<Buffers> BUFFERS = ThreadLocal.withInitial(Buffers::new);

    // ---- the worker pool --------------------------------------------------------------------

    /**
     * Fixed-size pool of daemon threads, created on first multi-threaded call. An idle worker
     * spins for {@link #SPIN_NANOS} before it parks: a training step hands its threads work every
     * few tens of microseconds (a layer's product, then its bias, then the next layer), and a
     * parked thread takes some 10-50 us to wake, as long as much of that work.
     */
    private static final class Pool {
        static final ExecutorService EXECUTOR;

        static {
            // the caller works too: one worker fewer than processors, so that a spinning worker never
            // keeps a processor from the threads with work
            int size = Math.max(1, Runtime.getRuntime().availableProcessors() - 1);
            AtomicInteger id = new AtomicInteger();
            EXECUTOR = new ThreadPoolExecutor(size, size, 0L, TimeUnit.MILLISECONDS, new SpinningQueue(), r -> {
                Thread t = new Thread(r, "sgemm-worker-" + id.incrementAndGet());
                t.setDaemon(true);
                return t;
            });
        }
    }

    /** A queue whose takers poll it for a while before they block. */
    private static final class SpinningQueue extends LinkedBlockingQueue<Runnable> {
        @Override
        public Runnable take() throws InterruptedException {
            long until = System.nanoTime() + SPIN_NANOS;
            do {
                Runnable r = poll();
                if (r != null) {
                    return r;
                }
                Thread.onSpinWait();
            } while (System.nanoTime() < until);
            return super.take();
        }
    }

    /**
     * Run {@code tasks} tasks on the caller plus up to {@code workers - 1} pool threads. Tasks are
     * claimed from a shared counter, so which thread runs which task varies, which is harmless: a
     * task's result does not depend on its thread. The caller waits only for claimed tasks, so a
     * call made from inside a pool thread cannot deadlock.
     */
    private static void runParallel(Call call, int tasks, int workers) {
        parallelFor(tasks, workers, t -> call.task(t, BUFFERS.get().forPlan(call.plan)));
    }

    /**
     * Runs {@code body} for every task in [0, tasks) on the caller plus up to {@code workers - 1}
     * pool threads, and returns when all are done (rethrowing the first failure). What a task
     * computes must not depend on the thread that runs it.
     */
    static void parallelFor(int tasks, int workers, java.util.function.IntConsumer body) {
        AtomicInteger next = new AtomicInteger();
        CountDownLatch done = new CountDownLatch(tasks);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Runnable loop = () -> {
            int t;
            while ((t = next.getAndIncrement()) < tasks) {
                try {
                    body.accept(t);
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                } finally {
                    done.countDown();
                }
            }
        };
        for (int w = 1; w < Math.min(workers, tasks); w++) {
            Pool.EXECUTOR.execute(loop);
        }
        loop.run();
        // the caller is done with its own tasks: spin briefly before parking, since a parked
        // thread takes tens of microseconds to wake, a large share of a 64 x 256 x 784 product
        // (at most SPIN_NANOS: then it parks)
        long spinUntil = System.nanoTime() + SPIN_NANOS;
        while (done.getCount() > 0 && System.nanoTime() < spinUntil) {
            Thread.onSpinWait();
        }
        boolean interrupted = false;
        while (true) {
            try {
                done.await();
                break;
            } catch (InterruptedException e) {
                interrupted = true;       // C is still being written: keep waiting
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        Throwable e = failure.get();
        if (e instanceof RuntimeException re) {
            throw re;
        }
        if (e instanceof Error er) {
            throw er;
        }
        if (e != null) {
            throw new RuntimeException(e);
        }
    }
}
