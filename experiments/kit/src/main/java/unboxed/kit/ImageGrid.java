package unboxed.kit;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import javax.imageio.ImageIO;
import unboxed.io.AtomicFiles;

/**
 * Heat maps and images side by side, drawn from pinned results: a grid of panels, one
 * {@code double[rows][cols]} each, saved as SVG with the same caption partial as {@link Figures}.
 *
 * <pre>{@code
 * ImageGrid.of("receptive-field", "Which input pixels one output reads")
 *         .columns("stride 1", "stride 2")
 *         .row("gradient", 16, ImageGrid.panel(grad1, Scale.blues(0, 9)).numbers("%.0f", true),
 *                              ImageGrid.panel(grad2, Scale.blues(0, 9)).numbers("%.0f", true))
 *         .from(pinned)
 *         .save(outDir);
 * }</pre>
 *
 * <p>Why not XChart's heat map: a page embeds its figures, and a 28x28 image drawn as one SVG
 * rectangle per pixel costs kilobytes per image; a grid of images costs megabytes. Here a panel
 * without numbers is one embedded PNG (each value a square of {@code cellPx} pixels, so no
 * browser smoothing blurs it), and a panel with numbers, which is small by nature, is drawn
 * cell by cell with each value written in its cell, so that a reader can check it exactly.
 *
 * <p>Deterministic: the same values give the same bytes. Nothing is drawn from nothing: a grid
 * without a source or without panels, an empty, ragged or non-finite panel, or a scale with
 * {@code lo >= hi} throws.
 */
public final class ImageGrid {
    private static final int GAP = 10;
    private static final int FONT = 12;
    private static final int TITLE_H = 18;
    private static final int BAR_W = 12;

    private final String name;
    private final String title;
    private final List<String> columns = new ArrayList<>();
    private final List<Row> rows = new ArrayList<>();
    private final List<Pinned> sources = new ArrayList<>();

    /** How values map to colours: {@code lo} and {@code hi} are the ends of the scale; values beyond are clipped. */
    public record Scale(Kind kind, double lo, double hi) {
        /** The colour maps. */
        public enum Kind {
            /** black (lo) to white (hi): images, as their pixels are. */
            GRAY,
            /** white (lo) to blue (hi): counts and magnitudes. */
            BLUES,
            /** blue (lo), white (middle), red (hi): signed values such as kernels. */
            DIVERGING
        }

        public Scale {
            Objects.requireNonNull(kind, "kind");
            if (!(lo < hi) || !Double.isFinite(lo) || !Double.isFinite(hi)) {
                throw new IllegalArgumentException("colour scale: need finite lo < hi, got " + lo + ", " + hi);
            }
        }

        public static Scale gray(double lo, double hi) {
            return new Scale(Kind.GRAY, lo, hi);
        }

        public static Scale blues(double lo, double hi) {
            return new Scale(Kind.BLUES, lo, hi);
        }

        /** Symmetric about zero, from -absMax to absMax (white is 0). */
        public static Scale diverging(double absMax) {
            return new Scale(Kind.DIVERGING, -absMax, absMax);
        }

        /** The colour of a value, clipped to the scale. */
        public Color colour(double v) {
            double t = Math.max(0, Math.min(1, (v - lo) / (hi - lo)));
            switch (kind) {
                case GRAY: {
                    int g = (int) Math.round(255 * t);
                    return new Color(g, g, g);
                }
                case BLUES:
                    return mix(Color.WHITE, new Color(0x0072B2), t);
                default:
                    return t < 0.5 ? mix(new Color(0x0072B2), Color.WHITE, 2 * t)
                            : mix(Color.WHITE, new Color(0xD55E00), 2 * t - 1);
            }
        }

        private static Color mix(Color a, Color b, double t) {
            return new Color((int) Math.round(a.getRed() + t * (b.getRed() - a.getRed())),
                    (int) Math.round(a.getGreen() + t * (b.getGreen() - a.getGreen())),
                    (int) Math.round(a.getBlue() + t * (b.getBlue() - a.getBlue())));
        }
    }

