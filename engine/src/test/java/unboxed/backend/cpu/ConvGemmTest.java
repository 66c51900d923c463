package unboxed.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import unboxed.autograd.Autograd;
import unboxed.backend.Backend;
import unboxed.backend.Window2d;
import unboxed.tensor.Convolution;
import unboxed.tensor.Rng;
import unboxed.tensor.Tensor;

/**
 * conv2d's CPU kernels (ConvGemm: the products with B packed straight from the image) must give
 * the same bits as the unfold form they replace ({@link Convolution#conv2dByUnfold}: unfold, a
 * batched product, fold, a sum over the batch), forward and for every gradient, on any geometry,
 * any thread count and any input layout; and their higher-order gradients must match too.
 */
class ConvGemmTest {

    /** One random geometry: sizes, kernel, stride, padding, dilation and groups that PyTorch accepts. */
    record Geometry(int n, int c, int h, int w, int o, int kh, int kw, int[] stride, int[] padding, int[] dilation,
                    int groups, boolean bias, boolean transposedInput) {
        static Geometry random(SplittableRandom rnd) {
            while (true) {
                int groups = rnd.nextInt(4) == 0 ? rnd.nextInt(2, 5) : 1;
                int c = groups * rnd.nextInt(1, 5);
                int o = groups * rnd.nextInt(1, 5);
                int kh = rnd.nextInt(1, 6);
                int kw = rnd.nextInt(1, 6);
                int[] stride = {rnd.nextInt(1, 4), rnd.nextInt(1, 4)};
                int[] padding = {rnd.nextInt(0, 3), rnd.nextInt(0, 3)};
                int[] dilation = {rnd.nextInt(1, 3), rnd.nextInt(1, 3)};
                int h = rnd.nextInt(1, 14);
                int w = rnd.nextInt(1, 14);
                if (dilation[0] * (kh - 1) + 1 > h + 2 * padding[0] || dilation[1] * (kw - 1) + 1 > w + 2 * padding[1]) {
                    continue;
                }
                return new Geometry(rnd.nextInt(1, 4), c, h, w, o, kh, kw, stride, padding, dilation, groups,
                        rnd.nextBoolean(), rnd.nextBoolean());
            }
        }
    }

    /**
     * A random geometry that takes the product form (not ConvDirect): enough output channels per
     * group and enough taps, so that every path of the GEMM kernels runs, packing from the image
     * with any run lengths and col2im of images narrower and wider than a vector (the masked
     * narrow path and the interior vectors), on one or two groups.
     */
    static Geometry randomForProducts(SplittableRandom rnd) {
        while (true) {
            int groups = rnd.nextInt(3) == 0 ? 2 : 1;
            int c = groups * rnd.nextInt(3, 9);
            int o = groups * rnd.nextInt(6, 13);
            int kh = rnd.nextInt(2, 6);
            int kw = rnd.nextInt(2, 6);
            int[] stride = {rnd.nextInt(1, 3), rnd.nextInt(4) == 0 ? 2 : 1};
            int[] padding = {rnd.nextInt(0, 3), rnd.nextInt(0, 3)};
            int[] dilation = {rnd.nextInt(1, 3), rnd.nextInt(4) == 0 ? 2 : 1};
            int h = rnd.nextInt(1, 22);
            int w = rnd.nextInt(1, 40);
            if (dilation[0] * (kh - 1) + 1 > h + 2 * padding[0] || dilation[1] * (kw - 1) + 1 > w + 2 * padding[1]
                    || c / groups * kh * kw <= 32) {
                continue;
            }
            return new Geometry(rnd.nextInt(1, 4), c, h, w, o, kh, kw, stride, padding, dilation, groups,
                    rnd.nextBoolean(), rnd.nextBoolean());
        }
    }

    private static float[] bits(Tensor t) {
        return t.toArray();
    }

    /** Runs {@code body} with {@code backend} as the default backend. */
    private static <T> T on(Backend backend, Supplier<T> body) {
        Backend before = unboxed.backend.Backends.current();
        unboxed.backend.Backends.use(backend);
        try {
            return body.get();
        } finally {
            unboxed.backend.Backends.use(before);
        }
    }

    private static List<float[]> run(Geometry g, long seed, boolean fused) {
        Rng rng = new Rng(seed);
        Tensor x = g.transposedInput()
                ? Tensor.randn(rng, g.n(), g.c(), g.w(), g.h()).transpose(2, 3).requiresGrad(true)
                : Tensor.randn(rng, g.n(), g.c(), g.h(), g.w()).requiresGrad(true);
        // a transposed input comes with a transposed weight: views of any strides reach the kernels
        Tensor wt = g.transposedInput()
                ? Tensor.randn(rng, g.o(), g.c() / g.groups(), g.kw(), g.kh()).requiresGrad(true)
                : Tensor.randn(rng, g.o(), g.c() / g.groups(), g.kh(), g.kw()).requiresGrad(true);
        Tensor wv = g.transposedInput() ? wt.transpose(2, 3) : wt;
        Tensor b = g.bias() ? Tensor.randn(rng, g.o()).requiresGrad(true) : null;
        Tensor y = fused
                ? Convolution.conv2d(x, wv, b, g.stride(), g.padding(), g.dilation(), g.groups())
                : Convolution.conv2dByUnfold(x, wv, b, g.stride(), g.padding(), g.dilation(), g.groups());
        Tensor gy = Tensor.randn(rng, y.shape());
        y.backward(gy);
        return List.of(bits(y), bits(x.grad()), bits(wt.grad()), b == null ? new float[0] : bits(b.grad()));
    }

