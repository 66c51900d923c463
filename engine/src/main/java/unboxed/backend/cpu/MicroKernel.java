package unboxed.backend.cpu;

/**
 * The shape of the innermost loop of {@link Sgemm}: an {@code mr x nr} tile of C held in vector
 * registers while one packed A micro-panel and one packed B micro-panel stream through, k by k.
 * Each implementation holds its loop as a static {@code kernel} method, which Sgemm calls directly.
 *
 * <p>Each implementation is written for one vector width with its own constant species (the
 * Vector API compiles a lanewise op to one instruction only when it sees the species as a
 * constant), and with as many accumulators as that machine kind's register file holds without
 * spilling. Every one computes each element of C with the same operations in the same order
 * (see Sgemm, "Determinism"), so the choice never changes a bit of the result.
 */
interface MicroKernel {
    /** Rows of the tile. */
    int mr();

    /** Columns of the tile (a multiple of the vector length). */
    int nr();

    /** Bits of the vectors it uses. */
    int vectorBits();

    /**
     * Whether it reads its A micro-panel k-major (the mr values of each k side by side, always
     * packed) rather than as mr rows of kc floats (which Sgemm can read in place from a
     * row-major A).
     */
    boolean packsAByK();
}
