package unboxed.convintuition;

import unboxed.autograd.Autograd;
import unboxed.nn.Conv2d;
import unboxed.nn.Linear;
import unboxed.nn.LocallyConnected2d;
import unboxed.nn.Module;
import unboxed.nn.functional.F;
import unboxed.tensor.Rng;
import unboxed.tensor.Tensor;

/**
 * The network an {@link Arch} describes: first layer, ReLU, max-pooling, Linear head. PyTorch's
 * default initialisation for each layer, drawn in layer order from one generator. Input: a batch
 * of flat 784-pixel images.
 */
final class Net extends Module {
    final Arch arch;
    final Module layer;
    final Linear head;

    Net(Arch arch, Rng rng) {
        this.arch = arch;
        this.layer = registerModule("layer", switch (arch.kind()) {
            case FC -> new Linear(Arch.PIXELS, arch.width(), rng);
            case CONV -> new Conv2d(1, arch.width(), arch.kernel(), 0, rng);
            case LC -> new LocallyConnected2d(1, arch.width(), Arch.SIDE, arch.kernel(), rng);
        });
        this.head = registerModule("head", new Linear(arch.headInputs(), Arch.CLASSES, rng));
    }

    /** The first layer's feature maps after ReLU, [N, width, side, side] (1 x 1 for fc), from images [N, 784]. */
    Tensor maps(Tensor images) {
        int n = images.size(0);
        if (arch.kind() == Arch.Kind.FC) {
            return layer.call(images).relu().reshape(n, arch.width(), 1, 1);
        }
        return layer.call(images.reshape(n, 1, Arch.SIDE, Arch.SIDE)).relu();
    }

    /** What the head reads: the maps, max-pooled. */
    Tensor pooled(Tensor maps) {
        if (arch.headSide() == arch.mapSide()) {
            return maps;
        }
        int p = arch.pool();
        return F.maxPool2d(maps, new int[] {p}, null, new int[] {0}, new int[] {1}, false);
    }

    @Override
    public Tensor forward(Tensor images) {
        Tensor h = pooled(maps(images));
        return head.call(h.reshape(images.size(0), arch.headInputs()));
    }

    /**
     * A locally connected network that starts as {@code conv} computes: conv's kernel and bias
     * copied to every position, its head copied. Only training can then untie the positions.
     */
    static Net tiedCopy(Net conv, Rng rng) {
        Arch a = conv.arch;
        if (a.kind() != Arch.Kind.CONV) {
            throw new IllegalArgumentException("tiedCopy: expected a convolutional network, got " + a.id());
        }
        Net lc = new Net(new Arch(Arch.Kind.LC, a.kernel(), a.width(), a.pool()), rng);
        Conv2d c = (Conv2d) conv.layer;
        LocallyConnected2d l = (LocallyConnected2d) lc.layer;
        int m = a.mapSide();
        int k = a.kernel();
        int w = a.width();
        try (Autograd.GradMode ignored = Autograd.noGrad()) {
            l.weight().data().copy_(c.weight().data().reshape(1, 1, w, 1, k, k).expand(m, m, w, 1, k, k));
            l.bias().data().copy_(c.bias().data().reshape(w, 1, 1).expand(w, m, m));
            lc.head.weight().data().copy_(conv.head.weight().data());
            lc.head.bias().data().copy_(conv.head.bias().data());
        }
        return lc;
    }
}