    /** conv_transpose2d through the backend's kernels against its fold form; output_padding as PyTorch allows it. */
    private static List<float[]> runTransposed(Geometry g, long seed, boolean fused) {
        Rng rng = new Rng(seed);
        Tensor x = g.transposedInput()
                ? Tensor.randn(rng, g.n(), g.c(), g.w(), g.h()).transpose(2, 3).requiresGrad(true)
                : Tensor.randn(rng, g.n(), g.c(), g.h(), g.w()).requiresGrad(true);
        Tensor wt = Tensor.randn(rng, g.c(), g.o() / g.groups(), g.kh(), g.kw()).requiresGrad(true);
        Tensor b = g.bias() ? Tensor.randn(rng, g.o()).requiresGrad(true) : null;
        int[] outputPadding = {
            Math.max(g.stride()[0], g.dilation()[0]) - 1 > 0 ? (int) (seed % Math.max(g.stride()[0], g.dilation()[0])) : 0,
            0};
        Tensor y = fused
                ? Convolution.convTranspose2d(x, wt, b, g.stride(), g.padding(), outputPadding, g.groups(), g.dilation())
                : Convolution.convTranspose2dByFold(x, wt, b, g.stride(), g.padding(), outputPadding, g.groups(),
                        g.dilation());
        Tensor gy = Tensor.randn(rng, y.shape());
        y.backward(gy);
        return List.of(bits(y), bits(x.grad()), bits(wt.grad()), b == null ? new float[0] : bits(b.grad()));
    }

    @Test
    void transposedConvolutionHasTheSameBitsAsItsFoldForm() {
        SplittableRandom rnd = new SplittableRandom(12);
        int checked = 0;
        for (int trial = 0; checked < 100; trial++) {
            Geometry g = Geometry.random(rnd);
            int threads = 1 + trial % 3;
            long seed = 2000 + trial;
            List<float[]> want;
            try {
                want = on(new CpuBackend(threads), () -> runTransposed(g, seed, false));
            } catch (IllegalArgumentException e) {
                continue;                            // an output too small for this geometry: PyTorch rejects it too
            }
            List<float[]> got = on(new CpuBackend(threads), () -> runTransposed(g, seed, true));
            String[] what = {"output", "input gradient", "weight gradient", "bias gradient"};
            for (int i = 0; i < what.length; i++) {
                assertArrayEquals(want.get(i), got.get(i), what[i] + " differs from the fold form for " + g
                        + " on " + threads + " thread(s)");
            }
            checked++;
        }
    }

    @Test
    void sameBitsAsTheUnfoldFormOnRandomGeometries() {
        SplittableRandom rnd = new SplittableRandom(11);
        for (int trial = 0; trial < 150; trial++) {
            Geometry g = Geometry.random(rnd);
            int threads = 1 + trial % 3;
            long seed = 1000 + trial;
            assertSameBitsAsTheUnfoldForm(g, threads, seed);
        }
    }

    @Test
    void productFormHasTheUnfoldFormsBitsOnRandomGeometries() {
        SplittableRandom rnd = new SplittableRandom(13);
        for (int trial = 0; trial < 120; trial++) {
            Geometry g = randomForProducts(rnd);
            int threads = 1 + trial % 2;
            long seed = 3000 + trial;
            assertSameBitsAsTheUnfoldForm(g, threads, seed);
        }
    }

    /**
     * The input gradient without columns (ConvDirect.backwardInputRows) on every geometry it
     * takes: rows of one vector (in pairs, the last one alone on odd heights) and of several,
     * kernel rows that reach one row of a pair and not the other, padding on either side, dilation,
     * groups, a last tile of channels that overlaps the one before, and output channels from one
     * to more than a vector.
     */
    @Test
    void inputGradientWithoutColumnsHasTheUnfoldFormsBits() {
        SplittableRandom rnd = new SplittableRandom(17);
        int checked = 0;
        while (checked < 80) {
            int groups = rnd.nextInt(4) == 0 ? 2 : 1;
            int c = groups * rnd.nextInt(6, 15);
            int o = groups * rnd.nextInt(1, 41);
            int kh = rnd.nextInt(1, 6);
            int kw = rnd.nextInt(1, 6);
            int[] padding = {rnd.nextInt(0, 4), rnd.nextInt(0, 4)};
            int[] dilation = {rnd.nextInt(1, 3), rnd.nextInt(3) == 0 ? 2 : 1};
            int h = rnd.nextInt(1, 20);
            int w = rnd.nextInt(1, 70);
            Window2d win = new Window2d(kh, kw, 1, 1, padding[0], padding[1], dilation[0], dilation[1]);
            if (dilation[0] * (kh - 1) + 1 > h + 2 * padding[0] || dilation[1] * (kw - 1) + 1 > w + 2 * padding[1]
                    || !ConvDirect.suitsBackwardInputRows(w, c / groups, o / groups, win)) {
                continue;
            }
            Geometry g = new Geometry(rnd.nextInt(1, 3), c, h, w, o, kh, kw, new int[] {1, 1}, padding, dilation,
                    groups, rnd.nextBoolean(), rnd.nextBoolean());
            assertSameBitsAsTheUnfoldForm(g, 1 + checked % 2, 5000 + checked);
            checked++;
        }
    }

