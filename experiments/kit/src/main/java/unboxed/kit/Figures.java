package unboxed.kit;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import org.knowm.xchart.AnnotationText;
import org.knowm.xchart.VectorGraphicsEncoder;
import org.knowm.xchart.VectorGraphicsEncoder.VectorGraphicsFormat;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.XYStyler;
import org.knowm.xchart.style.markers.SeriesMarkers;
import unboxed.io.AtomicFiles;

/**
 * Figures drawn from pinned results: XChart line and point charts saved as SVG, each with a caption
 * partial that carries its citation.
 *
 * <pre>{@code
 * Pinned curves = Pinned.load(resultsDir, "learning-curves");
 * Figures.line("learning-curves", "Training loss, SGD against Adam")
 *        .axes("step", "loss").logY()
 *        .seeds("SGD", steps, lossBySeed)          // mean line, min–max band across seeds
 *        .line("Adam", steps, adamLoss)
 *        .from(curves)
 *        .save(outDir);
 * }</pre>
 *
 * writes {@code outDir/figures/learning-curves.svg} and {@code outDir/figures/learning-curves.adoc};
 * the report says {@code include::{generated}/figures/learning-curves.adoc[]}. The partial holds
 * an anchor ({@code fig-learning-curves}), the title with the citation, and the image macro
 * (relative to {@code imagesdir}, which the site builder sets to {@code outDir}).
 *
 * <p>Values that are not curves (one per brain, per chip) are {@link LineFigure#points points},
 * optionally with the range each spans where the sources disagree, and named in place with
 * {@link LineFigure#label labels}; logarithmic axes ({@link LineFigure#logX}, {@link LineFigure#logY})
 * make a log-log plot.
 *
 * <p>Nothing is drawn from nothing: a figure without a source, a series with no points, arrays of
 * unequal length, or a non-positive value on a logarithmic axis all throw. The SVG is
 * deterministic: same numbers, same bytes (no timestamps, fixed colours, locale-independent tick labels).
 */
public final class Figures {
    /** Series colours, in order (a colour-blind-safe palette, Okabe–Ito). */
    public static final List<Color> PALETTE = List.of(
            new Color(0x0072B2), new Color(0xD55E00), new Color(0x009E73), new Color(0xCC79A7),
            new Color(0xE69F00), new Color(0x56B4E9), new Color(0x000000), new Color(0xF0E442));

    static {
        System.setProperty("java.awt.headless", "true");
    }

    private Figures() {
    }

    /** A line chart named {@code name} (file name: lower-case letters, digits, dashes) with a title. */
    public static LineFigure line(String name, String title) {
        return new LineFigure(checkName(name), title);
    }

    /**
     * Saves any XChart chart as {@code outDir/figures/<name>.svg} plus its caption partial
     * {@code <name>.adoc}; for charts the {@link LineFigure} builder does not cover.
     *
     * @return the SVG file
     */
    public static Path save(Chart<?, ?> chart, Path outDir, String name, String title, List<Pinned> sources)
            throws IOException {
        checkName(name);
        if (sources == null || sources.isEmpty()) {
            throw new IllegalArgumentException("figure " + name + ": no source given; every figure must cite the"
                    + " pinned results it is drawn from");
        }
        Path dir = outDir.resolve("figures");
        Path svg = dir.resolve(name + ".svg");
        AtomicFiles.write(svg, svgBytes(chart));
        AtomicFiles.write(dir.resolve(name + ".adoc"),
                caption(name, title, Pinned.citation(sources), chart.getWidth()).getBytes(StandardCharsets.UTF_8));
        return svg;
    }

