package unboxed.reports;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.asciidoctor.Asciidoctor;
import org.asciidoctor.Attributes;
import org.asciidoctor.AttributesBuilder;
import org.asciidoctor.Options;
import org.asciidoctor.Placement;
import org.asciidoctor.SafeMode;
import org.asciidoctor.ast.Cursor;
import org.asciidoctor.log.LogHandler;
import org.asciidoctor.log.LogRecord;
import org.asciidoctor.log.Severity;

/**
 * Renders AsciiDoc into self-contained HTML pages with AsciidoctorJ, strictly: any warning or
 * error Asciidoctor logs (a missing include, a missing attribute, an image it cannot embed, ...)
 * makes the page fail, and so does a page that would need the network (a stylesheet, script,
 * font or image that is not embedded).
 *
 * <p>One instance holds one Asciidoctor (JRuby: seconds to start), reused for every page.
 */
public final class Renderer implements AutoCloseable {
    /** Resources a page must not load from elsewhere: stylesheets, scripts, fonts, images. */
    private static final Pattern EXTERNAL = Pattern.compile(
            "<link[^>]*\\shref=\"(https?:)?//[^\"]*\"|<script[^>]*\\ssrc=\"(https?:)?//[^\"]*\""
                    + "|@import\\s+url\\(\\s*['\"]?(https?:)?//[^)]*\\)|url\\(\\s*['\"]?https?://[^)]*\\)",
            Pattern.CASE_INSENSITIVE);
    private static final Pattern IMG_SRC = Pattern.compile("<img[^>]*\\ssrc=\"([^\"]*)\"", Pattern.CASE_INSENSITIVE);

    private final Asciidoctor asciidoctor;
    private final List<LogRecord> records = new ArrayList<>();
    private final LogHandler handler = this::collect;

    public Renderer() {
        asciidoctor = Asciidoctor.Factory.create();
        asciidoctor.registerLogHandler(handler);
    }

    private synchronized void collect(LogRecord r) {
        records.add(r);
    }

    /**
     * Renders {@code source} to the standalone page {@code target}.
     *
     * @param attributes extra document attributes (e.g. {@code generated}, {@code imagesdir})
     * @return the problems: each Asciidoctor warning or error, each external resource and each
     *         image not embedded, as "file:line: message"; empty when the page is good
     */
    public synchronized List<String> render(Path source, Path target, Map<String, String> attributes) throws IOException {
        records.clear();
        List<String> problems = new ArrayList<>();
        if (!Files.isRegularFile(source)) {
            problems.add(source + ": no such file");
            return problems;
        }
        Files.createDirectories(target.toAbsolutePath().getParent());
        AttributesBuilder ab = Attributes.builder()
                .tableOfContents(Placement.LEFT)
                .dataUri(true)
                .linkCss(false)
                .sourceHighlighter("rouge")
                .attributeMissing("warn")
                .attribute("webfonts!", "")       // the default stylesheet would fetch Google fonts
                .attribute("reproducible", "")    // no "last updated" time: same sources, same page
                .attribute("icons!", "")
                .attribute("sectanchors", "")
                .attribute("experimental", "");
        attributes.forEach(ab::attribute);
        Options options = Options.builder()
                .safe(SafeMode.UNSAFE)
                .standalone(true)
                .backend("html5")
                .toFile(target.toAbsolutePath().toFile())
                .mkDirs(true)
                .baseDir(source.toAbsolutePath().getParent().toFile())
                .attributes(ab.build())
                .build();
        try {
            asciidoctor.convertFile(source.toAbsolutePath().toFile(), options);
        } catch (RuntimeException e) {
            problems.add(source + ": Asciidoctor failed: " + e.getMessage());
        }
        for (LogRecord r : records) {
            if (r.getSeverity().compareTo(Severity.WARN) >= 0 && r.getSeverity() != Severity.UNKNOWN) {
                problems.add(where(r.getCursor(), source) + ": " + r.getSeverity() + ": " + r.getMessage());
            }
        }
        records.clear();
        if (problems.isEmpty()) {
            problems.addAll(checkSelfContained(target));
        }
        return problems;
    }

    /** The external resources and non-embedded images of a rendered page, one problem each. */
    static List<String> checkSelfContained(Path page) throws IOException {
        List<String> problems = new ArrayList<>();
        if (!Files.isRegularFile(page)) {
            problems.add(page + ": not written");
            return problems;
        }
        String html = Files.readString(page, StandardCharsets.UTF_8);
        Matcher m = EXTERNAL.matcher(html);
        while (m.find()) {
            problems.add(page + ": loads a resource from the network (the page must be self-contained): "
                    + abbreviate(m.group()));
        }
        Matcher img = IMG_SRC.matcher(html);
        while (img.find()) {
            if (!img.group(1).startsWith("data:")) {
                problems.add(page + ": image not embedded (no data: URI): " + abbreviate(img.group(1)));
            }
        }
        return problems;
    }

    private static String where(Cursor c, Path source) {
        if (c == null) {
            return source.toString();
        }
        String file = c.getFile() != null ? c.getFile() : c.getPath() != null ? c.getPath() : source.toString();
        if (c.getDir() != null && file != null && !file.startsWith("/") && !file.contains(":")) {
            file = Path.of(c.getDir()).resolve(file).toString();
        }
        return file + (c.getLineNumber() > 0 ? ":" + c.getLineNumber() : "");
    }

    private static String abbreviate(String s) {
        return s.length() > 120 ? s.substring(0, 120) + "…" : s;
    }

    @Override
    public void close() {
        asciidoctor.unregisterLogHandler(handler);
        asciidoctor.shutdown();
    }
}
