package unboxed.brain;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The post's cited data tables, {@code data/brain-capacity/*.csv}: one row per number, each with
 * its citation. A table is read only whole and only when every row is right, so that no figure is
 * drawn from a number without a source or in the wrong unit. A bad row is an error that names the
 * file, the row and the fix.
 *
 * <p>Every table has the columns {@code quantity, low, high, unit, source, note} after its subject
 * column (and, for some, {@code kind}, {@code architecture}, {@code date}); each quantity has
 * exactly one unit ({@link Schema#units}), so that a table never mixes watts and milliwatts.
 */
public final class CitedTable {
    /** The four tables and what each may hold. */
    public enum Schema {
        BRAINS("brains.csv", List.of("species"), Map.of("neurons", "count", "synapses", "count",
                "synaptic_events", "1/s", "power", "W")),
        COMPUTERS("computers.csv", List.of("device", "kind", "architecture", "date"), Map.of("fp32_peak", "FLOP/s",
                "fp16_peak", "FLOP/s", "power", "W", "price", "USD", "cores", "count")),
        MODELS("models.csv", List.of("model", "date"), Map.of("parameters", "count", "training_compute", "FLOP")),
        CONSTANTS("constants.csv", List.of("name"), Map.ofEntries(Map.entry("boltzmann_constant", "J/K"),
                Map.entry("body_temperature", "K"), Map.entry("examples_per_new_class", "count"),
                Map.entry("fp32_multiply_energy", "J"), Map.entry("dram_read_energy", "J"),
                Map.entry("flop_per_parameter_token", "FLOP"), Map.entry("tokens_per_parameter", "count"),
                Map.entry("model_flops_utilisation", "1"), Map.entry("training_compute_doubling", "months"),
                Map.entry("brain_flops", "FLOP/s")));

        final String file;
        final List<String> leading;
        final Map<String, String> units;

        Schema(String file, List<String> leading, Map<String, String> units) {
            this.file = file;
            this.leading = leading;
            this.units = units;
        }

        /** The file name under {@code data/brain-capacity/}. */
        public String file() {
            return file;
        }

        /** The header the file must have, in order. */
        public List<String> header() {
            List<String> h = new ArrayList<>(leading);
            h.addAll(List.of("quantity", "low", "high", "unit", "source", "note"));
            return h;
        }

        /** The unit of each quantity this table may hold. */
        public Map<String, String> units() {
            return units;
        }
    }

    /** A citation names a year and a DOI, an arXiv id or a URL. */
    static final Pattern YEAR = Pattern.compile("\\b(1[89]|20)\\d\\d\\b");
    static final Pattern LOCATOR = Pattern.compile("doi:10\\.\\d{4,9}/\\S+|arXiv:\\d{4}\\.\\d{4,5}|https?://\\S+\\.\\S+");
    static final String HOW_TO_CITE = "authors, year, title, and a DOI (doi:10.…), an arXiv id (arXiv:2001.08361) or"
            + " a stable URL (https://…)";

    private CitedTable() {
    }

    /** {@code data/brain-capacity} under the repository root. */
    public static Path folder(Path repoRoot) {
        return repoRoot.resolve("data").resolve("brain-capacity");
    }

    /** Reads {@code <folder>/<schema file>}; every row checked, the first bad one reported. */
    public static List<Estimate> read(Path folder, Schema schema) throws IOException {
        Path file = folder.resolve(schema.file);
        String shown = "data/brain-capacity/" + schema.file;
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new NoSuchFileException(file + ": the cited table " + shown + " is missing; it is committed with the"
                    + " repository (git checkout -- " + shown + ")");
        }
        return parse(shown, text, schema);
    }

    /** Parses a table's text; {@code shown} names the file in messages. */
    public static List<Estimate> parse(String shown, String text, Schema schema) {
        List<List<String>> records = csv(shown, text);
        if (records.isEmpty()) {
            throw new IllegalArgumentException(shown + " is empty: its first line is the header "
                    + String.join(",", schema.header()));
        }
        List<String> header = records.get(0);
        if (!header.equals(schema.header())) {
            throw new IllegalArgumentException(shown + ": the header is " + String.join(",", header) + "; it must be "
                    + String.join(",", schema.header()));
        }
        List<Estimate> out = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        Map<String, Map<String, String>> extrasOf = new HashMap<>();
        for (int r = 1; r < records.size(); r++) {
            List<String> cells = records.get(r);
            int line = r + 1;
            String where = shown + ", row " + r + " (line " + line + ")";
            if (cells.size() == 1 && cells.get(0).isBlank()) {
                continue;  // a blank line
            }
            if (cells.size() != header.size()) {
                throw new IllegalArgumentException(where + ": " + cells.size() + " cells, the header has "
                        + header.size() + "; quote a cell that holds a comma (\"like, this\")");
            }
            Map<String, String> row = new LinkedHashMap<>();
            for (int c = 0; c < header.size(); c++) {
                row.put(header.get(c), cells.get(c).strip());
            }
            String subject = row.get(schema.leading.get(0));
            String quantity = row.get("quantity");
            where += " (" + subject + ", " + quantity + ")";
            if (subject.isEmpty()) {
                throw new IllegalArgumentException(where + ": the " + schema.leading.get(0) + " column is empty");
            }
            String unit = schema.units.get(quantity);
            if (unit == null) {
                throw new IllegalArgumentException(where + ": unknown quantity '" + quantity + "'; this table holds "
                        + String.join(", ", new java.util.TreeSet<>(schema.units.keySet()))
                        + " (a new quantity needs its unit in CitedTable.Schema)");
            }
            if (!unit.equals(row.get("unit"))) {
                throw new IllegalArgumentException(where + ": unit '" + row.get("unit") + "', but " + quantity
                        + " is given in " + unit + " throughout the tables; convert the values and write " + unit);
            }
            double low = number(where, "low", row.get("low"));
            double high = number(where, "high", row.get("high"));
            if (low > high) {
                throw new IllegalArgumentException(where + ": low " + row.get("low") + " is above high "
                        + row.get("high") + "; swap them");
            }
            String source = row.get("source");
            if (source.isEmpty()) {
                throw new IllegalArgumentException(where + ": no source; every number needs a citation in the source"
                        + " column: " + HOW_TO_CITE);
            }
            if (!YEAR.matcher(source).find() || !LOCATOR.matcher(source).find()) {
                throw new IllegalArgumentException(where + ": the source '" + source + "' lacks a "
                        + (YEAR.matcher(source).find() ? "DOI, arXiv id or URL" : "year") + "; cite " + HOW_TO_CITE);
            }
            if (!seen.add(subject + "\u0000" + quantity)) {
                throw new IllegalArgumentException(where + ": " + subject + " already has a row for " + quantity
                        + "; give one row per quantity, with the disagreement as low and high");
            }
            Map<String, String> extra = new LinkedHashMap<>();
            for (String col : schema.leading.subList(1, schema.leading.size())) {
                extra.put(col, row.get(col));
            }
            check(where, extra);
            Map<String, String> before = extrasOf.putIfAbsent(subject, extra);
            if (before != null && !before.equals(extra)) {
                throw new IllegalArgumentException(where + ": " + extra + " differs from " + before + " on an earlier row"
                        + " of " + subject + "; a subject's " + String.join(", ", extra.keySet())
                        + " must be the same on each of its rows");
            }
            out.add(new Estimate(shown, line, subject, quantity, low, high, unit, source, row.get("note"), extra));
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException(shown + " has a header but no rows");
        }
        return List.copyOf(out);
    }

    private static void check(String where, Map<String, String> extra) {
        String date = extra.get("date");
        if (date != null && !date.matches("(19|20)\\d\\d-(0[1-9]|1[0-2])")) {
            throw new IllegalArgumentException(where + ": date '" + date + "' is not YYYY-MM (the month of release)");
        }
        String kind = extra.get("kind");
        if (kind != null && !kind.equals("gpu") && !kind.equals("cpu")) {
            throw new IllegalArgumentException(where + ": kind '" + kind + "' is neither gpu nor cpu");
        }
        if (extra.containsKey("architecture") && extra.get("architecture").isEmpty()) {
            throw new IllegalArgumentException(where + ": the architecture column is empty (Hopper, Zen 5, ...)");
        }
    }

    private static double number(String where, String column, String text) {
        double v;
        try {
            v = Double.parseDouble(text);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(where + ": " + column + " '" + text + "' is not a number (write 1.5e14,"
                    + " not 1.5×10^14 or 150 trillion)");
        }
        if (!(v > 0) || Double.isInfinite(v)) {
            throw new IllegalArgumentException(where + ": " + column + " " + text + " must be a positive finite number"
                    + " (every quantity here is a count, a rate, a power, a price or an energy)");
        }
        return v;
    }

    /** RFC 4180 records: commas separate cells, double quotes enclose cells that hold commas ("" is a quote). */
    static List<List<String>> csv(String shown, String text) {
        List<List<String>> records = new ArrayList<>();
        List<String> cells = new ArrayList<>();
        StringBuilder cell = new StringBuilder();
        boolean quoted = false;
        int line = 1;
        for (int i = 0; i < text.length(); i++) {
            char ch = text.charAt(i);
            if (quoted) {
                if (ch == '"' && i + 1 < text.length() && text.charAt(i + 1) == '"') {
                    cell.append('"');
                    i++;
                } else if (ch == '"') {
                    quoted = false;
                } else {
                    line += ch == '\n' ? 1 : 0;
                    cell.append(ch);
                }
            } else if (ch == '"' && cell.length() == 0) {
                quoted = true;
            } else if (ch == ',') {
                cells.add(cell.toString());
                cell.setLength(0);
            } else if (ch == '\n' || ch == '\r') {
                if (ch == '\r' && i + 1 < text.length() && text.charAt(i + 1) == '\n') {
                    i++;
                }
                cells.add(cell.toString());
                cell.setLength(0);
                records.add(cells);
                cells = new ArrayList<>();
                line++;
            } else {
                cell.append(ch);
            }
        }
        if (quoted) {
            throw new IllegalArgumentException(shown + ": a quoted cell opened before line " + line
                    + " is never closed; add the closing \"");
        }
        if (cell.length() > 0 || !cells.isEmpty()) {
            cells.add(cell.toString());
            records.add(cells);
        }
        return records;
    }

    /** The row of one subject's quantity; throws naming the table when there is none. */
    public static Estimate find(List<Estimate> table, String subject, String quantity) {
        for (Estimate e : table) {
            if (e.subject().equals(subject) && e.quantity().equals(quantity)) {
                return e;
            }
        }
        throw new IllegalArgumentException((table.isEmpty() ? "the table" : table.get(0).file()) + " has no row for "
                + subject + ", " + quantity);
    }

    /** The subjects of a table, in the order they first appear. */
    public static List<String> subjects(List<Estimate> table) {
        List<String> out = new ArrayList<>();
        for (Estimate e : table) {
            if (!out.contains(e.subject())) {
                out.add(e.subject());
            }
        }
        return out;
    }

    /** Lower-case ASCII id of a subject, for fact names: {@code Llama 3.1 405B} is {@code llama-3-1-405b}. */
    public static String id(String subject) {
        return subject.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("^-|-$", "");
    }
}
