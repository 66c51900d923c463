package unboxed.kit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Color;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import unboxed.io.Results;
import unboxed.kit.ImageGrid.Scale;

class ImageGridTest {
    @TempDir
    Path root;
    Pinned pinned;

    @BeforeEach
    void pin() throws IOException {
        Path f = root.resolve("data/results/03-x/grid.json");
        Results.write(f, "03-x", "grid", ResultsTest.fixed(), Map.of("v", new double[] {1, 2}));
        pinned = Pinned.load(f, root);
    }

    private static double[][] ramp(int h, int w) {
        double[][] v = new double[h][w];
        for (int i = 0; i < h; i++) {
            for (int j = 0; j < w; j++) {
                v[i][j] = (double) (i * w + j) / (h * w - 1);
            }
        }
        return v;
    }

    Path draw(Path out) throws IOException {
        return ImageGrid.of("grid", "Two images and a kernel")
                .columns("first", "second")
                .row("images", 3, ImageGrid.panel(ramp(28, 28), Scale.gray(0, 1)),
                        ImageGrid.panel(ramp(14, 14), Scale.gray(0, 1)))
                .row("kernel", 20, ImageGrid.panel(new double[][] {{-1, 0}, {0, 2}}, Scale.diverging(2))
                        .numbers("%.1f", true).caption("w"))
                .from(pinned)
                .save(out);
    }

    @Test
    void writesTheSameBytesForTheSameValues() throws IOException {
        Path a = draw(root.resolve("a"));
        Path b = draw(root.resolve("b"));
        assertArrayEquals(Files.readAllBytes(a), Files.readAllBytes(b));
        String svg = Files.readString(a, StandardCharsets.UTF_8);
        assertTrue(svg.startsWith("<svg"), svg.substring(0, 40));
        // the images are embedded PNGs, the kernel is drawn cell by cell with its numbers (a zero left blank)
        assertEquals(2, svg.split("data:image/png;base64,", -1).length - 1);
        assertTrue(svg.contains(">-1.0</text>") && svg.contains(">2.0</text>") && !svg.contains(">0.0</text>"), svg);
        // the image row shares one scale and prints no numbers: it has a colour bar labelled with the scale's ends
        assertTrue(svg.contains(">1</text>") && svg.contains(">0</text>"));
        String caption = Files.readString(root.resolve("a/figures/grid.adoc"));
        assertTrue(caption.startsWith("[#fig-grid]\n.Two images and a kernel. " + pinned.citation() + "\n"), caption);
        assertTrue(caption.contains("image::figures/grid.svg["), caption);
    }

    @Test
    void coloursFollowTheScale() {
        assertEquals(Color.BLACK, Scale.gray(0, 1).colour(-5));
        assertEquals(Color.WHITE, Scale.gray(0, 1).colour(1));
        assertEquals(Color.WHITE, Scale.diverging(3).colour(0));
        assertEquals(new Color(0x0072B2), Scale.blues(0, 4).colour(4));
        assertEquals(new Color(0xD55E00), Scale.diverging(3).colour(3));
    }

    @Test
    void neverDrawsFromNothing() {
        assertThrows(IllegalArgumentException.class, () -> ImageGrid.of("g", "T")
                .row("", 4, ImageGrid.panel(ramp(2, 2), Scale.gray(0, 1))).save(root));  // no source
        assertThrows(IllegalStateException.class, () -> ImageGrid.of("g", "T").from(pinned).save(root));
        assertThrows(IllegalArgumentException.class, () -> ImageGrid.panel(new double[0][0], Scale.gray(0, 1)));
        assertThrows(IllegalArgumentException.class, () -> ImageGrid.panel(new double[][] {{1, 2}, {3}}, Scale.gray(0, 1)));
        assertThrows(IllegalArgumentException.class, () -> ImageGrid.panel(new double[][] {{Double.NaN}}, Scale.gray(0, 1)));
        assertThrows(IllegalArgumentException.class, () -> Scale.blues(1, 1));
        assertFalse(Files.exists(root.resolve("figures")));
    }

    @Test
    void scaleEndsAreShort() {
        assertEquals("0", ImageGrid.num(0));
        assertEquals("0.25", ImageGrid.num(0.25));
        assertEquals("9", ImageGrid.num(9));
        assertEquals("-1.5", ImageGrid.num(-1.5));
    }

    @Test
    void animationShowsOneFrameAtATimeInTurn() throws IOException {
        java.util.List<ImageGrid.Panel> frames = java.util.List.of(
                ImageGrid.panel(ramp(4, 4), Scale.gray(0, 1)).caption("step 0"),
                ImageGrid.panel(ramp(4, 4), Scale.gray(0, 1)).caption("step 10"),
                ImageGrid.panel(ramp(4, 4), Scale.gray(0, 1)).caption("step 20"));
        Path svg = ImageGrid.saveAnimation(root.resolve("out"), "film", "Three frames", frames, 4, 0.5,
                java.util.List.of(pinned));
        String s = Files.readString(svg);
        assertEquals(3, s.split("<animate attributeName=\"visibility\"", -1).length - 1, "one animation per frame");
        assertTrue(s.contains("dur=\"1.50s\""), "three frames of half a second");
        // the middle frame is visible from a third to two thirds of the loop
        assertTrue(s.contains("values=\"hidden;visible;hidden\" keyTimes=\"0;0.3333;0.6667\""), s);
        assertTrue(s.contains(">step 20<"));
        assertTrue(Files.readString(root.resolve("out/figures/film.adoc")).contains("03-x"));
        assertThrows(IllegalArgumentException.class, () -> ImageGrid.saveAnimation(root, "empty", "t",
                java.util.List.of(), 4, 0.5, java.util.List.of(pinned)));
    }
}
