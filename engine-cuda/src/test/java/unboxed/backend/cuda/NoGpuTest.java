package unboxed.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.nio.file.Files;
import java.nio.file.Paths;
import org.junit.jupiter.api.Test;
import unboxed.backend.BackendUnavailableException;
import unboxed.backend.Backends;

/**
 * On a machine without an NVIDIA driver, asking for the cuda backend is one sentence saying what is
 * missing, not a linkage error. (On a machine with a driver this test has nothing to check.)
 */
class NoGpuTest {
    static boolean driverPresent() {
        for (String dir : new String[] {"/usr/lib/x86_64-linux-gnu", "/usr/lib64", "/usr/lib", "/usr/local/nvidia/lib64"}) {
            if (Files.exists(Paths.get(dir, "libcuda.so.1"))) {
                return true;
            }
        }
        return false;
    }

    @Test
    void withoutADriverTheBackendSaysSoInOneSentence() {
        assumeFalse(driverPresent(), "this machine has libcuda.so.1: the no-driver message cannot be observed here");
        assertTrue(Backends.available().contains("cuda"), "cuda is registered through META-INF/services");
        BackendUnavailableException e = assertThrows(BackendUnavailableException.class, () -> Backends.create("cuda", 1));
        String m = e.getMessage();
        assertTrue(m.contains("libcuda.so.1") && m.contains("--backend cpu"), m);
        assertFalse(m.contains("\n"), m);
        // a second attempt (the driver class failed to initialise once) gives the same sentence
        BackendUnavailableException again = assertThrows(BackendUnavailableException.class,
                () -> Backends.create("cuda", 1));
        assertTrue(again.getMessage().contains("libcuda.so.1"), again.getMessage());
    }
}
