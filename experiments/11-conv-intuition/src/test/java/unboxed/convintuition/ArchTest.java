package unboxed.convintuition;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import unboxed.autograd.Autograd;
import unboxed.data.Dataset;
import unboxed.tensor.Rng;
import unboxed.tensor.Tensor;

/** The networks on the axis: their names, their costs from the shape against the engine's, equal budgets. */
class ArchTest {
    @Test
    void idsNameTheNetworkAndReadBack() {
        for (String id : List.of("fc-w157", "conv3-w16", "lc9-w16", "conv3-w16-pool1", "conv3-w16-pool4", "lc3-w1")) {
            assertEquals(id, Arch.parse(id).id());
        }
        assertEquals(new Arch(Arch.Kind.CONV, 3, 16, 1), Arch.parse("conv3-w16-pool1"));
        assertEquals("conv3-pool4", Arch.parse("conv3-w16-pool4").family());
        assertThrows(IllegalArgumentException.class, () -> Arch.parse("fc3-w16"));
        assertThrows(IllegalArgumentException.class, () -> Arch.parse("conv-w16"));
        assertThrows(IllegalArgumentException.class, () -> Arch.parse("conv3-w16-pool2"), "the default is not written");
        assertThrows(IllegalArgumentException.class, () -> Arch.parse("conv28-w16"), "kernel 28 is fc");
        assertThrows(IllegalArgumentException.class, () -> Arch.parse("conv3-w0"));
    }

    @Test
    void parametersAndFlopsFromTheShapeAreWhatTheEngineHoldsAndCounts() {
        for (String id : List.of("fc-w16", "fc-w157", "conv3-w16", "lc3-w16", "conv9-w4", "lc15-w2", "conv3-w8-pool1",
                "lc3-w3-pool4")) {
            Map<String, Object> m = Cost.measure(Arch.parse(id), 1);
            assertEquals(m.get("params"), m.get("params_held"), id + " parameters");
            assertEquals(m.get("flops"), m.get("flops_counted"), id + " forward FLOPs");
            assertEquals(m.get("train_flops"), m.get("train_flops_counted"), id + " training FLOPs");
        }
        // by hand: conv3-w16: 16·(9 + 1) + 16·13·13·10 + 10 parameters; 2·(16·26·26·9 + 16·13·13·10) FLOPs
        Arch c = Arch.conv(3, 16);
        assertEquals(160 + 27040 + 10, c.params());
        assertEquals(2L * (16 * 676 * 9 + 16 * 169 * 10), c.flops());
        // the locally connected layer: the same arithmetic, a kernel per position
        Arch l = Arch.lc(3, 16);
        assertEquals(c.flops(), l.flops());
        assertEquals(c.layerParams() * 26 * 26, l.layerParams());
    }

    @Test
    void theWholeImageKernelsAreTheFullyConnectedLayer() {
        Map<String, Object> m = Cost.measure(Arch.fc(5), 2);
        assertEquals(0.0, m.get("conv28_max_abs_difference"));
        assertEquals(0.0, m.get("lc28_max_abs_difference"));
        assertEquals(m.get("layer_params"), m.get("conv28_params"));
        assertEquals(m.get("layer_params"), m.get("lc28_params"));
    }

    @Test
    void budgetsPickTheNearestWidth() {
        long p = Arch.conv(3, 20).params();
        assertEquals(Arch.conv(3, 20), Budgets.matchParams(Arch.conv(3, 1), p));
        Arch fc = Budgets.matchParams(Arch.fc(1), p);
        assertTrue(Math.abs(Math.log(fc.params() / (double) p)) <= Math.abs(Math.log(fc.withWidth(fc.width() + 1)
                .params() / (double) p)));
        assertTrue(Math.abs(Math.log(fc.params() / (double) p)) <= Math.abs(Math.log(fc.withWidth(fc.width() - 1)
                .params() / (double) p)));
        assertEquals(Arch.lc(3, 16), Budgets.matchFlops(Arch.lc(3, 1), Arch.conv(3, 16).flops()));
        assertEquals(157, Budgets.matchFlops(Arch.fc(1), Arch.conv(3, 16).flops()).width());
        // a budget below the narrowest network gives width 1
        assertEquals(1, Budgets.matchParams(Arch.lc(3, 1), 100).width());
        assertThrows(IllegalArgumentException.class, () -> Budgets.matchParams(Arch.fc(1), 0));
    }

    @Test
    void aLocallyConnectedNetworkStartedAsTheConvolutionComputesWhatItComputes() {
        Rng rng = new Rng(3);
        Net conv = new Net(Arch.conv(3, 4), rng.fork("init"));
        Net lc = Net.tiedCopy(conv, rng.fork("tied"));
        assertEquals(Arch.lc(3, 4), lc.arch);
        Tensor x = Tensor.randn(rng.fork("x"), 5, Arch.PIXELS);
        float[] a = Autograd.noGrad(() -> conv.forward(x)).toArray();
        float[] b = Autograd.noGrad(() -> lc.forward(x)).toArray();
        for (int i = 0; i < a.length; i++) {
            assertEquals(a[i], b[i], 1e-5 * (1 + Math.abs(a[i])), "logit " + i);
        }
        assertThrows(IllegalArgumentException.class, () -> Net.tiedCopy(lc, rng));
    }

    @Test
    void aPermutationMovesEveryPixelAndKeepsTheLabels() {
        Dataset d = new Dataset("d", new float[] {1, 2, 3, 4, 5, 6, 7, 8}, new int[] {0, 1}, 1, 2, 2, 2, null);
        Dataset p = Runs.permuted(d, new int[] {3, 0, 2, 1});
        assertArrayEquals(new float[] {4, 1, 3, 2, 8, 5, 7, 6}, p.images());
        assertArrayEquals(d.labels(), p.labels());
        assertThrows(IllegalArgumentException.class, () -> Runs.permuted(d, new int[] {0, 1}));
    }
}
