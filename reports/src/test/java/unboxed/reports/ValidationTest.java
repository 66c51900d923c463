package unboxed.reports;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import unboxed.fixtures.CaseResult;
import unboxed.fixtures.Tolerances;

class ValidationTest {
    @TempDir
    Path root;

    static CaseResult ok(String file, String op, double abs, double rel, double tol) {
        return new CaseResult(Path.of(file), op, "{}", abs, rel, tol, true, "out");
    }

    @Test
    void oneRowPerOpWithTheLargestErrorsAndTheVerdict() {
        List<CaseResult> cases = List.of(
                ok("a", "relu", 0, 0, 0),
                ok("b", "linear", 1e-7, 2e-6, 1e-5),
                ok("c", "linear", 3e-7, 1e-6, 1e-5),
                new CaseResult(Path.of("d"), "linear", "{}", 2e-3, 5e-2, 1e-5, false, "out differs"),
                new CaseResult(Path.of("e"), "?", "", Double.NaN, Double.NaN, Double.NaN, false, "e: malformed header"));
        List<Validation.Row> rows = Validation.summarize(cases);
        assertEquals(List.of("?", "linear", "relu"), rows.stream().map(Validation.Row::op).toList());
        Validation.Row linear = rows.get(1);
        assertEquals(3, linear.cases());
        assertEquals(2e-3, linear.maxAbsError());
        assertEquals(5e-2, linear.maxRelError());
        assertEquals("FAIL 1 of 3", linear.verdict());
        assertEquals("PASS", rows.get(2).verdict());
        assertTrue(Double.isNaN(rows.get(0).maxAbsError()));
        assertEquals(List.of(), rows.get(0).tolerances());
    }

    @Test
    void writesTheTableWithTheFixturesCitation() throws IOException {
        Path fixtures = Files.createDirectories(root.resolve("data/fixtures/01-basics"));
        Files.writeString(fixtures.resolve("SHA256SUMS"), "");
        String sha = Validation.sha256(new byte[0]);
        Path f = Validation.write(root.resolve("out"), fixtures, root, List.of(
                ok("a", "not_an_op", 0, 0, 0.25), ok("b", "linear", 1.25e-7, 2e-6, 1e-5), ok("c", "linear", 3e-7, 1e-6, 1e-5)));
        assertEquals(root.resolve("out/tables/validation.adoc"), f);
        Tolerances.Tolerance linear = Tolerances.of("linear");
        assertEquals("""
                [#tab-validation,cols="1,>1,>1,>1,1,1",options="header,autowidth",role="stretch"]
                .Validation against PyTorch: each op's fixture cases, the largest error seen and the op's tolerance \
                (a value passes when |ours − torch| ≤ atol + rtol·|torch|, the rule of torch.allclose). \
                Fixtures: data/fixtures/01-basics (SHA256SUMS sha256 %s…), check with \
                `make verify-fixtures DIR=data/fixtures/01-basics`
                |===
                |op |cases |largest abs. error |largest rel. error |tolerance |verdict

                |linear |2 |3.00e-07 |2.00e-06 |atol %s, rtol %s |PASS
                |not_an_op |1 |0 |0 |2.50e-01 |PASS
                |===
                """.formatted(sha.substring(0, 8), Validation.number(linear.atol()), Validation.number(linear.rtol())),
                Files.readString(f));
    }

    @Test
    void problemsListFailuresAndManifestFaults() throws IOException {
        Path fixtures = Files.createDirectories(root.resolve("fx"));
        Path a = Files.writeString(fixtures.resolve("a.safetensors"), "a");
        Path b = Files.writeString(fixtures.resolve("b.safetensors"), "b");
        List<CaseResult> cases = List.of(
                new CaseResult(a, "relu", "{}", 0, 0, 0, true, "out"),
                new CaseResult(b, "relu", "{}", 1, 1, 0, false, b + ": out differs"));
        List<String> p = Validation.problems(fixtures, cases);
        assertTrue(p.get(0).equals("1 of 2 fixture cases failed:"), p.toString());
        assertTrue(p.get(1).contains(b.toString()), p.toString());
        assertTrue(p.stream().anyMatch(s -> s.contains("no SHA256SUMS")), p.toString());

        Files.writeString(fixtures.resolve("SHA256SUMS"), Validation.sha256("a".getBytes()) + "  a.safetensors\n"
                + Validation.sha256("x".getBytes()) + "  gone.safetensors\n");
        p = Validation.problems(fixtures, List.of(cases.get(0), new CaseResult(b, "relu", "{}", 0, 0, 0, true, "")));
        assertTrue(p.stream().anyMatch(s -> s.contains("b.safetensors: not listed")), p.toString());
        assertTrue(p.stream().anyMatch(s -> s.contains("gone.safetensors: listed in") && s.endsWith("missing")), p.toString());
        assertEquals(1 + 1, p.size(), p.toString());

        assertEquals(List.of("no fixture cases in " + fixtures + ": export them with `make fixtures`"),
                Validation.problems(fixtures, List.of()));
        assertThrows(IllegalArgumentException.class, () -> Validation.write(root, fixtures, root, List.of()));
    }
}
