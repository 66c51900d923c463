package unboxed.kit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import unboxed.io.Results;

class FiguresTest {
    @TempDir
    Path root;
    Pinned pinned;

    @BeforeEach
    void pin() throws IOException {
        Path f = root.resolve("data/results/01-basics/curves.json");
        Results.write(f, "01-basics", "curves", ResultsTest.fixed(), Map.of("loss", new double[] {2.0, 1.0, 0.5, 0.3}));
        pinned = Pinned.load(f, root);
    }

    Path draw(Path out) throws IOException {
        double[] x = {1, 2, 3, 4};
        return Figures.line("learning-curves", "Training loss")
                .axes("step", "loss").logY()
                .line("SGD", x, pinned.doubles("/loss"))
                .seeds("Adam", x, new double[][] {{1.5, 0.8, 0.4, 0.2}, {1.7, 0.9, 0.5, 0.25}})
                .from(pinned)
                .save(out);
    }

    @Test
    void writesAnSvgThatIsByteIdenticalAcrossRuns() throws IOException {
        Path a = draw(root.resolve("a"));
        Path b = draw(root.resolve("b"));
        assertEquals(root.resolve("a/figures/learning-curves.svg"), a);
        byte[] svg = Files.readAllBytes(a);
        assertArrayEquals(svg, Files.readAllBytes(b));
        String text = new String(svg, StandardCharsets.UTF_8);
        assertTrue(text.contains("<svg"), text.substring(0, Math.min(200, text.length())));
        assertTrue(svg.length > 1000);
    }

    @Test
    void writesACaptionPartialCitingTheSource() throws IOException {
        draw(root.resolve("out"));
        String caption = Files.readString(root.resolve("out/figures/learning-curves.adoc"));
        assertEquals("[#fig-learning-curves]\n"
                + ".Training loss. " + pinned.citation() + "\n"
                + "image::figures/learning-curves.svg[\"Training loss\",width=720]\n", caption);
    }

    @Test
    void aSeriesKeepsItsColourWhenAnotherFigureLeavesSeriesOut() {
        double[] x = {1, 2};
        double[] y = {1, 2};
        List<String> order = List.of("first", "second", "third");
        org.knowm.xchart.XYChart all = Figures.line("all", "T").colours(order).line("first", x, y)
                .line("second", x, y).line("third", x, y).from(pinned).chart();
        org.knowm.xchart.XYChart some = Figures.line("some", "T").colours(order).line("first", x, y)
                .line("third", x, y).from(pinned).chart();
        assertEquals(all.getSeriesMap().get("third").getLineColor(), some.getSeriesMap().get("third").getLineColor());
        assertEquals(Figures.PALETTE.get(2), some.getSeriesMap().get("third").getLineColor());
        // without a fixed order, colours follow the series' position
        org.knowm.xchart.XYChart plain = Figures.line("plain", "T").line("first", x, y).line("third", x, y)
                .from(pinned).chart();
        assertEquals(Figures.PALETTE.get(1), plain.getSeriesMap().get("third").getLineColor());
    }

    @Test
    void neverDrawsFromNothing() {
        double[] x = {1, 2};
        assertThrows(IllegalArgumentException.class, () -> Figures.line("f", "T").line("a", x, new double[] {1, 2})
                .save(root));  // no source
        assertThrows(IllegalArgumentException.class, () -> Figures.line("f", "T").line("a", new double[0], new double[0]));
        assertThrows(IllegalArgumentException.class, () -> Figures.line("f", "T").line("a", x, new double[] {1}));
        assertThrows(IllegalArgumentException.class, () -> Figures.line("f", "T").line("a", x, new double[] {1, Double.NaN}));
        assertThrows(IllegalStateException.class, () -> Figures.line("f", "T").from(pinned).save(root));
        assertThrows(IllegalArgumentException.class, () -> Figures.line("f", "T").logY()
                .line("a", x, new double[] {1, 0}).from(pinned).save(root));
        assertFalse(Files.exists(root.resolve("figures")));
    }

    @Test
    void dashedLinesAreDrawnDashedInTheirMeasuredCurvesColour() throws IOException {
        double[] x = {1, 2, 3, 4};
        Path svg = Figures.line("theory-overlay", "Measured and predicted")
                .axes("layer", "std").colours(List.of("He"))
                .line("He", x, pinned.doubles("/loss"))
                .dashed("He (theory)", x, new double[] {2.0, 1.0, 0.5, 0.25})
                .from(pinned).save(root.resolve("dashed"));
        String plain = Files.readString(Figures.line("theory-overlay", "Measured and predicted")
                .axes("layer", "std").colours(List.of("He"))
                .line("He", x, pinned.doubles("/loss"))
                .line("He (theory)", x, new double[] {2.0, 1.0, 0.5, 0.25})
                .from(pinned).save(root.resolve("plain")));
        String text = Files.readString(svg);
        assertTrue(count(text, "dasharray:6,4") > 0 && count(plain, "dasharray:6,4") == 0,
                "the theory curve (and its legend entry) are dashed");
    }

