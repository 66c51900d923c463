package unboxed.convintuition;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One network of the post, on the axis from a fully connected layer to a 3x3 convolution: a first
 * layer of {@code width} units or feature maps, ReLU, max-pooling, and a linear head to the 10
 * classes. The first layer is what varies:
 * <ul>
 *   <li>{@code fc}: fully connected, Linear(784, width): every unit sees every pixel;</li>
 *   <li>{@code lc<k>}: locally connected, a k x k window per output position with a kernel of its
 *       own (locality without sharing);</li>
 *   <li>{@code conv<k>}: a k x k convolution (locality and sharing).</li>
 * </ul>
 * Both windows run without padding on the 28 x 28 image, so the maps are (29 − k) x (29 − k); at
 * k = 28 one window covers the whole image, the map is 1 x 1, and either layer is exactly the
 * fully connected one (kernel 28 is therefore written {@code fc}). The maps are max-pooled with
 * window and stride {@code pool} (1: no pooling; a 1 x 1 map is never pooled).
 *
 * <p>The id names it: {@code fc-w157}, {@code conv3-w16}, {@code lc9-w16}, {@code conv3-w16-pool1}
 * (pooling 2, the default, is not written).
 */
record Arch(Kind kind, int kernel, int width, int pool) {
    static final int SIDE = 28;
    static final int PIXELS = SIDE * SIDE;
    static final int CLASSES = 10;
    static final int DEFAULT_POOL = 2;

    enum Kind { FC, LC, CONV }

    private static final Pattern ID = Pattern.compile("(fc|lc|conv)(\\d*)-w(\\d+)(?:-pool(\\d+))?");

    Arch {
        if (width < 1) {
            throw new IllegalArgumentException("network width must be at least 1, got " + width);
        }
        if (kind == Kind.FC ? kernel != SIDE : kernel < 1 || kernel >= SIDE) {
            throw new IllegalArgumentException(kind + ": kernel " + kernel + " (a locally connected or convolutional"
                    + " layer takes 1 to " + (SIDE - 1) + "; kernel " + SIDE + " is the fully connected layer, fc)");
        }
        if (pool < 1) {
            throw new IllegalArgumentException("pool must be at least 1 (1: no pooling), got " + pool);
        }
    }

    static Arch fc(int width) {
        return new Arch(Kind.FC, SIDE, width, DEFAULT_POOL);
    }

    static Arch conv(int kernel, int width) {
        return new Arch(Kind.CONV, kernel, width, DEFAULT_POOL);
    }

    static Arch lc(int kernel, int width) {
        return new Arch(Kind.LC, kernel, width, DEFAULT_POOL);
    }

    Arch withPool(int p) {
        return new Arch(kind, kernel, width, p);
    }

    Arch withWidth(int w) {
        return new Arch(kind, kernel, w, pool);
    }

    static Arch parse(String id) {
        Matcher m = ID.matcher(id);
        if (!m.matches()) {
            throw new IllegalArgumentException("network '" + id + "': expected fc-w<width>, lc<k>-w<width> or"
                    + " conv<k>-w<width>, optionally with -pool<p> (e.g. conv3-w16, lc3-w16-pool1)");
        }
        Kind kind = Kind.valueOf(m.group(1).toUpperCase(java.util.Locale.ROOT));
        if (kind == Kind.FC != m.group(2).isEmpty()) {
            throw new IllegalArgumentException("network '" + id + "': fc has no kernel size, lc and conv need one");
        }
        int k = kind == Kind.FC ? SIDE : Integer.parseInt(m.group(2));
        int pool = m.group(4) == null ? DEFAULT_POOL : Integer.parseInt(m.group(4));
        Arch a = new Arch(kind, k, Integer.parseInt(m.group(3)), pool);
        if (!a.id().equals(id)) {
            throw new IllegalArgumentException("network '" + id + "' is written " + a.id());
        }
        return a;
    }

    String id() {
        String base = kind == Kind.FC ? "fc" : kind.name().toLowerCase(java.util.Locale.ROOT) + kernel;
        return base + "-w" + width + (pool == DEFAULT_POOL || kind == Kind.FC ? "" : "-pool" + pool);
    }

    /** The family on the axis, without the width: fc, lc3, conv3, conv3-pool1, ... */
    String family() {
        String id = id();
        return id.replaceFirst("-w\\d+", "");
    }

    /** Side of the first layer's maps: 29 − k (1 for fc). */
    int mapSide() {
        return SIDE - kernel + 1;
    }

    /** Side of the maps the head reads: pooled when the map is larger than 1 x 1. */
    int headSide() {
        return pool > 1 && mapSide() > 1 ? mapSide() / pool : mapSide();
    }

    /** Inputs of the head: width · side². */
    int headInputs() {
        return width * headSide() * headSide();
    }

    /** Multiply-adds of the first layer per image: every output unit reads k² pixels. */
    long layerMacs() {
        return (long) width * mapSide() * mapSide() * kernel * kernel;
    }

    /** Multiply-adds of the head per image. */
    long headMacs() {
        return (long) headInputs() * CLASSES;
    }

    /** Parameters of the first layer: weights and biases, one kernel per position for lc. */
    long layerParams() {
        long kernelParams = (long) width * kernel * kernel + width;
        return kind == Kind.LC ? kernelParams * mapSide() * mapSide() : kernelParams;
    }

    long params() {
        return layerParams() + (long) headInputs() * CLASSES + CLASSES;
    }

    /** FLOPs of a forward pass per image, counted as the engine's FlopCounter counts them: 2 per multiply-add of a product. */
    long flops() {
        return 2 * (layerMacs() + headMacs());
    }

    /**
     * FLOPs of a training step per image (forward and backward): every product runs again for the
     * weight gradient and, except the first layer's (the image needs no gradient), for the input
     * gradient: 2·(layer + head) + 2·(layer + 2·head).
     */
    long trainFlops() {
        return 4 * layerMacs() + 6 * headMacs();
    }
}
