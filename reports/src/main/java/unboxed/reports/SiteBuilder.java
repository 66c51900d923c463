package unboxed.reports;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Stream;
import unboxed.fixtures.CaseResult;
import unboxed.fixtures.Verifier;
import unboxed.io.AtomicFiles;
import unboxed.io.RepoRoot;
import unboxed.kit.Post;

/**
 * Builds the site: every post's figures, tables and validation, then one self-contained HTML page
 * per post and an index. What {@code make reports} (that is, {@code mvn -pl reports -am package})
 * runs.
 *
 * <p>For each post, sorted by slug:
 * <ol>
 *   <li>{@code <target>/generated/<slug>/} is emptied and {@link Post#generate} draws the post's
 *       figures and tables into it from {@code data/results/<slug>/};</li>
 *   <li>the fixtures in {@code data/fixtures/<slug>/} are run through the engine
 *       ({@link Verifier#verifyDirectory}) and summarised in {@code tables/validation.adoc};</li>
 *   <li>{@code experiments/<slug>/report.adoc} is rendered to {@code <target>/site/<slug>.html}
 *       with the attributes {@code generated} (the folder of step 1), {@code imagesdir} (the same),
 *       {@code repo} (the repository root) and {@code slug}.</li>
 * </ol>
 * then {@code <target>/site/index.html} lists the posts.
 *
 * <p>The build fails, naming every problem, when a post's figure step throws (a missing pinned
 * result, for instance), when any fixture case fails or there are none, when the fixtures'
 * {@code SHA256SUMS} does not match them, when a report does not include its validation table, and
 * when Asciidoctor logs any warning or error (a missing include or attribute, an image it cannot
 * embed) or a page would load anything from the network.
 */
public final class SiteBuilder {
    private final Path repoRoot;
    private final Path target;
    private final List<Post> posts;
    private final Function<Path, List<CaseResult>> verifier;
    private final List<String> warnings = new ArrayList<>();

    /** What a build produced. */
    public record Site(Path index, List<Path> pages, List<String> warnings) {
    }

    /**
     * @param repoRoot the repository (holding {@code experiments/}, {@code data/})
     * @param target   where {@code generated/} and {@code site/} go (the reports module's {@code target/})
     * @param posts    the posts to build (see {@link #discoverPosts()})
     * @param verifier runs a fixtures folder through the engine ({@code Verifier::verifyDirectory})
     */
    public SiteBuilder(Path repoRoot, Path target, List<Post> posts, Function<Path, List<CaseResult>> verifier) {
        this.repoRoot = repoRoot.toAbsolutePath().normalize();
        this.target = target.toAbsolutePath().normalize();
        List<Post> sorted = new ArrayList<>(posts);
        sorted.sort(Comparator.comparing(Post::slug));
        this.posts = List.copyOf(sorted);
        this.verifier = verifier;
    }

    /** The posts registered with {@link ServiceLoader} ({@code META-INF/services/unboxed.kit.Post}), sorted by slug. */
    public static List<Post> discoverPosts() {
        List<Post> found = new ArrayList<>();
        ServiceLoader.load(Post.class).forEach(found::add);
        found.sort(Comparator.comparing(Post::slug));
        return found;
    }

    /** {@code java unboxed.reports.SiteBuilder [<target dir>]}: builds the site; exit code 1, with every problem listed, when it fails. */
    public static void main(String[] args) {
        int code;
        try {
            Path root = RepoRoot.get();
            Path target = args.length > 0 ? Paths.get(args[0]) : root.resolve("reports").resolve("target");
            SiteBuilder builder = new SiteBuilder(root, target, discoverPosts(), Verifier::verifyDirectory);
            try (Renderer renderer = new Renderer()) {
                Site site = builder.build(renderer);
                for (String w : site.warnings()) {
                    System.err.println("warning: " + w);
                }
                System.out.println("site: " + site.index() + " and " + site.pages().size() + " post page"
                        + (site.pages().size() == 1 ? "" : "s"));
            }
            code = 0;
        } catch (SiteBuildException e) {
            System.err.println(e.getMessage());
            code = 1;
        } catch (Exception e) {
            System.err.println("site build failed: " + e);
            if (Boolean.getBoolean("unboxed.debug")) {
                e.printStackTrace();
            }
            code = 1;
        }
        System.exit(code);
    }

    /** Builds the site with a new renderer. */
    public Site build() throws IOException {
        try (Renderer renderer = new Renderer()) {
            return build(renderer);
        }
    }

