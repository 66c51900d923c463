package unboxed.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Creation, layout (shape, strides, contiguity), views that share storage, reshape as view or copy. */
class TensorTest {

    /** 0, 1, ..., n-1 with the given shape. */
    static Tensor seq(int... shape) {
        return Tensor.arange(Shape.numel(shape)).reshape(shape);
    }

    static void assertMessage(Throwable e, String... parts) {
        for (String p : parts) {
            assertTrue(e.getMessage() != null && e.getMessage().contains(p),
                    "message should contain '" + p + "': " + e.getMessage());
        }
    }

    // ------------------------------------------------------------------ creation

    @Test
    void ofCopiesTheDataAndChecksTheCount() {
        float[] data = {1, 2, 3, 4, 5, 6};
        Tensor t = Tensor.of(data, 2, 3);
        data[0] = 99; // the tensor owns a copy
        assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, t.toArray());
        assertArrayEquals(new int[] {2, 3}, t.shape());
        assertEquals(6, t.numel());
        assertEquals(2, t.dim());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Tensor.of(new float[5], 2, 3));
        assertMessage(e, "Tensor.of", "5", "[2, 3]");
    }

    @Test
    void zerosOnesFullArangeScalar() {
        assertArrayEquals(new float[6], Tensor.zeros(2, 3).toArray());
        assertArrayEquals(new float[] {1, 1, 1}, Tensor.ones(3).toArray());
        assertArrayEquals(new float[] {2.5f, 2.5f, 2.5f, 2.5f}, Tensor.full(2.5f, 2, 2).toArray());
        assertArrayEquals(new float[] {0, 1, 2, 3}, Tensor.arange(4).toArray());
        Tensor s = Tensor.scalar(7f);
        assertEquals(0, s.dim());
        assertEquals(1, s.numel());
        assertArrayEquals(new int[0], s.shape());
        assertEquals(7f, s.item());
        Tensor empty = Tensor.zeros(0, 3);
        assertEquals(0, empty.numel());
        assertEquals(0, empty.toArray().length);
    }

    @Test
    void negativeDimensionIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Tensor.zeros(2, -1));
        assertMessage(e, "-1", "[2, -1]");
    }

    @Test
    void itemNeedsOneElement() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Tensor.zeros(2, 2).item());
        assertMessage(e, "item", "[2, 2]");
        assertEquals(3f, Tensor.full(3f, 1, 1).item());
    }

    @Test
    void randnAndUniformAreDeterminedBySeed() {
        assertArrayEquals(Tensor.randn(new Rng(5), 4, 3).toArray(), Tensor.randn(new Rng(5), 4, 3).toArray());
        assertFalse(java.util.Arrays.equals(Tensor.randn(new Rng(5), 12).toArray(), Tensor.randn(new Rng(6), 12).toArray()));
        for (float v : Tensor.uniform(new Rng(1), -0.5, 0.25, 1000).toArray()) {
            assertTrue(v >= -0.5f && v <= 0.25f, "uniform value " + v + " out of [-0.5, 0.25]");
        }
    }

    // ------------------------------------------------------------------ layout

    @Test
    void contiguousStridesAreRowMajor() {
        Tensor t = Tensor.zeros(2, 3, 4);
        assertArrayEquals(new int[] {12, 4, 1}, t.strides());
        assertEquals(4, t.stride(1));
        assertEquals(1, t.stride(-1));
        assertEquals(4, t.size(-1));
        assertEquals(2, t.size(0));
        assertEquals(0, t.offset());
        assertTrue(t.isContiguous());
        assertArrayEquals(new int[0], Shape.contiguousStrides(new int[0]));
        IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class, () -> t.size(3));
        assertMessage(e, "size", "3", "rank 3");
    }

    @Test
    void sizeOfAZeroDimTensorIsAnError() {
        // torch: IndexError "dimension specified as 0 but tensor has no dimensions"
        Tensor s = Tensor.scalar(1f);
        IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class, () -> s.size(0));
        assertMessage(e, "size", "0-dim");
        assertThrows(IndexOutOfBoundsException.class, () -> s.stride(-1));
    }

    @Test
    void shapeAndStridesAreDefensiveCopies() {
        Tensor t = Tensor.zeros(2, 3);
        t.shape()[0] = 9;
        t.strides()[0] = 9;
        assertArrayEquals(new int[] {2, 3}, t.shape());
        assertArrayEquals(new int[] {3, 1}, t.strides());
    }

    @Test
    void isContiguousIgnoresSizeOneDimensions() {
        Tensor t = seq(2, 3);
        assertFalse(t.transpose(0, 1).isContiguous());
        assertTrue(t.unsqueeze(0).isContiguous());
        assertTrue(t.unsqueeze(2).isContiguous());
        assertTrue(seq(1, 5).transpose(0, 1).isContiguous(), "a [1,5] transposed is still row-major memory");
        assertTrue(t.narrow(0, 1, 1).isContiguous(), "a row slice is contiguous (offset aside)");
        assertFalse(t.narrow(1, 0, 2).isContiguous(), "a column slice leaves gaps");
        assertFalse(seq(3).unsqueeze(0).expand(4, 3).isContiguous(), "an expanded tensor repeats memory");
        assertTrue(seq(3).unsqueeze(0).expand(1, 3).isContiguous());
    }

    // ------------------------------------------------------------------ views

    @Test
    void transposeIsAViewWithSwappedStrides() {
        Tensor t = seq(2, 3);
        Tensor tt = t.transpose(0, 1);
        assertSame(t.storage(), tt.storage());
        assertArrayEquals(new int[] {3, 2}, tt.shape());
        assertArrayEquals(new int[] {1, 3}, tt.strides());
        assertArrayEquals(new float[] {0, 3, 1, 4, 2, 5}, tt.toArray());
        assertArrayEquals(tt.toArray(), t.t().toArray());
        assertArrayEquals(new float[] {0, 3, 1, 4, 2, 5}, t.transpose(-1, -2).toArray());
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> seq(2, 2, 2).t());
        assertMessage(e, "t()", "[2, 2, 2]");
    }

    @Test
    void permuteReordersDimensions() {
        Tensor t = seq(2, 3, 4);
        Tensor p = t.permute(2, 0, 1);
        assertSame(t.storage(), p.storage());
        assertArrayEquals(new int[] {4, 2, 3}, p.shape());
        assertArrayEquals(new int[] {1, 12, 4}, p.strides());
        float[] v = p.toArray();
        float[] src = t.toArray();
        for (int k = 0; k < 4; k++) {
            for (int i = 0; i < 2; i++) {
                for (int j = 0; j < 3; j++) {
                    assertEquals(src[i * 12 + j * 4 + k], v[k * 6 + i * 3 + j]);
                }
            }
        }
        assertMessage(assertThrows(IllegalArgumentException.class, () -> t.permute(0, 1)), "permute", "rank 3");
        assertMessage(assertThrows(IllegalArgumentException.class, () -> t.permute(0, 1, 1)), "permute", "repeats");
    }

    @Test
    void expandUsesStrideZero() {
        Tensor col = Tensor.of(new float[] {1, 2, 3}, 3, 1);
        Tensor e = col.expand(2, 3, 4);
        assertSame(col.storage(), e.storage());
        assertArrayEquals(new int[] {2, 3, 4}, e.shape());
        assertArrayEquals(new int[] {0, 1, 0}, e.strides());
        float[] v = e.toArray();
        for (int b = 0; b < 2; b++) {
            for (int i = 0; i < 3; i++) {
                for (int j = 0; j < 4; j++) {
                    assertEquals(i + 1, v[b * 12 + i * 4 + j]);
                }
            }
        }
        assertArrayEquals(new int[] {3, 5}, col.expand(-1, 5).shape());
        IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, () -> col.expand(4, 4));
        assertMessage(ex, "expand", "[3, 1]", "[4, 4]");
        assertMessage(assertThrows(IllegalArgumentException.class, () -> col.expand(5)), "expand", "[5]", "[3, 1]");
    }

    @Test
    void unsqueezeAndSqueeze() {
        Tensor t = seq(2, 3);
        assertArrayEquals(new int[] {1, 2, 3}, t.unsqueeze(0).shape());
        assertArrayEquals(new int[] {2, 1, 3}, t.unsqueeze(1).shape());
        assertArrayEquals(new int[] {2, 3, 1}, t.unsqueeze(-1).shape());
        assertArrayEquals(new int[] {2, 3, 1}, t.unsqueeze(2).shape());
        assertSame(t.storage(), t.unsqueeze(1).storage());
        assertArrayEquals(t.toArray(), t.unsqueeze(1).toArray());
        assertArrayEquals(new int[] {2, 3}, t.unsqueeze(1).squeeze(1).shape());
        assertArrayEquals(new int[] {2, 3}, t.unsqueeze(-1).squeeze(-1).shape());
        assertArrayEquals(new int[] {2, 3}, t.squeeze(0).shape(), "squeezing a dimension of size 2 changes nothing");
        assertArrayEquals(new int[0], Tensor.of(new float[] {4}, 1).squeeze(0).shape());
        assertThrows(IndexOutOfBoundsException.class, () -> t.unsqueeze(4));
        assertThrows(IndexOutOfBoundsException.class, () -> t.squeeze(2));
    }

    @Test
    void narrowIsAViewWithAnOffset() {
        Tensor t = seq(4, 5);
        Tensor n = t.narrow(1, 2, 2);
        assertSame(t.storage(), n.storage());
        assertEquals(2, n.offset());
        assertArrayEquals(new int[] {4, 2}, n.shape());
        assertArrayEquals(new float[] {2, 3, 7, 8, 12, 13, 17, 18}, n.toArray());
        Tensor rows = t.narrow(0, 1, 2);
        assertEquals(5, rows.offset());
        assertArrayEquals(new float[] {5, 6, 7, 8, 9, 10, 11, 12, 13, 14}, rows.toArray());
        IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class, () -> t.narrow(1, 4, 2));
        assertMessage(e, "narrow", "[4, 6)", "size 5");
        assertThrows(IndexOutOfBoundsException.class, () -> t.narrow(0, -1, 1));
    }

    @Test
    void toArrayOfStridedViews() {
        Tensor t = seq(3, 4);
        // narrow of a transpose: rows 1..2 of the [4,3] transpose
        assertArrayEquals(new float[] {1, 5, 9, 2, 6, 10}, t.transpose(0, 1).narrow(0, 1, 2).toArray());
        // a single element deep inside
        assertArrayEquals(new float[] {6}, t.narrow(0, 1, 1).narrow(1, 2, 1).toArray());
        // expand of a narrowed column
        assertArrayEquals(new float[] {3, 3, 7, 7, 11, 11}, t.narrow(1, 3, 1).expand(3, 2).toArray());
        // 3-D permutation, then a slice
        Tensor u = seq(2, 3, 2).permute(1, 2, 0).narrow(0, 1, 2); // [2, 2, 2]
        assertArrayEquals(new float[] {2, 8, 3, 9, 4, 10, 5, 11}, u.toArray());
        // contiguous() materialises the same order
        assertArrayEquals(u.toArray(), u.contiguous().toArray());
        assertTrue(u.contiguous().isContiguous());
    }

    @Test
    void reshapeOfAContiguousTensorSharesStorage() {
        Tensor t = seq(2, 6);
        Tensor r = t.reshape(3, 4);
        assertSame(t.storage(), r.storage(), "reshape of contiguous memory is a view");
        assertArrayEquals(new int[] {3, 4}, r.shape());
        assertArrayEquals(new int[] {4, 1}, r.strides());
        assertArrayEquals(t.toArray(), r.toArray());
        assertArrayEquals(new int[] {4, 3}, t.reshape(-1, 3).shape());
        assertSame(t.storage(), t.view(12).storage());
        assertSame(t.storage(), t.flatten().storage());
        // splitting a dimension of a transposed tensor needs no copy either
        Tensor tt = seq(4, 6).transpose(0, 1); // [6, 4], strides [1, 6]
        Tensor split = tt.reshape(2, 3, 4);
        assertSame(tt.storage(), split.storage());
        assertArrayEquals(tt.toArray(), split.toArray());
        // a size-1 dimension's stride is irrelevant: one sample of a permuted batch still flattens as a view
        Tensor one = seq(5, 2, 3).permute(1, 0, 2).narrow(1, 3, 1); // [2, 1, 3], strides [3, 6, 1]
        assertTrue(one.isContiguous());
        Tensor flat = one.reshape(6);
        assertSame(one.storage(), flat.storage());
        assertArrayEquals(new float[] {18, 19, 20, 21, 22, 23}, flat.toArray());
        assertArrayEquals(new float[] {18, 19, 20, 21, 22, 23}, one.reshape(2, 3).toArray());
        assertSame(one.storage(), one.reshape(2, 3).storage());
    }

    @Test
    void reshapeOfATransposedTensorCopies() {
        Tensor t = seq(2, 3);
        Tensor tt = t.transpose(0, 1);
        Tensor r = tt.reshape(6);
        assertNotSame(t.storage(), r.storage(), "merging transposed dimensions needs a copy");
        assertArrayEquals(new float[] {0, 3, 1, 4, 2, 5}, r.toArray());
        assertTrue(r.isContiguous());
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> tt.view(6));
        assertMessage(e, "view", "not contiguous", "[3, 2]");
    }

    @Test
    void reshapeRejectsImpossibleShapes() {
        Tensor t = seq(2, 3);
        assertMessage(assertThrows(IllegalArgumentException.class, () -> t.reshape(4, 2)), "reshape", "[4, 2]", "6");
        assertMessage(assertThrows(IllegalArgumentException.class, () -> t.reshape(-1, 4)), "reshape", "[-1, 4]", "6");
        assertMessage(assertThrows(IllegalArgumentException.class, () -> t.reshape(-1, -1)), "reshape", "one dimension");
        assertArrayEquals(new int[0], Tensor.of(new float[] {3}, 1, 1).reshape().shape());
    }

    // ------------------------------------------------------------------ broadcasting

    @Test
    void broadcastShapes() {
        assertArrayEquals(new int[] {2, 3}, Shape.broadcast("t", new int[] {2, 3}, new int[] {3}));
        assertArrayEquals(new int[] {2, 3}, Shape.broadcast("t", new int[] {2, 1}, new int[] {1, 3}));
        assertArrayEquals(new int[] {4, 2, 3}, Shape.broadcast("t", new int[] {4, 1, 3}, new int[] {2, 1}));
        assertArrayEquals(new int[] {5}, Shape.broadcast("t", new int[0], new int[] {5}));
        assertArrayEquals(new int[] {0, 3}, Shape.broadcast("t", new int[] {0, 1}, new int[] {3}));
        assertArrayEquals(new int[0], Shape.broadcast("t", new int[0], new int[0]));
    }

    @Test
    void broadcastingArithmeticValues() {
        Tensor a = seq(2, 3);
        Tensor row = Tensor.of(new float[] {10, 20, 30}, 3);
        Tensor col = Tensor.of(new float[] {100, 200}, 2, 1);
        assertArrayEquals(new float[] {10, 21, 32, 13, 24, 35}, a.add(row).toArray());
        assertArrayEquals(new float[] {100, 101, 102, 203, 204, 205}, a.add(col).toArray());
        assertArrayEquals(new float[] {110, 120, 130, 210, 220, 230}, row.add(col).toArray());
        assertArrayEquals(new float[] {0, 2, 4, 6, 8, 10}, a.mul(Tensor.scalar(2)).toArray());
        assertArrayEquals(new float[] {-10, -19, -28, -7, -16, -25}, a.sub(row).toArray());
        assertArrayEquals(new float[] {0, 0.5f, 1, 1.5f, 2, 2.5f}, a.div(2f).toArray());
    }

    @Test
    void broadcastErrorsNameTheOpAndBothShapes() {
        Tensor a = Tensor.zeros(2, 3);
        Tensor b = Tensor.zeros(4);
        for (String op : new String[] {"add", "sub", "mul", "div", "maximum"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> {
                switch (op) {
                    case "add": a.add(b); break;
                    case "sub": a.sub(b); break;
                    case "mul": a.mul(b); break;
                    case "div": a.div(b); break;
                    default: a.maximum(b);
                }
            });
            assertMessage(e, op + ":", "[2, 3]", "[4]", "broadcast");
        }
        assertMessage(assertThrows(IllegalArgumentException.class,
                () -> Tensor.zeros(2, 3, 1).add(Tensor.zeros(3, 4, 5))), "add", "[2, 3, 1]", "[3, 4, 5]");
    }

    @Test
    void comparisonsAndArgmax() {
        Tensor a = Tensor.of(new float[] {1, 5, 3, 7, 2, 7}, 2, 3);
        assertArrayEquals(new float[] {1, 0}, a.argmax(1).toArray(), "ties go to the first index");
        assertArrayEquals(new float[] {1, 0, 1}, a.argmax(0).toArray());
        Tensor b = Tensor.of(new float[] {1, 4, 3, 8, 2, 6}, 2, 3);
        assertArrayEquals(new float[] {1, 0, 1, 0, 1, 0}, a.eq(b).toArray());
        assertArrayEquals(new float[] {0, 1, 0, 1, 0, 1}, a.ne(b).toArray());
        assertArrayEquals(new float[] {0, 1, 0, 0, 0, 1}, a.gt(b).toArray());
    }

    @Test
    void reductionsAndElementwiseValues() {
        Tensor t = seq(2, 3);
        assertEquals(15f, t.sum().item());
        assertArrayEquals(new float[] {3, 5, 7}, t.sum(0, false).toArray());
        assertArrayEquals(new int[] {1, 3}, t.sum(0, true).shape());
        assertArrayEquals(new float[] {1, 4}, t.mean(1, false).toArray());
        assertArrayEquals(new float[] {2, 5}, t.max(1, false).values().toArray());
        assertArrayEquals(new int[] {2, 1}, t.max(-1, true).values().shape());
        assertEquals(2.5f, t.mean().item());
        Tensor x = Tensor.of(new float[] {-2, -0.5f, 0, 1.5f}, 4);
        assertArrayEquals(new float[] {0, 0, 0, 1.5f}, x.relu().toArray());
        assertArrayEquals(new float[] {2, 0.5f, 0, 1.5f}, x.abs().toArray());
        assertArrayEquals(new float[] {-1, -0.5f, 0, 1.5f}, x.clampMin(-1).toArray());
        assertArrayEquals(new float[] {4, 0.25f, 0, 2.25f}, x.pow(2).toArray());
        assertEquals((float) Math.tanh(1.5), x.tanh().toArray()[3]);
        assertEquals((float) (1 / (1 + Math.exp(2))), x.sigmoid().toArray()[0], 1e-7f);
        // sum over a dimension of size 0 gives the identity
        assertArrayEquals(new float[] {0, 0, 0}, Tensor.zeros(0, 3).sum(0, false).toArray());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> t.sum(new int[] {1, -1}, false));
        assertMessage(e, "sum", "more than once");
    }

    @Test
    void softmaxValues() {
        Tensor x = Tensor.of(new float[] {1, 2, 3, 1, 1, 1}, 2, 3);
        float[] s = x.softmax(1).toArray();
        double z = Math.exp(1) + Math.exp(2) + Math.exp(3);
        assertEquals(Math.exp(1) / z, s[0], 1e-7);
        assertEquals(Math.exp(3) / z, s[2], 1e-7);
        assertEquals(1f / 3, s[4], 1e-7);
        float[] ls = x.logSoftmax(1).toArray();
        assertEquals(3 - Math.log(z), ls[2], 1e-6);
        // large logits do not overflow
        float[] big = Tensor.of(new float[] {1000, 0}, 2).softmax(0).toArray();
        assertEquals(1f, big[0]);
        assertEquals(0f, big[1]);
        assertEquals(-1000f, Tensor.of(new float[] {1000, 0}, 2).logSoftmax(0).toArray()[1]);
        IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class, () -> x.softmax(2));
        assertMessage(e, "softmax", "dimension 2", "rank 2");
        assertMessage(assertThrows(IndexOutOfBoundsException.class, () -> x.logSoftmax(-3)), "log_softmax", "-3");
    }
}
