package unboxed.convintuition;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import unboxed.io.RepoRoot;

/**
 * The post's figure step on its pinned results: every figure, table and fact the report refers to
 * is generated, and a pinned GPU timing, once there is one, adds its column to the cost table.
 */
class ConvIntuitionPostTest {
    @TempDir
    Path dir;

    static final Path PINS = RepoRoot.get().resolve("data/results/" + Experiment.POST);
    static final Path REPORT = RepoRoot.get().resolve("experiments/" + Experiment.POST + "/report.adoc");

    static Set<String> facts(Path out) throws IOException {
        Set<String> names = new HashSet<>();
        for (String line : Files.readAllLines(out.resolve("facts.adoc"), StandardCharsets.UTF_8)) {
            if (line.startsWith(":")) {
                names.add(line.substring(1, line.indexOf(':', 1)));
            }
        }
        return names;
    }

    @Test
    void everyIncludeAndEveryFactOfTheReportIsGenerated() throws IOException {
        Path out = dir.resolve("out");
        new ConvIntuitionPost().generate(PINS, out);
        String report = Files.readString(REPORT, StandardCharsets.UTF_8);
        Matcher inc = Pattern.compile("include::\\{generated\\}/((figures|tables)/[a-z0-9-]+\\.adoc)\\[\\]").matcher(report);
        int includes = 0;
        while (inc.find()) {
            includes++;
            if (!inc.group(1).equals("tables/validation.adoc")) {  // the site builder writes that one
                assertTrue(Files.isRegularFile(out.resolve(inc.group(1))), inc.group(1) + " is not generated");
            }
        }
        assertTrue(includes >= 15, "the report includes its figures and tables: " + includes);
        Set<String> facts = facts(out);
        Matcher attr = Pattern.compile("\\{([a-z0-9-]+)\\}").matcher(report);
        while (attr.find()) {
            String a = attr.group(1);
            assertTrue(a.equals("generated") || facts.contains(a), "the report quotes {" + a + "}, no fact gives it");
        }
        assertFalse(facts.contains("gpu-timing-measured"), "no GPU timing is pinned");
        String cost = Files.readString(out.resolve("tables/cost.adoc"), StandardCharsets.UTF_8);
        assertFalse(cost.contains("GPU s per epoch"));
        assertTrue(new ConvIntuitionPost().finding(PINS).contains("3×3 convolution reaches"));
    }

    @Test
    void aPinnedGpuTimingAddsItsColumn() throws IOException {
        Path pins = dir.resolve("pins");
        Files.createDirectories(pins);
        for (String f : List.of("cost", "accuracy", "interventions", "timing")) {
            Files.copy(PINS.resolve(f + ".json"), pins.resolve(f + ".json"));
        }
        ObjectMapper m = new ObjectMapper();
        ObjectNode gpu = (ObjectNode) m.readTree(pins.resolve("timing.json").toFile());
        gpu.put("name", "timing-cuda");
        ((ObjectNode) gpu.get("provenance")).put("backend", "cuda").put("gpu", "Test GPU");
        ((ObjectNode) gpu.get("results")).put("backend", "cuda");
        m.writeValue(pins.resolve("timing-cuda.json").toFile(), gpu);
        Path out = dir.resolve("out");
        new ConvIntuitionPost().generate(pins, out);
        assertTrue(facts(out).contains("gpu-timing-measured"));
        String cost = Files.readString(out.resolve("tables/cost.adoc"), StandardCharsets.UTF_8);
        assertTrue(cost.contains("GPU s per epoch") && cost.contains("Test GPU"), cost);
        assertTrue(cost.contains("timing-cuda.json"), "the table cites the GPU's results file");
        // every row has its GPU time: the pinned file times the same networks
        assertEquals(0, cost.lines().filter(l -> l.contains(" |agree |") && l.endsWith("|–")).count(), cost);
    }
}
