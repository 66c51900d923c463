package unboxed.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class ProvenanceTest {
    @Test
    void restartKeepsTheRunsGitStateAndMachineButStartsANewClock() {
        Provenance first = new Provenance("abc123", false, "java Main --seed 3", 3, "cpu", "quick", 2, "jdk",
                "cpu model", 2, null, "linux", Instant.parse("2026-01-01T00:00:00Z"), null).finish();
        Provenance next = first.restart();
        assertEquals("abc123", next.gitCommit());
        assertEquals(false, next.gitDirty());
        assertEquals("java Main --seed 3", next.command());
        assertEquals(3, next.seed());
        assertEquals(2, next.threads());
        assertNull(next.wallSeconds(), "a restarted clock has not stopped yet");
        assertNotNull(first.wallSeconds());
        assertEquals(true, next.started().isAfter(first.started()));
        assertNotNull(next.finish().wallSeconds());
    }
}
