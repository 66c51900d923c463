package unboxed.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static unboxed.nn.ModuleTest.sameBits;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import unboxed.nn.functional.F;
import unboxed.tensor.Rng;
import unboxed.tensor.Tensor;

/**
 * nn.Conv2d and nn.ConvTranspose2d as PyTorch builds them: parameter shapes, state_dict keys, the
 * default initialisation (kaiming_uniform with a = sqrt(5), which bounds weight and bias by
 * 1/sqrt(fan_in), fan_in = weight.size(1) * kH * kW), the argument checks of torch.nn, and forward
 * equal to the functional form.
 */
class ConvModulesTest {

    /**
     * Every value within ±bound, and, where there are enough of them to tell, the values fill the
     * interval (so the bound is not a smaller one).
     */
    private static void uniformWithin(float[] values, double bound, String what) {
        double max = 0;
        for (float v : values) {
            assertTrue(Math.abs(v) <= bound, what + ": " + v + " outside +-" + bound);
            max = Math.max(max, Math.abs(v));
        }
        assertTrue(values.length < 50 || max > 0.8 * bound, what + " fills +-" + bound + ": max |v| = " + max);
    }

    private static void rejects(Class<? extends Throwable> type, Executable call, String... parts) {
        Throwable e = assertThrows(type, call);
        for (String p : parts) {
            assertTrue(e.getMessage().contains(p), "message should contain '" + p + "': " + e.getMessage());
        }
    }

    // ------------------------------------------------------------------ Conv2d

    @Test
    void conv2dGroupedWeightShapeAndInit() {
        // torch.nn.Conv2d(8, 12, (3, 2), groups=4): weight [12, 2, 3, 2], fan_in = 8/4 * 3 * 2 = 12
        Conv2d c = new Conv2d(8, 12, new int[] {3, 2}, new int[] {1}, new int[] {0}, new int[] {1}, 4, true, "zeros",
                new Rng(3));
        assertArrayEquals(new int[] {12, 2, 3, 2}, c.weight().data().shape());
        assertArrayEquals(new int[] {12}, c.bias().data().shape());
        assertEquals(List.of("weight", "bias"), List.copyOf(c.stateDict().keySet()));
        double bound = 1 / Math.sqrt(12);
        uniformWithin(c.weight().data().toArray(), bound, "weight");
        uniformWithin(c.bias().data().toArray(), bound, "bias");
        assertEquals(4, c.groups());
        // depthwise: fan_in = 1 * 3 * 3, so the bound is 1/3
        Conv2d dw = new Conv2d(16, 16, new int[] {3}, new int[] {1}, new int[] {1}, new int[] {1}, 16, true, "zeros",
                new Rng(4));
        assertArrayEquals(new int[] {16, 1, 3, 3}, dw.weight().data().shape());
        uniformWithin(dw.weight().data().toArray(), 1.0 / 3, "depthwise weight");
    }

    @Test
    void conv2dWithoutBiasHasOnlyAWeight() {
        Conv2d c = new Conv2d(6, 4, new int[] {3, 2}, new int[] {1}, new int[] {0}, new int[] {1}, 2, false, "zeros",
                new Rng(0));
        assertNull(c.bias());
        assertEquals(List.of("weight"), List.copyOf(c.stateDict().keySet()));
        assertArrayEquals(new int[] {4, 3, 3, 2}, c.weight().data().shape());
    }

    @Test
    void conv2dExistingConstructorsDrawTheSameWeightsAsBefore() {
        // post 02's model is built with these: weight then bias, uniform in +-1/sqrt(in * kH * kW), from one Rng
        Conv2d c = new Conv2d(3, 5, 5, 2, new Rng(42));
        Rng rng = new Rng(42);
        double bound = 1.0 / Math.sqrt((double) 3 * 5 * 5);
        Tensor w = Tensor.uniform(rng, -bound, bound, 5, 3, 5, 5);
        Tensor b = Tensor.uniform(rng, -bound, bound, 5);
        assertTrue(sameBits(w.toArray(), c.weight().data().toArray()));
        assertTrue(sameBits(b.toArray(), c.bias().data().toArray()));
        Conv2d full = new Conv2d(3, 5, new int[] {5}, new int[] {1}, new int[] {2}, new int[] {1}, true, new Rng(42));
        assertTrue(sameBits(w.toArray(), full.weight().data().toArray()));
    }

