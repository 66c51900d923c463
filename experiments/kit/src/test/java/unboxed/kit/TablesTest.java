package unboxed.kit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TablesTest {
    @TempDir
    Path out;

    @Test
    void writesAnAsciiDocPartialWithTheCitationInItsCaption() throws IOException {
        Path f = Tables.write(out, "final-loss", "Final loss by loss function",
                List.of("loss", "final value", "steps"),
                List.of(List.of("MSE", "0.0213", 400), List.of("cross|entropy", "0.0071", 400)),
                "Source: data/results/01-basics/x.json (sha256 1a2b3c4d…), regenerate with `make experiments POST=01-basics`");
        assertEquals(out.resolve("tables/final-loss.adoc"), f);
        assertEquals("""
                [#tab-final-loss,cols="1,>1,>1",options="header,autowidth",role="stretch"]
                .Final loss by loss function. Source: data/results/01-basics/x.json (sha256 1a2b3c4d…), regenerate with `make experiments POST=01-basics`
                |===
                |loss |final value |steps

                |MSE |0.0213 |400
                |cross\\|entropy |0.0071 |400
                |===
                """, Files.readString(f));
    }

    @Test
    void refusesTablesThatCannotBeRight() {
        assertThrows(IllegalArgumentException.class, () -> Tables.render("t", "T", List.of("a", "b"),
                List.of(List.of("only one")), "Source: x"));
        assertThrows(IllegalArgumentException.class, () -> Tables.render("t", "T", List.of("a"), List.of(), "Source: x"));
        assertThrows(IllegalArgumentException.class, () -> Tables.render("t", "T", List.of("a"), List.of(List.of(1)), " "));
        assertThrows(IllegalArgumentException.class, () -> Tables.render("Bad Name", "T", List.of("a"),
                List.of(List.of(1)), "Source: x"));
        assertThrows(IllegalArgumentException.class, () -> Tables.write(out, "t", "T", List.of("a"),
                List.of(List.of(1)), List.of()));
    }
}
