package unboxed.reports;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import unboxed.fixtures.CaseResult;
import unboxed.fixtures.Tolerances;
import unboxed.kit.Tables;

/**
 * A post's "Validation" table: for each op, how many PyTorch fixture cases the engine was run
 * on, the largest absolute and relative error seen, the tolerance and the verdict. Written to
 * {@code <outDir>/tables/validation.adoc}; the report includes it with
 * {@code include::{generated}/tables/validation.adoc[]}.
 *
 * <p>The caption names the fixtures folder, the sha256 of its {@code SHA256SUMS} manifest and the
 * command that reruns the check. The table is only as good as that citation, so the manifest
 * must list exactly the fixture files that were verified, with matching sums.
 */
public final class Validation {
    /** The name of the checksum manifest beside the fixtures. */
    public static final String MANIFEST = "SHA256SUMS";

    /** One row: an op and what its cases showed. */
    public record Row(String op, int cases, int failed, double maxAbsError, double maxRelError, List<Double> tolerances) {
        /** "PASS", or "FAIL n of m". */
        public String verdict() {
            return failed == 0 ? "PASS" : "FAIL " + failed + " of " + cases;
        }
    }

    private Validation() {
    }

    /** One row per op, sorted by op name; NaN errors (nothing compared) are ignored in the maxima unless all are NaN. */
    public static List<Row> summarize(List<CaseResult> results) {
        Map<String, List<CaseResult>> byOp = new TreeMap<>();
        for (CaseResult r : results) {
            byOp.computeIfAbsent(r.op() == null ? "?" : r.op(), k -> new ArrayList<>()).add(r);
        }
        List<Row> rows = new ArrayList<>();
        byOp.forEach((op, cases) -> {
            int failed = 0;
            double abs = Double.NaN;
            double rel = Double.NaN;
            TreeSet<Double> tols = new TreeSet<>();
            for (CaseResult c : cases) {
                failed += c.passed() ? 0 : 1;
                abs = max(abs, c.maxAbsError());
                rel = max(rel, c.maxRelError());
                if (!Double.isNaN(c.tolerance())) {
                    tols.add(c.tolerance());
                }
            }
            rows.add(new Row(op, cases.size(), failed, abs, rel, List.copyOf(tols)));
        });
        return rows;
    }

    /**
     * Writes {@code <outDir>/tables/validation.adoc}.
     *
     * @param fixturesDir the folder that was verified
     * @param repoRoot    to cite the folder relative to the repository
     * @throws IllegalArgumentException when there are no results (nothing to claim)
     */
    public static Path write(Path outDir, Path fixturesDir, Path repoRoot, List<CaseResult> results) throws IOException {
        if (results.isEmpty()) {
            throw new IllegalArgumentException("no fixture cases in " + fixturesDir + ": nothing to validate");
        }
        List<List<?>> rows = new ArrayList<>();
        for (Row r : summarize(results)) {
            rows.add(List.of(r.op(), r.cases(), number(r.maxAbsError()), number(r.maxRelError()), tolerance(r),
                    r.verdict()));
        }
        return Tables.write(outDir, "validation", "Validation against PyTorch: each op's fixture cases, the largest"
                        + " error seen and the op's tolerance (a value passes when |ours − torch| ≤ atol + rtol·|torch|,"
                        + " the rule of torch.allclose)",
                List.of("op", "cases", "largest abs. error", "largest rel. error", "tolerance", "verdict"),
                rows, sourceLine(fixturesDir, repoRoot));
    }

    /** "Fixtures: data/fixtures/01-basics (SHA256SUMS sha256 1a2b3c4d…), check with `make verify-fixtures DIR=...`". */
    static String sourceLine(Path fixturesDir, Path repoRoot) throws IOException {
        String rel = relative(fixturesDir, repoRoot);
        Path manifest = fixturesDir.resolve(MANIFEST);
        String sha = sha256(Files.readAllBytes(manifest));
        return "Fixtures: " + rel + " (" + MANIFEST + " sha256 " + sha.substring(0, 8) + "…), check with `make"
                + " verify-fixtures DIR=" + rel + "`";
    }

