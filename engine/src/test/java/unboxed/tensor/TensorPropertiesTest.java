package unboxed.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/** Property-based checks of broadcasting and reshaping against naive index arithmetic. */
class TensorPropertiesTest {

    /** {@code base} with its first {@code drop} dimensions removed and the dimensions in {@code ones} set to 1. */
    static int[] derive(List<Integer> base, int drop, int ones) {
        int d = Math.min(drop, base.size());
        int[] out = new int[base.size() - d];
        for (int i = 0; i < out.length; i++) {
            out[i] = ((ones >> i) & 1) == 1 ? 1 : base.get(i + d);
        }
        return out;
    }

    /** The flat offset in a contiguous tensor of {@code shape} of the out index {@code idx}, broadcasting. */
    static int broadcastOffset(int[] idx, int[] shape) {
        int lead = idx.length - shape.length;
        int off = 0;
        for (int i = 0; i < shape.length; i++) {
            off = off * shape[i] + (shape[i] == 1 ? 0 : idx[i + lead]);
        }
        return off;
    }

    static int[] unravel(int flat, int[] shape) {
        int[] idx = new int[shape.length];
        for (int i = shape.length - 1; i >= 0; i--) {
            idx[i] = flat % shape[i];
            flat /= shape[i];
        }
        return idx;
    }

    static float[] values(Random r, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) r.nextGaussian();
        }
        return v;
    }

    @Property(tries = 150)
    void addBroadcastsLikeNumPy(@ForAll @Size(max = 4) List<@IntRange(min = 1, max = 4) Integer> base,
                                @ForAll @IntRange(max = 4) int dropA, @ForAll @IntRange(max = 15) int onesA,
                                @ForAll @IntRange(max = 4) int dropB, @ForAll @IntRange(max = 15) int onesB,
                                @ForAll long seed) {
        int[] sa = derive(base, dropA, onesA);
        int[] sb = derive(base, dropB, onesB);
        Random r = new Random(seed);
        float[] va = values(r, Shape.numel(sa));
        float[] vb = values(r, Shape.numel(sb));
        Tensor a = Tensor.of(va, sa).requiresGrad(true);
        Tensor b = Tensor.of(vb, sb).requiresGrad(true);
        Tensor out = a.add(b);
        int[] so = out.shape();
        // the result's shape: the longer rank, and at each position the larger size
        assertEquals(Math.max(sa.length, sb.length), so.length);
        for (int i = 0; i < so.length; i++) {
            int da = i < so.length - sa.length ? 1 : sa[i - (so.length - sa.length)];
            int db = i < so.length - sb.length ? 1 : sb[i - (so.length - sb.length)];
            assertEquals(Math.max(da, db), so[i]);
        }
        float[] w = values(r, Shape.numel(so));
        float[] got = out.toArray();
        float[] ga = new float[va.length];
        float[] gb = new float[vb.length];
        for (int f = 0; f < got.length; f++) {
            int[] idx = unravel(f, so);
            int ia = broadcastOffset(idx, sa);
            int ib = broadcastOffset(idx, sb);
            assertEquals(va[ia] + vb[ib], got[f], "element " + Arrays.toString(idx));
            ga[ia] += w[f];
            gb[ib] += w[f];
        }
        out.backward(Tensor.of(w, so));
        assertArrayEquals(sa, a.grad().shape());
        assertArrayEquals(sb, b.grad().shape());
        assertArrayEquals(ga, a.grad().toArray(), 1e-4f);
        assertArrayEquals(gb, b.grad().toArray(), 1e-4f);
    }

    @Property(tries = 100)
    void incompatibleShapesAreRejectedNamingBoth(@ForAll @Size(min = 1, max = 4) List<@IntRange(min = 2, max = 4) Integer> base,
                                                 @ForAll @IntRange(max = 3) int at) {
        int[] sa = base.stream().mapToInt(Integer::intValue).toArray();
        int[] sb = sa.clone();
        int i = at % sa.length;
        sb[i] = sa[i] + 1; // both > 1 and different
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Tensor.zeros(sa).mul(Tensor.zeros(sb)));
        assertTrue(e.getMessage().contains("mul") && e.getMessage().contains(Arrays.toString(sa))
                && e.getMessage().contains(Arrays.toString(sb)), e.getMessage());
    }

    @Property(tries = 150)
    void reshapeOfAnyViewKeepsRowMajorOrder(@ForAll @Size(min = 1, max = 4) List<@IntRange(min = 1, max = 4) Integer> dims,
                                            @ForAll long seed) {
        Random r = new Random(seed);
        int[] shape = dims.stream().mapToInt(Integer::intValue).toArray();
        Tensor t = Tensor.of(values(r, Shape.numel(shape)), shape);
        List<Integer> perm = new ArrayList<>();
        for (int i = 0; i < shape.length; i++) {
            perm.add(i);
        }
        Collections.shuffle(perm, r);
        Tensor p = t.permute(perm.stream().mapToInt(Integer::intValue).toArray());
        if (r.nextBoolean() && p.size(0) > 1) {
            p = p.narrow(0, 1, p.size(0) - 1); // an offset as well
        }
        float[] expected = p.toArray();
        // a random factorisation of the element count
        List<Integer> factors = new ArrayList<>();
        int n = expected.length;
        for (int f = 2; n > 1; ) {
            if (n % f == 0) {
                factors.add(f);
                n /= f;
            } else {
                f++;
            }
        }
        Collections.shuffle(factors, r);
        List<Integer> target = new ArrayList<>();
        for (int f : factors) {
            if (!target.isEmpty() && r.nextBoolean()) {
                target.set(target.size() - 1, target.get(target.size() - 1) * f);
            } else {
                target.add(f);
            }
            if (r.nextInt(4) == 0) {
                target.add(1);
            }
        }
        int[] ts = target.stream().mapToInt(Integer::intValue).toArray();
        Tensor q = p.reshape(ts);
        assertArrayEquals(ts, q.shape());
        assertArrayEquals(expected, q.toArray(), 0f);
        assertArrayEquals(expected, p.reshape(-1).toArray(), 0f);
        // a view reads the very same elements: writing through the original shows in it, and a copy is unaffected
        boolean shared = q.storage() == p.storage();
        p.fill_(7f);
        float[] after = q.toArray();
        for (int k = 0; k < after.length; k++) {
            assertEquals(shared ? 7f : expected[k], after[k], "shared=" + shared + " element " + k);
        }
        if (p.isContiguous()) {
            assertTrue(shared, "reshape of a contiguous tensor must be a view");
        }
    }
}