    /** One panel: its values (row-major, {@code values[row][col]}), its scale and, optionally, the numbers in its cells. */
    public static final class Panel {
        private final double[][] values;
        private final Scale scale;
        private String caption = "";
        private String format;
        private boolean blankZeros;

        private Panel(double[][] values, Scale scale) {
            this.values = check(values);
            this.scale = Objects.requireNonNull(scale, "scale");
        }

        /** A line of text above the panel. */
        public Panel caption(String text) {
            this.caption = Objects.requireNonNull(text, "caption");
            return this;
        }

        /**
         * Writes each value in its cell with {@code format} ({@link String#format}, root locale), leaving
         * the cells whose value is exactly 0 blank when {@code blankZeros}.
         */
        public Panel numbers(String format, boolean blankZeros) {
            this.format = Objects.requireNonNull(format, "format");
            this.blankZeros = blankZeros;
            return this;
        }

        int height() {
            return values.length;
        }

        int width() {
            return values[0].length;
        }

        private static double[][] check(double[][] v) {
            if (v == null || v.length == 0 || v[0] == null || v[0].length == 0) {
                throw new IllegalArgumentException("panel: no values to draw");
            }
            for (int r = 0; r < v.length; r++) {
                if (v[r] == null || v[r].length != v[0].length) {
                    throw new IllegalArgumentException("panel: row " + r + " has " + (v[r] == null ? 0 : v[r].length)
                            + " values, row 0 has " + v[0].length);
                }
                for (int c = 0; c < v[r].length; c++) {
                    if (!Double.isFinite(v[r][c])) {
                        throw new IllegalArgumentException("panel: value at (" + r + ", " + c + ") is " + v[r][c]);
                    }
                }
            }
            return v;
        }
    }

    private record Row(String label, int cellPx, List<Panel> panels) {
    }

    private ImageGrid(String name, String title) {
        this.name = Figures.checkName(name);
        this.title = Objects.requireNonNull(title, "title");
    }

    /** A grid named {@code name} (lower-case letters, digits, dashes) with a title. */
    public static ImageGrid of(String name, String title) {
        return new ImageGrid(name, title);
    }

    /** A panel of values on a colour scale. */
    public static Panel panel(double[][] values, Scale scale) {
        return new Panel(values, scale);
    }

    /** Titles over the columns of panels, left to right. */
    public ImageGrid columns(String... titles) {
        columns.clear();
        columns.addAll(List.of(titles));
        return this;
    }

    /**
     * A row of panels, each cell drawn {@code cellPx} pixels square, with a label on its left (may be
     * empty). When every panel of the row shares one scale and writes no numbers, a colour bar with
     * the scale's ends is drawn on the row's right.
     */
    public ImageGrid row(String label, int cellPx, Panel... panels) {
        if (panels.length == 0) {
            throw new IllegalArgumentException("figure " + name + ": a row without panels");
        }
        if (cellPx < 1) {
            throw new IllegalArgumentException("figure " + name + ": cell size " + cellPx + " px");
        }
        rows.add(new Row(label == null ? "" : label, cellPx, List.of(panels)));
        return this;
    }

    /** The pinned results this figure is drawn from (at least one is required). */
    public ImageGrid from(Pinned... pinned) {
        sources.addAll(List.of(pinned));
        return this;
    }

    /** Writes {@code outDir/figures/<name>.svg} and its caption partial; returns the SVG. */
    public Path save(Path outDir) throws IOException {
        if (sources.isEmpty()) {
            throw new IllegalArgumentException("figure " + name + ": no source given; every figure must cite the"
                    + " pinned results it is drawn from");
        }
        byte[] svg = svg().getBytes(StandardCharsets.UTF_8);
        Path dir = outDir.resolve("figures");
        Path file = dir.resolve(name + ".svg");
        AtomicFiles.write(file, svg);
        AtomicFiles.write(dir.resolve(name + ".adoc"),
                Figures.caption(name, title, Pinned.citation(sources), width()).getBytes(StandardCharsets.UTF_8));
        return file;
    }

    // ------------------------------------------------------------------ layout

    private int columnCount() {
        int n = columns.size();
        for (Row r : rows) {
            n = Math.max(n, r.panels.size());
        }
        return n;
    }

