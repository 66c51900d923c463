package unboxed.channels;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import unboxed.io.Provenance;
import unboxed.io.RepoRoot;
import unboxed.io.Results;
import unboxed.kit.Sweep;

/**
 * The figure step draws from what the experiment writes: every sweep computed small on synthetic
 * data (CIFAR-10's shape included), written as results files, drawn; every figure and table the
 * report includes exists, and every attribute it quotes is a fact.
 */
class ChannelsPostTest {
    @TempDir
    Path dir;

    /**
     * One seed of everything, few images: what matters is the shape of the results, not their values
     * (just over one logged step of training loss for the curves: 6,600 images at batch 64).
     */
    static final Experiment.Scale ONE = new Experiment.Scale(1, new int[] {2, 4}, 120, 1, 6600, 1, 1, 2, 2, 2);

    @Test
    void everyIncludeAndAttributeOfTheReportIsDrawn() throws IOException {
        Experiment e = ExperimentTest.experiment();
        Path results = dir.resolve("results");
        for (Experiment.Part part : Experiment.Part.values()) {
            boolean cifar = part == Experiment.Part.cifar10;
            Study.Data d = Experiment.data(part, ONE, ExperimentTest.synthetic("train", 660, cifar ? 3 : 1, cifar ? 32 : 28, 1),
                    ExperimentTest.synthetic("test", ProbeSet.PER_CLASS + 2, cifar ? 3 : 1, cifar ? 32 : 28, 2),
                    ExperimentTest.synthetic("other", ProbeSet.PER_CLASS, 1, 28, 3));
            List<String> ids = Experiment.ids(part, ONE);
            List<JsonNode> points = Sweep.run(ids, id -> e.compute(part, ONE, id, d), 1, part.name());
            Results.write(results.resolve(part.name() + ".json"), Experiment.POST, part.name(),
                    Provenance.capture(0, "cpu", "quick", 1, "test"), e.mergeTrees(part, ONE, ids, points));
        }
        Path out = dir.resolve("generated");
        ChannelsPost post = new ChannelsPost();
        post.generate(results, out);
        assertTrue(post.finding(results).startsWith("Pinned results"));

        String report = Files.readString(RepoRoot.get().resolve("experiments/09-conv-channels/report.adoc"),
                StandardCharsets.UTF_8);
        Matcher inc = Pattern.compile("include::\\{generated}/(\\S+?)\\[]").matcher(report);
        List<String> missing = new ArrayList<>();
        while (inc.find()) {
            if (!inc.group(1).equals("tables/validation.adoc") && !Files.isRegularFile(out.resolve(inc.group(1)))) {
                missing.add(inc.group(1));
            }
        }
        assertTrue(missing.isEmpty(), "the report includes what the figure step did not draw: " + missing);
        Set<String> facts = new TreeSet<>();
        for (String line : Files.readAllLines(out.resolve("facts.adoc"), StandardCharsets.UTF_8)) {
            if (line.startsWith(":")) {
                facts.add(line.substring(1, line.indexOf(':', 1)));
            }
        }
        Matcher attr = Pattern.compile("\\{([a-z0-9-]+)}").matcher(report);
        Set<String> unknown = new TreeSet<>();
        while (attr.find()) {
            if (!attr.group(1).equals("generated") && !facts.contains(attr.group(1))) {
                unknown.add(attr.group(1));
            }
        }
        assertTrue(unknown.isEmpty(), "the report quotes attributes that are no fact: " + unknown);
        assertTrue(facts.contains("cifar10-pinned"), "a pinned CIFAR-10 run turns on its part of the report");
    }
}
