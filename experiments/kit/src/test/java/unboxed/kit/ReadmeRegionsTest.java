package unboxed.kit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ReadmeRegionsTest {
    static final Map<String, String> REGIONS = Map.of("01-basics finding", "Pinned result: 95.1%.");

    @Test
    void aRegionsLinesAreReplacedAndTheRestKept() {
        String text = "= Title\n| 01\n| what it asks\n// BEGIN generated: 01-basics finding\nstale 94.7%\nmore stale\n"
                + "// END generated\n| link\n";
        String filled = Readme.fill(text, REGIONS);
        assertEquals("= Title\n| 01\n| what it asks\n// BEGIN generated: 01-basics finding\nPinned result: 95.1%.\n"
                + "// END generated\n| link\n", filled);
        assertEquals(filled, Readme.fill(filled, REGIONS), "filling twice changes nothing");
        assertEquals("a\n// BEGIN generated: 01-basics finding\nPinned result: 95.1%.\n// END generated",
                Readme.fill("a\n// BEGIN generated: 01-basics finding\n// END generated", REGIONS));
    }

    @Test
    void unknownUnclosedNestedRepeatedAndMissingRegionsAreErrors() {
        String begin = "// BEGIN generated: 01-basics finding\n";
        String end = "// END generated\n";
        assertTrue(message("// BEGIN generated: 02-other finding\n" + end).contains("no generator for region '02-other finding'"));
        assertTrue(message("x\n" + begin + "y\n").contains("line 2: region '01-basics finding' has no"));
        assertTrue(message(begin + begin + end).contains("begins inside"));
        assertTrue(message(begin + end + begin + end).contains("appears twice"));
        assertTrue(message(end).contains("without a BEGIN"));
        assertTrue(message("no markers\n").contains("no region for 01-basics finding"));
    }

    private static String message(String text) {
        return assertThrows(IllegalArgumentException.class, () -> Readme.fill(text, REGIONS)).getMessage();
    }

    @Test
    void regionsComeFromThePostsFindingsInSlugOrder() throws IOException {
        Post none = new StagingTest.FakePost();
        Post b = new StagingTest.FakePost() {
            @Override
            public String slug() {
                return "02-b";
            }

            @Override
            public String finding(Path resultsDir) {
                return "  from " + resultsDir.getFileName() + "\n";
            }
        };
        Post a = new StagingTest.FakePost() {
            @Override
            public String slug() {
                return "01-a";
            }

            @Override
            public String finding(Path resultsDir) {
                return "from " + resultsDir.getFileName();
            }
        };
        Map<String, String> r = Readme.regions(List.of(none, b, a), Path.of("/x/data/results"));
        assertEquals(List.of("01-a finding", "02-b finding"), List.copyOf(r.keySet()));
        assertEquals("from 01-a", r.get("01-a finding"));
        assertEquals("from 02-b", r.get("02-b finding"));
    }
}
