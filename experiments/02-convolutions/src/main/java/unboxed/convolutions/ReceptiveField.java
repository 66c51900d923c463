package unboxed.convolutions;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import unboxed.nn.functional.F;
import unboxed.tensor.Tensor;

/**
 * Which input values one output value of a convolution reads: the gradient of that output with
 * respect to the input, computed by the engine's autograd through its conv2d. With a weight of
 * ones the gradient is 1 exactly on the receptive field (a kH x kW window in every input channel)
 * and 0 elsewhere; at the border the window reaches into the padding, which has no gradient.
 */
public final class ReceptiveField {
    static final int CHANNELS = 3;
    static final int SIZE = 9;
    static final int KERNEL = 3;
    static final int PADDING = 1;

    private ReceptiveField() {
    }

    /** The experiment's results: the layer and, for two output positions, the gradient grid per input channel. */
    public static Map<String, Object> run() {
        List<Map<String, Object>> outputs = new ArrayList<>();
        for (int[] pos : new int[][] {{4, 4}, {0, 0}}) {
            Tensor x = Tensor.zeros(1, CHANNELS, SIZE, SIZE).requiresGrad(true);
            Tensor w = Tensor.ones(1, CHANNELS, KERNEL, KERNEL);
            Tensor y = F.conv2d(x, w, null, PADDING);
            y.narrow(2, pos[0], 1).narrow(3, pos[1], 1).sum().backward();
            float[] g = x.grad().toArray();
            List<List<List<Float>>> grid = new ArrayList<>();
            for (int c = 0; c < CHANNELS; c++) {
                List<List<Float>> rows = new ArrayList<>();
                for (int i = 0; i < SIZE; i++) {
                    List<Float> row = new ArrayList<>();
                    for (int j = 0; j < SIZE; j++) {
                        row.add(g[(c * SIZE + i) * SIZE + j]);
                    }
                    rows.add(row);
                }
                grid.add(rows);
            }
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("output_position", pos);
            o.put("gradient", grid);
            outputs.add(o);
        }
        Map<String, Object> layer = new LinkedHashMap<>();
        layer.put("input_shape", new int[] {1, CHANNELS, SIZE, SIZE});
        layer.put("weight_shape", new int[] {1, CHANNELS, KERNEL, KERNEL});
        layer.put("padding", PADDING);
        layer.put("weight", "ones");
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("layer", layer);
        r.put("outputs", outputs);
        return r;
    }
}
