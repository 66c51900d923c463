package unboxed.backend.cpu;

import java.util.Locale;

/**
 * How {@link Sgemm} cuts its work on this machine, chosen once at start-up from {@link CpuInfo},
 * the way OpenBLAS's DYNAMIC_ARCH picks a kernel per CPU:
 *
 * <ul>
 *   <li>the micro-kernel, from the vector width this JVM prefers and the registers that width
 *       comes with: AVX-512 (32 registers) takes the 6 x 32 tile, AVX2 (16 registers) the 4 x 16
 *       one ({@link Kernel512x6}, {@link Kernel256x4});</li>
 *   <li>NC, the columns of B packed at once, from the L2 size: the packed block KC x NC is reread
 *       once per A micro-panel, so it should stay in L2 (1 MiB: NC = 1024; a Zen 3's 512 KiB:
 *       NC = 512);</li>
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

    final MicroKernel kernel;
    private final int mc;
    private final int nc;
    private final String reason;

    SgemmPlan(MicroKernel kernel, int mc, int nc, String reason) {
        this.kernel = kernel;
        this.mc = mc;
        this.nc = nc;
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
        int nr = kernel.nr();
        // the packed B block (KC x NC floats) fills the L2 at most; at least 4 micro-panels wide
        long fit = cpu.l2Bytes() / (4L * KC);
        int nc = (int) Math.max(4L * nr, Math.min(4096, fit / nr * nr));
        int mc = Math.max(kernel.mr(), 96 / kernel.mr() * kernel.mr());
        return new SgemmPlan(kernel, mc, nc, why + "; NC from L2 " + (cpu.l2Bytes() >> 10) + "K");
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

    public int nc() {
        return nc;
    }

    public int vectorBits() {
        return kernel.vectorBits();
    }

    /** One line for provenance: the kernel, the blocking and why. */
    public String describe() {
        return "micro-kernel " + kernel.getClass().getSimpleName() + " (" + mr() + "x" + nr() + ", " + vectorBits()
                + "-bit vectors); KC " + KC + ", MC " + mc + ", NC " + nc + " (" + reason + ")";
    }

    /** Prints the machine and the plan, for benchmark provenance: {@code java ... unboxed.backend.cpu.SgemmPlan}. */
    public static void main(String[] args) {
        System.out.println("cpu: " + CpuInfo.get().describe());
        System.out.println("sgemm: " + get().describe());
    }
}
