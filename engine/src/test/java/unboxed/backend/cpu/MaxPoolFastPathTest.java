package unboxed.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import unboxed.backend.Strided;
import unboxed.backend.Window2d;

/**
 * The branch-free max pooling (Windows.maxPoolInside, with its straight-line 2 x 2 rows) against
 * PyTorch's loop (Windows.maxPoolAnyWindow, itself checked against the max_pool2d fixtures), bit
 * for bit, values and indices, on inputs built to trip it: ties (the first wins), NaNs (the last
 * wins), -0.0 beside 0.0, infinities, and strided views of the input.
 */
class MaxPoolFastPathTest {
    private static final float[] SPECIAL = {0f, -0f, 1f, -1f, Float.NaN, Float.intBitsToFloat(0xffc00001),
        Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.MAX_VALUE, -Float.MAX_VALUE, Float.MIN_VALUE, 2f};

    @Test
    void sameValuesAndIndicesAsTheLoop() {
        SplittableRandom rnd = new SplittableRandom(7);
        CpuBackend cpu = new CpuBackend(1);
        for (int trial = 0; trial < 400; trial++) {
            int kh = 1 + rnd.nextInt(3);
            int kw = 1 + rnd.nextInt(3);
            if (trial % 2 == 0) {
                kh = 2;
                kw = 2;
            }
            int sh = 1 + rnd.nextInt(3);
            int sw = 1 + rnd.nextInt(3);
            int dh = 1 + rnd.nextInt(2);
            int dw = 1 + rnd.nextInt(2);
            int n = 1 + rnd.nextInt(2);
            int c = 1 + rnd.nextInt(3);
            int h = (kh - 1) * dh + 1 + rnd.nextInt(8);
            int wd = (kw - 1) * dw + 1 + rnd.nextInt(8);
            Window2d w = new Window2d(kh, kw, sh, sw, 0, 0, dh, dw);
            // the input as a view: every other element of a larger array along W when `gap` is 2
            int gap = 1 + rnd.nextInt(2);
            int off = rnd.nextInt(3);
            float[] x = new float[off + n * c * h * wd * gap];
            int mode = rnd.nextInt(3);
            for (int i = 0; i < x.length; i++) {
                x[i] = mode == 0 ? SPECIAL[rnd.nextInt(SPECIAL.length)]        // ties, NaNs, signed zeros
                        : mode == 1 ? rnd.nextInt(3) - 1                          // many ties
                        : (float) rnd.nextGaussian();
            }
            Strided in = new Strided(cpu.allocate(x.length), new int[] {n, c, h, wd},
                    new int[] {c * h * wd * gap, h * wd * gap, wd * gap, gap}, off);
            int oh = w.outH(h, false);
            int ow = w.outW(wd, false);
            Strided out = Strided.contiguous(cpu.allocate(n * c * oh * ow), n, c, oh, ow);
            Strided idx = Strided.contiguous(cpu.allocate(n * c * oh * ow), n, c, oh, ow);
            float[] o1 = new float[out.numel()];
            float[] i1 = new float[out.numel()];
            float[] o2 = new float[out.numel()];
            float[] i2 = new float[out.numel()];
            Windows.maxPoolInside(x, in, w, o1, out, i1, idx);
            Windows.maxPoolAnyWindow(x, in, w, false, o2, out, i2, idx);
            String what = "kernel " + kh + "x" + kw + " stride " + sh + "x" + sw + " dilation " + dh + "x" + dw
                    + " input " + n + "x" + c + "x" + h + "x" + wd + " gap " + gap + " mode " + mode;
            assertArrayEquals(bits(o2), bits(o1), what + ": values");
            assertArrayEquals(bits(i2), bits(i1), what + ": indices");
        }
    }