    /**
     * Saves an SVG drawn by other means (a diagram rather than a chart) as {@code outDir/figures/<name>.svg}
     * plus its caption partial, citing the pinned results it was drawn from.
     *
     * @return the SVG file
     */
    public static Path saveSvg(byte[] svg, int widthPixels, Path outDir, String name, String title,
                               List<Pinned> sources) throws IOException {
        checkName(name);
        if (sources == null || sources.isEmpty()) {
            throw new IllegalArgumentException("figure " + name + ": no source given; every figure must cite the"
                    + " pinned results it is drawn from");
        }
        Path dir = outDir.resolve("figures");
        Path file = dir.resolve(name + ".svg");
        AtomicFiles.write(file, svg);
        AtomicFiles.write(dir.resolve(name + ".adoc"),
                caption(name, title, Pinned.citation(sources), widthPixels).getBytes(StandardCharsets.UTF_8));
        return file;
    }

    /** The chart as SVG bytes. */
    public static byte[] svgBytes(Chart<?, ?> chart) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        VectorGraphicsEncoder.saveVectorGraphic(chart, out, VectorGraphicsFormat.SVG);
        return compact(out.toString(StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8);
    }

    private static final java.util.regex.Pattern LONG_DECIMAL = java.util.regex.Pattern.compile("(\\d\\.\\d{2})\\d+");

    /**
     * The SVG with every coordinate cut to two decimals: the chart library writes up to nine (its
     * text is drawn as outlines, point by point), a hundredth of a pixel is below what any screen
     * shows, and a page of many charts shrinks by about half.
     */
    static String compact(String svg) {
        return LONG_DECIMAL.matcher(svg).replaceAll("$1");
    }

    /** The caption partial of a figure: anchor, title with citation, image macro. */
    static String caption(String name, String title, String citation, int width) {
        return "[#fig-" + name + "]\n"
                + "." + sentence(title) + " " + citation + "\n"
                + "image::figures/" + name + ".svg[" + attributeValue(title) + ",width=" + width + "]\n";
    }

    static String checkName(String name) {
        Objects.requireNonNull(name, "name");
        if (!name.matches("[a-z0-9][a-z0-9-]*")) {
            throw new IllegalArgumentException("figure/table name '" + name
                    + "': use lower-case letters, digits and dashes (it becomes a file name and an anchor)");
        }
        return name;
    }

    /** The title, ending with a full stop so the citation reads as a second sentence. */
    static String sentence(String title) {
        String t = title.strip();
        return t.endsWith(".") || t.endsWith("?") || t.endsWith("!") ? t : t + ".";
    }

    /** A value safe inside an AsciiDoc macro's attribute list. */
    static String attributeValue(String s) {
        return "\"" + s.replace("\"", "'").replace("]", ")") + "\"";
    }

    /** A line chart under construction; see {@link Figures}. */
    public static final class LineFigure {
        private final String name;
        private final String title;
        private String xTitle = "";
        private String yTitle = "";
        private boolean logX;
        private boolean logY;
        private String xPattern;
        private int width = 720;
        private int height = 440;
        private final List<Line> lines = new ArrayList<>();
        private final List<Label> labels = new ArrayList<>();
        private List<String> colourOrder = List.of();
        private final List<Pinned> sources = new ArrayList<>();

        /**
         * One series: a line (dashed or not), a line with a band (lo, hi), or markers alone
         * ({@code points}) with the range each value spans ({@code xLo..xHi}, {@code yLo..yHi}; null
         * where an axis has none) and a fixed marker ({@code mark}; null: the next shape in turn).
         */
        private record Line(String label, double[] x, double[] y, double[] lo, double[] hi, boolean dashed,
                            boolean points, double[] xLo, double[] xHi, double[] yLo, double[] yHi, Mark mark) {
            Line(String label, double[] x, double[] y, double[] lo, double[] hi, boolean dashed) {
                this(label, x, y, lo, hi, dashed, false, null, null, null, null, null);
            }
        }

        private record Label(String text, double x, double y) {
        }

        /** The marker of a series drawn as points: a filled dot, or an open triangle (a lower bound, say). */
        public enum Mark { DOT, TRIANGLE }

