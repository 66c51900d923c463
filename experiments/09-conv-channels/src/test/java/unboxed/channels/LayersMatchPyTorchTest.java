package unboxed.channels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import unboxed.autograd.Autograd;
import unboxed.fixtures.CaseResult;
import unboxed.fixtures.Verifier;
import unboxed.io.RepoRoot;
import unboxed.io.Safetensors;
import unboxed.kit.stats.Channels;
import unboxed.nn.Conv2d;
import unboxed.nn.ReLU;
import unboxed.tensor.Rng;
import unboxed.tensor.Tensor;

/**
 * The post's layers are the ones checked against PyTorch: every fixture of data/fixtures/09-conv-channels
 * passes through the engine, each conv2d fixture fits the layer of {@link ChannelNet} it is named
 * after (kernel, stride and padding: the same output from the same weights), and the ablation hook
 * computes the masked product PyTorch computed.
 */
class LayersMatchPyTorchTest {
    static final Path DIR = RepoRoot.get().resolve("data/fixtures/09-conv-channels");

    @Test
    void everyFixtureOfThePostPasses() {
        List<CaseResult> results = Verifier.verifyDirectory(DIR);
        assertTrue(results.size() >= 8, "expected the post's 8 fixtures in " + DIR + ", found " + results.size());
        for (CaseResult r : results) {
            assertTrue(r.passed(), r.file() + ": " + r.message());
        }
    }

    /** Layer {@code layer} of a net of {@code width} on images of {@code channels} × {@code size}², with the fixture's weights, against its output. */
    static void layerMatches(String fixture, int channels, int size, int width, int layer) throws IOException {
        Safetensors.File f = Safetensors.read(DIR.resolve(fixture + ".safetensors"));
        ChannelNet net = new ChannelNet(channels, size, width, new Rng(1));
        Conv2d conv = net.convs().get(layer);
        Tensor w = f.tensor("in.weight");
        Tensor b0 = f.tensor("in.bias");
        Autograd.noGrad(() -> {
            conv.weight().data().copy_(w);
            return conv.bias().data().copy_(b0);
        });
        Tensor input = f.tensor("in.input");
        Tensor out = Autograd.noGrad(() -> conv.call(input));
        Tensor expected = f.tensor("out");
        assertArrayEquals(expected.shape(), out.shape(), fixture + ": output shape");
        float[] a = out.toArray();
        float[] b = expected.toArray();
        double scale = 0;
        double err = 0;
        for (int i = 0; i < a.length; i++) {
            scale = Math.max(scale, Math.abs(b[i]));
            err = Math.max(err, Math.abs(a[i] - b[i]));
        }
        // float32 sums of at most 576 products: far below 1e-5 of the largest output
        assertTrue(err <= 1e-5 * scale, fixture + ": largest difference " + err + " for outputs up to " + scale);
    }

    @Test
    void theNetsLayersAreTheFixturesConfigurations() throws IOException {
        layerMatches("conv2d__net_conv1_k5_p2_w2", 1, 28, 2, 0);
        layerMatches("conv2d__net_conv1_k5_p2_w16", 1, 28, 16, 0);
        layerMatches("conv2d__net_conv2_k3_s2_p1_w16", 1, 28, 16, 1);
        layerMatches("conv2d__net_conv3_k3_s2_p1_w32_odd", 1, 28, 32, 2);
        layerMatches("conv2d__net_k3_s2_p1_w64_input_grad", 1, 28, 64, 2);
        layerMatches("conv2d__cifar_conv1_k5_p2_c3", 3, 32, 16, 0);
    }

    @Test
    void theAblationHookIsTheMaskedProduct() throws Exception {
        Safetensors.File f = Safetensors.read(DIR.resolve("mul__channel_mask.safetensors"));
        float[] mask = f.tensor("in.other").toArray();
        assertEquals(0f, mask[5]);
        assertEquals(0f, mask[11]);
        ReLU relu = new ReLU();
        // the fixture's input is a map of ReLU outputs (≥ 0), which the ReLU passes unchanged
        try (AutoCloseable off = Channels.ablate(relu, 16, 5, 11)) {
            assertArrayEquals(f.tensor("out").toArray(), relu.call(f.tensor("in.input")).toArray());
        }
    }
}