    @Test
    void conv2dForwardIsTheFunctionalForm() {
        Tensor x = Tensor.randn(new Rng(9), 2, 4, 7, 6);
        Conv2d c = new Conv2d(4, 6, new int[] {3, 2}, new int[] {2, 1}, new int[] {1, 0}, new int[] {1, 2}, 2, true,
                "zeros", new Rng(1));
        Tensor expected = F.conv2d(x, c.weight().data(), c.bias().data(), new int[] {2, 1}, new int[] {1, 0},
                new int[] {1, 2}, 2);
        assertTrue(sameBits(expected.toArray(), c.forward(x).toArray()));
        Conv2d same = new Conv2d(4, 4, new int[] {2, 4}, new int[] {1}, "same", new int[] {1}, 4, false, "zeros",
                new Rng(2));
        assertArrayEquals(new int[] {2, 4, 7, 6}, same.forward(x).shape());
        Conv2d valid = new Conv2d(4, 4, new int[] {3}, new int[] {2}, "valid", new int[] {1}, 1, true, "zeros",
                new Rng(2));
        assertArrayEquals(new int[] {2, 4, 3, 2}, valid.forward(x).shape());
    }

    @Test
    void conv2dRejectsWhatTorchNnRejects() {
        rejects(IllegalArgumentException.class, () -> new Conv2d(4, 6, new int[] {3}, new int[] {1}, new int[] {0},
                new int[] {1}, 3, true, "zeros", new Rng(0)), "Conv2d", "in_channels must be divisible by groups",
                "in_channels=4, groups=3");
        rejects(IllegalArgumentException.class, () -> new Conv2d(6, 4, new int[] {3}, new int[] {1}, new int[] {0},
                new int[] {1}, 3, true, "zeros", new Rng(0)), "out_channels must be divisible by groups",
                "out_channels=4, groups=3");
        rejects(IllegalArgumentException.class, () -> new Conv2d(6, 6, new int[] {3}, new int[] {1}, new int[] {0},
                new int[] {1}, 0, true, "zeros", new Rng(0)), "groups must be a positive integer", "groups=0");
        rejects(IllegalArgumentException.class, () -> new Conv2d(6, 6, new int[] {3}, new int[] {2}, "same",
                new int[] {1}, 1, true, "zeros", new Rng(0)), "padding='same' is not supported for strided convolutions");
        rejects(IllegalArgumentException.class, () -> new Conv2d(6, 6, new int[] {3}, new int[] {1}, "full",
                new int[] {1}, 1, true, "zeros", new Rng(0)), "Invalid padding string 'full'",
                "should be one of {'valid', 'same'}");
        rejects(IllegalArgumentException.class, () -> new Conv2d(6, 6, new int[] {3}, new int[] {1}, new int[] {0},
                new int[] {1}, 1, true, "foo", new Rng(0)), "padding_mode must be one of", "padding_mode='foo'");
        // modes torch has and the engine does not: a clear refusal, not zeros in disguise
        for (String mode : List.of("reflect", "replicate", "circular")) {
            rejects(UnsupportedOperationException.class, () -> new Conv2d(6, 6, new int[] {3}, new int[] {1},
                    new int[] {1}, new int[] {1}, 1, true, mode, new Rng(0)), "padding_mode='" + mode + "'",
                    "only 'zeros'");
        }
        rejects(IllegalArgumentException.class, () -> new Conv2d(6, 6, new int[] {3, 3, 3}, new int[] {1},
                new int[] {0}, new int[] {1}, 1, true, "zeros", new Rng(0)), "kernel_size", "an int or a pair");
    }

    // ------------------------------------------------------------------ ConvTranspose2d

    @Test
    void convTranspose2dWeightShapeAndInit() {
        // torch.nn.ConvTranspose2d(6, 4, (3, 2), groups=2): weight [6, 2, 3, 2], fan_in = weight.size(1) * 3 * 2 = 12
        ConvTranspose2d t = new ConvTranspose2d(6, 4, new int[] {3, 2}, new int[] {1}, new int[] {0}, new int[] {0}, 2,
                true, new int[] {1}, new Rng(5));
        assertArrayEquals(new int[] {6, 2, 3, 2}, t.weight().data().shape());
        assertArrayEquals(new int[] {4}, t.bias().data().shape());
        assertEquals(List.of("weight", "bias"), List.copyOf(t.stateDict().keySet()));
        double bound = 1 / Math.sqrt(12);
        uniformWithin(t.weight().data().toArray(), bound, "weight");
        uniformWithin(t.bias().data().toArray(), bound, "bias");
        // fan_in comes from out_channels, not in_channels: 64 -> 1 channel with a 4x4 kernel has bound 1/4
        ConvTranspose2d wide = new ConvTranspose2d(64, 1, 4, 2, 1, new Rng(6));
        assertArrayEquals(new int[] {64, 1, 4, 4}, wide.weight().data().shape());
        uniformWithin(wide.weight().data().toArray(), 0.25, "weight of a 64 -> 1 transposed convolution");
        ConvTranspose2d noBias = new ConvTranspose2d(2, 3, 3, 1, 0, 0, 1, false, 1, new Rng(0));
        assertNull(noBias.bias());
        assertEquals(List.of("weight"), List.copyOf(noBias.stateDict().keySet()));
    }

