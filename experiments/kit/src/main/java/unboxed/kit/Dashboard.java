package unboxed.kit;

import java.awt.Color;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * One training run on one page: a grid of small panels that share the horizontal axis (the
 * training step), each one measure (weight norms, dead units, effective rank, churn, gradient
 * norms, the kinks of the function), with one line per layer in the same colour in every panel.
 * Vertical rules mark the events of the run (a change of target, an attack), the same in every
 * panel, so that a reader can run an eye down a column and see what moved together.
 *
 * <p>Drawn as SVG by hand, like {@link Filmstrip}: a panel is a few paths, whatever the run's
 * length, since lines are thinned to at most {@link #MAX_POINTS} points.
 */
public final class Dashboard {
    /** A line of a panel; its colour is the palette's {@code colour}-th. */
    private record Line(int colour, double[] x, double[] y) {
    }

    private static final class Panel {
        final String title;
        final List<Line> lines = new ArrayList<>();
        double[] dotsX = new double[0];
        double[] dotsY = new double[0];
        boolean logY;
        double[] fixedY;

        Panel(String title) {
            this.title = title;
        }
    }

    /** Lines are thinned to at most this many points (every k-th, the last kept). */
    public static final int MAX_POINTS = 400;
    private static final int GAP = 14;
    private static final int CAPTION = 16;
    private static final int LEGEND = 22;
    private static final int AXIS = 14;
    private static final String EVENT_COLOUR = "#c9c9c9";
    private static final String DOT_COLOUR = "#b2182b";

    private final String name;
    private final String title;
    private final List<Panel> panels = new ArrayList<>();
    private final List<String> labels = new ArrayList<>();
    private final List<Pinned> sources = new ArrayList<>();
    private double[] events = new double[0];
    private String xLabel = "step";
    private int columns = 3;
    private int panelWidth = 230;
    private int panelHeight = 120;

    private Dashboard(String name, String title) {
        this.name = Figures.checkName(name);
        this.title = Objects.requireNonNull(title, "title");
    }

    /** A dashboard named {@code name} (lower-case letters, digits, dashes) with a title. */
    public static Dashboard of(String name, String title) {
        return new Dashboard(name, title);
    }

    /** What the colours mean, in palette order (layer 1, layer 2, …). */
    public Dashboard legend(String... labels) {
        this.labels.clear();
        this.labels.addAll(List.of(labels));
        return this;
    }

    /** Panels per row (default 3). */
    public Dashboard columns(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("dashboard " + name + ": columns " + n);
        }
        columns = n;
        return this;
    }

    /** Each panel's plot area in pixels (default 230 × 120). */
    public Dashboard panelSize(int width, int height) {
        if (width < 40 || height < 30) {
            throw new IllegalArgumentException("dashboard " + name + ": panel " + width + " × " + height + " px");
        }
        panelWidth = width;
        panelHeight = height;
        return this;
    }

    /** The shared horizontal axis's name (default "step"). */
    public Dashboard xLabel(String label) {
        xLabel = Objects.requireNonNull(label, "label");
        return this;
    }

    /** Vertical rules at these x in every panel: the events of the run. */
    public Dashboard events(double... xs) {
        events = xs.clone();
        return this;
    }

    /** Starts a new panel; the lines and dots that follow go into it. */
    public Dashboard panel(String title) {
        panels.add(new Panel(Objects.requireNonNull(title, "title")));
        return this;
    }

    /** A line in the current panel, in the palette's {@code colour}-th colour. */
    public Dashboard line(int colour, double[] x, double[] y) {
        if (x.length != y.length) {
            throw new IllegalArgumentException("dashboard " + name + ", panel '" + current().title + "': " + x.length
                    + " x values for " + y.length + " y values");
        }
        current().lines.add(new Line(colour, x.clone(), y.clone()));
        return this;
    }

    /** Dots (a scatter: the kinks of the function over time, say) in the current panel. */
    public Dashboard dots(double[] x, double[] y) {
        if (x.length != y.length) {
            throw new IllegalArgumentException("dashboard " + name + ", panel '" + current().title + "': " + x.length
                    + " dot x values for " + y.length + " y values");
        }
        current().dotsX = x.clone();
        current().dotsY = y.clone();
        return this;
    }

    /** A logarithmic vertical axis in the current panel (values ≤ 0 are left out). */
    public Dashboard logY() {
        current().logY = true;
        return this;
    }

    /** A fixed vertical range in the current panel ([0, 1] for a share, say). */
    public Dashboard yRange(double lo, double hi) {
        if (!(hi > lo)) {
            throw new IllegalArgumentException("dashboard " + name + ": y range [" + lo + ", " + hi + "]");
        }
        current().fixedY = new double[] {lo, hi};
        return this;
    }

    /** The pinned results the panels are drawn from (at least one is required). */
    public Dashboard from(Pinned... pinned) {
        sources.addAll(List.of(pinned));
        return this;
    }

    private Panel current() {
        if (panels.isEmpty()) {
            throw new IllegalStateException("dashboard " + name + ": a line or dots before any panel()");
        }
        return panels.get(panels.size() - 1);
    }

    /** Writes {@code outDir/figures/<name>.svg} with its caption partial. */
    public Path save(Path outDir) throws IOException {
        if (panels.isEmpty()) {
            throw new IllegalArgumentException("dashboard " + name + ": no panels");
        }
        return Figures.saveSvg(svg().getBytes(StandardCharsets.UTF_8), width(), outDir, name, title, sources);
    }

    int width() {
        int c = Math.min(columns, panels.size());
        return GAP + c * (panelWidth + GAP);
    }

    int height() {
        int r = (panels.size() + columns - 1) / columns;
        return LEGEND + r * (panelHeight + CAPTION + AXIS + GAP) + GAP;
    }

    // ------------------------------------------------------------------ drawing

    private double[] xRange() {
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (Panel p : panels) {
            for (Line l : p.lines) {
                for (double v : l.x) {
                    lo = Math.min(lo, v);
                    hi = Math.max(hi, v);
                }
            }
            for (double v : p.dotsX) {
                lo = Math.min(lo, v);
                hi = Math.max(hi, v);
            }
        }
        if (!Double.isFinite(lo)) {
            return new double[] {0, 1};
        }
        return hi > lo ? new double[] {lo, hi} : new double[] {lo, lo + 1};
    }

    /** The panel's vertical range, in the plotted unit (log10 for a log axis), padded by 5%. */
    static double[] yRange(Panel p) {
        if (p.fixedY != null) {
            return p.logY ? new double[] {Math.log10(p.fixedY[0]), Math.log10(p.fixedY[1])} : p.fixedY.clone();
        }
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        List<double[]> ys = new ArrayList<>();
        p.lines.forEach(l -> ys.add(l.y));
        ys.add(p.dotsY);
        for (double[] y : ys) {
            for (double v : y) {
                double t = plotted(v, p.logY);
                if (Double.isFinite(t)) {
                    lo = Math.min(lo, t);
                    hi = Math.max(hi, t);
                }
            }
        }
        if (!Double.isFinite(lo)) {
            return new double[] {0, 1};
        }
        if (!(hi > lo)) {
            lo -= p.logY ? 0.5 : Math.max(1e-9, Math.abs(lo) * 0.1);
            hi += p.logY ? 0.5 : Math.max(1e-9, Math.abs(hi) * 0.1);
        }
        double pad = 0.05 * (hi - lo);
        return new double[] {lo - pad, hi + pad};
    }

    private static double plotted(double v, boolean log) {
        if (!Double.isFinite(v)) {
            return Double.NaN;
        }
        if (log) {
            return v > 0 ? Math.log10(v) : Double.NaN;
        }
        return v;
    }

    private static String num(double v) {
        String s = String.format(Locale.ROOT, "%.1f", v);
        return s.equals("-0.0") ? "0.0" : s;
    }

    private static String hex(Color c) {
        return String.format(Locale.ROOT, "#%02x%02x%02x", c.getRed(), c.getGreen(), c.getBlue());
    }

    private static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }

    private static String tick(double v, boolean log) {
        return Filmstrip.Tick.of(log ? Math.pow(10, v) : v);
    }

    String svg() {
        int width = width();
        int height = height();
        double[] xr = xRange();
        StringBuilder s = new StringBuilder();
        s.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(width).append("\" height=\"")
                .append(height).append("\" viewBox=\"0 0 ").append(width).append(' ').append(height)
                .append("\" font-family=\"sans-serif\" font-size=\"11\" fill=\"none\">");
        s.append("<rect width=\"100%\" height=\"100%\" fill=\"#fff\"/>");
        double lx = GAP;
        double ly = LEGEND / 2.0 + 2;
        for (int i = 0; i < labels.size(); i++) {
            s.append("<path d=\"M").append(num(lx)).append(' ').append(num(ly)).append(" h18\" stroke=\"")
                    .append(hex(Figures.PALETTE.get(i % Figures.PALETTE.size()))).append("\" stroke-width=\"2\"/>");
            s.append("<text fill=\"#222\" x=\"").append(num(lx + 22)).append("\" y=\"").append(num(ly + 4))
                    .append("\">").append(esc(labels.get(i))).append("</text>");
            lx += 30 + 6.5 * labels.get(i).length();
        }
        if (events.length > 0) {
            s.append("<path d=\"M").append(num(lx + 9)).append(' ').append(num(ly - 6)).append(" v12\" stroke=\"")
                    .append(EVENT_COLOUR).append("\" stroke-width=\"2\"/>");
            s.append("<text fill=\"#222\" x=\"").append(num(lx + 16)).append("\" y=\"").append(num(ly + 4))
                    .append("\">event</text>");
        }
        for (int k = 0; k < panels.size(); k++) {
            Panel p = panels.get(k);
            double[] yr = yRange(p);
            double ox = GAP + (k % columns) * (panelWidth + GAP);
            double oy = LEGEND + (k / columns) * (panelHeight + CAPTION + AXIS + GAP) + CAPTION;
            int w = panelWidth;
            int h = panelHeight;
            s.append("<text fill=\"#222\" x=\"").append(num(ox)).append("\" y=\"").append(num(oy - 4)).append("\">")
                    .append(esc(p.title + (p.logY ? " (log)" : ""))).append("</text>");
            s.append("<rect x=\"").append(num(ox)).append("\" y=\"").append(num(oy)).append("\" width=\"").append(w)
                    .append("\" height=\"").append(h).append("\" fill=\"#fff\" stroke=\"#ccc\"/>");
            StringBuilder ev = new StringBuilder();
            for (double e : events) {
                if (e >= xr[0] && e <= xr[1]) {
                    double px = ox + (e - xr[0]) / (xr[1] - xr[0]) * w;
                    ev.append(ev.length() == 0 ? "M" : " M").append(num(px)).append(' ').append(num(oy)).append(" v")
                            .append(h);
                }
            }
            if (ev.length() > 0) {
                s.append("<path d=\"").append(ev).append("\" stroke=\"").append(EVENT_COLOUR).append("\"/>");
            }
            if (p.dotsX.length > 0) {
                StringBuilder d = new StringBuilder();
                for (int i = 0; i < p.dotsX.length; i++) {
                    double t = plotted(p.dotsY[i], p.logY);
                    if (!Double.isFinite(t) || !Double.isFinite(p.dotsX[i]) || t < yr[0] || t > yr[1]) {
                        continue;
                    }
                    double px = ox + (p.dotsX[i] - xr[0]) / (xr[1] - xr[0]) * w;
                    double py = oy + h - (t - yr[0]) / (yr[1] - yr[0]) * h;
                    d.append(d.length() == 0 ? "M" : " M").append(num(px)).append(' ').append(num(py)).append(" h1");
                }
                if (d.length() > 0) {
                    s.append("<path d=\"").append(d).append("\" stroke=\"").append(DOT_COLOUR)
                            .append("\" stroke-width=\"1.6\" stroke-linecap=\"round\" stroke-opacity=\"0.5\"/>");
                }
            }
            for (Line l : p.lines) {
                s.append("<path d=\"").append(path(l, p.logY, xr, yr, ox, oy, w, h)).append("\" stroke=\"")
                        .append(hex(Figures.PALETTE.get(l.colour % Figures.PALETTE.size())))
                        .append("\" stroke-width=\"1.3\"/>");
            }
            s.append("<text fill=\"#777\" font-size=\"9\" x=\"").append(num(ox + 3)).append("\" y=\"")
                    .append(num(oy + 10)).append("\">").append(esc(tick(yr[1], p.logY))).append("</text>");
            s.append("<text fill=\"#777\" font-size=\"9\" x=\"").append(num(ox + 3)).append("\" y=\"")
                    .append(num(oy + h - 3)).append("\">").append(esc(tick(yr[0], p.logY))).append("</text>");
            double ay = oy + h + 11;
            s.append("<text fill=\"#777\" font-size=\"9\" x=\"").append(num(ox)).append("\" y=\"").append(num(ay))
                    .append("\">").append(esc(Filmstrip.Tick.of(xr[0]))).append("</text>");
            s.append("<text fill=\"#777\" font-size=\"9\" text-anchor=\"middle\" x=\"").append(num(ox + w / 2.0))
                    .append("\" y=\"").append(num(ay)).append("\">").append(esc(xLabel)).append("</text>");
            s.append("<text fill=\"#777\" font-size=\"9\" text-anchor=\"end\" x=\"").append(num(ox + w)).append("\" y=\"")
                    .append(num(ay)).append("\">").append(esc(Filmstrip.Tick.of(xr[1]))).append("</text>");
        }
        s.append("</svg>\n");
        return s.toString();
    }

    /** A line's path data, thinned to {@link #MAX_POINTS}; values off the axis (non-finite, ≤ 0 on a log axis) break it. */
    private static String path(Line l, boolean log, double[] xr, double[] yr, double ox, double oy, int w, int h) {
        int stride = Math.max(1, (l.x.length + MAX_POINTS - 1) / MAX_POINTS);
        StringBuilder d = new StringBuilder();
        boolean pen = false;
        for (int i = 0; i < l.x.length; i++) {
            if (i % stride != 0 && i != l.x.length - 1) {
                continue;
            }
            double t = plotted(l.y[i], log);
            if (!Double.isFinite(t) || !Double.isFinite(l.x[i])) {
                pen = false;
                continue;
            }
            double px = ox + (l.x[i] - xr[0]) / (xr[1] - xr[0]) * w;
            double yy = Math.max(yr[0], Math.min(yr[1], t));
            double py = oy + h - (yy - yr[0]) / (yr[1] - yr[0]) * h;
            d.append(pen ? " L" : (d.length() == 0 ? "M" : " M")).append(num(px)).append(' ').append(num(py));
            pen = true;
        }
        return d.length() == 0 ? "M0 0" : d.toString();
    }
}
