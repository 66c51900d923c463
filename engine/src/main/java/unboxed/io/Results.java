package unboxed.io;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Results files: {@code data/results/<post>/<name>.json}, the numbers a post's figures and tables
 * are drawn from, each with the provenance of the run that made it.
 *
 * <pre>
 * { "format": "unboxed-results/1", "post": "01-basics", "name": "loss-alternatives",
 *   "provenance": { "git_commit": ..., "command": ..., "seed": 0, ... },
 *   "results": { ...experiment-specific... } }
 * </pre>
 *
 * <p>Output is deterministic: two-space indentation, {@code \n} line ends, keys in insertion
 * order (give the results as records, {@link LinkedHashMap}s or Jackson trees, never a
 * {@link java.util.HashMap}), arrays on one line, doubles exactly as Jackson prints them
 * (the shortest text that reads back to the same double; NaN and infinities as the strings
 * {@code "NaN"}, {@code "Infinity"}, {@code "-Infinity"}).
 *
 * <p>Writes are atomic: the whole file is serialised in memory first, then written with
 * {@link AtomicFiles} (a temporary file in the same directory, forced to disk, renamed over the
 * target). A reader sees the old file or the new one, never half of one; on any failure the old
 * file is left as it was.
 */
public final class Results {
    /** The value of the {@code "format"} field. */
    public static final String FORMAT = "unboxed-results/1";

    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET)
            .build();

    private static final ObjectWriter WRITER = MAPPER.writer(prettyPrinter());

    private Results() {
    }

    /** The mapper used for results files (for experiments that build {@link JsonNode} trees). */
    public static ObjectMapper mapper() {
        return MAPPER;
    }

    /** The writer: pretty, deterministic, as described above. */
    public static ObjectWriter writer() {
        return WRITER;
    }

    /**
     * Writes {@code results} with its provenance to {@code file}, atomically. Stops the
     * provenance clock ({@link Provenance#finish}) if the caller has not.
     *
     * @throws IOException naming the file: when {@code results} cannot be serialised (nothing is
     *                     written), or the file cannot be written (the old file is left as it was)
     */
    public static void write(Path file, String post, String name, Provenance provenance, Object results)
            throws IOException {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(post, "post");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(provenance, "provenance");
        if (provenance.wallSeconds() == null) {
            provenance.finish();
        }
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("format", FORMAT);
        doc.put("post", post);
        doc.put("name", name);
        doc.put("provenance", provenance.toJson());
        doc.put("results", results);
        byte[] bytes;
        try {
            bytes = WRITER.writeValueAsBytes(doc);
        } catch (JsonProcessingException e) {
            throw new IOException("cannot write results file " + file + ": the results of '" + name
                    + "' cannot be serialised to JSON: " + e.getOriginalMessage(), e);
        }
        AtomicFiles.write(file, appendNewline(bytes));
    }

    /**
     * Reads a results file and checks its format.
     *
     * @return the whole document ({@code format, post, name, provenance, results})
     * @throws FileNotFoundException naming the path and the command that regenerates it
     * @throws IOException           naming the path and the fault, for corrupt JSON or a wrong format
     */
    public static JsonNode read(Path file) throws IOException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new FileNotFoundException(missingMessage(file));
        }
        return parse(file, bytes);
    }

    /** Parses the bytes of a results file (see {@link #read}); {@code file} only names it in errors. */
    public static JsonNode parse(Path file, byte[] bytes) throws IOException {
        JsonNode doc;
        try (JsonParser p = MAPPER.createParser(bytes)) {
            doc = MAPPER.readTree(p);
            if (doc != null && p.nextToken() != null) {
                throw new IOException("corrupt results file " + file + ": trailing content after the JSON object at "
                        + p.currentLocation().offsetDescription());
            }
        } catch (JsonProcessingException e) {
            throw new IOException("corrupt results file " + file + ": " + e.getOriginalMessage()
                    + (e.getLocation() == null ? "" : " (" + e.getLocation().offsetDescription() + ")"), e);
        }
        if (doc == null || doc.isMissingNode()) {
            throw new IOException("corrupt results file " + file + ": the file is empty");
        }
        if (!doc.isObject()) {
            throw new IOException("corrupt results file " + file + ": expected a JSON object, found " + doc.getNodeType());
        }
        JsonNode format = doc.get("format");
        if (format == null || !format.isTextual() || !FORMAT.equals(format.asText())) {
            throw new IOException("not a results file: " + file + ": \"format\" is "
                    + (format == null ? "missing" : format.toString()) + ", expected \"" + FORMAT + "\"");
        }
        if (!doc.path("provenance").isObject()) {
            throw new IOException("corrupt results file " + file + ": \"provenance\" is missing or not an object");
        }
        if (!doc.has("results")) {
            throw new IOException("corrupt results file " + file + ": \"results\" is missing");
        }
        return doc;
    }

    /** "no results file X: run `make experiments POST=p` to regenerate it". */
    public static String missingMessage(Path file) {
        Path parent = file.toAbsolutePath().getParent();
        String post = parent == null || parent.getFileName() == null ? "<post>" : parent.getFileName().toString();
        return "missing results file " + file + ": run `make experiments POST=" + post + "` to regenerate it";
    }

    private static byte[] appendNewline(byte[] bytes) {
        byte[] out = new byte[bytes.length + 1];
        System.arraycopy(bytes, 0, out, 0, bytes.length);
        out[bytes.length] = '\n';
        return out;
    }

    private static DefaultPrettyPrinter prettyPrinter() {
        DefaultPrettyPrinter pp = new DefaultPrettyPrinter(Separators.createDefaultInstance()
                .withObjectFieldValueSpacing(Separators.Spacing.AFTER));
        pp.indentObjectsWith(new DefaultIndenter("  ", "\n"));
        return pp;
    }
}