    private int[] columnWidths() {
        int[] w = new int[columnCount()];
        for (Row r : rows) {
            for (int c = 0; c < r.panels.size(); c++) {
                w[c] = Math.max(w[c], r.panels.get(c).width() * r.cellPx);
            }
        }
        for (int c = 0; c < columns.size(); c++) {
            w[c] = Math.max(w[c], textWidth(columns.get(c)));
        }
        return w;
    }

    private int labelWidth() {
        int w = 0;
        for (Row r : rows) {
            w = Math.max(w, textWidth(r.label));
        }
        return w == 0 ? 0 : w + GAP;
    }

    private boolean hasBar(Row r) {
        Scale s = r.panels.get(0).scale;
        for (Panel p : r.panels) {
            if (p.format != null || !p.scale.equals(s)) {
                return false;
            }
        }
        return true;
    }

    private int barWidth() {
        int w = 0;
        for (Row r : rows) {
            if (hasBar(r)) {
                Scale s = r.panels.get(0).scale;
                w = Math.max(w, GAP + BAR_W + 4 + Math.max(textWidth(num(s.lo)), textWidth(num(s.hi))));
            }
        }
        return w;
    }

    private boolean anyCaptions(Row r) {
        return r.panels.stream().anyMatch(p -> !p.caption.isEmpty());
    }

    private int rowHeight(Row r) {
        int h = 0;
        for (Panel p : r.panels) {
            h = Math.max(h, p.height() * r.cellPx);
        }
        return h + (anyCaptions(r) ? TITLE_H : 0);
    }

    int width() {
        int w = GAP + labelWidth() + barWidth() + GAP;
        for (int cw : columnWidths()) {
            w += cw + GAP;
        }
        return w;
    }

    private int height() {
        int h = GAP + (columns.isEmpty() ? 0 : TITLE_H);
        for (Row r : rows) {
            h += rowHeight(r) + GAP;
        }
        return h + GAP;
    }

    /** A rough width of a text in the figure's font: enough for layout, no font metrics needed (deterministic). */
    static int textWidth(String s) {
        return (int) Math.ceil(s.length() * FONT * 0.6);
    }

    // ------------------------------------------------------------------ drawing

    String svg() throws IOException {
        if (rows.isEmpty()) {
            throw new IllegalStateException("figure " + name + ": no panels to draw");
        }
        int[] cw = columnWidths();
        int left = GAP + labelWidth();
        StringBuilder s = new StringBuilder();
        s.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(width()).append("\" height=\"")
                .append(height()).append("\" viewBox=\"0 0 ").append(width()).append(' ').append(height())
                .append("\" font-family=\"sans-serif\" font-size=\"").append(FONT).append("\">\n");
        s.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        int y = GAP;
        if (!columns.isEmpty()) {
            int x = left;
            for (int c = 0; c < columns.size(); c++) {
                text(s, x + cw[c] / 2, y + FONT, "middle", columns.get(c), "#000000");
                x += cw[c] + GAP;
            }
            y += TITLE_H;
        }
        for (Row r : rows) {
            int top = y + (anyCaptions(r) ? TITLE_H : 0);
            int rh = rowHeight(r) - (anyCaptions(r) ? TITLE_H : 0);
            if (!r.label.isEmpty()) {
                text(s, GAP, top + rh / 2 + FONT / 2, "start", r.label, "#000000");
            }
            int x = left;
            for (int c = 0; c < r.panels.size(); c++) {
                Panel p = r.panels.get(c);
                int pw = p.width() * r.cellPx;
                int px = x + (cw[c] - pw) / 2;
                if (!p.caption.isEmpty()) {
                    text(s, x + cw[c] / 2, y + FONT, "middle", p.caption, "#000000");
                }
                if (p.format == null) {
                    raster(s, p, px, top, r.cellPx);
                } else {
                    cells(s, p, px, top, r.cellPx);
                }
                s.append("<rect x=\"").append(px).append("\" y=\"").append(top).append("\" width=\"").append(pw)
                        .append("\" height=\"").append(p.height() * r.cellPx)
                        .append("\" fill=\"none\" stroke=\"#888888\" stroke-width=\"0.5\"/>\n");
                x += cw[c] + GAP;
            }
            if (hasBar(r)) {
                int bx = left;
                for (int w : cw) {
                    bx += w + GAP;
                }
                bar(s, r.panels.get(0).scale, bx, top, Math.max(rh, 3 * FONT));
            }
            y += rowHeight(r) + GAP;
        }
        s.append("</svg>\n");
        return s.toString();
    }

