package unboxed.kit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import unboxed.io.Results;

class FactsTest {
    @TempDir
    Path root;

    @Test
    void writesOneAttributePerFactInOrderUnderItsCitation() throws IOException {
        Path f = root.resolve("data/results/04-autograd/x.json");
        Results.write(f, "04-autograd", "x", ResultsTest.fixed(), Map.of("v", 1));
        Pinned p = Pinned.load(f, root);
        Map<String, String> facts = new LinkedHashMap<>();
        facts.put("zeta", "2");
        facts.put("alpha", "1");
        facts.put("normal-0.01", "0.01");   // a dot is not allowed in an attribute name
        Path out = Facts.write(root.resolve("out"), List.of(p), facts);
        assertEquals(root.resolve("out/facts.adoc"), out);
        assertEquals("// Generated from pinned results: " + p.citation() + "\n"
                + ":zeta: 2\n:alpha: 1\n:normal-001: 0.01\n", Files.readString(out));
    }
}