    /**
     * The weight gradient with each image on one thread and the products summed in image order as
     * they come in (InOrderSum), in the product form (more than 32 filters per group, unit column
     * stride) and unpacked (ConvDirect's rows): on one thread, on two and three, with more images
     * than the slots (two per thread, so slots are reused while parts wait their turn) and with
     * fewer images than threads (each product on every thread instead); groups, padding,
     * dilation, row strides, an odd count of taps.
     */
    @Test
    void weightGradientByImagesInOrderHasTheUnfoldFormsBits() {
        Geometry[] sizes = {
            new Geometry(9, 24, 9, 10, 72, 3, 3, new int[] {1, 1}, new int[] {1, 1}, new int[] {1, 1}, 1, true, false),
            new Geometry(1, 9, 8, 12, 70, 5, 5, new int[] {2, 1}, new int[] {2, 0}, new int[] {1, 1}, 1, false, true),
            new Geometry(2, 46, 7, 9, 132, 3, 3, new int[] {1, 1}, new int[] {1, 2}, new int[] {2, 1}, 2, true, false),
            new Geometry(13, 34, 6, 17, 66, 3, 3, new int[] {1, 1}, new int[] {0, 1}, new int[] {1, 1}, 1, true, true),
            new Geometry(11, 3, 12, 20, 16, 3, 3, new int[] {1, 1}, new int[] {1, 1}, new int[] {1, 1}, 1, true, false),
        };
        for (Geometry g : sizes) {
            int k = g.c() / g.groups() * g.kh() * g.kw();
            boolean product = g.o() != 16;
            // more than 64 channels per group: the product form even where kernel rows make tiles
            assertEquals(!product, ConvDirect.suitsWeightRows(k, g.o() / g.groups(), g.stride()[1]) || g.o() <= 64,
                    g + (product ? " takes the product form" : " takes the rows"));
            for (int threads = 1; threads <= 3; threads++) {
                assertSameBitsAsTheUnfoldForm(g, threads, 11 + threads);
            }
        }
    }

    /**
     * The unpacked weight gradient's tiles of whole kernel rows (AVX-512; up to 64 channels per
     * group): two rows of a 5 x 5 kernel, three of a 3 x 3 one. A count of kernel rows that is
     * not a multiple of the tile's (the last tile overlapping the one before), fewer kernel rows
     * than a tile (the four-tap tile instead), channels that are not a multiple of two vectors
     * (the last channel tile overlapping), more than 64 channels (the product form), more
     * positions than one K block, row strides, row dilation, padding, groups; column stride 2 or
     * column dilation (taps not side by side) too.
     */
    @Test
    void weightGradientByTwoKernelRowsHasTheUnfoldFormsBits() {
        assertKernelRowTilesHaveTheUnfoldFormsBits(5, 31);
    }

    @Test
    void weightGradientByThreeKernelRowsHasTheUnfoldFormsBits() {
        assertKernelRowTilesHaveTheUnfoldFormsBits(3, 37);
    }

    private static void assertKernelRowTilesHaveTheUnfoldFormsBits(int kw, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        int tileRows = kw == 5 ? 2 : 3;
        int checked = 0;
        int tiles = 0;
        while (checked < 60) {
            int groups = rnd.nextInt(4) == 0 ? 2 : 1;
            int og = rnd.nextBoolean() ? rnd.nextInt(17, 33) : rnd.nextInt(33, 71);
            int kh = rnd.nextInt(1, kw + 1);
            int cg = rnd.nextInt(1, 5);
            int[] stride = {rnd.nextInt(1, 3), rnd.nextInt(5) == 0 ? 2 : 1};
            int[] padding = {rnd.nextInt(0, 3), rnd.nextInt(0, 3)};
            int[] dilation = {rnd.nextInt(1, 3), rnd.nextInt(6) == 0 ? 2 : 1};
            int h = rnd.nextInt(1, 25);
            int w = rnd.nextInt(3, 27);
            if (dilation[0] * (kh - 1) + 1 > h + 2 * padding[0] || dilation[1] * (kw - 1) + 1 > w + 2 * padding[1]) {
                continue;
            }
            Geometry g = new Geometry(rnd.nextInt(1, 4), groups * cg, h, w, groups * og, kh, kw, stride, padding,
                    dilation, groups, rnd.nextBoolean(), rnd.nextBoolean());
            assertSameBitsAsTheUnfoldForm(g, 1 + checked % 2, seed * 1000 + checked);
            tiles += stride[1] == 1 && dilation[1] == 1 && cg * kh >= tileRows && og <= 64 ? 1 : 0;
            checked++;
        }
        assertEquals(true, tiles >= 20, "too few geometries for the kernel-row tile: " + tiles);
    }

    /**
     * The input gradient's columns as a 1 x 1 convolution of the upstream gradient by ConvDirect's
     * forward tile (few rows: first layers), read in place but for the batch's last image and
     * group (its tile would read past the array: a copy), on every geometry it takes: rows as
     * pairs (no wider than a vector) or as vectors along a row, strides 1 to 3 (col2im gathered at
     * column stride 1 or 2, scattered beyond), padding, dilation, groups, a last tile of rows that
     * overlaps the one before, more than one K block of output channels.
     */
    @Test
    void inputGradientColumnsByTheForwardTileHaveTheUnfoldFormsBits() {
        SplittableRandom rnd = new SplittableRandom(29);
        int checked = 0;
        while (checked < 50) {
            int groups = rnd.nextInt(4) == 0 ? 2 : 1;
            int c = groups * rnd.nextInt(1, 4);
            int o = groups * (checked % 10 == 0 ? rnd.nextInt(120, 300) : rnd.nextInt(8, 70));
            int kh = rnd.nextInt(1, 6);
            int kw = rnd.nextInt(1, 6);
            int[] stride = {rnd.nextInt(1, 3), rnd.nextInt(1, 4)};
            int[] padding = {rnd.nextInt(0, 3), rnd.nextInt(0, 3)};
            int[] dilation = {rnd.nextInt(1, 3), rnd.nextInt(3) == 0 ? 2 : 1};
            int h = rnd.nextInt(1, 20);
            int w = rnd.nextInt(1, 70);
            Window2d win = new Window2d(kh, kw, stride[0], stride[1], padding[0], padding[1], dilation[0], dilation[1]);
            int cg = c / groups;
            int og = o / groups;
            if (dilation[0] * (kh - 1) + 1 > h + 2 * padding[0] || dilation[1] * (kw - 1) + 1 > w + 2 * padding[1]
                    || !ConvGemm.suitsColumnsTile(cg * kh * kw, og, win.outW(w, false))
                    || ConvDirect.suitsBackwardInput(og, stride[1])
                    || ConvDirect.suitsBackwardInputRows(w, cg, og, win)
                    || ConvDirect.suitsBackwardInputRows2(w, cg, og, win)) {
                continue;
            }
            Geometry g = new Geometry(rnd.nextInt(1, 4), c, h, w, o, kh, kw, stride, padding, dilation,
                    groups, rnd.nextBoolean(), rnd.nextBoolean());
            assertSameBitsAsTheUnfoldForm(g, 1 + checked % 2, 7000 + checked);
            checked++;
        }
    }

