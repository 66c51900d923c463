package unboxed.adampost;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
import unboxed.io.RepoRoot;
import unboxed.kit.CommonOptions;

/** The report's figures, tables and facts come from the pinned results, and the report uses nothing else. */
class AdamPostTest {
    @TempDir
    Path out;

    @Test
    void generatesEverythingTheReportIncludes() throws IOException {
        new AdamPost().generate(CommonOptions.pinnedFolder(Experiment.POST), out);
        String report = Files.readString(RepoRoot.get().resolve("experiments").resolve(Experiment.POST)
                .resolve("report.adoc"), StandardCharsets.UTF_8);
        List<String> missing = new ArrayList<>();
        Matcher inc = Pattern.compile("include::\\{generated\\}/([^\\[]+)\\[").matcher(report);
        while (inc.find()) {
            if (!inc.group(1).equals("tables/validation.adoc") && !Files.exists(out.resolve(inc.group(1)))) {
                missing.add(inc.group(1));
            }
        }
        assertEquals(List.of(), missing, "included but not generated");
        String facts = Files.readString(out.resolve("facts.adoc"), StandardCharsets.UTF_8);
        Set<String> defined = new TreeSet<>();
        Matcher def = Pattern.compile("(?m)^:([a-z0-9-]+):").matcher(facts);
        while (def.find()) {
            defined.add(def.group(1));
        }
        Set<String> undefined = new TreeSet<>();
        Matcher use = Pattern.compile("\\{([a-z0-9-]+)\\}").matcher(report.replaceAll("(?m)^:[a-z-]+:.*$", ""));
        while (use.find()) {
            if (!use.group(1).equals("generated") && !defined.contains(use.group(1))) {
                undefined.add(use.group(1));
            }
        }
        assertEquals(Set.of(), undefined, "attributes the report uses that facts.adoc does not define");
        for (String fact : defined) {
            assertTrue(!facts.contains(":" + fact + ": \n") && !facts.contains(":" + fact + ": NaN"), fact + " is empty");
        }
    }

    @Test
    void theFindingQuotesThePins() throws IOException {
        String f = new AdamPost().finding(CommonOptions.pinnedFolder(Experiment.POST));
        assertTrue(f.contains("Adam") && f.contains("data/results/05-adam"), f);
    }

    @Test
    void listsReadAsProse() {
        assertEquals("none", AdamPost.words(List.of()));
        assertEquals("a", AdamPost.words(List.of("a")));
        assertEquals("a, b and c", AdamPost.words(List.of("a", "b", "c")));
    }
}
