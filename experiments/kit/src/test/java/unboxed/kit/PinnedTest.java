package unboxed.kit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import unboxed.io.Results;

class PinnedTest {
    @TempDir
    Path root;

    Path write(String post, String name, Object results) throws IOException {
        Path f = root.resolve("data/results").resolve(post).resolve(name + ".json");
        Results.write(f, post, name, ResultsTest.fixed(), results);
        return f;
    }

    @Test
    void citesThePathRelativeToTheRootTheHashAndTheCommand() throws IOException {
        Path f = write("01-basics", "x", Map.of("loss", List.of(1.0, 0.5)));
        Pinned p = Pinned.load(f, root);
        String sha = Pinned.sha256(Files.readAllBytes(f));
        assertEquals(sha, p.sha256());
        assertEquals("data/results/01-basics/x.json", p.relativePath());
        assertEquals("Source: data/results/01-basics/x.json (sha256 " + sha.substring(0, 8)
                + "…), regenerate with `make experiments POST=01-basics`", p.citation());
        assertArrayEquals(new double[] {1.0, 0.5}, p.doubles("/loss"));
        assertEquals("cpu", p.provenance().backend());
        assertEquals("01-basics", p.post());
        assertEquals("x", p.name());
    }

    @Test
    void citesSeveralSources() throws IOException {
        Pinned a = Pinned.load(write("01-basics", "a", Map.of("v", 1)), root);
        Pinned b = Pinned.load(write("02-convolutions", "b", Map.of("v", 2)), root);
        String c = Pinned.citation(List.of(a, b));
        assertTrue(c.startsWith("Sources: data/results/01-basics/a.json (sha256 "), c);
        assertTrue(c.endsWith(", regenerate with `make experiments POST=01-basics` and `make experiments POST=02-convolutions`"), c);
    }

    @Test
    void aMissingFileThrowsNamingItAndTheCommand() {
        Path f = root.resolve("data/results/01-basics/missing.json");
        FileNotFoundException e = assertThrows(FileNotFoundException.class, () -> Pinned.load(root.resolve("data/results/01-basics"), "missing"));
        assertTrue(e.getMessage().contains(f.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("make experiments POST=01-basics"), e.getMessage());
    }

    @Test
    void aMissingOrWrongValueThrowsNamingThePointer() throws IOException {
        Pinned p = Pinned.load(write("01-basics", "x", Map.of("loss", List.of(1.0, "oops"), "empty", List.of())), root);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> p.doubles("/nope"));
        assertTrue(e.getMessage().contains("/nope") && e.getMessage().contains("data/results/01-basics/x.json"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> p.doubles("/loss"));
        assertTrue(e.getMessage().contains("/loss/1"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> p.doubles("/empty"));
    }
}