    /**
     * Everything that keeps the table from being a true claim: no cases, failed cases (each with
     * its file and message), a missing manifest, fixtures the manifest does not list or whose
     * sums differ, files the manifest lists that are gone. Empty when the validation holds.
     */
    public static List<String> problems(Path fixturesDir, List<CaseResult> results) throws IOException {
        List<String> problems = new ArrayList<>();
        if (results.isEmpty()) {
            problems.add("no fixture cases in " + fixturesDir + ": export them with `make fixtures`");
            return problems;
        }
        long failed = results.stream().filter(r -> !r.passed()).count();
        if (failed > 0) {
            problems.add(failed + " of " + results.size() + " fixture cases failed:");
            for (CaseResult r : results) {
                if (!r.passed()) {
                    problems.add("  " + r.file() + ": " + r.op() + " " + r.args() + ": " + r.message());
                }
            }
        }
        problems.addAll(manifestProblems(fixturesDir, results));
        return problems;
    }

    private static List<String> manifestProblems(Path fixturesDir, List<CaseResult> results) throws IOException {
        List<String> problems = new ArrayList<>();
        Path manifest = fixturesDir.resolve(MANIFEST);
        if (!Files.isRegularFile(manifest)) {
            problems.add("no " + MANIFEST + " in " + fixturesDir + ": the validation table cites it; regenerate the"
                    + " fixtures and their manifest with `make fixtures`");
            return problems;
        }
        Map<String, String> listed = new LinkedHashMap<>();
        for (String line : Files.readAllLines(manifest, StandardCharsets.UTF_8)) {
            if (line.isBlank()) {
                continue;
            }
            String[] parts = line.strip().split("\\s+\\*?", 2);
            if (parts.length != 2 || !parts[0].matches("[0-9a-fA-F]{64}")) {
                problems.add(manifest + ": malformed line (expected `<sha256>  <file>`): " + line);
                continue;
            }
            listed.put(parts[1], parts[0].toLowerCase(Locale.ROOT));
        }
        TreeSet<String> verified = new TreeSet<>();
        for (CaseResult r : results) {
            Path f = r.file();
            if (f == null || !Files.isRegularFile(f)) {
                continue;
            }
            String name = fixturesDir.toAbsolutePath().normalize().relativize(f.toAbsolutePath().normalize())
                    .toString().replace('\\', '/');
            verified.add(name);
            String want = listed.get(name);
            if (want == null) {
                problems.add(f + ": not listed in " + manifest + ": regenerate the manifest with `make fixtures`");
            } else if (!want.equals(sha256(Files.readAllBytes(f)))) {
                problems.add(f + ": sha256 differs from " + manifest + ": the fixture changed since it was exported;"
                        + " rerun `make fixtures`");
            }
        }
        for (String name : listed.keySet()) {
            if (!verified.contains(name)) {
                problems.add(fixturesDir.resolve(name) + ": listed in " + manifest + " but "
                        + (Files.exists(fixturesDir.resolve(name)) ? "not verified" : "missing"));
            }
        }
        return problems;
    }

    /** The op's tolerance as the engine defines it ({@link Tolerances}), else the values its cases report. */
    static String tolerance(Row r) {
        Tolerances.Tolerance t = Tolerances.of(r.op());
        if (t != null) {
            return "atol " + number(t.atol()) + ", rtol " + number(t.rtol());
        }
        List<String> tols = new ArrayList<>();
        for (double v : r.tolerances()) {
            tols.add(number(v));
        }
        return tols.isEmpty() ? "n/a" : String.join(", ", tols);
    }

    /** Three significant digits in scientific notation; 0 as "0"; NaN as "n/a". */
    static String number(double v) {
        if (Double.isNaN(v)) {
            return "n/a";
        }
        if (v == 0) {
            return "0";
        }
        return String.format(Locale.ROOT, "%.2e", v);
    }

    private static double max(double acc, double v) {
        if (Double.isNaN(v)) {
            return acc;
        }
        return Double.isNaN(acc) ? v : Math.max(acc, v);
    }

    static String relative(Path p, Path root) {
        Path abs = p.toAbsolutePath().normalize();
        Path r = root.toAbsolutePath().normalize();
        return (abs.startsWith(r) ? r.relativize(abs) : abs).toString().replace('\\', '/');
    }

    static String sha256(byte[] bytes) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
