package unboxed.kit;

import unboxed.tensor.Rng;

/**
 * Generated test images for looking inside a convolutional network: gratings and edges at any
 * orientation, checkerboards, dots and noise. Each is a square image of {@code size × size}
 * pixels, row-major, values in [0, 1] (0 black, 1 white), as the datasets' images are.
 *
 * <p>Geometry: x grows to the right and y upwards from the image's centre; an orientation θ is
 * the angle of a grating's bars or an edge's line, counter-clockwise from horizontal, in degrees
 * (0°: horizontal bars, 90°: vertical bars). Edges and dots are sampled 4 × 4 times per pixel
 * and averaged, so that an oblique edge is not a staircase, which would add orientations of its
 * own. Everything uses {@link StrictMath}, so the same arguments give the same bits on any JVM.
 */
public final class Stimuli {
    /** Sub-samples per pixel side for edges and dots. */
    static final int SUPER = 4;

    private Stimuli() {
    }

    /**
     * A sinusoidal grating: 0.5 + 0.5 cos(2π f u / size + φ), u the distance across the bars
     * (u = −x sin θ + y cos θ), f in cycles per image width, φ the phase in degrees.
     */
    public static double[] grating(int size, double orientationDeg, double cyclesPerImage, double phaseDeg) {
        check(size);
        if (!(cyclesPerImage > 0) || cyclesPerImage > size / 2.0) {
            throw new IllegalArgumentException("grating: " + cyclesPerImage + " cycles per image on " + size
                    + " pixels; use 0 < cycles ≤ " + size / 2 + " (beyond, the pixels cannot show it: aliasing)");
        }
        double t = StrictMath.toRadians(orientationDeg);
        double s = StrictMath.sin(t);
        double c = StrictMath.cos(t);
        double phase = StrictMath.toRadians(phaseDeg);
        double[] img = new double[size * size];
        for (int r = 0; r < size; r++) {
            for (int col = 0; col < size; col++) {
                double x = col - (size - 1) / 2.0;
                double y = (size - 1) / 2.0 - r;
                double u = -x * s + y * c;
                img[r * size + col] = 0.5 + 0.5 * StrictMath.cos(2 * Math.PI * cyclesPerImage * u / size + phase);
            }
        }
        return img;
    }

    /**
     * A straight edge through the centre: white on one side, black on the other. The line lies at
     * {@code directionDeg} modulo 180°; the direction says which side is white: the side to the
     * left of the line walked in that direction (0°: a horizontal edge, white above; 180°: white
     * below). So 24 directions 15° apart are 12 orientations, each in both polarities.
     */
    public static double[] edge(int size, double directionDeg) {
        check(size);
        double t = StrictMath.toRadians(directionDeg);
        double s = StrictMath.sin(t);
        double c = StrictMath.cos(t);
        return supersampled(size, (x, y) -> -x * s + y * c > 0 ? 1 : 0);
    }

    /** A checkerboard of squares {@code square} pixels wide, white in the top-left corner. */
    public static double[] checkerboard(int size, int square) {
        check(size);
        if (square < 1) {
            throw new IllegalArgumentException("checkerboard: square of " + square + " pixels; use at least 1");
        }
        double[] img = new double[size * size];
        for (int r = 0; r < size; r++) {
            for (int col = 0; col < size; col++) {
                img[r * size + col] = ((r / square + col / square) % 2 == 0) ? 1 : 0;
            }
        }
        return img;
    }

    /** White dots of radius {@code radius} pixels on black, centred on a square grid {@code spacing} pixels apart. */
    public static double[] dots(int size, double spacing, double radius) {
        check(size);
        if (!(spacing > 0) || !(radius > 0)) {
            throw new IllegalArgumentException("dots: spacing " + spacing + " and radius " + radius + " must be positive");
        }
        double r2 = radius * radius;
        return supersampled(size, (x, y) -> {
            // distance to the nearest grid point, the grid centred on the image
            double dx = x - spacing * StrictMath.rint(x / spacing);
            double dy = y - spacing * StrictMath.rint(y / spacing);
            return dx * dx + dy * dy <= r2 ? 1 : 0;
        });
    }

    /** {@code count} white dots of radius {@code radius} at positions drawn uniformly from {@code rng}. */
    public static double[] randomDots(Rng rng, int size, int count, double radius) {
        check(size);
        double[] cx = new double[count];
        double[] cy = new double[count];
        for (int i = 0; i < count; i++) {
            cx[i] = (rng.nextDouble() - 0.5) * size;
            cy[i] = (rng.nextDouble() - 0.5) * size;
        }
        double r2 = radius * radius;
        return supersampled(size, (x, y) -> {
            for (int i = 0; i < count; i++) {
                double dx = x - cx[i];
                double dy = y - cy[i];
                if (dx * dx + dy * dy <= r2) {
                    return 1;
                }
            }
            return 0;
        });
    }

    /** White noise: every pixel uniform in [0, 1), independently. */
    public static double[] noise(Rng rng, int size) {
        check(size);
        double[] img = new double[size * size];
        for (int i = 0; i < img.length; i++) {
            img[i] = rng.nextDouble();
        }
        return img;
    }

    /** The photographic negative, 1 − v. */
    public static double[] invert(double[] img) {
        double[] out = new double[img.length];
        for (int i = 0; i < img.length; i++) {
            out[i] = 1 - img[i];
        }
        return out;
    }

    private interface Shape {
        double at(double x, double y);
    }

    /** The mean of the shape over SUPER × SUPER points evenly spread in each pixel. */
    private static double[] supersampled(int size, Shape f) {
        double[] img = new double[size * size];
        for (int r = 0; r < size; r++) {
            for (int col = 0; col < size; col++) {
                double sum = 0;
                for (int i = 0; i < SUPER; i++) {
                    for (int j = 0; j < SUPER; j++) {
                        double x = col - (size - 1) / 2.0 + (j + 0.5) / SUPER - 0.5;
                        double y = (size - 1) / 2.0 - r - (i + 0.5) / SUPER + 0.5;
                        sum += f.at(x, y);
                    }
                }
                img[r * size + col] = sum / (SUPER * SUPER);
            }
        }
        return img;
    }

    private static void check(int size) {
        if (size < 2) {
            throw new IllegalArgumentException("stimulus of " + size + " pixels: use a size of at least 2");
        }
    }
}
