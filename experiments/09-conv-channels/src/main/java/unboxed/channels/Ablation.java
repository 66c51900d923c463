package unboxed.channels;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import unboxed.data.Dataset;
import unboxed.kit.stats.Channels;
import unboxed.nn.Module;

/**
 * The interventions: a channel is zeroed by a forward hook ({@link Channels#ablate}) and the network
 * is measured again.
 * <ul>
 *   <li>{@link #byClass}: how many images of each class it still gets right, one channel zeroed at
 *       a time: the test of every claim of the form "this channel serves class k";</li>
 *   <li>{@link #downstream}: how the next layer's responses to the gratings change when a channel
 *       is zeroed: the test of "this channel tells the next layer about orientation θ".</li>
 * </ul>
 */
final class Ablation {
    private Ablation() {
    }

    /**
     * For each layer, for each channel listed ({@code channels.get(layer)}), the correct answers per
     * class on {@code eval} with that channel zeroed: [layer][listed channel][class].
     */
    static List<int[][]> byClass(Module net, List<? extends Module> layers, int[] widths, List<int[]> channels,
                                 Dataset eval) {
        List<int[][]> out = new ArrayList<>();
        for (int l = 0; l < layers.size(); l++) {
            int[] list = channels.get(l);
            int[][] correct = new int[list.length][];
            for (int i = 0; i < list.length; i++) {
                try (AutoCloseable off = Channels.ablate(layers.get(l), widths[l], list[i])) {
                    correct[i] = Training.correctByClass(net, eval);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }
            out.add(correct);
        }
        return out;
    }

    /**
     * Zeroes each channel of {@code layer} in turn and records, for the gratings, the total
     * response of layer {@code layer + 1} (phase-averaged, [orientation][frequency]) without the
     * ablation ({@code "base"}) and the summed absolute change of its channels' responses with
     * each channel zeroed ({@code "change"}, [channel][orientation][frequency]).
     */
    static Map<String, Object> downstream(Module net, List<? extends Module> layers, int layer, int width, ProbeSet p,
                                          float[] mean, float[] std) {
        List<String> g = List.of("gratings");
        Module next = layers.get(layer + 1);
        double[][] base = Look.of(net, List.of(next), p, g, mean, std, Map.of()).responses("gratings", 0);
        int n = base[0].length;
        List<double[][]> change = new ArrayList<>();
        for (int c = 0; c < width; c++) {
            double[][] r;
            try (AutoCloseable off = Channels.ablate(layers.get(layer), width, c)) {
                r = Look.of(net, List.of(next), p, g, mean, std, Map.of()).responses("gratings", 0);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            double[][] diff = new double[r.length][1];
            for (int i = 0; i < r.length; i++) {
                double s = 0;
                for (int d = 0; d < n; d++) {
                    s += Math.abs(r[i][d] - base[i][d]);
                }
                diff[i][0] = s;
            }
            change.add(Measures.sig4(Look.tuning(diff, 0)));
        }
        double[][] total = new double[base.length][1];
        for (int i = 0; i < base.length; i++) {
            for (int d = 0; d < n; d++) {
                total[i][0] += base[i][d];
            }
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("layer", layer + 1);
        out.put("base", Measures.sig4(Look.tuning(total, 0)));
        out.put("change", change);
        return out;
    }
}