    /** MaxPool2d(2) on rows wide enough for several vectors of windows, and the tails of the output. */
    @Test
    void sameValuesAndIndicesAsTheLoopOnWideRows() {
        SplittableRandom rnd = new SplittableRandom(8);
        CpuBackend cpu = new CpuBackend(1);
        for (int trial = 0; trial < 200; trial++) {
            int n = 1 + rnd.nextInt(3);
            int c = 1 + rnd.nextInt(3);
            int h = 2 + rnd.nextInt(9);
            int wd = 2 + rnd.nextInt(80);
            int off = rnd.nextInt(3);
            int slack = rnd.nextInt(2) * rnd.nextInt(40);     // none, or room past the input for whole vectors
            float[] x = new float[off + n * c * h * wd + slack];
            int mode = rnd.nextInt(3);
            for (int i = 0; i < x.length; i++) {
                x[i] = mode == 0 ? SPECIAL[rnd.nextInt(SPECIAL.length)]
                        : mode == 1 ? rnd.nextInt(3) - 1
                        : (float) rnd.nextGaussian();
            }
            Window2d w = new Window2d(2, 2, 2, 2, 0, 0, 1, 1);
            Strided in = new Strided(cpu.allocate(x.length), new int[] {n, c, h, wd},
                    new int[] {c * h * wd, h * wd, wd, 1}, off);
            int oh = w.outH(h, false);
            int ow = w.outW(wd, false);
            Strided out = Strided.contiguous(cpu.allocate(n * c * oh * ow), n, c, oh, ow);
            float[] o1 = new float[out.numel()];
            float[] i1 = new float[out.numel()];
            float[] o2 = new float[out.numel()];
            float[] i2 = new float[out.numel()];
            Windows.maxPoolInside(x, in, w, o1, out, i1, out);
            Windows.maxPoolAnyWindow(x, in, w, false, o2, out, i2, out);
            String what = "input " + n + "x" + c + "x" + h + "x" + wd + " mode " + mode + " slack " + slack;
            assertArrayEquals(bits(o2), bits(o1), what + ": values");
            assertArrayEquals(bits(i2), bits(i1), what + ": indices");
        }
    }

    /**
     * The backward where windows do not overlap (one store per window) against the scatter it
     * replaces, bit for bit: strides at and above the kernel, padding, ceil mode, and gradients
     * with -0.0 (the scatter adds it to +0.0), NaNs and infinities.
     */
    @Test
    void backwardWithoutOverlapIsTheScatterIntoZeros() {
        SplittableRandom rnd = new SplittableRandom(9);
        CpuBackend cpu = new CpuBackend(1);
        int checked = 0;
        while (checked < 200) {
            int kh = 1 + rnd.nextInt(3);
            int kw = 1 + rnd.nextInt(3);
            int sh = kh + rnd.nextInt(2);
            int sw = kw + rnd.nextInt(2);
            int ph = rnd.nextInt(kh / 2 + 1);
            int pw = rnd.nextInt(kw / 2 + 1);
            boolean ceil = rnd.nextBoolean();
            int n = 1 + rnd.nextInt(2);
            int c = 1 + rnd.nextInt(3);
            int h = kh + rnd.nextInt(9);
            int wd = kw + rnd.nextInt(9);
            Window2d w = new Window2d(kh, kw, sh, sw, ph, pw, 1, 1);
            int oh = w.outH(h, ceil);
            int ow = w.outW(wd, ceil);
            if (oh <= 0 || ow <= 0) {
                continue;
            }
            float[] x = new float[n * c * h * wd];
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) rnd.nextGaussian();
            }
            Strided in = Strided.contiguous(cpu.upload(x), n, c, h, wd);
            Strided out = Strided.contiguous(cpu.allocate(n * c * oh * ow), n, c, oh, ow);
            Strided idx = Strided.contiguous(cpu.allocate(n * c * oh * ow), n, c, oh, ow);
            cpu.maxPool2d(in, w, ceil, out, idx);
            float[] g = new float[n * c * oh * ow];
            for (int i = 0; i < g.length; i++) {
                g[i] = SPECIAL[rnd.nextInt(SPECIAL.length)];
            }
            Strided gOut = Strided.contiguous(cpu.upload(g), n, c, oh, ow);
            Strided fast = Strided.contiguous(cpu.allocate(x.length), n, c, h, wd);
            cpu.maxPool2dBackward(gOut, idx, w, fast);
            Strided want = Strided.contiguous(cpu.allocateZeroed(x.length), n, c, h * wd);
            cpu.scatterAdd(2, Strided.contiguous(idx.storage(), n, c, oh * ow), Strided.contiguous(gOut.storage(), n, c,
                    oh * ow), want);
            String what = "kernel " + kh + "x" + kw + " stride " + sh + "x" + sw + " padding " + ph + "x" + pw
                    + (ceil ? " ceil" : "") + " input " + n + "x" + c + "x" + h + "x" + wd;
            assertArrayEquals(bits(cpu.download(want)), bits(cpu.download(fast)), what);
            checked++;
        }
    }

    private static int[] bits(float[] v) {
        int[] b = new int[v.length];
        for (int i = 0; i < v.length; i++) {
            b[i] = Float.floatToRawIntBits(v[i]);
        }
        return b;
    }
}