        private LineFigure(String name, String title) {
            this.name = name;
            this.title = Objects.requireNonNull(title, "title");
        }

        public LineFigure axes(String xAxisTitle, String yAxisTitle) {
            this.xTitle = xAxisTitle;
            this.yTitle = yAxisTitle;
            return this;
        }

        public LineFigure logX() {
            this.logX = true;
            return this;
        }

        public LineFigure logY() {
            this.logY = true;
            return this;
        }

        /**
         * The number format of the x axis's tick labels (java.text.DecimalFormat; default {@code 0.###}):
         * {@code 0.#####} for a logarithmic axis that reaches 1e-5, which the default would print as 0.
         */
        public LineFigure xPattern(String pattern) {
            new java.text.DecimalFormat(pattern);
            this.xPattern = pattern;
            return this;
        }

        public LineFigure size(int widthPixels, int heightPixels) {
            this.width = widthPixels;
            this.height = heightPixels;
            return this;
        }

        /**
         * Fixes each series' colour by its label's position in {@code labels}, so that one
         * quantity keeps its colour across the figures of a post even when a figure leaves some
         * series out. A series whose label starts with none of them takes the next free colour.
         */
        public LineFigure colours(List<String> labels) {
            this.colourOrder = List.copyOf(labels);
            return this;
        }

        private Color colourOf(String label, int index) {
            for (int k = 0; k < colourOrder.size(); k++) {
                if (label.equals(colourOrder.get(k)) || label.startsWith(colourOrder.get(k) + " (")) {
                    return PALETTE.get(k % PALETTE.size());
                }
            }
            return PALETTE.get((colourOrder.size() + index) % PALETTE.size());
        }

        /** A line through the points (x[i], y[i]). */
        public LineFigure line(String label, double[] x, double[] y) {
            lines.add(new Line(label, check(label, "x", x, x.length), check(label, "y", y, x.length), null, null, false));
            return this;
        }

        /**
         * A dashed line through the points (x[i], y[i]): a prediction drawn over the measured
         * curves. Its colour follows {@link #colours} like any other series, so a theory curve
         * labelled {@code "He (theory)"} takes the colour of the measured {@code "He"}.
         */
        public LineFigure dashed(String label, double[] x, double[] y) {
            lines.add(new Line(label, check(label, "x", x, x.length), check(label, "y", y, x.length), null, null, true));
            return this;
        }

        /**
         * Points (x[i], y[i]) without a line: one dot per seed, say, or with {@link Mark#TRIANGLE}
         * the runs that ended without an outcome (a lower bound on it).
         */
        public LineFigure points(String label, double[] x, double[] y, Mark mark) {
            lines.add(new Line(label, check(label, "x", x, x.length), check(label, "y", y, x.length), null, null, false,
                    true, null, null, null, null, Objects.requireNonNull(mark, "mark")));
            return this;
        }

        /** A line with a shaded error band drawn as its lower and upper edges (lo[i] ≤ y[i] ≤ hi[i] expected). */
        public LineFigure band(String label, double[] x, double[] y, double[] lo, double[] hi) {
            int n = x.length;
            lines.add(new Line(label, check(label, "x", x, n), check(label, "y", y, n),
                    check(label, "lower band", lo, n), check(label, "upper band", hi, n), false));
            return this;
        }

        /**
         * Markers without a line, one at each (x[i], y[i]): values that are not a curve (one per
         * brain, per chip, per model). Markers differ in shape from series to series as well as in
         * colour.
         */
        public LineFigure points(String label, double[] x, double[] y) {
            return points(label, x, y, null, null, null, null);
        }