    @Test
    void pointsCarryTheirRangesAsSegmentsOutsideTheLegendOnLogLogAxes() throws IOException {
        double[] x = {1e2, 1e6};
        double[] y = {1e3, 1e9};
        org.knowm.xchart.XYChart chart = Figures.line("log-log", "Brains and chips").axes("watts", "ops/s")
                .logX().logY()
                .points("brains", x, y, null, null, new double[] {5e2, 1e9}, new double[] {2e3, 1e9})
                .points("chips", new double[] {3e2}, new double[] {1e13}, new double[] {2e2}, new double[] {4e2},
                        null, null)
                .label("human", 20, 1e14)
                .from(pinned).chart();
        var series = chart.getSeriesMap();
        // one segment for the first brain (the second has no spread), one across for the chip
        assertEquals(4, series.size(), series.keySet().toString());
        assertFalse(series.get("brains [y range 0]").isShowInLegend());
        assertTrue(series.get("brains").isShowInLegend());
        assertEquals(org.knowm.xchart.XYSeries.XYSeriesRenderStyle.Scatter, series.get("chips").getXYSeriesRenderStyle());
        assertFalse(series.get("brains").getMarker().getClass().equals(series.get("chips").getMarker().getClass()),
                "each point series has its own marker shape");
        assertTrue(chart.getStyler().isXAxisLogarithmic() && chart.getStyler().isYAxisLogarithmic());

        Path labelled = Figures.line("labelled", "T").logX().logY().points("brains", x, y).label("human", 20, 1e14)
                .from(pinned).save(root.resolve("labelled"));
        Path plain = Figures.line("labelled", "T").logX().logY().points("brains", x, y)
                .from(pinned).save(root.resolve("plain"));
        assertFalse(java.util.Arrays.equals(Files.readAllBytes(labelled), Files.readAllBytes(plain)), "the label is drawn");
        assertArrayEquals(Files.readAllBytes(plain), Files.readAllBytes(Figures.line("labelled", "T").logX().logY()
                .points("brains", x, y).from(pinned).save(root.resolve("again"))), "deterministic");
    }

    @Test
    void pointsRefuseWhatALogAxisCannotShow() {
        double[] x = {1, 2};
        double[] y = {1, 2};
        assertThrows(IllegalArgumentException.class, () -> Figures.line("f", "T").logY()
                .points("a", x, y, null, null, new double[] {0, 1}, new double[] {1, 3}).from(pinned).chart());
        assertThrows(IllegalArgumentException.class, () -> Figures.line("f", "T").logX()
                .points("a", x, y).label("at zero", 0, 1).from(pinned).chart());
        assertThrows(IllegalArgumentException.class, () -> Figures.line("f", "T")
                .points("a", x, y, new double[] {1, 2}, null, null, null));
        assertThrows(IllegalArgumentException.class, () -> Figures.line("f", "T")
                .points("a", x, y, null, null, new double[] {1}, new double[] {2}));
    }

    @Test
    void logAxesOverManyDecadesDropTheirGridAndWritePowersOfTen() {
        org.knowm.xchart.XYChart wide = Figures.line("wide", "T").logX().logY()
                .points("a", new double[] {1e2, 1e11}, new double[] {1e4, 1e15}).from(pinned).chart();
        assertFalse(wide.getStyler().isPlotGridVerticalLinesVisible() || wide.getStyler().isPlotGridHorizontalLinesVisible());
        assertEquals("0E0", wide.getStyler().getXAxisDecimalPattern());
        org.knowm.xchart.XYChart narrow = Figures.line("narrow", "T").logX().logY()
                .line("a", new double[] {1, 1024}, new double[] {0.5, 2}).from(pinned).chart();
        assertTrue(narrow.getStyler().isPlotGridVerticalLinesVisible() && narrow.getStyler().isPlotGridHorizontalLinesVisible());
        assertEquals("0.###", narrow.getStyler().getXAxisDecimalPattern());
    }

    private static int count(String text, String what) {
        return text.split(java.util.regex.Pattern.quote(what), -1).length - 1;
    }

    /** Small rates on a log axis need more decimals than the default pattern prints (1e-5 would read "0"). */
    @Test
    void theXPatternReachesTheAxisAndABadOneIsRefused() {
        double[] x = {1e-5, 1e-3, 0.1};
        var chart = Figures.line("rates", "Rates").logX().xPattern("0.#####").line("loss", x, new double[] {3, 2, 1})
                .from(pinned).chart();
        assertEquals("0.#####", chart.getStyler().getXAxisDecimalPattern());
        assertThrows(IllegalArgumentException.class, () -> Figures.line("rates", "Rates").xPattern("0.#.#,##0"));
    }
}