    /**
     * Frames played one after the other, {@code seconds} each, looping: an animated SVG (SMIL
     * {@code <animate>} of each frame's visibility, discrete, which browsers play inside an image),
     * for a reader who would rather watch an image change than read a filmstrip of it. Each frame is
     * one embedded PNG with its caption above it. Writes {@code outDir/figures/<name>.svg} and its
     * caption partial; returns the SVG.
     */
    public static Path saveAnimation(Path outDir, String name, String title, List<Panel> frames, int cellPx,
                                     double seconds, List<Pinned> sources) throws IOException {
        Figures.checkName(name);
        if (frames.isEmpty()) {
            throw new IllegalArgumentException("animation " + name + ": no frames");
        }
        if (sources == null || sources.isEmpty()) {
            throw new IllegalArgumentException("figure " + name + ": no source given; every figure must cite the"
                    + " pinned results it is drawn from");
        }
        if (!(seconds > 0) || cellPx < 1) {
            throw new IllegalArgumentException("animation " + name + ": need seconds > 0 and cellPx >= 1, got "
                    + seconds + " and " + cellPx);
        }
        int w = 0;
        int h = 0;
        for (Panel p : frames) {
            w = Math.max(w, p.width() * cellPx);
            h = Math.max(h, p.height() * cellPx);
        }
        int width = Math.max(w, textWidth(title.length() > 60 ? title.substring(0, 60) : title)) + 2 * GAP;
        int height = h + TITLE_H + 2 * GAP;
        int n = frames.size();
        String dur = String.format(Locale.ROOT, "%.2fs", seconds * n);
        StringBuilder s = new StringBuilder();
        s.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(width).append("\" height=\"")
                .append(height).append("\" viewBox=\"0 0 ").append(width).append(' ').append(height)
                .append("\" font-family=\"sans-serif\" font-size=\"").append(FONT).append("\">\n");
        s.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        for (int k = 0; k < n; k++) {
            String values = k == 0 ? "visible;hidden" : "hidden;visible" + (k + 1 < n ? ";hidden" : "");
            String times = k == 0 ? "0;" + frac(1, n) : "0;" + frac(k, n) + (k + 1 < n ? ";" + frac(k + 1, n) : "");
            s.append("<g visibility=\"").append(k == 0 ? "visible" : "hidden").append("\">")
                    .append("<animate attributeName=\"visibility\" calcMode=\"discrete\" dur=\"").append(dur)
                    .append("\" repeatCount=\"indefinite\" values=\"").append(values).append("\" keyTimes=\"")
                    .append(times).append("\"/>\n");
            text(s, GAP, GAP + FONT, "start", frames.get(k).caption, "#000000");
            raster(s, frames.get(k), GAP, GAP + TITLE_H, cellPx);
            s.append("</g>\n");
        }
        s.append("</svg>\n");
        Path dir = outDir.resolve("figures");
        Path file = dir.resolve(name + ".svg");
        AtomicFiles.write(file, s.toString().getBytes(StandardCharsets.UTF_8));
        AtomicFiles.write(dir.resolve(name + ".adoc"),
                Figures.caption(name, title, Pinned.citation(sources), width).getBytes(StandardCharsets.UTF_8));
        return file;
    }

    private static String frac(int a, int b) {
        return String.format(Locale.ROOT, "%.4f", (double) a / b);
    }

