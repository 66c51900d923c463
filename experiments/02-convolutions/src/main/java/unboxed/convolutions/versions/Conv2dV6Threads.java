package unboxed.convolutions.versions;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ForkJoinPool;
import java.util.function.IntConsumer;
import java.util.stream.IntStream;

/**
 * 2-D convolution, version 6: versions 4 and 5 on several threads, one image per task.
 *
 * <p>What changes from versions 4 and 5: the images of the batch are independent, so they are
 * spread over the threads, each image computed whole by one thread with the version that suits
 * the shape: version 5 (direct) when there are few taps (K = c kh kw at most 32), version 4
 * (implicit GEMM) otherwise. The alternative, splitting each image's matrix product between the
 * threads (what Sgemm does with several threads), makes every thread pack its own share of the
 * columns and wait for the others at every image; splitting the batch shares nothing and waits
 * once.
 *
 * <p>The result does not depend on the thread count: each output is computed by one thread with
 * the arithmetic of a single-threaded call, so versions 3 to 6 agree to the bit.
 */
public final class Conv2dV6Threads {
    private Conv2dV6Threads() {
    }

    private static final Map<Integer, ForkJoinPool> POOLS = new ConcurrentHashMap<>();

    /** Version 4 or 5 for this shape: the direct form when the taps are few. */
    public static boolean direct(int c, int kh, int kw) {
        return c * kh * kw <= 32;
    }

    public static void conv2d(float[] x, int n, int c, int h, int w, float[] weight, int o, int kh, int kw,
                              float[] bias, int padH, int padW, float[] out, int threads) {
        int oh = h + 2 * padH - kh + 1;
        int ow = w + 2 * padW - kw + 1;
        int l = oh * ow;
        boolean direct = direct(c, kh, kw);
        IntConsumer image = b -> {
            if (direct) {
                Conv2dV5Direct.image(x, b, c, h, w, weight, o, kh, kw, padH, padW, out, b * o * l);
            } else {
                Conv2dV4ImplicitGemm.image(x, b, c, h, w, weight, o, kh, kw, padH, padW, out, b * o * l);
            }
            Conv2dV5Direct.addBias(bias, out, b * o * l, o, l);
        };
        if (threads <= 1) {
            for (int b = 0; b < n; b++) {
                image.accept(b);
            }
            return;
        }
        POOLS.computeIfAbsent(threads, ForkJoinPool::new)
                .submit(() -> IntStream.range(0, n).parallel().forEach(image)).join();
    }

    /** The version's common signature, on every core the JVM sees. */
    public static void conv2d(float[] x, int n, int c, int h, int w, float[] weight, int o, int kh, int kw,
                              float[] bias, int padH, int padW, float[] out) {
        conv2d(x, n, c, h, w, weight, o, kh, kw, bias, padH, padW, out, Runtime.getRuntime().availableProcessors());
    }
}
