package unboxed.kit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the demonstration of a sweep run three ways relies on: the hash of a merged tree, and a clear stop without GNU parallel. */
class GnuParallelTest {
    @TempDir
    Path dir;

    @Test
    void theHashIsThatOfTheTreeNotOfHowItWasBuilt() {
        var a = Sweep.canonical(Map.of("config", Map.of("lr", 0.1), "points", List.of(1.5, 2.0)));
        var b = Sweep.canonical(new java.util.TreeMap<>(Map.of("points", List.of(1.5, 2.0), "config", Map.of("lr", 0.1))));
        var c = Sweep.canonical(Map.of("config", Map.of("lr", 0.1), "points", List.of(1.5, 2.0000001)));
        assertEquals(64, GnuParallel.sha256(a).length());
        assertEquals(GnuParallel.sha256(a), GnuParallel.sha256(Sweep.canonical(a)), "the same tree, the same hash");
        assertNotEquals(GnuParallel.sha256(a), GnuParallel.sha256(c), "one digit differs");
        assertTrue(GnuParallel.sha256(b).matches("[0-9a-f]{64}"));
    }

    @Test
    void withoutGnuParallelItSaysHowToInstallIt() throws IOException {
        Path empty = Files.createDirectories(dir.resolve("empty-bin"));
        IOException e = assertThrows(IOException.class, () -> GnuParallel.requireParallel(empty.toString()));
        assertTrue(e.getMessage().contains("apt-get install -y parallel"), e.getMessage());
    }

    @Test
    void aJobCountBelowOneIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> GnuParallel.runPoints("00-test", GnuParallelTest.class, List.of(), dir, 0));
        assertTrue(e.getMessage().contains("jobs"), e.getMessage());
    }
}