        /**
         * Markers with the range each value spans drawn as thin segments through it: from
         * {@code xLo[i]} to {@code xHi[i]} across and from {@code yLo[i]} to {@code yHi[i]} up (pass
         * null for an axis without ranges). For estimates where the sources disagree: the marker
         * sits at the value given in {@code x}, {@code y} (the geometric middle, say).
         */
        public LineFigure points(String label, double[] x, double[] y, double[] xLo, double[] xHi, double[] yLo,
                                 double[] yHi) {
            int n = x.length;
            if ((xLo == null) != (xHi == null) || (yLo == null) != (yHi == null)) {
                throw new IllegalArgumentException("figure " + name + ", series " + label
                        + ": give both ends of a range or neither");
            }
            lines.add(new Line(label, check(label, "x", x, n), check(label, "y", y, n), null, null, false, true,
                    xLo == null ? null : check(label, "x lower end", xLo, n),
                    xHi == null ? null : check(label, "x upper end", xHi, n),
                    yLo == null ? null : check(label, "y lower end", yLo, n),
                    yHi == null ? null : check(label, "y upper end", yHi, n), null));
            return this;
        }

        /**
         * A text centred on (x, y), in the axes' units: names a point without giving it a legend
         * entry of its own. Place it beside the point (a little above it, say) so that it does not
         * cover the marker.
         */
        public LineFigure label(String text, double x, double y) {
            if (!Double.isFinite(x) || !Double.isFinite(y)) {
                throw new IllegalArgumentException("figure " + name + ", label '" + text + "': position (" + x + ", "
                        + y + ") is not finite");
            }
            labels.add(new Label(Objects.requireNonNull(text, "text"), x, y));
            return this;
        }

        /**
         * Several runs of one configuration (one row of {@code yBySeed} per seed): drawn as the mean
         * across seeds with a band from the smallest to the largest value.
         */
        public LineFigure seeds(String label, double[] x, double[][] yBySeed) {
            if (yBySeed.length == 0) {
                throw new IllegalArgumentException("figure " + name + ", series " + label + ": no seeds given");
            }
            int n = x.length;
            double[] mean = new double[n];
            double[] lo = new double[n];
            double[] hi = new double[n];
            java.util.Arrays.fill(lo, Double.POSITIVE_INFINITY);
            java.util.Arrays.fill(hi, Double.NEGATIVE_INFINITY);
            for (int s = 0; s < yBySeed.length; s++) {
                double[] y = check(label + " (seed row " + s + ")", "y", yBySeed[s], n);
                for (int i = 0; i < n; i++) {
                    mean[i] += y[i] / yBySeed.length;
                    lo[i] = Math.min(lo[i], y[i]);
                    hi[i] = Math.max(hi[i], y[i]);
                }
            }
            return band(label + " (mean of " + yBySeed.length + " seeds)", x, mean, lo, hi);
        }

        /** The pinned results this figure is drawn from (at least one is required). */
        public LineFigure from(Pinned... pinned) {
            sources.addAll(List.of(pinned));
            return this;
        }

