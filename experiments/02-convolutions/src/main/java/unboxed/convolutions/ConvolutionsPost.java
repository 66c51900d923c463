package unboxed.convolutions;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.commons.math3.stat.descriptive.SummaryStatistics;
import unboxed.io.AtomicFiles;
import unboxed.kit.Figures;
import unboxed.kit.Pinned;
import unboxed.kit.Post;
import unboxed.kit.Tables;

/** Post 02's figures and tables, drawn from its pinned results only. */
public final class ConvolutionsPost implements Post {
    @Override
    public String slug() {
        return Experiment.POST;
    }

    @Override
    public String title() {
        return "Convolutions: from seven nested loops to the engine's conv2d";
    }

    @Override
    public String summary() {
        return "How a convolution works, numbered versions from seven nested loops to im2col and a matrix product,"
                + " the engine's conv2d and pooling checked against PyTorch, and a CNN trained with them on MNIST.";
    }

    @Override
    public Class<?> experimentMain() {
        return Experiment.class;
    }

    @Override
    public void generate(Path resultsDir, Path outDir) throws IOException {
        Pinned cnn = Pinned.load(resultsDir, "cnn-mnist");
        Map<String, String> facts = new LinkedHashMap<>();
        curves(cnn, outDir);
        accuracy(cnn, outDir, facts);
        StringBuilder s = new StringBuilder("// Generated from pinned results: ").append(Pinned.citation(List.of(cnn)))
                .append('\n');
        facts.forEach((k, v) -> s.append(':').append(k).append(": ").append(v).append('\n'));
        AtomicFiles.write(outDir.resolve("facts.adoc"), s.toString().getBytes(StandardCharsets.UTF_8));
    }

    private static void curves(Pinned cnn, Path outDir) throws IOException {
        Figures.LineFigure fig = Figures.line("cnn-loss", "Training loss of the CNN (mean over "
                        + cnn.at("/config/log_every_steps").asInt() + " steps), one line per seed")
                .axes("SGD step", "training loss").logY().size(760, 480).from(cnn);
        List<double[]> ys = new ArrayList<>();
        double[] x = null;
        for (JsonNode r : cnn.at("/runs")) {
            x = doubles(r.get("steps"));
            ys.add(doubles(r.get("trainLoss")));
        }
        fig.seeds("cross-entropy", x, ys.toArray(new double[0][]));
        fig.save(outDir);
    }

    private static void accuracy(Pinned cnn, Path outDir, Map<String, String> facts) throws IOException {
        double target = cnn.number("/config/target_test_accuracy");
        SummaryStatistics s = new SummaryStatistics();
        List<List<?>> rows = new ArrayList<>();
        for (JsonNode r : cnn.at("/runs")) {
            List<String> perEpoch = new ArrayList<>();
            for (JsonNode a : r.get("testAccuracy")) {
                perEpoch.add(pct(a.asDouble()));
            }
            double fin = r.get("finalTestAccuracy").asDouble();
            s.addValue(fin);
            rows.add(List.of(r.get("seed").asText(), String.join(", ", perEpoch), pct(fin),
                    fin >= target ? "met" : "missed"));
        }
        Tables.write(outDir, "cnn-accuracy", "Test accuracy of the CNN on MNIST's 10,000 test images after each epoch,"
                        + " per seed; the target is " + pct(target),
                List.of("seed", "after each epoch", "final", "≥ " + pct(target)), rows, List.of(cnn));
        facts.put("cnn-mean-accuracy", pct(s.getMean()));
        facts.put("cnn-min-accuracy", pct(s.getMin()));
        facts.put("cnn-seeds", String.valueOf(s.getN()));
        facts.put("cnn-epochs", cnn.at("/config/epochs").asText());
        facts.put("cnn-lr", cnn.at("/config/lr").asText());
        facts.put("cnn-momentum", cnn.at("/config/momentum").asText());
        facts.put("cnn-batch", cnn.at("/config/batch_size").asText());
        facts.put("cnn-target", pct(target));
        facts.put("cnn-verdict", s.getMin() >= target ? "every seed reaches it" : "not every seed reaches it");
    }

    @Override
    public String finding(Path resultsDir) throws IOException {
        Pinned cnn = Pinned.load(resultsDir, "cnn-mnist");
        SummaryStatistics s = new SummaryStatistics();
        for (JsonNode r : cnn.at("/runs")) {
            s.addValue(r.get("finalTestAccuracy").asDouble());
        }
        return "Pinned result (`data/results/02-convolutions/cnn-mnist.json`: " + s.getN() + " seeds, "
                + cnn.at("/config/epochs").asText() + " epochs): the CNN built on the engine's conv2d reaches "
                + pct(s.getMean()) + " mean test accuracy on MNIST (lowest seed " + pct(s.getMin()) + "; target "
                + pct(cnn.number("/config/target_test_accuracy")) + ").";
    }

    static double[] doubles(JsonNode a) {
        double[] out = new double[a.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = a.get(i).asDouble();
        }
        return out;
    }

    static String pct(double v) {
        return String.format(Locale.ROOT, "%.2f%%", 100 * v);
    }
}
