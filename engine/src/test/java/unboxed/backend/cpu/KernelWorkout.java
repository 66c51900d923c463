package unboxed.backend.cpu;

import unboxed.autograd.Autograd;
import unboxed.backend.Backends;
import unboxed.nn.functional.F;
import unboxed.tensor.Rng;
import unboxed.tensor.Tensor;

/**
 * Runs every CPU kernel path often enough for the JIT to compile it at each of its tiers: conv2d
 * forward and backward on shapes that take the direct tile, the images in the lanes, the unfold
 * form, Winograd's F(2x2, 3x3) and F(2x2, 5x5); pooling; matrix products of both forms. A main of
 * its own, for {@link JitCompilesTheKernelsTest}, which runs it in a child JVM that prints what
 * the JIT compiles.
 */
public final class KernelWorkout {
    private KernelWorkout() {
    }

    public static void main(String[] args) {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 300;
        Backends.use(new CpuBackend(1));
        Rng rng = new Rng(1);
        int[][] convs = {
            {8, 1, 28, 16, 5},      // a first layer: the direct tile
            {16, 16, 14, 32, 5},    // the images in the lanes
            {8, 32, 10, 32, 5},     // F(2x2, 5x5), all three passes
            {4, 96, 8, 96, 3},      // F(2x2, 3x3)
            {4, 8, 9, 16, 3},       // the unfold form
        };
        Tensor[][] t = new Tensor[convs.length][];
        for (int i = 0; i < convs.length; i++) {
            int[] s = convs[i];
            t[i] = new Tensor[] {Tensor.randn(rng, s[0], s[1], s[2], s[2]).requiresGrad(true),
                Tensor.randn(rng, s[3], s[1], s[4], s[4]).requiresGrad(true), Tensor.randn(rng, s[3]).requiresGrad(true)};
        }
        Tensor a = Tensor.randn(rng, 64, 96).requiresGrad(true);
        Tensor w = Tensor.randn(rng, 128, 96).requiresGrad(true);
        int[] two = {2};
        for (int r = 0; r < rounds; r++) {
            for (int i = 0; i < convs.length; i++) {
                Tensor x = t[i][0];
                Tensor y = F.conv2d(x, t[i][1], t[i][2], convs[i][4] / 2);
                Tensor p = F.maxPool2d(F.relu(y), two, null, new int[] {0}, new int[] {1}, false);
                Tensor q = F.avgPool2d(y, two, null, new int[] {0}, false, true, null);
                p.sum().add(q.sum()).backward();
                x.setGrad(null);
                t[i][1].setGrad(null);
                t[i][2].setGrad(null);
            }
            F.linear(a, w, null).sum().backward();
            a.setGrad(null);
            w.setGrad(null);
            Autograd.noGrad(() -> a.matmul(w.transpose(0, 1)));
        }
    }
}
