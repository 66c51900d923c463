package unboxed.reports;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import unboxed.fixtures.CaseResult;
import unboxed.io.Provenance;
import unboxed.io.Results;
import unboxed.kit.Figures;
import unboxed.kit.Pinned;
import unboxed.kit.Post;
import unboxed.kit.Tables;
import unboxed.reports.SiteBuilder.SiteBuildException;

class SiteBuilderTest {
    static final String SLUG = "99-fake";
    static Renderer renderer;

    @TempDir
    Path root;
    Path target;
    Path fixture;
    boolean fixturePasses = true;

    @BeforeAll
    static void start() {
        renderer = new Renderer();
    }

    @AfterAll
    static void stop() {
        renderer.close();
    }

    /** A post that draws one figure and one table from one pinned result. */
    static final class FakePost implements Post {
        @Override
        public String slug() {
            return SLUG;
        }

        @Override
        public String title() {
            return "Fake: a post for the tests";
        }

        @Override
        public String summary() {
            return "One figure, one table.";
        }

        @Override
        public Class<?> experimentMain() {
            return FakePost.class;
        }

        @Override
        public void generate(Path resultsDir, Path outDir) throws IOException {
            Pinned p = Pinned.load(resultsDir, "curves");
            Figures.line("curve", "Loss by step").axes("step", "loss")
                    .line("SGD", new double[] {1, 2, 3}, p.doubles("/loss")).from(p).save(outDir);
            Tables.write(outDir, "final", "Final loss", List.of("optimizer", "loss"),
                    List.of(List.of("SGD", p.doubles("/loss")[2])), List.of(p));
        }
    }

    static final String GOOD_REPORT = """
            = Fake post
            :toc:

            == Results

            include::{generated}/figures/curve.adoc[]

            include::{generated}/tables/final.adoc[]

            == Validation

            include::{generated}/tables/validation.adoc[]
            """;

    @BeforeEach
    void repository() throws IOException {
        target = root.resolve("reports/target");
        Files.writeString(root.resolve("pom.xml"), "<project/>");
        Path results = root.resolve("data/results").resolve(SLUG).resolve("curves.json");
        Provenance prov = new Provenance("unknown", true, "java Fake", 0, "cpu", "quick", 2, "jdk", "cpu", 2, null, "os",
                Instant.EPOCH, 1.0);
        Results.write(results, SLUG, "curves", prov, Map.of("loss", new double[] {1.0, 0.5, 0.25}));
        Path fixtures = Files.createDirectories(root.resolve("data/fixtures").resolve(SLUG));
        fixture = fixtures.resolve("relu__1d.safetensors");
        Files.writeString(fixture, "not really a safetensors file; the verifier is a stand-in");
        Files.writeString(fixtures.resolve("SHA256SUMS"),
                Validation.sha256(Files.readAllBytes(fixture)) + "  relu__1d.safetensors\n");
        report(GOOD_REPORT);
    }

    void report(String text) throws IOException {
        Path r = root.resolve("experiments").resolve(SLUG).resolve("report.adoc");
        Files.createDirectories(r.getParent());
        Files.writeString(r, text);
    }

    Function<Path, List<CaseResult>> verifier() {
        return dir -> {
            List<CaseResult> out = new ArrayList<>();
            if (Files.isRegularFile(fixture)) {
                out.add(new CaseResult(fixture, "relu", "{}", 0.0, 0.0, 0.0, fixturePasses,
                        fixturePasses ? "out, grad.input" : fixture + ": out differs at [3]: 1.0 vs 2.0"));
            }
            return out;
        };
    }

    SiteBuilder.Site build(List<Post> posts) throws IOException {
        return new SiteBuilder(root, target, posts, verifier()).build(renderer);
    }

    String failure(List<Post> posts) {
        return assertThrows(SiteBuildException.class, () -> build(posts)).getMessage();
    }