        /** The XChart chart, for inspection or further styling before {@link Figures#save}. */
        public XYChart chart() {
            if (lines.isEmpty()) {
                throw new IllegalStateException("figure " + name + ": no series to draw");
            }
            XYChart chart = new XYChartBuilder().width(width).height(height).title(title)
                    .xAxisTitle(xTitle).yAxisTitle(yTitle).build();
            XYStyler styler = chart.getStyler();
            styler.setLocale(Locale.ROOT);
            styler.setChartBackgroundColor(Color.WHITE);
            styler.setPlotBackgroundColor(Color.WHITE);
            // below the plot: a legend inside it hides whichever curves pass under it
            styler.setLegendPosition(Styler.LegendPosition.OutsideS);
            styler.setLegendLayout(Styler.LegendLayout.Vertical);
            // plain decimals read best until the numbers get long; then powers of ten, as the Y axis writes
            // them; a figure that knows better sets its own pattern
            styler.setXAxisDecimalPattern(xPattern != null ? xPattern
                    : logX && (extreme(l -> l.x, true) >= 1e5 || extreme(l -> l.x, false) < 1e-3) ? "0E0" : "0.###");
            styler.setLegendVisible(lines.size() > 1 || lines.get(0).lo != null);
            styler.setXAxisLogarithmic(logX);
            styler.setYAxisLogarithmic(logY);
            // label 2, 5, ... too when curves span a decade or two; beyond that the labels collide
            styler.setXAxisLogarithmicDecadeOnly(logX && decades(l -> l.x) > 2);
            styler.setYAxisLogarithmicDecadeOnly(logY && decades(l -> l.y) > 2);
            styler.setPlotGridLinesColor(new Color(0xDDDDDD));
            // a logarithmic axis draws a grid line at every 1..9 × 10^k; past six decades they merge into a smear
            styler.setPlotGridVerticalLinesVisible(!(logX && decades(l -> l.x) > 6));
            styler.setPlotGridHorizontalLinesVisible(!(logY && decades(l -> l.y) > 6));
            styler.setSeriesColors(PALETTE.toArray(new Color[0]));
            for (Line l : lines) {
                if (logX) {
                    checkPositive(l.label, "x", l.x);
                    if (l.xLo != null) {
                        checkPositive(l.label, "x lower end", l.xLo);
                        checkPositive(l.label, "x upper end", l.xHi);
                    }
                }
                if (logY) {
                    checkPositive(l.label, "y", l.y);
                    if (l.lo != null) {
                        checkPositive(l.label, "lower band", l.lo);
                        checkPositive(l.label, "upper band", l.hi);
                    }
                    if (l.yLo != null) {
                        checkPositive(l.label, "y lower end", l.yLo);
                        checkPositive(l.label, "y upper end", l.yHi);
                    }
                }
            }
            for (Label t : labels) {
                if ((logX && t.x <= 0) || (logY && t.y <= 0)) {
                    throw new IllegalArgumentException("figure " + name + ", label '" + t.text + "' at (" + t.x + ", "
                            + t.y + ") cannot be placed on a logarithmic axis");
                }
            }
            int pointSeries = 0;
            for (int i = 0; i < lines.size(); i++) {
                Line l = lines.get(i);
                Color color = colourOrder.isEmpty() ? PALETTE.get(i % PALETTE.size()) : colourOf(l.label, i);
                if (l.lo != null) {
                    Color light = new Color(color.getRed(), color.getGreen(), color.getBlue(), 110);
                    for (String edge : new String[] {"lower", "upper"}) {
                        XYSeries e = chart.addSeries(l.label + " [" + edge + "]", l.x, edge.equals("lower") ? l.lo : l.hi);
                        e.setMarker(SeriesMarkers.NONE);
                        e.setLineColor(light);
                        e.setLineStyle(new BasicStroke(1f));
                        e.setShowInLegend(false);
                    }
                }
                if (l.points) {
                    addRanges(chart, l, color);
                    XYSeries s = chart.addSeries(l.label, l.x, l.y);
                    s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
                    s.setMarker(l.mark == Mark.DOT ? SeriesMarkers.CIRCLE : l.mark == Mark.TRIANGLE
                            ? SeriesMarkers.TRIANGLE_UP : MARKERS.get(pointSeries++ % MARKERS.size()));
                    s.setMarkerColor(color);
                    continue;
                }
                XYSeries s = chart.addSeries(l.label, l.x, l.y);
                s.setMarker(SeriesMarkers.NONE);
                s.setLineColor(color);
                s.setLineStyle(l.dashed
                        ? new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {6f, 4f}, 0f)
                        : new BasicStroke(2f));
            }
            styler.setAnnotationTextFont(new java.awt.Font(java.awt.Font.SANS_SERIF, java.awt.Font.PLAIN, 11));
            styler.setAnnotationTextFontColor(new Color(0x333333));
            for (Label t : labels) {
                chart.addAnnotation(new AnnotationText(t.text, t.x, t.y, false));
            }
            return chart;
        }