    /**
     * The input gradient without columns at column stride 2 (ConvDirect.backwardInputRows2), as a
     * stride-2 convolution's backward pass and as a transposed convolution's forward, on every
     * geometry it takes: rows whose even columns fill one vector (two rows of a phase per tile,
     * the last one alone) or several, odd widths (one phase a column shorter), row strides 1 to
     * 3, kernel columns that reach only one phase, padding, dilation, groups, and a last tile of
     * channels that overlaps the one before.
     */
    @Test
    void inputGradientAtColumnStride2WithoutColumnsHasTheUnfoldFormsBits() {
        SplittableRandom rnd = new SplittableRandom(23);
        int checked = 0;
        while (checked < 60) {
            int groups = rnd.nextInt(4) == 0 ? 2 : 1;
            int c = groups * rnd.nextInt(4, 15);
            int o = groups * rnd.nextInt(1, 41);
            int kh = rnd.nextInt(1, 6);
            int kw = rnd.nextInt(1, 6);
            int[] stride = {rnd.nextInt(1, 4), 2};
            int[] padding = {rnd.nextInt(0, 3), rnd.nextInt(0, 3)};
            int[] dilation = {rnd.nextInt(3) == 0 ? 2 : 1, rnd.nextInt(3) == 0 ? 2 : 1};
            int h = rnd.nextInt(1, 14);
            int w = rnd.nextInt(12, 70);
            Window2d win = new Window2d(kh, kw, stride[0], stride[1], padding[0], padding[1], dilation[0], dilation[1]);
            if (dilation[0] * (kh - 1) + 1 > h + 2 * padding[0] || dilation[1] * (kw - 1) + 1 > w + 2 * padding[1]
                    || !ConvDirect.suitsBackwardInputRows2(w, c / groups, o / groups, win)) {
                continue;
            }
            Geometry g = new Geometry(rnd.nextInt(1, 3), c, h, w, o, kh, kw, stride, padding, dilation,
                    groups, rnd.nextBoolean(), rnd.nextBoolean());
            assertSameBitsAsTheUnfoldForm(g, 1 + checked % 2, 9000 + checked);
            checked++;
        }
        // the transposed convolutions that upsample by 2 (kernel 4, padding 1): their forward
        // pass is this input gradient, with C and O swapped
        for (int[] shape : new int[][] {{2, 16, 8, 16}, {2, 32, 16, 32}, {1, 16, 32, 12}, {1, 9, 7, 20}}) {
            Geometry g = new Geometry(shape[0], shape[1], shape[2], shape[2], shape[3], 4, 4, new int[] {2, 2},
                    new int[] {1, 1}, new int[] {1, 1}, 1, true, false);
            List<float[]> want = on(new CpuBackend(1), () -> runTransposed(g, 77, false));
            List<float[]> got = on(new CpuBackend(1), () -> runTransposed(g, 77, true));
            for (int i = 0; i < want.size(); i++) {
                assertArrayEquals(want.get(i), got.get(i), "tensor " + i + " of the transposed convolution differs for " + g);
            }
        }
    }

    /**
     * The stride-2 input gradient without columns interleaves its even and odd columns with lane
     * permutations, which may replace a NaN's payload by the canonical NaN before the JIT compiles
     * them: a transposed convolution's output must keep the payload of a NaN in its input, as the
     * fold form (plain additions) does. Compared on the raw bits.
     */
    @Test
    void stride2InputGradientKeepsTheBitsOfANaN() {
        float payload = Float.intBitsToFloat(0x7fc0_4321);
        Window2d win = new Window2d(4, 4, 2, 2, 1, 1, 1, 1);
        org.junit.jupiter.api.Assertions.assertTrue(ConvDirect.suitsBackwardInputRows2(32, 16, 4, win),
                "32-wide rows take the stride-2 input gradient without columns with 8- and 16-lane vectors");
        List<int[]> outputs = new java.util.ArrayList<>();
        for (boolean fused : new boolean[] {false, true}) {
            outputs.add(on(new CpuBackend(1), () -> {
                Rng rng = new Rng(5);
                float[] xv = Tensor.randn(rng, 1, 4, 8, 16).toArray();
                xv[3 * 16 + 5] = payload;                      // channel 0, row 3, column 5
                Tensor x = Tensor.of(xv, 1, 4, 8, 16);
                Tensor wt = Tensor.randn(rng, 4, 16, 4, 4);
                int[] two = {2, 2};
                int[] one = {1, 1};
                int[] none = {0, 0};
                Tensor y = fused
                        ? Convolution.convTranspose2d(x, wt, null, two, one, none, 1, one)
                        : Convolution.convTranspose2dByFold(x, wt, null, two, one, none, 1, one);
                return rawBits(y);
            }));
        }
        assertArrayEquals(outputs.get(0), outputs.get(1));
        long nans = java.util.Arrays.stream(outputs.get(1)).filter(b -> Float.isNaN(Float.intBitsToFloat(b))).count();
        org.junit.jupiter.api.Assertions.assertTrue(nans > 0, "the NaN reaches some outputs");
    }

