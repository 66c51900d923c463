package unboxed.kit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import unboxed.io.AtomicFiles;

/**
 * Tables as AsciiDoc partials: {@code outDir/tables/<name>.adoc}, included by a report with
 * {@code include::{generated}/tables/<name>.adoc[]}. The table's caption line carries its title
 * and citation; columns whose every cell is a number ({@link Number}, or text such as
 * {@code 3.2e-07}, {@code 12%}, {@code n/a}) are right-aligned.
 *
 * <pre>{@code
 * Tables.write(outDir, "final-loss", "Final training loss by loss function",
 *         List.of("loss", "final value", "steps"),
 *         List.of(List.of("MSE", "0.0213", 400), List.of("cross-entropy", "0.0071", 400)),
 *         List.of(pinned));
 * }</pre>
 *
 * Cells are written with {@code String.valueOf}: format numbers before passing them when the
 * table should show fewer digits than the results file holds.
 */
public final class Tables {
    private static final Pattern NUMERIC = Pattern.compile(
            "[-+]?(\\d[\\d,_]*(\\.\\d*)?|\\.\\d+)([eE][-+]?\\d+)?\\s*(%|×|x)?|[-+]?(NaN|Infinity)|n/a|–");

    private Tables() {
    }

    /** Writes the table, citing pinned results files; returns the partial's path. */
    public static Path write(Path outDir, String name, String title, List<String> headers,
                             List<? extends List<?>> rows, List<Pinned> sources) throws IOException {
        if (sources == null || sources.isEmpty()) {
            throw new IllegalArgumentException("table " + name + ": no source given; every table must cite the"
                    + " results it is drawn from");
        }
        return write(outDir, name, title, headers, rows, Pinned.citation(sources));
    }

    /** Writes the table with a source line of the caller's (e.g. fixtures rather than results); returns its path. */
    public static Path write(Path outDir, String name, String title, List<String> headers,
                             List<? extends List<?>> rows, String sourceLine) throws IOException {
        Path file = outDir.resolve("tables").resolve(Figures.checkName(name) + ".adoc");
        AtomicFiles.write(file, render(name, title, headers, rows, sourceLine).getBytes(StandardCharsets.UTF_8));
        return file;
    }

    /** The partial's text. */
    public static String render(String name, String title, List<String> headers, List<? extends List<?>> rows,
                                String sourceLine) {
        Figures.checkName(name);
        if (headers.isEmpty()) {
            throw new IllegalArgumentException("table " + name + ": no columns");
        }
        if (rows.isEmpty()) {
            throw new IllegalArgumentException("table " + name + ": no rows (a table is never drawn from nothing)");
        }
        if (sourceLine == null || sourceLine.isBlank()) {
            throw new IllegalArgumentException("table " + name + ": no source line; every table must say where its"
                    + " numbers come from");
        }
        int n = headers.size();
        for (int r = 0; r < rows.size(); r++) {
            if (rows.get(r).size() != n) {
                throw new IllegalArgumentException("table " + name + ": row " + r + " has " + rows.get(r).size()
                        + " cells, the header has " + n);
            }
        }
        List<String> cols = new ArrayList<>();
        for (int c = 0; c < n; c++) {
            boolean numeric = true;
            for (List<?> row : rows) {
                numeric &= row.get(c) instanceof Number || NUMERIC.matcher(String.valueOf(row.get(c)).strip()).matches();
            }
            cols.add(numeric ? ">1" : "1");
        }
        StringBuilder s = new StringBuilder();
        s.append("[#tab-").append(name).append(",cols=\"").append(String.join(",", cols))
                .append("\",options=\"header,autowidth\",role=\"stretch\"]\n");
        s.append('.').append(Figures.sentence(title)).append(' ').append(sourceLine.strip()).append('\n');
        s.append("|===\n");
        appendRow(s, headers);
        s.append('\n');
        for (List<?> row : rows) {
            appendRow(s, row);
        }
        s.append("|===\n");
        return s.toString();
    }

    private static void appendRow(StringBuilder s, List<?> cells) {
        for (int c = 0; c < cells.size(); c++) {
            s.append(c == 0 ? "|" : " |").append(cell(cells.get(c)));
        }
        s.append('\n');
    }

    /** A cell's text: {@code |} escaped, line breaks folded to spaces, {@code null} as an en dash. */
    static String cell(Object value) {
        if (value == null) {
            return "–";
        }
        String t = String.valueOf(value).replace("\r", "").replace('\n', ' ').replace("|", "\\|").strip();
        return t.isEmpty() ? "{empty}" : t;
    }
}
