package unboxed.kit;

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

class DashboardTest {
    @TempDir
    Path root;
    Pinned pinned;

    @BeforeEach
    void pin() throws IOException {
        Path f = root.resolve("data/results/07-x/run.json");
        Results.write(f, "07-x", "run", ResultsTest.fixed(), Map.of("v", new double[] {1, 2}));
        pinned = Pinned.load(f, root);
    }

    private static int count(String s, String what) {
        int n = 0;
        for (int i = s.indexOf(what); i >= 0; i = s.indexOf(what, i + 1)) {
            n++;
        }
        return n;
    }

    @Test
    void onePanelPerMeasureLinesDotsAndEventRules() throws IOException {
        double[] step = {0, 10, 20, 30};
        Path svg = Dashboard.of("dash", "A run").legend("layer 1", "layer 2").events(15)
                .panel("weight norm").line(0, step, new double[] {1, 2, 3, 4}).line(1, step, new double[] {2, 2, 2, 2})
                .panel("loss").logY().line(0, step, new double[] {1, 0.1, 0, 0.001})
                .panel("kinks").dots(new double[] {0, 10, 20}, new double[] {-1, 0, 1})
                .from(pinned).save(root.resolve("out"));
        String s = Files.readString(svg);
        assertEquals(3, count(s, "<rect x="), "one box per panel");
        assertTrue(s.contains(">loss (log)</text>") && s.contains(">layer 2</text>") && s.contains(">event</text>"));
        // the event at step 15 is a rule half-way across each of the three panels
        assertEquals(3, count(s, "stroke=\"#c9c9c9\"/>"));
        // the log panel's zero breaks its line: two pieces (M … L …, M …)
        String panel = s.substring(s.indexOf(">loss (log)<"), s.indexOf(">kinks<"));
        String colour = String.format("#%02x%02x%02x", Figures.PALETTE.get(0).getRed(), Figures.PALETTE.get(0).getGreen(),
                Figures.PALETTE.get(0).getBlue());
        String logLine = panel.substring(0, panel.indexOf("\" stroke=\"" + colour));
        logLine = logLine.substring(logLine.lastIndexOf("<path d=\""));
        assertEquals(2, count(logLine, "M"), logLine);
        assertTrue(Files.readString(root.resolve("out/figures/dash.adoc")).contains("07-x"));
    }

    @Test
    void longLinesAreThinned() {
        double[] x = new double[10_000];
        double[] y = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            x[i] = i;
            y[i] = Math.sin(i / 100.0);
        }
        String s = Dashboard.of("long", "long").panel("sin").line(0, x, y).svg();
        assertTrue(count(s, " L") <= Dashboard.MAX_POINTS, "at most " + Dashboard.MAX_POINTS + " points drawn");
        assertTrue(s.contains(">" + Filmstrip.Tick.of(9999) + "</text>"), "the x axis ends at the last step");
    }

    @Test
    void badInputIsNamed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Dashboard.of("bad", "bad").panel("p").line(0, new double[] {1, 2}, new double[] {1}));
        assertTrue(e.getMessage().contains("panel 'p'"), e.getMessage());
        assertThrows(IllegalStateException.class, () -> Dashboard.of("bad", "bad").line(0, new double[0], new double[0]));
        assertThrows(IllegalArgumentException.class, () -> Dashboard.of("bad", "bad").save(root));
    }
}