    /**
     * The weight gradient without columns (ConvDirect.backwardWeightRows) on geometries it takes:
     * tiles of taps and of channels whose last one overlaps the one before, one vector of channels
     * (the tall tile) and two, several K blocks of positions, strides, dilation, padding and
     * groups.
     */
    @Test
    void weightGradientWithoutColumnsHasTheUnfoldFormsBits() {
        SplittableRandom rnd = new SplittableRandom(19);
        int checked = 0;
        while (checked < 60) {
            int groups = rnd.nextInt(4) == 0 ? 2 : 1;
            int c = groups * rnd.nextInt(1, 9);
            int o = groups * rnd.nextInt(1, 41);
            int kh = rnd.nextInt(1, 6);
            int kw = rnd.nextInt(1, 6);
            int[] stride = {rnd.nextInt(1, 3), rnd.nextInt(1, 3)};
            int[] padding = {rnd.nextInt(0, 3), rnd.nextInt(0, 3)};
            int[] dilation = {rnd.nextInt(3) == 0 ? 2 : 1, rnd.nextInt(3) == 0 ? 2 : 1};
            int h = rnd.nextInt(1, 40);
            int w = rnd.nextInt(1, 40);
            int k = c / groups * kh * kw;
            if (dilation[0] * (kh - 1) + 1 > h + 2 * padding[0] || dilation[1] * (kw - 1) + 1 > w + 2 * padding[1]
                    || !ConvDirect.suitsWeightRows(k, o / groups, stride[1])) {
                continue;
            }
            Geometry g = new Geometry(rnd.nextInt(1, 4), c, h, w, o, kh, kw, stride, padding, dilation, groups,
                    rnd.nextBoolean(), rnd.nextBoolean());
            // one thread: each image on one thread, which the unpacked form asks for
            assertSameBitsAsTheUnfoldForm(g, 1, 7000 + checked);
            checked++;
        }
    }

    /**
     * The taps that miss the image add nothing even where the weight is infinite: the product
     * form's columns hold inf * 0 = NaN there, which col2im never reads; the direct input
     * gradient masks those lanes instead of multiplying them by zeros.
     */
    @Test
    void inputGradientIgnoresTheTapsOutsideTheImageWhateverTheWeight() {
        Window2d win = new Window2d(5, 5, 1, 1, 2, 2, 1, 1);
        org.junit.jupiter.api.Assertions.assertTrue(ConvDirect.suitsBackwardInputRows(14, 8, 12, win),
                "14-wide rows take the direct input gradient with 8- and 16-lane vectors");
        // two images by positions in lanes; a vector's worth by images in lanes (ConvLanes)
        org.junit.jupiter.api.Assertions.assertTrue(ConvLanes.suitsBackwardInput(ConvLanes.VL, 8, 12, win, 1, 14, 14, 1));
        for (int n : new int[] {2, ConvLanes.VL}) {
            ignoresTheTapsOutsideTheImage(n);
        }
    }

    private static void ignoresTheTapsOutsideTheImage(int n) {
        List<float[]> grads = new java.util.ArrayList<>();
        for (boolean fused : new boolean[] {false, true}) {
            grads.add(on(new CpuBackend(1), () -> {
                Rng rng = new Rng(3);
                Tensor x = Tensor.randn(rng, n, 8, 14, 14).requiresGrad(true);
                float[] wv = Tensor.randn(rng, 12, 8, 5, 5).toArray();
                wv[3] = Float.POSITIVE_INFINITY;                // output channel 0, input channel 0, tap (0, 3)
                wv[8 * 25 + 24] = Float.NEGATIVE_INFINITY;      // output channel 1, input channel 0, tap (4, 4)
                Tensor wt = Tensor.of(wv, 12, 8, 5, 5).requiresGrad(true);
                Tensor y = fused
                        ? Convolution.conv2d(x, wt, null, new int[] {1, 1}, new int[] {2, 2}, new int[] {1, 1}, 1)
                        : Convolution.conv2dByUnfold(x, wt, null, new int[] {1, 1}, new int[] {2, 2}, new int[] {1, 1}, 1);
                y.backward(Tensor.randn(rng, y.shape()));
                return x.grad().toArray();
            }));
        }
        assertArrayEquals(grads.get(0), grads.get(1));
        float[] gx = grads.get(1);
        int finite = 0;
        for (float v : gx) {
            finite += Float.isFinite(v) ? 1 : 0;
        }
        // channel 0's border rows and columns that the infinite taps do not reach stay finite
        org.junit.jupiter.api.Assertions.assertTrue(finite > 0 && finite < gx.length,
                "expected some finite and some non-finite gradients, got " + finite + " finite of " + gx.length);
    }

    /** The raw bits of every element: assertArrayEquals on floats takes every NaN for the same. */
    private static int[] rawBits(Tensor t) {
        float[] v = t.toArray();
        int[] raw = new int[v.length];
        for (int i = 0; i < v.length; i++) {
            raw[i] = Float.floatToRawIntBits(v[i]);
        }
        return raw;
    }

