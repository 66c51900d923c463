package unboxed.channels;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import unboxed.data.Dataset;
import unboxed.kit.Stimuli;
import unboxed.tensor.Rng;
import unboxed.tensor.Tensor;

/**
 * The images the post passes through a network, generated rather than picked by hand, in groups:
 * <ul>
 *   <li>{@code gratings}: sinusoidal gratings at 12 orientations (0°, 15°, …, 165°), 5 spatial
 *       frequencies and 4 phases, orientation-major, then frequency, then phase;</li>
 *   <li>{@code edges}: straight edges in 24 directions 15° apart, that is 12 orientations in both
 *       polarities;</li>
 *   <li>{@code checkerboards}, {@code dots}, {@code noise}: textures without one orientation;</li>
 *   <li>{@code dataset}: the first {@link #PER_CLASS} test images of each class, class by class;</li>
 *   <li>{@code inverted}: the same images as negatives (1 − v);</li>
 *   <li>{@code ood}: the first {@link #PER_CLASS} test images of each class of another dataset
 *       (MNIST digits for a Fashion-MNIST network, and the reverse).</li>
 * </ul>
 * Pixels are kept in [0, 1]; {@link #tensor} applies the network's input normalisation. A grey
 * stimulus given to a colour network is the same in its three channels.
 */
final class ProbeSet {
    static final double[] ORIENTATIONS = {0, 15, 30, 45, 60, 75, 90, 105, 120, 135, 150, 165};
    /** Cycles per image width: on 28 pixels, periods of 14, 8, 5.1, 3.5 and 2.5 pixels. */
    static final double[] FREQUENCIES = {2, 3.5, 5.5, 8, 11};
    static final double[] PHASES = {0, 90, 180, 270};
    static final int EDGE_DIRECTIONS = 24;
    static final int[] CHECKER_SQUARES = {1, 2, 4, 7};
    static final int NOISE_IMAGES = 8;
    static final int PER_CLASS = 100;

    /** One group: its images (N × channels × size × size pixels in [0, 1]), labels where they have them, and names. */
    record Group(String name, float[] pixels, int count, int[] labels, List<String> captions) {
    }

    private final int channels;
    private final int size;
    private final Map<String, Group> groups = new LinkedHashMap<>();

    private ProbeSet(int channels, int size) {
        this.channels = channels;
        this.size = size;
    }

    /**
     * The probe set of a network trained on {@code test}'s dataset: stimuli of its image size and
     * channels, its test images, their negatives, and {@code other}'s test images resized to fit
     * (nearest pixel) and repeated over the channels.
     */
    static ProbeSet of(Dataset test, Dataset other, long seed) {
        ProbeSet p = new ProbeSet(test.channels(), test.height());
        int size = p.size;
        List<double[]> imgs = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (double th : ORIENTATIONS) {
            for (double f : FREQUENCIES) {
                for (double ph : PHASES) {
                    imgs.add(Stimuli.grating(size, th, f * size / 28.0, ph));
                    names.add("grating " + fmt(th) + "°, " + fmt(f) + " cycles, phase " + fmt(ph) + "°");
                }
            }
        }
        p.addGrey("gratings", imgs, names);
        imgs.clear();
        names.clear();
        for (int d = 0; d < EDGE_DIRECTIONS; d++) {
            double dir = 360.0 * d / EDGE_DIRECTIONS;
            imgs.add(Stimuli.edge(size, dir));
            names.add("edge " + fmt(dir) + "°");
        }
        p.addGrey("edges", imgs, names);
        imgs.clear();
        names.clear();
        for (int sq : CHECKER_SQUARES) {
            imgs.add(Stimuli.checkerboard(size, sq));
            names.add("checkerboard, " + sq + "-pixel squares");
        }
        p.addGrey("checkerboards", imgs, names);
        imgs.clear();
        names.clear();
        Rng rng = new Rng(seed).fork("stimuli");
        imgs.add(Stimuli.dots(size, 4, 1));
        names.add("dots 4 pixels apart, radius 1");
        imgs.add(Stimuli.dots(size, 7, 1.5));
        names.add("dots 7 pixels apart, radius 1.5");
        imgs.add(Stimuli.dots(size, 7, 2.5));
        names.add("dots 7 pixels apart, radius 2.5");
        imgs.add(Stimuli.randomDots(rng.fork("dots"), size, 30, 1.2));
        names.add("30 random dots, radius 1.2");
        p.addGrey("dots", imgs, names);
        imgs.clear();
        names.clear();
        Rng noise = rng.fork("noise");
        for (int i = 0; i < NOISE_IMAGES; i++) {
            imgs.add(Stimuli.noise(noise, size));
            names.add("white noise " + (i + 1));
        }
        p.addGrey("noise", imgs, names);
        Group data = stratified("dataset", test, 0, PER_CLASS, test.channels(), size);
        p.groups.put("dataset", data);
        float[] inv = new float[data.pixels.length];
        for (int i = 0; i < inv.length; i++) {
            inv[i] = 1 - data.pixels[i];
        }
        List<String> invNames = new ArrayList<>();
        data.captions.forEach(c -> invNames.add(c + ", inverted"));
        p.groups.put("inverted", new Group("inverted", inv, data.count, data.labels, invNames));
        p.groups.put("ood", stratified("ood", other, 0, PER_CLASS, test.channels(), size));
        return p;
    }

