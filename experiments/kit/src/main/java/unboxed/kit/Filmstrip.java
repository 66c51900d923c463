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
 * Small multiples of functions of one variable, drawn as SVG by hand (a few hundred bytes a
 * panel): a filmstrip of snapshots, or a grid of functions side by side. Each panel holds an
 * optional reference curve (the target, in grey), one or more curves in the palette's colours,
 * and optional marks along its bottom edge (the kinks of a ReLU network, say).
 *
 * <p>{@link #save} writes the static grid, for print; {@link #saveAnimation} writes the same
 * frames as one animated SVG (SMIL {@code <animate>} with discrete steps, which browsers play
 * in an {@code <img>}), for a reader who would rather watch. Both are drawn from the same frames,
 * so the animation and the filmstrip beside it cannot disagree.
 */
public final class Filmstrip {
    private record Frame(String caption, double[] x, double[] reference, double[][] ys, double[] marks) {
    }

    private final String name;
    private final String title;
    private final List<Frame> frames = new ArrayList<>();
    private final List<Pinned> sources = new ArrayList<>();
    private final List<String> labels = new ArrayList<>();
    private String referenceLabel;
    private int columns = 6;
    private int panelWidth = 150;
    private int panelHeight = 100;
    private boolean ownScale;

    private static final int GAP = 12;
    private static final int CAPTION = 16;
    private static final int LEGEND = 22;
    private static final String REFERENCE_COLOUR = "#9a9a9a";
    private static final String MARK_COLOUR = "#b2182b";

    private Filmstrip(String name, String title) {
        this.name = Figures.checkName(name);
        this.title = Objects.requireNonNull(title, "title");
    }

    /** A filmstrip named {@code name} (lower-case letters, digits, dashes) with a title. */
    public static Filmstrip of(String name, String title) {
        return new Filmstrip(name, title);
    }

    /** Panels per row of the static grid (default 6). */
    public Filmstrip columns(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("filmstrip " + name + ": columns " + n);
        }
        columns = n;
        return this;
    }

    /** Each panel's plot area in pixels (default 150 × 100). */
    public Filmstrip panelSize(int width, int height) {
        if (width < 20 || height < 20) {
            throw new IllegalArgumentException("filmstrip " + name + ": panel " + width + " × " + height + " px");
        }
        panelWidth = width;
        panelHeight = height;
        return this;
    }

    /** Gives every panel its own vertical range, written in its corner (default: one range for all). */
    public Filmstrip ownScale() {
        ownScale = true;
        return this;
    }

    /** The legend: what the grey reference is, and what each coloured curve is. */
    public Filmstrip legend(String reference, String... curves) {
        referenceLabel = reference;
        labels.clear();
        labels.addAll(List.of(curves));
        return this;
    }

    /** A frame: a caption, the points x, a reference curve (or null) and the curves. */
    public Filmstrip frame(String caption, double[] x, double[] reference, double[]... ys) {
        Objects.requireNonNull(x, "x");
        if (reference != null && reference.length != x.length) {
            throw new IllegalArgumentException("filmstrip " + name + ": reference has " + reference.length
                    + " values for " + x.length + " points");
        }
        for (double[] y : ys) {
            if (y.length != x.length) {
                throw new IllegalArgumentException("filmstrip " + name + ": a curve has " + y.length + " values for "
                        + x.length + " points");
            }
        }
        frames.add(new Frame(caption == null ? "" : caption, x.clone(), reference == null ? null : reference.clone(),
                ys.clone(), new double[0]));
        return this;
    }

    /** Marks (ticks along the bottom edge) at the positions {@code xs}, on the last frame added. */
    public Filmstrip marks(double[] xs) {
        if (frames.isEmpty()) {
            throw new IllegalStateException("filmstrip " + name + ": marks before any frame");
        }
        Frame f = frames.remove(frames.size() - 1);
        frames.add(new Frame(f.caption, f.x, f.reference, f.ys, xs.clone()));
        return this;
    }

    /** The pinned results the frames are drawn from (at least one is required). */
    public Filmstrip from(Pinned... pinned) {
        sources.addAll(List.of(pinned));
        return this;
    }

    /** Writes the static grid as {@code outDir/figures/<name>.svg} with its caption partial. */
    public Path save(Path outDir) throws IOException {
        check();
        return Figures.saveSvg(svg().getBytes(StandardCharsets.UTF_8), width(), outDir, name, title, sources);
    }

    /**
     * Writes the frames as one animated panel, {@code seconds} per frame, looping, as
     * {@code outDir/figures/<animationName>.svg} with its caption partial.
     */
    public Path saveAnimation(Path outDir, String animationName, String animationTitle, double seconds)
            throws IOException {
        check();
        int w = 2 * panelWidth + 2 * GAP;
        return Figures.saveSvg(animatedSvg(seconds).getBytes(StandardCharsets.UTF_8), w + 2 * GAP, outDir,
                animationName, animationTitle, sources);
    }

    private void check() {
        if (frames.isEmpty()) {
            throw new IllegalArgumentException("filmstrip " + name + ": no frames");
        }
        if (sources.isEmpty()) {
            throw new IllegalArgumentException("figure " + name + ": no source given; every figure must cite the"
                    + " pinned results it is drawn from");
        }
    }

    int width() {
        int c = Math.min(columns, frames.size());
        return GAP + c * (panelWidth + GAP);
    }

    int height() {
        int r = (frames.size() + columns - 1) / columns;
        return LEGEND + r * (panelHeight + CAPTION + GAP) + GAP;
    }

    // ------------------------------------------------------------------ drawing

    /** [xlo, xhi, ylo, yhi] over the given frames, the y range padded by 5%. */
    private static double[] range(List<Frame> fs) {
        double xlo = Double.POSITIVE_INFINITY;
        double xhi = Double.NEGATIVE_INFINITY;
        double ylo = Double.POSITIVE_INFINITY;
        double yhi = Double.NEGATIVE_INFINITY;
        for (Frame f : fs) {
            for (double v : f.x) {
                xlo = Math.min(xlo, v);
                xhi = Math.max(xhi, v);
            }
            List<double[]> curves = new ArrayList<>(List.of(f.ys));
            if (f.reference != null) {
                curves.add(f.reference);
            }
            for (double[] y : curves) {
                for (double v : y) {
                    if (Double.isFinite(v)) {
                        ylo = Math.min(ylo, v);
                        yhi = Math.max(yhi, v);
                    }
                }
            }
        }
        if (!(yhi > ylo)) {
            double c = Double.isFinite(ylo) ? ylo : 0;
            ylo = c - 1;
            yhi = c + 1;
        }
        double pad = 0.05 * (yhi - ylo);
        if (!(xhi > xlo)) {
            xhi = xlo + 1;
        }
        return new double[] {xlo, xhi, ylo - pad, yhi + pad};
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

    /** The path data of a curve in a panel at (ox, oy) of size w × h under range r; non-finite values break it. */
    private static String path(double[] x, double[] y, double[] r, double ox, double oy, int w, int h) {
        StringBuilder d = new StringBuilder();
        boolean pen = false;
        for (int i = 0; i < x.length; i++) {
            if (!Double.isFinite(y[i])) {
                pen = false;
                continue;
            }
            double px = ox + (x[i] - r[0]) / (r[1] - r[0]) * w;
            double yy = Math.max(r[2], Math.min(r[3], y[i]));
            double py = oy + h - (yy - r[2]) / (r[3] - r[2]) * h;
            d.append(pen ? " L" : (d.length() == 0 ? "M" : " M")).append(num(px)).append(' ').append(num(py));
            pen = true;
        }
        return d.length() == 0 ? "M0 0" : d.toString();
    }

    private static String marksPath(double[] marks, double[] r, double ox, double oy, int w, int h) {
        StringBuilder d = new StringBuilder();
        for (double m : marks) {
            if (m >= r[0] && m <= r[1]) {
                double px = ox + (m - r[0]) / (r[1] - r[0]) * w;
                d.append(d.length() == 0 ? "M" : " M").append(num(px)).append(' ').append(num(oy + h)).append(" v-6");
            }
        }
        return d.length() == 0 ? "M0 0" : d.toString();
    }

    private void legend(StringBuilder s, double y) {
        double x = GAP;
        if (referenceLabel != null) {
            s.append("<path d=\"M").append(num(x)).append(' ').append(num(y)).append(" h18\" stroke=\"")
                    .append(REFERENCE_COLOUR).append("\" stroke-width=\"2\"/>");
            s.append("<text x=\"").append(num(x + 22)).append("\" y=\"").append(num(y + 4)).append("\">")
                    .append(esc(referenceLabel)).append("</text>");
            x += 30 + 6.5 * referenceLabel.length();
        }
        for (int i = 0; i < labels.size(); i++) {
            s.append("<path d=\"M").append(num(x)).append(' ').append(num(y)).append(" h18\" stroke=\"")
                    .append(hex(Figures.PALETTE.get(i % Figures.PALETTE.size()))).append("\" stroke-width=\"2\"/>");
            s.append("<text x=\"").append(num(x + 22)).append("\" y=\"").append(num(y + 4)).append("\">")
                    .append(esc(labels.get(i))).append("</text>");
            x += 30 + 6.5 * labels.get(i).length();
        }
        boolean anyMarks = frames.stream().anyMatch(f -> f.marks.length > 0);
        if (anyMarks) {
            s.append("<path d=\"M").append(num(x + 9)).append(' ').append(num(y + 4)).append(" v-8\" stroke=\"")
                    .append(MARK_COLOUR).append("\" stroke-width=\"1.5\"/>");
            s.append("<text x=\"").append(num(x + 16)).append("\" y=\"").append(num(y + 4)).append("\">kinks</text>");
        }
    }

    private static void frameBox(StringBuilder s, double[] r, double ox, double oy, int w, int h) {
        s.append("<rect x=\"").append(num(ox)).append("\" y=\"").append(num(oy)).append("\" width=\"").append(w)
                .append("\" height=\"").append(h).append("\" fill=\"#fff\" stroke=\"#ccc\"/>");
        if (r[2] < 0 && r[3] > 0) {
            double py = oy + h - (0 - r[2]) / (r[3] - r[2]) * h;
            s.append("<path d=\"M").append(num(ox)).append(' ').append(num(py)).append(" h").append(w)
                    .append("\" stroke=\"#e4e4e4\"/>");
        }
    }

    String svg() {
        int width = width();
        int height = height();
        StringBuilder s = new StringBuilder();
        s.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(width).append("\" height=\"")
                .append(height).append("\" viewBox=\"0 0 ").append(width).append(' ').append(height)
                .append("\" font-family=\"sans-serif\" font-size=\"11\" fill=\"none\">");
        s.append("<rect width=\"100%\" height=\"100%\" fill=\"#fff\"/>");
        StringBuilder legend = new StringBuilder();
        legend(legend, LEGEND / 2.0 + 2);
        s.append(legend.toString().replace("<text", "<text fill=\"#222\""));
        double[] shared = range(frames);
        for (int k = 0; k < frames.size(); k++) {
            Frame f = frames.get(k);
            double[] r = ownScale ? range(List.of(f)) : shared;
            double ox = GAP + (k % columns) * (panelWidth + GAP);
            double oy = LEGEND + (k / columns) * (panelHeight + CAPTION + GAP) + CAPTION;
            s.append("<text fill=\"#222\" x=\"").append(num(ox)).append("\" y=\"").append(num(oy - 4)).append("\">")
                    .append(esc(f.caption)).append("</text>");
            frameBox(s, r, ox, oy, panelWidth, panelHeight);
            if (ownScale) {
                s.append("<text fill=\"#777\" font-size=\"9\" x=\"").append(num(ox + 3)).append("\" y=\"")
                        .append(num(oy + 10)).append("\">").append(esc(Tick.of(r[3]))).append("</text>");
                s.append("<text fill=\"#777\" font-size=\"9\" x=\"").append(num(ox + 3)).append("\" y=\"")
                        .append(num(oy + panelHeight - 3)).append("\">").append(esc(Tick.of(r[2]))).append("</text>");
            }
            if (f.reference != null) {
                s.append("<path d=\"").append(path(f.x, f.reference, r, ox, oy, panelWidth, panelHeight))
                        .append("\" stroke=\"").append(REFERENCE_COLOUR).append("\" stroke-width=\"2\"/>");
            }
            for (int i = 0; i < f.ys.length; i++) {
                s.append("<path d=\"").append(path(f.x, f.ys[i], r, ox, oy, panelWidth, panelHeight))
                        .append("\" stroke=\"").append(hex(Figures.PALETTE.get(i % Figures.PALETTE.size())))
                        .append("\" stroke-width=\"1.3\"/>");
            }
            if (f.marks.length > 0) {
                s.append("<path d=\"").append(marksPath(f.marks, r, ox, oy, panelWidth, panelHeight))
                        .append("\" stroke=\"").append(MARK_COLOUR).append("\"/>");
            }
        }
        s.append("</svg>\n");
        return s.toString();
    }

    String animatedSvg(double seconds) {
        int w = 2 * panelWidth + 2 * GAP;
        int h = 2 * panelHeight;
        int width = w + 2 * GAP;
        int height = LEGEND + CAPTION + h + 2 * GAP;
        double ox = GAP;
        double oy = LEGEND + CAPTION;
        int n = frames.size();
        String dur = String.format(Locale.ROOT, "%.2fs", seconds * n);
        double[] shared = range(frames);
        StringBuilder s = new StringBuilder();
        s.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(width).append("\" height=\"")
                .append(height).append("\" viewBox=\"0 0 ").append(width).append(' ').append(height)
                .append("\" font-family=\"sans-serif\" font-size=\"12\" fill=\"none\">");
        s.append("<rect width=\"100%\" height=\"100%\" fill=\"#fff\"/>");
        StringBuilder legend = new StringBuilder();
        legend(legend, LEGEND / 2.0 + 2);
        s.append(legend.toString().replace("<text", "<text fill=\"#222\""));
        frameBox(s, shared, ox, oy, w, h);
        int curves = frames.get(0).ys.length;
        boolean refs = frames.stream().anyMatch(f -> f.reference != null);
        if (refs) {
            List<String> ds = new ArrayList<>();
            for (Frame f : frames) {
                ds.add(f.reference == null ? "M0 0" : path(f.x, f.reference, shared, ox, oy, w, h));
            }
            animatedPath(s, ds, REFERENCE_COLOUR, "2", dur);
        }
        for (int i = 0; i < curves; i++) {
            List<String> ds = new ArrayList<>();
            for (Frame f : frames) {
                ds.add(i < f.ys.length ? path(f.x, f.ys[i], shared, ox, oy, w, h) : "M0 0");
            }
            animatedPath(s, ds, hex(Figures.PALETTE.get(i % Figures.PALETTE.size())), "1.6", dur);
        }
        if (frames.stream().anyMatch(f -> f.marks.length > 0)) {
            List<String> ds = new ArrayList<>();
            for (Frame f : frames) {
                ds.add(marksPath(f.marks, shared, ox, oy, w, h));
            }
            animatedPath(s, ds, MARK_COLOUR, "1", dur);
        }
        for (int k = 0; k < n; k++) {
            StringBuilder vis = new StringBuilder();
            for (int j = 0; j < n; j++) {
                vis.append(j == 0 ? "" : ";").append(j == k ? "visible" : "hidden");
            }
            s.append("<text fill=\"#222\" visibility=\"").append(k == 0 ? "visible" : "hidden").append("\" x=\"")
                    .append(num(ox)).append("\" y=\"").append(num(oy - 5)).append("\">")
                    .append(esc(frames.get(k).caption))
                    .append("<animate attributeName=\"visibility\" calcMode=\"discrete\" dur=\"").append(dur)
                    .append("\" repeatCount=\"indefinite\" values=\"").append(vis).append("\"/></text>");
        }
        s.append("</svg>\n");
        return s.toString();
    }

    private static void animatedPath(StringBuilder s, List<String> ds, String colour, String strokeWidth, String dur) {
        s.append("<path d=\"").append(ds.get(0)).append("\" stroke=\"").append(colour).append("\" stroke-width=\"")
                .append(strokeWidth).append("\"><animate attributeName=\"d\" calcMode=\"discrete\" dur=\"").append(dur)
                .append("\" repeatCount=\"indefinite\" values=\"").append(String.join(";", ds)).append("\"/></path>");
    }

    /** Axis end labels: three significant digits. */
    static final class Tick {
        static String of(double v) {
            if (v == 0) {
                return "0";
            }
            double a = Math.abs(v);
            return a >= 1e4 || a < 1e-2 ? String.format(Locale.ROOT, "%.1e", v) : String.format(Locale.ROOT, "%.3g", v);
        }
    }
}