        /** The marker shapes of point series, in order. */
        private static final List<org.knowm.xchart.style.markers.Marker> MARKERS = List.of(SeriesMarkers.CIRCLE,
                SeriesMarkers.DIAMOND, SeriesMarkers.SQUARE, SeriesMarkers.TRIANGLE_UP, SeriesMarkers.TRIANGLE_DOWN,
                SeriesMarkers.CROSS);

        /** Each value's range as a thin segment of two points, in the series' colour, kept out of the legend. */
        private static void addRanges(XYChart chart, Line l, Color color) {
            Color light = new Color(color.getRed(), color.getGreen(), color.getBlue(), 150);
            for (int i = 0; i < l.x.length; i++) {
                if (l.xLo != null && l.xLo[i] != l.xHi[i]) {
                    segment(chart, l.label + " [x range " + i + "]", new double[] {l.xLo[i], l.xHi[i]},
                            new double[] {l.y[i], l.y[i]}, light);
                }
                if (l.yLo != null && l.yLo[i] != l.yHi[i]) {
                    segment(chart, l.label + " [y range " + i + "]", new double[] {l.x[i], l.x[i]},
                            new double[] {l.yLo[i], l.yHi[i]}, light);
                }
            }
        }

        private static void segment(XYChart chart, String name, double[] x, double[] y, Color color) {
            XYSeries e = chart.addSeries(name, x, y);
            e.setMarker(SeriesMarkers.NONE);
            e.setLineColor(color);
            e.setLineStyle(new BasicStroke(1.5f));
            e.setShowInLegend(false);
        }

        /** The largest (or smallest) positive value of the series on one axis. */
        private double extreme(java.util.function.Function<Line, double[]> axis, boolean largest) {
            double e = largest ? 0 : Double.POSITIVE_INFINITY;
            for (Line l : lines) {
                for (double v : axis.apply(l)) {
                    if (v > 0) {
                        e = largest ? Math.max(e, v) : Math.min(e, v);
                    }
                }
            }
            return e;
        }

        /** How many powers of ten the series span on one axis. */
        private double decades(java.util.function.Function<Line, double[]> axis) {
            double lo = Double.POSITIVE_INFINITY;
            double hi = 0;
            for (Line l : lines) {
                for (double v : axis.apply(l)) {
                    if (v > 0) {
                        lo = Math.min(lo, v);
                        hi = Math.max(hi, v);
                    }
                }
            }
            return hi > 0 ? Math.log10(hi / lo) : 0;
        }

        /** Writes {@code outDir/figures/<name>.svg} and its caption partial {@code <name>.adoc}; returns the SVG. */
        public Path save(Path outDir) throws IOException {
            return Figures.save(chart(), outDir, name, title, sources);
        }

        private double[] check(String label, String what, double[] v, int n) {
            Objects.requireNonNull(v, what);
            String where = "figure " + name + ", series " + label + ": ";
            if (v.length == 0) {
                throw new IllegalArgumentException(where + "no points (" + what + " is empty)");
            }
            if (v.length != n) {
                throw new IllegalArgumentException(where + what + " has " + v.length + " values, x has " + n);
            }
            for (int i = 0; i < v.length; i++) {
                if (Double.isNaN(v[i]) || Double.isInfinite(v[i])) {
                    throw new IllegalArgumentException(where + what + "[" + i + "] is " + v[i]
                            + "; plot only finite values (filter or mark divergence explicitly)");
                }
            }
            return v.clone();
        }

        private void checkPositive(String label, String axis, double[] v) {
            for (int i = 0; i < v.length; i++) {
                if (v[i] <= 0) {
                    throw new IllegalArgumentException("figure " + name + ", series " + label + ": " + axis + "[" + i
                            + "] = " + v[i] + " cannot be shown on a logarithmic axis");
                }
            }
        }
    }
}