    static String fmt(double v) {
        return v == Math.rint(v) ? String.valueOf((long) v) : String.valueOf(v);
    }

    private void addGrey(String name, List<double[]> images, List<String> names) {
        int plane = size * size;
        float[] px = new float[images.size() * channels * plane];
        for (int i = 0; i < images.size(); i++) {
            double[] img = images.get(i);
            for (int c = 0; c < channels; c++) {
                for (int k = 0; k < plane; k++) {
                    px[(i * channels + c) * plane + k] = (float) img[k];
                }
            }
        }
        groups.put(name, new Group(name, px, images.size(), null, List.copyOf(names)));
    }

    /**
     * {@code perClass} images of each class of {@code d} after the first {@code skip}, class by class, as images of
     * {@code channels} × {@code size} × {@code size} (nearest pixel; a grey image repeated over the
     * channels, a colour image averaged to grey when one channel is wanted).
     */
    static Group stratified(String name, Dataset d, int skip, int perClass, int channels, int size) {
        int classes = d.numClasses();
        List<Integer> picked = new ArrayList<>();
        for (int k = 0; k < classes; k++) {
            int seen = 0;
            int found = 0;
            for (int i = 0; i < d.size() && found < perClass; i++) {
                if (d.label(i) == k && seen++ >= skip) {
                    picked.add(i);
                    found++;
                }
            }
            if (found < perClass) {
                throw new IllegalArgumentException(d.name() + " has " + (found + Math.min(seen, skip)) + " images of"
                        + " class " + k + "; " + name + " needs " + (skip + perClass) + " of each");
            }
        }
        int plane = size * size;
        float[] px = new float[picked.size() * channels * plane];
        int[] labels = new int[picked.size()];
        List<String> names = new ArrayList<>();
        float[] src = d.images();
        int sc = d.channels();
        int sh = d.height();
        int sw = d.width();
        for (int j = 0; j < picked.size(); j++) {
            int i = picked.get(j);
            labels[j] = d.label(i);
            names.add(d.name() + " #" + i + " (" + d.classNames().get(labels[j]) + ")");
            for (int c = 0; c < channels; c++) {
                for (int r = 0; r < size; r++) {
                    for (int col = 0; col < size; col++) {
                        int y = r * sh / size;
                        int x = col * sw / size;
                        float v = 0;
                        if (sc == channels) {
                            v = src[((i * sc + c) * sh + y) * sw + x];
                        } else {
                            for (int s = 0; s < sc; s++) {
                                v += src[((i * sc + s) * sh + y) * sw + x] / sc;
                            }
                        }
                        px[((j * channels + c) * size + r) * size + col] = v;
                    }
                }
            }
        }
        return new Group(name, px, picked.size(), labels, names);
    }

    /** Adds a group made of chosen images of other groups, in order: image {@code indices[i]} of group {@code from[i]}. */
    void addPicked(String name, List<String> from, List<Integer> indices) {
        int sample = channels * size * size;
        float[] px = new float[from.size() * sample];
        List<String> names = new ArrayList<>();
        for (int i = 0; i < from.size(); i++) {
            Group g = group(from.get(i));
            int k = indices.get(i);
            if (k < 0 || k >= g.count()) {
                throw new IllegalArgumentException("probe group " + g.name() + " has " + g.count() + " images, not " + (k + 1));
            }
            System.arraycopy(g.pixels(), k * sample, px, i * sample, sample);
            names.add(g.captions().get(k));
        }
        groups.put(name, new Group(name, px, from.size(), null, names));
    }

    Group group(String name) {
        Group g = groups.get(name);
        if (g == null) {
            throw new IllegalArgumentException("no probe group '" + name + "' (groups: " + groups.keySet() + ")");
        }
        return g;
    }

    List<String> names() {
        return List.copyOf(groups.keySet());
    }

    int channels() {
        return channels;
    }

    int size() {
        return size;
    }

    /** Images [from, to) of a group as a tensor [n, channels, size, size], normalised per channel as (v − mean) / std. */
    Tensor tensor(String name, int from, int to, float[] mean, float[] std) {
        Group g = group(name);
        int sample = channels * size * size;
        int plane = size * size;
        float[] v = new float[(to - from) * sample];
        for (int i = from; i < to; i++) {
            for (int c = 0; c < channels; c++) {
                for (int k = 0; k < plane; k++) {
                    int at = (i - from) * sample + c * plane + k;
                    v[at] = (g.pixels[i * sample + c * plane + k] - mean[c]) / std[c];
                }
            }
        }
        return Tensor.of(v, to - from, channels, size, size);
    }

    /** One image of a group, pixels in [0, 1], the first channel: what a figure shows as the input. */
    double[] image(String name, int index) {
        Group g = group(name);
        double[] out = new double[size * size];
        int base = index * channels * size * size;
        for (int k = 0; k < out.length; k++) {
            out[k] = g.pixels[base + k];
        }
        return out;
    }
}
