package unboxed.brain;

import java.util.Map;

/**
 * One cited number of the post's data tables ({@code data/brain-capacity/*.csv}): a quantity of a
 * subject (a species, a chip, a model), as the range {@code low .. high} the literature gives (equal
 * where it agrees), in one unit, with the citation it comes from.
 *
 * @param file     the table, relative to the repository ({@code data/brain-capacity/brains.csv})
 * @param line     the line of the file (the header is line 1)
 * @param subject  {@code human}, {@code H100}, {@code GPT-3}
 * @param quantity {@code synapses}, {@code fp16_peak}, {@code training_compute}
 * @param extra    the table's other columns ({@code date}, {@code kind}, {@code architecture})
 */
public record Estimate(String file, int line, String subject, String quantity, double low, double high, String unit,
                       String source, String note, Map<String, String> extra) {

    /** The geometric middle of the range: the value a figure marks when the sources disagree by factors. */
    public double mid() {
        return Math.sqrt(low * high);
    }

    /** An extra column's value ({@code date}, {@code kind}, ...); throws when the table has no such column. */
    public String get(String column) {
        String v = extra.get(column);
        if (v == null) {
            throw new IllegalArgumentException(file + " has no column '" + column + "'");
        }
        return v;
    }

    /** The {@code date} column (YYYY-MM) as a decimal year, the middle of the month: 2020-05 is 2020.375. */
    public double year() {
        String d = get("date");
        return Integer.parseInt(d.substring(0, 4)) + (Integer.parseInt(d.substring(5, 7)) - 0.5) / 12;
    }
}
