package unboxed.convolutions;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import unboxed.kit.Figures;
import unboxed.kit.Pinned;

/**
 * The roofline of one bench run: the machine's two ceilings, measured in the same run by
 * PeakBench (src/jmh), and every one-thread forward pass of the reference shapes placed under
 * them. A shape's arithmetic intensity counts its compulsory traffic only (input, weight, bias and
 * output, once each, 4 bytes a float): the least any implementation can move, so the memory roof it
 * draws is an upper bound too.
 */
public final class Roofline {
    /** PeakBench.fmaPeak's floating-point operations per call, whatever the vector width. */
    public static final long PEAK_FLOPS_PER_CALL = 2L * 12 * (1 << 24);
    /** PeakBench.triad's bytes per call, STREAM's count: three arrays of 2^24 floats, two read, one written. */
    public static final long TRIAD_BYTES_PER_CALL = 3L * 4 * (1 << 24);

    /** The forward passes placed on the figure: JMH benchmark, label. */
    private static final Map<String, String> VERSIONS = new LinkedHashMap<>();

    static {
        VERSIONS.put("ConvBench.v3Forward", "v3 im2col");
        VERSIONS.put("ConvBench.v4Forward", "v4 implicit GEMM");
        VERSIONS.put("ConvBench.v5Forward", "v5 direct");
        VERSIONS.put("ConvBench.v6Forward", "v6 threads (1)");
        // fewer multiplications than the definition's count it is placed with: it may pass the roof
        VERSIONS.put("WinogradBench.v7Forward", "v7 Winograd (definition's FLOPs)");
        VERSIONS.put("ConvBench.engineForward", "engine");
    }

    private Roofline() {
    }

    /** The ceilings measured in a bench run, or null when the run has no PeakBench. */
    public record Ceilings(double gflops, double gbPerSecond) {
        /** The most GFLOP/s a kernel of this arithmetic intensity (FLOP per byte) can reach. */
        double roof(double intensity) {
            return Math.min(gflops, intensity * gbPerSecond);
        }
    }

    public static Ceilings ceilings(Pinned bench) {
        Double fma = mean(bench, "PeakBench.fmaPeak", null);
        Double triad = mean(bench, "PeakBench.triad", null);
        if (fma == null || triad == null) {
            return null;
        }
        return new Ceilings(PEAK_FLOPS_PER_CALL / (fma * 1e6), TRIAD_BYTES_PER_CALL / (triad * 1e6));
    }

    /** FLOPs of a forward pass of shape "NxCxHWxKxR" ('same' padding, stride 1, bias not counted). */
    public static double flops(int[] d) {
        return 2.0 * d[0] * d[3] * d[2] * d[2] * d[1] * d[4] * d[4];
    }

    /** Compulsory bytes of that forward pass: input, weight, bias and output, once each. */
    public static double bytes(int[] d) {
        double hw = (double) d[2] * d[2];
        return 4.0 * (d[0] * d[1] * hw + (double) d[3] * d[1] * d[4] * d[4] + d[3] + d[0] * d[3] * hw);
    }

    static int[] dims(String shape) {
        return java.util.Arrays.stream(shape.split("x")).mapToInt(Integer::parseInt).toArray();
    }

    /** The mean time (ms) of a JMH benchmark of the run, at {@code shape} (null: no shape) on one thread. */
    private static Double mean(Pinned bench, String benchmark, String shape) {
        for (JsonNode j : bench.at("/jmh")) {
            if (!j.get("benchmark").asText().equals(benchmark)) {
                continue;
            }
            JsonNode p = j.get("params");
            if (shape != null && (p == null || !shape.equals(p.path("shape").asText())
                    || !"1".equals(p.path("threads").asText()))) {
                continue;
            }
            return j.get("stats").get("mean").asDouble();
        }
        return null;
    }

