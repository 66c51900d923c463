package unboxed.kit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import unboxed.io.Results;

class FilmstripTest {
    @TempDir
    Path root;
    Pinned pinned;

    @BeforeEach
    void pin() throws IOException {
        Path f = root.resolve("data/results/06-x/film.json");
        Results.write(f, "06-x", "film", ResultsTest.fixed(), Map.of("v", new double[] {1, 2}));
        pinned = Pinned.load(f, root);
    }

    private Filmstrip three() {
        double[] x = {0, 1, 2};
        return Filmstrip.of("film", "Three frames").columns(2).legend("target", "net")
                .frame("step 0", x, new double[] {0, 1, 0}, new double[] {0, 0, 0})
                .frame("step 10", x, new double[] {0, 1, 0}, new double[] {0, 0.5, 0}).marks(new double[] {1})
                .frame("step 20", x, new double[] {0, 1, 0}, new double[] {0, 1, 0}).from(pinned);
    }

    @Test
    void staticGridHasOnePanelPerFrameAndTheirCaptions() throws IOException {
        Path out = root.resolve("out");
        Path svg = three().save(out);
        String s = Files.readString(svg);
        assertTrue(s.startsWith("<svg xmlns"));
        assertEquals(3, count(s, "<rect x="), "one panel box per frame");
        assertTrue(s.contains(">step 10</text>") && s.contains(">kinks</text>"));
        String caption = Files.readString(out.resolve("figures/film.adoc"));
        assertTrue(caption.contains("image::figures/film.svg"));
        assertTrue(caption.contains("06-x"), "the caption cites the pinned results");
    }

    @Test
    void animationSwitchesEveryCurveAndCaptionThroughTheFrames() throws IOException {
        Path out = root.resolve("out");
        String s = Files.readString(three().saveAnimation(out, "film-animated", "Animated", 0.5));
        // reference, one curve, the marks: three animated paths, each with three frames
        assertEquals(3, count(s, "<animate attributeName=\"d\""));
        assertEquals(3, count(s, "<animate attributeName=\"visibility\""));
        assertTrue(s.contains("dur=\"1.50s\""));
        assertTrue(Files.exists(out.resolve("figures/film-animated.adoc")));
    }

    @Test
    void sameFramesSameBytes() {
        assertArrayEquals(three().svg().getBytes(), three().svg().getBytes());
    }

    @Test
    void refusesMismatchedCurvesAndFiguresWithoutSource() {
        Filmstrip f = Filmstrip.of("bad", "Bad");
        assertThrows(IllegalArgumentException.class, () -> f.frame("a", new double[] {0, 1}, null, new double[] {1}));
        assertThrows(IllegalArgumentException.class,
                () -> Filmstrip.of("nosource", "x").frame("a", new double[] {0, 1}, null).save(root));
    }

    private static int count(String s, String sub) {
        int n = 0;
        for (int i = s.indexOf(sub); i >= 0; i = s.indexOf(sub, i + 1)) {
            n++;
        }
        return n;
    }
}