    /** A panel as one PNG, each value a cellPx-square block (so that no viewer has to scale it). */
    private static void raster(StringBuilder s, Panel p, int x, int y, int cellPx) throws IOException {
        BufferedImage img = new BufferedImage(p.width() * cellPx, p.height() * cellPx, BufferedImage.TYPE_INT_RGB);
        for (int r = 0; r < p.height(); r++) {
            for (int c = 0; c < p.width(); c++) {
                int rgb = p.scale.colour(p.values[r][c]).getRGB();
                for (int i = 0; i < cellPx; i++) {
                    for (int j = 0; j < cellPx; j++) {
                        img.setRGB(c * cellPx + j, r * cellPx + i, rgb);
                    }
                }
            }
        }
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        ImageIO.write(img, "png", png);
        s.append("<image x=\"").append(x).append("\" y=\"").append(y).append("\" width=\"").append(img.getWidth())
                .append("\" height=\"").append(img.getHeight())
                .append("\" style=\"image-rendering:pixelated\" href=\"data:image/png;base64,")
                .append(Base64.getEncoder().encodeToString(png.toByteArray())).append("\"/>\n");
    }

    /** A panel cell by cell, each value written in its cell (black or white, whichever reads on the colour). */
    private static void cells(StringBuilder s, Panel p, int x, int y, int cellPx) {
        int fontPx = Math.max(6, Math.min(FONT, (int) (cellPx * 0.45)));
        for (int r = 0; r < p.height(); r++) {
            for (int c = 0; c < p.width(); c++) {
                double v = p.values[r][c];
                Color col = p.scale.colour(v);
                int cx = x + c * cellPx;
                int cy = y + r * cellPx;
                s.append("<rect x=\"").append(cx).append("\" y=\"").append(cy).append("\" width=\"").append(cellPx)
                        .append("\" height=\"").append(cellPx).append("\" fill=\"").append(hex(col)).append("\"/>");
                if (!(p.blankZeros && v == 0)) {
                    double lum = 0.299 * col.getRed() + 0.587 * col.getGreen() + 0.114 * col.getBlue();
                    s.append("<text x=\"").append(cx + cellPx / 2).append("\" y=\"").append(cy + cellPx / 2 + fontPx / 3)
                            .append("\" text-anchor=\"middle\" font-size=\"").append(fontPx).append("\" fill=\"")
                            .append(lum < 110 ? "#ffffff" : "#000000").append("\">")
                            .append(escape(String.format(Locale.ROOT, p.format, v))).append("</text>");
                }
                s.append('\n');
            }
        }
    }

    /** A vertical colour bar, hi at the top, with both ends labelled. */
    private static void bar(StringBuilder s, Scale scale, int x, int y, int h) {
        int steps = 32;
        for (int i = 0; i < steps; i++) {
            double t = 1 - (i + 0.5) / steps;
            int y0 = y + (int) Math.round((double) i * h / steps);
            int y1 = y + (int) Math.round((double) (i + 1) * h / steps);
            s.append("<rect x=\"").append(x).append("\" y=\"").append(y0).append("\" width=\"").append(BAR_W)
                    .append("\" height=\"").append(y1 - y0).append("\" fill=\"")
                    .append(hex(scale.colour(scale.lo + t * (scale.hi - scale.lo)))).append("\"/>\n");
        }
        s.append("<rect x=\"").append(x).append("\" y=\"").append(y).append("\" width=\"").append(BAR_W)
                .append("\" height=\"").append(h).append("\" fill=\"none\" stroke=\"#888888\" stroke-width=\"0.5\"/>\n");
        text(s, x + BAR_W + 4, y + FONT - 2, "start", num(scale.hi), "#000000");
        text(s, x + BAR_W + 4, y + h, "start", num(scale.lo), "#000000");
    }

    private static void text(StringBuilder s, int x, int y, String anchor, String text, String fill) {
        s.append("<text x=\"").append(x).append("\" y=\"").append(y).append("\" text-anchor=\"").append(anchor)
                .append("\" fill=\"").append(fill).append("\">").append(escape(text)).append("</text>\n");
    }

    /** A scale end as a short label: up to 3 significant digits, no trailing zeros. */
    static String num(double v) {
        String t = String.format(Locale.ROOT, "%.3g", v);
        if (t.contains("e")) {
            return t;
        }
        if (t.contains(".")) {
            t = t.replaceAll("0+$", "").replaceAll("\\.$", "");
        }
        return t.equals("-0") ? "0" : t;
    }

    private static String hex(Color c) {
        return String.format(Locale.ROOT, "#%02x%02x%02x", c.getRed(), c.getGreen(), c.getBlue());
    }

    private static String escape(String t) {
        return t.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