    @Test
    void buildsASelfContainedPageWithTheFigureEmbeddedAndAnIndex() throws IOException {
        SiteBuilder.Site site = build(List.of(new FakePost()));
        Path page = target.resolve("site").resolve(SLUG + ".html");
        assertEquals(List.of(page), site.pages());
        String html = Files.readString(page, StandardCharsets.UTF_8);
        assertTrue(html.contains("<img src=\"data:image/svg+xml;base64,"), "figure embedded");
        assertTrue(html.contains("id=\"fig-curve\"") && html.contains("id=\"tab-final\""));
        assertTrue(html.contains("Source: data/results/99-fake/curves.json (sha256 "), "figure and table cite their source");
        assertTrue(html.contains("id=\"tab-validation\"") && html.contains("PASS"));
        assertTrue(html.contains("Fixtures: data/fixtures/99-fake (SHA256SUMS sha256 "));
        assertFalse(html.contains("<link rel=\"stylesheet\" href=\"https://fonts"), "no web fonts");
        assertTrue(Renderer.checkSelfContained(page).isEmpty());

        String index = Files.readString(site.index(), StandardCharsets.UTF_8);
        assertTrue(index.contains("href=\"99-fake.html\"") && index.contains("Fake: a post for the tests"), index);
        assertTrue(index.contains("One figure, one table."));
        assertTrue(site.warnings().isEmpty());
    }

    @Test
    void aMissingIncludeFailsTheBuildNamingIt() throws IOException {
        report(GOOD_REPORT + "\ninclude::{generated}/figures/not-drawn.adoc[]\n");
        String message = failure(List.of(new FakePost()));
        assertTrue(message.contains("not-drawn.adoc"), message);
        assertTrue(message.contains("report.adoc"), message);
    }

    @Test
    void aMissingAttributeFailsTheBuild() throws IOException {
        report(GOOD_REPORT + "\nThe final loss was {final-loss}.\n");
        String message = failure(List.of(new FakePost()));
        assertTrue(message.contains("final-loss"), message);
    }

    @Test
    void aMissingPinnedResultFailsTheBuildWithTheCommandThatMakesIt() throws IOException {
        Files.delete(root.resolve("data/results").resolve(SLUG).resolve("curves.json"));
        String message = failure(List.of(new FakePost()));
        assertTrue(message.contains("curves.json") && message.contains("make experiments POST=99-fake"), message);
        assertFalse(Files.exists(target.resolve("site").resolve(SLUG + ".html")));
    }

    @Test
    void aFailedFixtureFailsTheBuildNamingTheFile() {
        fixturePasses = false;
        String message = failure(List.of(new FakePost()));
        assertTrue(message.contains("1 of 1 fixture cases failed"), message);
        assertTrue(message.contains(fixture.toString()), message);
        assertFalse(Files.exists(target.resolve("site").resolve(SLUG + ".html")));
    }

    @Test
    void noFixturesFailTheBuild() throws IOException {
        Files.delete(fixture);
        String message = failure(List.of(new FakePost()));
        assertTrue(message.contains("no fixture cases"), message);
    }

    @Test
    void aFixtureThatNoLongerMatchesItsManifestFailsTheBuild() throws IOException {
        Files.writeString(fixture, "edited by hand");
        String message = failure(List.of(new FakePost()));
        assertTrue(message.contains("sha256 differs"), message);
    }

    @Test
    void aReportWithoutItsValidationTableFailsTheBuild() throws IOException {
        report(GOOD_REPORT.replace("include::{generated}/tables/validation.adoc[]", ""));
        String message = failure(List.of(new FakePost()));
        assertTrue(message.contains("validation table"), message);
    }

    @Test
    void withoutPostsTheIndexIsBuiltWithAWarning() throws IOException {
        SiteBuilder.Site site = build(List.of());
        assertTrue(site.pages().isEmpty());
        assertTrue(Files.readString(site.index()).contains("No posts are registered yet."));
        assertEquals(1, site.warnings().size());
        assertTrue(site.warnings().get(0).contains("no posts found"));
    }

    @Test
    void pagesThatNeedTheNetworkAreCaught() throws IOException {
        Path page = root.resolve("page.html");
        Files.writeString(page, "<html><head><link rel=\"stylesheet\" href=\"https://cdn.example/x.css\">"
                + "<script src=\"//cdn.example/x.js\"></script></head>"
                + "<body><img src=\"figures/a.svg\" alt=\"a\"><img src=\"data:image/svg+xml;base64,AAAA\">"
                + "<a href=\"https://pytorch.org\">links are fine</a></body></html>");
        List<String> problems = Renderer.checkSelfContained(page);
        assertEquals(3, problems.size(), problems.toString());
        assertTrue(problems.get(2).contains("image not embedded") && problems.get(2).contains("figures/a.svg"), problems.toString());
    }

    @Test
    void indexSourceListsPostsInSlugOrder() {
        Post a = new FakePost();
        String adoc = SiteBuilder.indexAdoc(List.of(a));
        assertTrue(adoc.contains("* link:99-fake.html[Fake: a post for the tests]: One figure, one table.\n"), adoc);
    }
}
