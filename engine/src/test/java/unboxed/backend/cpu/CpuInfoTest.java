package unboxed.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Without a cache directory in sysfs (some virtual machines), the cache sizes come from
 * /proc/cpuinfo where it tells them: an AMD CPU's "cache size" is its core's L2 and its family
 * fixes the L1d; an Intel CPU's "cache size" is the L3, which must not be taken for the L2.
 */
class CpuInfoTest {
    private static List<String> cpuinfo(String vendor, int family, String cacheSize) {
        return List.of("processor\t: 0", "vendor_id\t: " + vendor, "cpu family\t: " + family, "model\t\t: 2",
                "model name\t: AMD EPYC", "cache size\t: " + cacheSize, "flags\t\t: fpu avx2");
    }

    @Test
    void zen5SaysItsL2AndItsFamilyItsL1d() {
        assertArrayEquals(new long[] {48 << 10, 1 << 20}, CpuInfo.knownCaches(cpuinfo("AuthenticAMD", 26, "1024 KB")));
    }

    @Test
    void zen3AndZen4HaveA32KL1d() {
        assertArrayEquals(new long[] {32 << 10, 512 << 10}, CpuInfo.knownCaches(cpuinfo("AuthenticAMD", 25, "512 KB")));
    }

    @Test
    void intelsCacheSizeIsItsL3AndIsNotUsed() {
        assertArrayEquals(new long[] {0, 0}, CpuInfo.knownCaches(cpuinfo("GenuineIntel", 6, "36864 KB")));
    }

    @Test
    void unknownFamilyOrUnreadableSizeGiveNothing() {
        assertArrayEquals(new long[] {0, 0}, CpuInfo.knownCaches(cpuinfo("AuthenticAMD", 23, "n/a")));
        assertArrayEquals(new long[] {0, 0}, CpuInfo.knownCaches(List.of()));
    }
}
