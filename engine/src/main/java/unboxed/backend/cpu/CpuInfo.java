package unboxed.backend.cpu;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import jdk.incubator.vector.FloatVector;

/**
 * What start-up learns about the CPU: its model, its SIMD flags, the preferred vector width of
 * this JVM (which {@code -XX:UseAVX=2} narrows to 256 bits on an AVX-512 machine), and the sizes
 * of the L1 data and L2 caches of core 0, read from Linux's sysfs. Some virtual machines have
 * no cache directory in sysfs; on an AMD CPU the L2 then comes from /proc/cpuinfo's "cache size"
 * (the core's L2 on AMD; on Intel it is the L3, so it is not used there) and the L1d from the
 * family (32 KiB for Zen 3 and 4, 48 KiB for Zen 5). Anything still missing gives a
 * conservative default. {@link #source} says where each size came from.
 *
 * <p>Two system properties stand in for another machine kind on this one: {@code unboxed.cpu.l1d}
 * and {@code unboxed.cpu.l2} (bytes, or with a K/M suffix) replace the detected cache sizes, for
 * instance {@code -Dunboxed.cpu.l2=512K} to size the blocking for a Zen 3.
 */
public record CpuInfo(String model, Set<String> simdFlags, int preferredVectorBits, long l1dBytes, long l2Bytes,
                      String source) {
    private static final long DEFAULT_L1D = 32 << 10;
    private static final long DEFAULT_L2 = 512 << 10;

    /** The machine this JVM runs on (computed once). */
    public static CpuInfo get() {
        return Holder.INFO;
    }

    private static final class Holder {
        static final CpuInfo INFO = detect();
    }

    static CpuInfo detect() {
        String model = "unknown";
        Set<String> flags = new TreeSet<>();
        java.util.List<String> cpuinfo = java.util.List.of();
        try {
            cpuinfo = Files.readAllLines(Path.of("/proc/cpuinfo"));
            for (String line : cpuinfo) {
                if (line.startsWith("model name") && model.equals("unknown")) {
                    model = line.substring(line.indexOf(':') + 1).strip();
                } else if (line.startsWith("flags")) {
                    for (String f : line.substring(line.indexOf(':') + 1).strip().split("\\s+")) {
                        if (f.equals("avx") || f.equals("avx2") || f.equals("fma") || f.startsWith("avx512")) {
                            flags.add(f);
                        }
                    }
                    break;
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux, or no /proc: the model stays unknown
        }
        StringBuilder source = new StringBuilder();
        long[] known = knownCaches(cpuinfo);
        long l1 = cache(1, "Data", known[0], DEFAULT_L1D, source);
        long l2 = cache(2, "Unified", known[1], DEFAULT_L2, source);
        l1 = override("unboxed.cpu.l1d", l1, source);
        l2 = override("unboxed.cpu.l2", l2, source);
        int bits = FloatVector.SPECIES_PREFERRED.vectorBitSize();
        return new CpuInfo(model, flags, bits, l1, l2, source.length() == 0 ? "sysfs" : source.toString().strip());
    }

    /**
     * The L1d and L2 sizes that /proc/cpuinfo gives away without sysfs, {0, 0} where it gives
     * nothing: on an AMD CPU, "cache size" is the core's L2, and the family fixes the L1d (19h,
     * Zen 3 and 4: 32 KiB; 1Ah, Zen 5: 48 KiB). On Intel "cache size" is the L3: not used.
     */
    static long[] knownCaches(java.util.List<String> cpuinfo) {
        String vendor = field(cpuinfo, "vendor_id");
        if (!"AuthenticAMD".equals(vendor)) {
            return new long[] {0, 0};
        }
        long l1 = 0;
        long l2 = 0;
        try {
            int family = Integer.parseInt(field(cpuinfo, "cpu family"));
            l1 = family == 0x19 ? 32 << 10 : family == 0x1A ? 48 << 10 : 0;
        } catch (RuntimeException e) {
            // no family: no L1d
        }
        String size = field(cpuinfo, "cache size");
        if (size != null && size.endsWith(" KB")) {
            try {
                l2 = Long.parseLong(size.substring(0, size.length() - 3).strip()) << 10;
            } catch (NumberFormatException e) {
                // no L2
            }
        }
        return new long[] {l1, l2};
    }

    /** The value of the first "name : value" line of /proc/cpuinfo, or null. */
    private static String field(java.util.List<String> cpuinfo, String name) {
        for (String line : cpuinfo) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).strip().equals(name)) {
                return line.substring(colon + 1).strip();
            }
        }
        return null;
    }

    /**
     * The size of core 0's cache of that level and type, from /sys/devices/system/cpu/cpu0/cache;
     * else {@code known} (from /proc/cpuinfo, 0 when unknown); else the fallback.
     */
    private static long cache(int level, String type, long known, long fallback, StringBuilder source) {
        Path dir = Path.of("/sys/devices/system/cpu/cpu0/cache");
        try (var entries = Files.list(dir)) {
            for (Path index : entries.filter(p -> p.getFileName().toString().startsWith("index")).sorted().toList()) {
                if (Files.readString(index.resolve("level")).strip().equals(String.valueOf(level))
                        && Files.readString(index.resolve("type")).strip().equals(type)) {
                    return parseSize(Files.readString(index.resolve("size")).strip());
                }
            }
        } catch (IOException | RuntimeException e) {
            // fall through to the default
        }
        String name = level == 1 ? "L1d" : "L2";
        if (known > 0) {
            source.append(' ').append(name).append(" not in sysfs, ").append(known >> 10).append("K from /proc/cpuinfo")
                    .append(level == 1 ? " (the AMD family's L1d);" : " (AMD's cache size: the core's L2);");
            return known;
        }
        source.append(' ').append(name).append(" not found in sysfs, assumed ").append(fallback >> 10).append("K;");
        return fallback;
    }

    private static long override(String property, long detected, StringBuilder source) {
        String v = System.getProperty(property);
        if (v == null || v.isBlank()) {
            return detected;
        }
        long size = parseSize(v.strip());
        source.append(" -D").append(property).append('=').append(v.strip()).append(" (detected ")
                .append(detected >> 10).append("K);");
        return size;
    }

    /** "1024K", "1M", "32768" to bytes. */
    static long parseSize(String s) {
        String u = s.toUpperCase(Locale.ROOT);
        long mult = 1;
        if (u.endsWith("K")) {
            mult = 1 << 10;
            u = u.substring(0, u.length() - 1);
        } else if (u.endsWith("M")) {
            mult = 1 << 20;
            u = u.substring(0, u.length() - 1);
        }
        try {
            return Long.parseLong(u.strip()) * mult;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("cache size '" + s + "': expected bytes, or a number with K or M");
        }
    }

    /** One line for provenance. */
    public String describe() {
        return model + "; SIMD " + String.join(" ", simdFlags) + "; JVM preferred vector " + preferredVectorBits
                + " bits; L1d " + (l1dBytes >> 10) + "K, L2 " + (l2Bytes >> 10) + "K (" + source + ")";
    }
}