    /**
     * At column stride 2 the image is loaded with its rows split by parity, with lane permutations,
     * which may replace a NaN by the canonical one before the JIT compiles them: a NaN with a
     * payload of its own must reach the output as it does through the unfold form (whose copies
     * keep every bit).
     * Compared on the raw bits, which assertArrayEquals on floats does not do (it takes every
     * NaN for the same).
     */
    @Test
    void stride2ColumnsKeepTheBitsOfANaN() {
        float payload = Float.intBitsToFloat(0x7fc0_1234);
        List<int[]> outputs = new java.util.ArrayList<>();
        for (boolean fused : new boolean[] {false, true}) {
            outputs.add(on(new CpuBackend(1), () -> {
                Rng rng = new Rng(11);
                float[] xv = Tensor.randn(rng, 1, 4, 6, 70).toArray();
                xv[2 * 70 + 33] = payload;                      // channel 0, row 2, column 33
                Tensor x = Tensor.of(xv, 1, 4, 6, 70);
                Tensor wt = Tensor.randn(rng, 16, 4, 3, 3);
                Tensor y = fused
                        ? Convolution.conv2d(x, wt, null, new int[] {1, 2}, new int[] {1, 1}, new int[] {1, 1}, 1)
                        : Convolution.conv2dByUnfold(x, wt, null, new int[] {1, 2}, new int[] {1, 1}, new int[] {1, 1}, 1);
                return rawBits(y);
            }));
        }
        assertArrayEquals(outputs.get(0), outputs.get(1));
        long nans = java.util.Arrays.stream(outputs.get(1)).filter(b -> Float.isNaN(Float.intBitsToFloat(b))).count();
        org.junit.jupiter.api.Assertions.assertTrue(nans > 0, "the NaN reaches some outputs");
    }

    /**
     * col2im gathered at column stride 2 (even and odd columns summed apart, then interleaved)
     * against the scattering loop, on the raw bits: random windows, rows narrower and wider than
     * a vector, odd widths, negative tap offsets, the last channel's row ending the array.
     */
    @Test
    void col2imGatheredAtStride2HasTheScatteredBits() {
        SplittableRandom rnd = new SplittableRandom(21);
        int checked = 0;
        while (checked < 300) {
            int kh = rnd.nextInt(1, 6);
            int kw = rnd.nextInt(1, 6);
            int ph = rnd.nextInt(0, 3);
            int pw = rnd.nextInt(0, 4);
            int dh = rnd.nextInt(1, 3);
            int dw = rnd.nextInt(1, 3);
            int h = rnd.nextInt(1, 12);
            int wd = rnd.nextInt(1, 80);
            int c = rnd.nextInt(1, 4);
            Window2d w = new Window2d(kh, kw, rnd.nextInt(1, 4), 2, Math.min(ph, (kh - 1) * dh / 2 + 1),
                    Math.min(pw, (kw - 1) * dw / 2 + 1), dh, dw);
            int oh = w.outH(h, false);
            int ow = w.outW(wd, false);
            if (oh <= 0 || ow <= 0) {
                continue;
            }
            int offset = rnd.nextInt(0, 3);
            float[] cols = new float[offset + c * kh * kw * oh * ow + rnd.nextInt(0, 40)];
            for (int i = 0; i < cols.length; i++) {
                cols[i] = (float) rnd.nextGaussian();
            }
            if (checked % 3 == 0) {
                cols[rnd.nextInt(cols.length)] = Float.intBitsToFloat(0x7fc0_0000 | rnd.nextInt(1, 1 << 22));
            }
            if (checked % 5 == 0) {
                cols[rnd.nextInt(cols.length)] = -0f;
            }
            int before = rnd.nextInt(0, 5);
            int size = before + c * h * wd + (rnd.nextBoolean() ? 0 : 37);
            float[] want = new float[size];
            float[] got = new float[size];
            java.util.Arrays.fill(want, 7f);
            java.util.Arrays.fill(got, 7f);
            Windows.col2imImage(cols, offset, oh * ow, 1, w, want, before, c, h, wd);
            Windows.col2imImageGather2(cols, offset, w, got, before, c, h, wd);
            int[] wantBits = new int[size];
            int[] gotBits = new int[size];
            for (int i = 0; i < size; i++) {
                wantBits[i] = Float.floatToRawIntBits(want[i]);
                gotBits[i] = Float.floatToRawIntBits(got[i]);
            }
            assertArrayEquals(wantBits, gotBits, "col2im at column stride 2 for " + w + " on " + c + " x " + h + " x "
                    + wd);
            checked++;
        }
    }

    /** Output and all three gradients of the fused op against the unfold form, bit for bit. */
    private static void assertSameBitsAsTheUnfoldForm(Geometry g, int threads, long seed) {
        List<float[]> want = on(new CpuBackend(threads), () -> run(g, seed, false));
        List<float[]> got = on(new CpuBackend(threads), () -> run(g, seed, true));
        String[] what = {"output", "input gradient", "weight gradient", "bias gradient"};
        for (int i = 0; i < what.length; i++) {
            assertArrayEquals(want.get(i), got.get(i), what[i] + " differs from the unfold form for " + g
                    + " on " + threads + " thread(s)");
        }
    }

    /**
     * The kernel named for a shape is the one the forward pass runs, with either vector width: 3x3
     * at stride 1 on 96 channels or more Winograd's, few taps on many filters the unpacked tile, a
     * depthwise layer one channel at a time, many taps on rows that fill the vectors badly (24
     * wide) the product form, and so do column strides other than 1 and 2.
     */
    @Test
    void conv2dKernelNamesTheKernelTheForwardRuns() {
        assertEquals("Winograd F(2x2, 3x3)", CpuBackend.conv2dKernel(128, 128, window(3, 1, 1), 1, 16, 16));
        assertEquals("implicit GEMM", CpuBackend.conv2dKernel(64, 64, window(3, 1, 1), 1, 24, 24));
        assertEquals("direct, positions in lanes", CpuBackend.conv2dKernel(1, 32, window(5, 1, 2), 1, 28, 28));
        assertEquals("direct, one channel at a time", CpuBackend.conv2dKernel(1, 1, window(3, 1, 1), 1, 20, 20));
        assertEquals("implicit GEMM", CpuBackend.conv2dKernel(64, 64, window(5, 1, 2), 1, 24, 24));
        assertEquals("implicit GEMM", CpuBackend.conv2dKernel(8, 64, window(3, 1, 1), 1, 24, 24));
        // column stride 2 reads rows split by parity, side by side (the tile); stride 3 does not
        assertEquals("direct, positions in lanes", CpuBackend.conv2dKernel(64, 64, window(3, 2, 1), 1, 16, 16));
        assertEquals("implicit GEMM", CpuBackend.conv2dKernel(64, 64, window(3, 3, 1), 1, 16, 16));
    }

