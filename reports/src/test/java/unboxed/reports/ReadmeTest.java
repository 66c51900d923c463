package unboxed.reports;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import unboxed.io.RepoRoot;
import unboxed.kit.Readme;

/** README.adoc quotes no result by hand: its generated lines are what the pinned results give now. */
class ReadmeTest {
    @Test
    void theReadmesGeneratedLinesMatchThePinnedResults() throws IOException {
        Path root = RepoRoot.get();
        Map<String, String> regions = Readme.regions(SiteBuilder.discoverPosts(), root.resolve("data/results"));
        assertFalse(regions.isEmpty(), "no post gives a finding for the README");
        String readme = Files.readString(root.resolve("README.adoc"), StandardCharsets.UTF_8);
        String expected = Readme.fill(readme, regions);
        assertTrue(expected.equals(readme), () -> "README.adoc's generated lines are stale: run `make reports` to"
                + " rewrite them from the pinned results; " + Readme.difference(readme, expected));
    }
}