    @Test
    void convTranspose2dForwardIsTheFunctionalForm() {
        Tensor x = Tensor.randn(new Rng(10), 2, 4, 3, 5);
        ConvTranspose2d t = new ConvTranspose2d(4, 6, new int[] {3}, new int[] {2, 3}, new int[] {1, 0},
                new int[] {1, 2}, 2, true, new int[] {1}, new Rng(7));
        Tensor expected = F.convTranspose2d(x, t.weight().data(), t.bias().data(), new int[] {2, 3}, new int[] {1, 0},
                new int[] {1, 2}, 2, new int[] {1});
        Tensor y = t.forward(x);
        assertTrue(sameBits(expected.toArray(), y.toArray()));
        // (3 - 1) * 2 - 2 + 2 + 1 + 1 = 6, (5 - 1) * 3 - 0 + 2 + 2 + 1 = 17
        assertArrayEquals(new int[] {2, 6, 6, 17}, y.shape());
        // the int overload on an unbatched input: 7x7, stride 2, padding 1 -> 13x13
        ConvTranspose2d up = new ConvTranspose2d(4, 2, 3, 2, 1, new Rng(8));
        assertArrayEquals(new int[] {2, 13, 13}, up.forward(Tensor.zeros(4, 7, 7)).shape());
    }

    @Test
    void convTranspose2dOutputSizePicksTheOutputPadding() {
        // a stride-2 conv2d maps both 7x7 and 8x8 to 4x4 (kernel 3, padding 1); output_size undoes the one wanted
        ConvTranspose2d up = new ConvTranspose2d(3, 2, 3, 2, 1, new Rng(11));
        Tensor x = Tensor.randn(new Rng(12), 1, 3, 4, 4);
        assertArrayEquals(new int[] {1, 2, 7, 7}, up.forward(x, new int[] {7, 7}).shape());
        assertArrayEquals(new int[] {1, 2, 8, 7}, up.forward(x, new int[] {1, 2, 8, 7}).shape());
        Tensor withPadding = F.convTranspose2d(x, up.weight().data(), up.bias().data(), new int[] {2}, new int[] {1},
                new int[] {1, 0}, 1, new int[] {1});
        assertTrue(sameBits(withPadding.toArray(), up.forward(x, new int[] {8, 7}).toArray()));
        rejects(IllegalArgumentException.class, () -> up.forward(x, new int[] {9, 7}), "ConvTranspose2d",
                "requested an output size of [9, 7], but valid sizes range from [7, 7] to [8, 8]");
    }

    @Test
    void convTranspose2dRejectsWhatTorchNnRejects() {
        rejects(IllegalArgumentException.class, () -> new ConvTranspose2d(4, 6, 3, 1, 0, 0, 3, true, 1, new Rng(0)),
                "ConvTranspose2d", "in_channels must be divisible by groups");
        rejects(IllegalArgumentException.class, () -> new ConvTranspose2d(6, 4, 3, 1, 0, 0, 3, true, 1, new Rng(0)),
                "out_channels must be divisible by groups");
        rejects(IllegalArgumentException.class, () -> new ConvTranspose2d(6, 6, 3, 1, 0, 0, 0, true, 1, new Rng(0)),
                "groups must be a positive integer");
        // as in torch, output_padding is checked when the module runs
        ConvTranspose2d t = new ConvTranspose2d(2, 2, 3, 1, 0, 1, 1, true, 1, new Rng(0));
        rejects(IllegalArgumentException.class, () -> t.forward(Tensor.zeros(1, 2, 3, 3)), "conv_transpose2d",
                "output padding must be smaller than either stride or dilation");
    }
}