    private static Window2d window(int kernel, int stride, int pad) {
        return new Window2d(kernel, kernel, stride, stride, pad, pad, 1, 1);
    }

    /** Training sizes: K above the Sgemm block (several K blocks), rows longer than a micro-panel, batches. */
    @Test
    void sameBitsAtTrainingSizes() {
        Geometry[] sizes = {
            new Geometry(3, 64, 12, 12, 32, 3, 3, new int[] {1, 1}, new int[] {1, 1}, new int[] {1, 1}, 1, true, false),
            new Geometry(2, 16, 28, 28, 32, 5, 5, new int[] {1, 1}, new int[] {2, 2}, new int[] {1, 1}, 1, true, false),
            new Geometry(2, 32, 17, 15, 32, 3, 3, new int[] {2, 2}, new int[] {1, 1}, new int[] {1, 1}, 32, true, false),
            new Geometry(2, 40, 9, 11, 20, 3, 3, new int[] {1, 2}, new int[] {2, 1}, new int[] {2, 1}, 2, false, true),
            // depthwise at unit stride with dilation, and with a channel multiplier of 2
            new Geometry(3, 16, 10, 12, 16, 3, 3, new int[] {1, 1}, new int[] {1, 2}, new int[] {2, 1}, 16, true, false),
            new Geometry(2, 16, 9, 9, 32, 3, 3, new int[] {1, 1}, new int[] {1, 1}, new int[] {1, 1}, 16, true, true),
            // the unpacked forward tile over several K blocks: rows of two vectors, rows of one
            // (pairs of rows), and a last tile of channels that overlaps the one before it
            new Geometry(2, 32, 32, 32, 12, 3, 3, new int[] {1, 1}, new int[] {1, 1}, new int[] {1, 1}, 1, true, false),
            new Geometry(2, 40, 16, 16, 8, 3, 3, new int[] {2, 1}, new int[] {1, 1}, new int[] {1, 2}, 1, false, false),
            new Geometry(1, 36, 7, 14, 9, 3, 3, new int[] {1, 1}, new int[] {1, 1}, new int[] {1, 1}, 1, true, true),
            // a first layer: one channel, 5 x 5, MNIST's size (the direct forward)
            new Geometry(3, 1, 28, 28, 32, 5, 5, new int[] {1, 1}, new int[] {2, 2}, new int[] {1, 1}, 1, true, false),
            // depthwise at column stride 2 (its weight gradient reads its own channel-last image,
            // not the loaded one, whose rows are split by parity), with and without dilation
            new Geometry(2, 16, 11, 13, 16, 3, 3, new int[] {2, 2}, new int[] {1, 1}, new int[] {1, 1}, 16, true, false),
            new Geometry(2, 16, 10, 17, 16, 3, 3, new int[] {1, 2}, new int[] {1, 2}, new int[] {1, 2}, 16, false, true),
            // column stride 2 with input rows of several vectors: the image loaded with its rows
            // split by parity (two vectors at a time, then the rest one by one), the columns
            // copied from there
            new Geometry(2, 8, 12, 45, 24, 3, 3, new int[] {2, 2}, new int[] {1, 1}, new int[] {1, 1}, 1, true, false),
            new Geometry(2, 6, 9, 70, 16, 2, 3, new int[] {1, 2}, new int[] {0, 1}, new int[] {1, 2}, 2, false, true),
            // the unpacked forward tile at stride 2, from the split rows: several K blocks, an odd
            // count of output rows 16 wide (pairs of rows with 512-bit vectors, two vectors along
            // a row with 256-bit ones), a last tile of channels overlapping the one before it
            new Geometry(2, 64, 33, 32, 20, 3, 3, new int[] {2, 2}, new int[] {1, 1}, new int[] {1, 1}, 1, true, false),
            new Geometry(1, 48, 20, 63, 16, 3, 3, new int[] {1, 2}, new int[] {1, 1}, new int[] {2, 1}, 1, false, true),
            // the CNN's second layer (rows of 14, pairs of rows, two K blocks), rows of 28 on two
            // groups of 32 channels, rows of 20 at row stride 2 with dilation and an odd row count
            new Geometry(2, 16, 14, 14, 32, 5, 5, new int[] {1, 1}, new int[] {2, 2}, new int[] {1, 1}, 1, true, false),
            new Geometry(1, 8, 9, 28, 64, 3, 3, new int[] {1, 1}, new int[] {1, 1}, new int[] {1, 1}, 2, true, true),
            new Geometry(2, 24, 15, 22, 32, 3, 3, new int[] {2, 1}, new int[] {1, 0}, new int[] {2, 1}, 1, false, false),
            // loaded planes a 4 KB multiple long, stored a cache line apart (ConvGemm.Geometry.plane):
            // a first layer's 32 x 32 upstream gradient (the input gradient's tile copies it; the
            // product form's weight gradient reads a copy), 30 x 30 padded to 32 x 32, and a 1 x 1
            // kernel on 32 x 32
            new Geometry(2, 3, 32, 32, 64, 3, 3, new int[] {1, 1}, new int[] {1, 1}, new int[] {1, 1}, 1, true, false),
            new Geometry(2, 12, 30, 30, 20, 3, 3, new int[] {1, 1}, new int[] {1, 1}, new int[] {1, 1}, 1, true, true),
            new Geometry(2, 40, 32, 32, 24, 1, 1, new int[] {1, 1}, new int[] {0, 0}, new int[] {1, 1}, 1, false, false),
        };
        for (Geometry g : sizes) {
            for (int threads : new int[] {1, 2}) {
                // without Winograd's F(2x2, 3x3), which the first size would take (ConvWinogradTest)
                List<float[]> want = on(new CpuBackend(threads, false), () -> run(g, 7, false));
                List<float[]> got = on(new CpuBackend(threads, false), () -> run(g, 7, true));
                for (int i = 0; i < want.size(); i++) {
                    assertArrayEquals(want.get(i), got.get(i), "tensor " + i + " differs for " + g);
                }
            }
        }
    }