    /** The figure {@code roofline-<kind>}; nothing when the run has no PeakBench. Facts: the ceilings. */
    public static void figure(Pinned bench, String kind, List<String> shapes, Path outDir, Map<String, String> facts)
            throws IOException {
        Ceilings c = ceilings(bench);
        if (c == null) {
            return;
        }
        facts.put("peak-gflops-" + kind, String.format(Locale.ROOT, "%.0f", c.gflops()));
        facts.put("triad-gbs-" + kind, String.format(Locale.ROOT, "%.1f", c.gbPerSecond()));
        facts.put("ridge-" + kind, String.format(Locale.ROOT, "%.0f", c.gflops() / c.gbPerSecond()));
        Figures.LineFigure fig = Figures.line("roofline-" + kind, "Roofline of one core (" + kind + " run): the"
                        + " measured FMA peak and triad bandwidth, and each one-thread forward pass of the reference"
                        + " shapes at its compulsory arithmetic intensity")
                .axes("arithmetic intensity (FLOP per compulsory byte)", "GFLOP/s").logX().logY().size(760, 500)
                .from(bench);
        double[] xs = new double[64];
        double[] ys = new double[64];
        for (int i = 0; i < xs.length; i++) {
            xs[i] = Math.pow(10, -1 + 4.0 * i / (xs.length - 1));
            ys[i] = c.roof(xs[i]);
        }
        fig.line("roof", xs, ys);
        // facts for the prose: where the shapes sit against the ridge, and the engine's share of the peak
        List<String> bound = new ArrayList<>();
        List<String> shares = new ArrayList<>();
        double ridge = c.gflops() / c.gbPerSecond();
        for (String shape : shapes) {
            int[] d = dims(shape);
            double intensity = flops(d) / bytes(d);
            bound.add(shape.replace("x", " × ") + String.format(Locale.ROOT, " at %.0f", intensity));
            Double ms = mean(bench, "ConvBench.engineForward", shape);
            if (ms != null) {
                shares.add(shape.replace("x", " × ") + String.format(Locale.ROOT, " %.0f %%",
                        100 * flops(d) / (ms * 1e6) / c.gflops()));
            }
            if (intensity < ridge) {
                facts.put("roofline-memory-bound-" + kind, "true");
            }
        }
        facts.put("roofline-intensities-" + kind, String.join(", ", bound));
        facts.put("engine-forward-peak-shares-" + kind, String.join(", ", shares));
        Map<String, double[][]> series = new LinkedHashMap<>();
        for (Map.Entry<String, String> v : VERSIONS.entrySet()) {
            List<double[]> pts = new ArrayList<>();
            for (String shape : shapes) {
                Double ms = mean(bench, v.getKey(), shape);
                if (ms != null) {
                    int[] d = dims(shape);
                    pts.add(new double[] {flops(d) / bytes(d), flops(d) / (ms * 1e6)});
                }
            }
            if (!pts.isEmpty()) {
                series.put(v.getValue(), pts.toArray(new double[0][]));
            }
        }
        List<double[]> torch = new ArrayList<>();
        for (String shape : shapes) {
            for (JsonNode cmp : bench.at("/comparisons")) {
                if (cmp.get("id").asText().equals("conv_" + shape + "_fwd_1t") && cmp.path("peer").has("mean")) {
                    int[] d = dims(shape);
                    torch.add(new double[] {flops(d) / bytes(d), flops(d) / (cmp.get("peer").get("mean").asDouble() * 1e6)});
                }
            }
        }
        if (!torch.isEmpty()) {
            series.put("PyTorch", torch.toArray(new double[0][]));
        }
        for (Map.Entry<String, double[][]> s : series.entrySet()) {
            double[][] p = s.getValue();
            double[] x = new double[p.length];
            double[] y = new double[p.length];
            for (int i = 0; i < p.length; i++) {
                x[i] = p[i][0];
                y[i] = p[i][1];
            }
            fig.points(s.getKey(), x, y);
        }
        fig.save(outDir);
    }

    /** "GFLOP/s, share of the measured peak" of a one-thread time, for the versions table. */
    public static String share(Ceilings c, double flops, double ms) {
        double g = flops / (ms * 1e6);
        return c == null ? String.format(Locale.ROOT, "%.0f", g)
                : String.format(Locale.ROOT, "%.0f, %.0f %%", g, 100 * g / c.gflops());
    }
}