    /**
     * Builds the site with {@code renderer} (reused across builds in tests).
     *
     * @throws SiteBuildException listing every problem of every post
     */
    public Site build(Renderer renderer) throws IOException {
        warnings.clear();
        Path site = target.resolve("site");
        Files.createDirectories(site);
        List<String> problems = new ArrayList<>();
        Set<String> slugs = new HashSet<>();
        List<Path> pages = new ArrayList<>();
        for (Post post : posts) {
            String slug = post.slug();
            if (slug == null || !slug.matches("[a-z0-9][a-z0-9-]*")) {
                problems.add(post.getClass().getName() + ": slug '" + slug + "' is not a folder name (lower-case"
                        + " letters, digits, dashes)");
                continue;
            }
            if (!slugs.add(slug)) {
                problems.add(slug + ": registered twice (" + post.getClass().getName() + ")");
                continue;
            }
            List<String> postProblems = buildPost(post, renderer, site.resolve(slug + ".html"));
            if (postProblems.isEmpty()) {
                pages.add(site.resolve(slug + ".html"));
            } else {
                problems.add(slug + ":");
                for (String p : postProblems) {
                    problems.add("  " + p);
                }
            }
        }
        if (posts.isEmpty()) {
            warnings.add("no posts found (no module on the class path registers unboxed.kit.Post in"
                    + " META-INF/services): the index lists none");
        }
        Path index = site.resolve("index.html");
        Path indexSource = target.resolve("generated").resolve("index.adoc");
        AtomicFiles.write(indexSource, indexAdoc(posts).getBytes(StandardCharsets.UTF_8));
        for (String p : renderer.render(indexSource, index, Map.of())) {
            problems.add("index: " + p);
        }
        if (!problems.isEmpty()) {
            throw new SiteBuildException("site build failed:\n" + String.join("\n", problems));
        }
        return new Site(index, List.copyOf(pages), List.copyOf(warnings));
    }

    /** Steps 1 to 3 for one post; returns its problems. */
    private List<String> buildPost(Post post, Renderer renderer, Path page) throws IOException {
        String slug = post.slug();
        List<String> problems = new ArrayList<>();
        Path outDir = target.resolve("generated").resolve(slug);
        deleteRecursively(outDir);
        Files.createDirectories(outDir.resolve("figures"));
        Files.createDirectories(outDir.resolve("tables"));
        Files.deleteIfExists(page);

        Path results = repoRoot.resolve("data").resolve("results").resolve(slug);
        try {
            post.generate(results, outDir);
        } catch (Exception e) {
            problems.add("figures and tables: " + describe(e));
        }

        Path fixtures = repoRoot.resolve("data").resolve("fixtures").resolve(slug);
        try {
            List<CaseResult> cases = verifier.apply(fixtures);
            if (!cases.isEmpty() && Files.isRegularFile(fixtures.resolve(Validation.MANIFEST))) {
                Validation.write(outDir, fixtures, repoRoot, cases);
            }
            for (String p : Validation.problems(fixtures, cases)) {
                problems.add("validation: " + p);
            }
        } catch (Exception e) {
            problems.add("validation: " + describe(e));
        }
        if (!problems.isEmpty()) {
            return problems;  // a page is only rendered from complete figures and a validation that holds
        }

        Path report = repoRoot.resolve("experiments").resolve(slug).resolve("report.adoc");
        if (!Files.isRegularFile(report)) {
            problems.add(report + ": no such file (every post has a report.adoc beside its pom.xml)");
            return problems;
        }
        Map<String, String> attributes = new LinkedHashMap<>();
        attributes.put("generated", outDir.toString());
        attributes.put("imagesdir", outDir.toString());
        attributes.put("repo", repoRoot.toString());
        attributes.put("slug", slug);
        problems.addAll(renderer.render(report, page, attributes));
        if (problems.isEmpty() && !Files.readString(page, StandardCharsets.UTF_8).contains("id=\"tab-validation\"")) {
            problems.add(report + ": does not show the validation table; add"
                    + " include::{generated}/tables/validation.adoc[]");
        }
        return problems;
    }

    /** The index page's AsciiDoc. */
    static String indexAdoc(List<Post> posts) {
        StringBuilder s = new StringBuilder();
        s.append("= Unboxing the blackbox\n");
        s.append(":toc!:\n\n");
        s.append("PyTorch's building blocks (tensors, layers, losses, convolutions, autograd, optimizers) rebuilt"
                + " from scratch in Java: on the CPU today, on NVIDIA GPUs through our own CUDA kernels next. Each post pairs"
                + " an implementation with a reproducible experiment and a write-up: every figure and table is"
                + " regenerated by the build from pinned results files that record how they were made, and every op"
                + " is checked against fixtures exported from real PyTorch. `make reports` rebuilds these pages,"
                + " `make reproduce POST=...` reruns a post's experiments and compares them with the pinned"
                + " numbers.\n\n");
        s.append("== Posts\n\n");
        if (posts.isEmpty()) {
            s.append("No posts are registered yet.\n");
        }
        for (Post p : posts) {
            s.append("* link:").append(p.slug()).append(".html[").append(linkText(p.title())).append("]: ")
                    .append(p.summary().strip()).append('\n');
        }
        return s.toString();
    }

    private static String linkText(String title) {
        return title.replace("]", "\\]");
    }

    private static String describe(Throwable e) {
        String m = e.getMessage();
        return m == null || m.isBlank() ? e.toString() : m;
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    /** The build failed; the message lists every problem, one per line. */
    public static final class SiteBuildException extends IOException {
        public SiteBuildException(String message) {
            super(message);
        }
    }
}