    /**
     * The images in lanes (ConvLanes: forward and input gradient) give the unfold form's bits: a
     * batch with images past the last whole group of VL (those run by positions in lanes), an
     * odd count of positions, tiles of channels that overlap the one before, no padding (the
     * upstream gradient's widest margins), a non-square kernel with uneven padding, one and two
     * threads; with an input that is a transposed view, the forward takes positions in lanes and
     * the input gradient still runs in lanes.
     */
    @Test
    void imagesInLanesHaveTheUnfoldFormsBits() {
        int vl = ConvLanes.VL;
        Geometry[] sizes = {
            new Geometry(2 * vl + 3, 16, 14, 14, 32, 5, 5, new int[] {1, 1}, new int[] {2, 2}, new int[] {1, 1}, 1, true, false),
            new Geometry(2 * vl, 10, 9, 13, 12, 3, 3, new int[] {1, 1}, new int[] {1, 1}, new int[] {1, 1}, 1, false, false),
            new Geometry(2 * vl + 1, 8, 7, 7, 8, 5, 5, new int[] {1, 1}, new int[] {0, 0}, new int[] {1, 1}, 1, true, false),
            new Geometry(2 * vl, 9, 11, 6, 16, 4, 3, new int[] {1, 1}, new int[] {1, 0}, new int[] {1, 1}, 1, true, true),
        };
        for (Geometry g : sizes) {
            Window2d win = new Window2d(g.kh(), g.kw(), 1, 1, g.padding()[0], g.padding()[1], 1, 1);
            for (int threads : new int[] {1, 2}) {
                org.junit.jupiter.api.Assertions.assertTrue(ConvLanes.suits(g.n(), g.c(), g.o(), win, 1, g.h(), g.w(), threads)
                        && ConvLanes.suitsBackwardInput(g.n(), g.c(), g.o(), win, 1, g.h(), g.w(), threads),
                        "images in lanes for " + g + " on " + threads + " threads");
                List<float[]> want = on(new CpuBackend(threads, false), () -> run(g, 11, false));
                List<float[]> got = on(new CpuBackend(threads, false), () -> run(g, 11, true));
                for (int i = 0; i < want.size(); i++) {
                    assertArrayEquals(want.get(i), got.get(i), "tensor " + i + " differs for " + g + " on " + threads);
                }
            }
        }
        assertEquals("direct, images in lanes", CpuBackend.conv2dKernel(64, 16, 32, window(5, 1, 2), 1, 14, 14, 2));
        assertEquals("direct, positions in lanes", CpuBackend.conv2dKernel(vl - 1, 16, 32, window(5, 1, 2), 1, 14, 14, 1));
        assertEquals("direct, positions in lanes", CpuBackend.conv2dKernel(64, 16, 32, window(5, 1, 2), 1, 16, 16, 1));
    }

    /**
     * With create_graph the gradients are graph values: the gradient of sum(dL/dx * v) + sum(dL/dw)
     * with respect to the weight and the bias (a Hessian-vector product's building blocks) is the
     * same through either form. Not bit for bit: the two graphs add the contributions that reach
     * the weight by different paths in a different order (the unfold form sums them at the shared
     * expand of the weight, before its batch reduction; the fused op after), so the last bit may
     * differ; first-order gradients are bit-identical (above).
     */
    @Test
    void secondOrderGradientsMatchTheUnfoldForm() {
        float[][] results = new float[2][];
        for (int f = 0; f < 2; f++) {
            boolean fused = f == 1;
            results[f] = on(new CpuBackend(1), () -> {
                Rng rng = new Rng(5);
                Tensor x = Tensor.randn(rng, 2, 4, 7, 6).requiresGrad(true);
                Tensor w = Tensor.randn(rng, 6, 2, 3, 3).requiresGrad(true);
                Tensor b = Tensor.randn(rng, 6).requiresGrad(true);
                Tensor y = fused
                        ? Convolution.conv2d(x, w, b, new int[] {2, 1}, new int[] {1, 1}, new int[] {1, 2}, 2)
                        : Convolution.conv2dByUnfold(x, w, b, new int[] {2, 1}, new int[] {1, 1}, new int[] {1, 2}, 2);
                Tensor loss = y.mul(y).sum();
                List<Tensor> g = Autograd.grad(List.of(loss), List.of(x, w), null, true, true, false);
                Tensor v = Tensor.randn(rng, x.shape());
                Tensor second = g.get(0).mul(v).sum().add(g.get(1).sum());
                List<Tensor> hv = Autograd.grad(List.of(second), List.of(w, b), null, false, false, false);
                assertNotNull(hv.get(0));
                float[] a = hv.get(0).toArray();
                float[] c = hv.get(1).toArray();
                float[] all = new float[a.length + c.length];
                System.arraycopy(a, 0, all, 0, a.length);
                System.arraycopy(c, 0, all, a.length, c.length);
                return all;
            });
        }
        assertEquals(results[0].length, results[1].length);
        for (int i = 0; i < results[0].length; i++) {
            assertEquals(results[0][i], results[1][i], 1e-5 * (1 + Math.abs(results[0][i])),
                    "second-order gradient " + i + " differs between the fused and unfold forms");
        }
    }
}
