package unboxed.simple;

import java.util.function.DoubleUnaryOperator;

/** The functions the networks are asked to predict, on x ∈ [−π, π]. */
public enum Target {
    SIN("sin", "sin x", Math::sin),
    SIN5("sin5", "sin 5x", x -> Math.sin(5 * x)),
    SQUARE("square", "x²", x -> x * x),
    ABS("abs", "|x|", Math::abs),
    STEP("step", "step (0 for x < 0, 1 for x ≥ 0)", x -> x < 0 ? 0 : 1),
    SAW("saw", "sawtooth (3 teeth, −1 to 1)", x -> {
        double period = 2 * Math.PI / 3;
        double t = (x + Math.PI) / period;
        return 2 * (t - Math.floor(t)) - 1;
    });

    public final String id;
    public final String label;
    private final DoubleUnaryOperator f;

    Target(String id, String label, DoubleUnaryOperator f) {
        this.id = id;
        this.label = label;
        this.f = f;
    }

    public double at(double x) {
        return f.applyAsDouble(x);
    }

    public double[] at(double[] x) {
        double[] y = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            y[i] = at(x[i]);
        }
        return y;
    }

    public static Target byId(String id) {
        for (Target t : values()) {
            if (t.id.equals(id)) {
                return t;
            }
        }
        throw new IllegalArgumentException("no target '" + id + "'");
    }
}
