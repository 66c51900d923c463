package unboxed.backend.cpu;

import java.util.Locale;

/**
 * How {@link Sgemm} cuts its work on this machine, chosen once at start-up from {@link CpuInfo},
 * the way OpenBLAS's DYNAMIC_ARCH picks a kernel per CPU:
 *
 * <ul>
 *   <li>the micro-kernel, from the vector width this JVM prefers and the registers that width
 *       comes with: AVX-512 (32 registers) takes the 6 x 32 tile, AVX2 (16 registers) the 4 x 16
 *       one ({@link Kernel512x6}, {@link Kernel256x4}), which reads A packed k-major;</li>
 *   <li>NC, the columns of B packed at once, from the L2 size and the call's K block: the packed
 *       block kc x NC is reread once per A micro-panel and shares the L2 with the block of C it
 *       updates, so it is given a quarter of the L2 (1 MiB: NC = 256 at kc = 256, the whole
 *       row of a short K block; a Zen 3's 512 KiB: NC = 128). Filling the whole L2 measured
 *       195 GFLOP/s at 1024^3 on the Zen 5 against 215-221 for NC = 128-512: the block of C that
 *       each K block updates (M x NC) no longer stayed in cache between the K blocks. The AVX2
 *       kernel packs all of A once per NC block, and its loops keep a B micro-panel in L1 while
 *       A streams from L2 (Sgemm's blocking notes), so the B block need not fit the L2: its NC
 *       spans up to {@code MAX_NC} columns;</li>
 *   <li>MC, the rows of A packed at once, a multiple of the tile's rows.</li>
 * </ul>
 *
 * <p>KC, the length of the K blocks summed in registers, is <em>not</em> chosen per machine: it
 * is part of the arithmetic (see Sgemm, "Determinism"), so it is the same everywhere, and every
 * plan gives the same bits. The property {@code unboxed.sgemm.kernel} ({@code avx512} or
 * {@code avx2}) forces a kernel, to measure or test one kind on a machine of the other.
 */
public final class SgemmPlan {
    /** Largest block of K summed in registers: fixed, because it is part of the arithmetic. */
    public static final int KC = 256;
    /** Most columns of B packed at once. */
    static final int MAX_NC = 4096;

    final MicroKernel kernel;
    private final int mc;
    /** Bytes of L2 the packed B block may take (a quarter of the L2). */
    private final long bBlockBytes;
    private final String reason;

    SgemmPlan(MicroKernel kernel, int mc, long bBlockBytes, String reason) {
        this.kernel = kernel;
        this.mc = mc;
        this.bBlockBytes = bBlockBytes;
        this.reason = reason;
    }

    /** The plan for this machine. */
    public static SgemmPlan get() {
        return Holder.PLAN;
    }

    private static final class Holder {
        static final SgemmPlan PLAN = choose(CpuInfo.get(), System.getProperty("unboxed.sgemm.kernel"));
    }

    /** A plan for the given machine, with the kernel forced when {@code kernelName} is set. */
    public static SgemmPlan choose(CpuInfo cpu, String kernelName) {
        MicroKernel kernel;
        String why;
        if (kernelName != null && !kernelName.isBlank()) {
            switch (kernelName.toLowerCase(Locale.ROOT)) {
                case "avx512":
                    kernel = new Kernel512x6();
                    break;
                case "avx2":
                    kernel = new Kernel256x4();
                    break;
                default:
                    throw new IllegalArgumentException("unboxed.sgemm.kernel=" + kernelName + ": expected avx512 or avx2");
            }
            why = "kernel forced by -Dunboxed.sgemm.kernel=" + kernelName;
        } else if (cpu.preferredVectorBits() >= 512) {
            kernel = new Kernel512x6();
            why = "the JVM prefers 512-bit vectors (AVX-512: 32 registers)";
        } else {
            kernel = new Kernel256x4();
            why = "the JVM prefers " + cpu.preferredVectorBits() + "-bit vectors (AVX2: 16 registers)";
        }
        int mc = Math.max(kernel.mr(), 96 / kernel.mr() * kernel.mr());
        if (kernel.packsAByK()) {
            // A is packed once per block of NC columns: let one block span the columns
            // (measured at 1024^3 on a Zen 4 limited to AVX2: 84.6 GFLOP/s with NC = 4096
            // against 76.4 with NC = 256, packing A four times)
            return new SgemmPlan(kernel, mc, 4L * KC * MAX_NC, why + "; NC up to " + MAX_NC
                    + ", as the kernel packs A once per NC block (L2 " + (cpu.l2Bytes() >> 10) + "K)");
        }
        return new SgemmPlan(kernel, mc, cpu.l2Bytes() / 4, why + "; NC from a quarter of the L2 "
                + (cpu.l2Bytes() >> 10) + "K");
    }

    public int mr() {
        return kernel.mr();
    }

    public int nr() {
        return kernel.nr();
    }

    public int kc() {
        return KC;
    }

    public int mc() {
        return mc;
    }

    /** NC at the full K block (KC): what {@link #describe()} prints. */
    public int nc() {
        return nc(KC);
    }

    /**
     * NC for a product whose K blocks are {@code kc} long: as many columns as keep the packed
     * block (kc x NC floats) within its share of the L2 (with the k-major kernel: MAX_NC at KC),
     * a whole number of micro-panels, at least one and at most MAX_NC columns.
     */
    public int nc(int kc) {
        int nr = kernel.nr();
        long fit = bBlockBytes / (4L * Math.max(1, kc));
        return (int) Math.max(nr, Math.min(MAX_NC, fit / nr * nr));
    }

    public int vectorBits() {
        return kernel.vectorBits();
    }

    /** One line for provenance: the kernel, the blocking and why. */
    public String describe() {
        return "micro-kernel " + kernel.getClass().getSimpleName() + " (" + mr() + "x" + nr() + ", " + vectorBits()
                + "-bit vectors" + (kernel.packsAByK() ? ", A packed k-major" : "") + "); KC " + KC + ", MC " + mc
                + ", NC " + nc() + (nc(1) > nc() ? " at KC (wider for shorter K blocks)" : "") + " (" + reason + ")";
    }

    /** Prints the machine and the plan, for benchmark provenance: {@code java ... unboxed.backend.cpu.SgemmPlan}. */
    public static void main(String[] args) {
        System.out.println("cpu: " + CpuInfo.get().describe());
        System.out.println("sgemm: " + get().describe());
        System.out.println("memory: " + FloatArrays.describe());
    }
}
