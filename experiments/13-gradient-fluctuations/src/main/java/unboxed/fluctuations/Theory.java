package unboxed.fluctuations;

import java.util.function.DoubleUnaryOperator;

/**
 * What the variance argument predicts for a stack of affine layers h_l = W_l x_{l−1} + b_l,
 * x_l = φ(h_l), with every weight drawn independently, zero-mean, of variance σ_w²(l), and the
 * biases of variance σ_b²(l).
 *
 * <p>Forward. One output of layer l is a sum of n_in terms w·x with w independent of x, so
 * <pre>  Var[h_l] = n_in · σ_w² · E[x_{l−1}²] + σ_b²            (1)</pre>
 * E[x²], not Var[x]: the two agree only for zero-mean inputs (the raw inputs, tanh); a ReLU's
 * output has E[x²] = Var[h]/2, whence He's factor 2, and a sigmoid's is never zero-mean. With
 * many inputs h is close to normal (the central limit theorem), so E[x²] = E[φ(z)²] for
 * z ~ N(0, Var[h]): a one-dimensional integral, exact for none and ReLU, computed by quadrature
 * for tanh and sigmoid. For φ the identity, (1) is Var[y] = n · Var[w] · Var[x], and keeping it
 * at 1 means σ_w² = 1/n_in.
 *
 * <p>Backward. The gradient with respect to x_{l−1} is W_lᵀ times the one with respect to h_l,
 * and h's gradient is φ'(h) times x's:
 * <pre>  E[(∂L/∂x_{l−1})²] = n_out · σ_w² · E[(∂L/∂h_l)²],   E[(∂L/∂h_l)²] = E[φ'(h_l)²] · E[(∂L/∂x_l)²]   (2)</pre>
 * (treating the weights of the backward pass as independent of the forward's: the standard
 * mean-field approximation), so keeping gradients at their scale means σ_w² = 1/n_out. Glorot's
 * 2/(n_in + n_out) splits the difference; He's 2/n_in is (1) for ReLU.
 *
 * <p>The weight gradient ∂L/∂W_l = Σ_b (∂L/∂h_l)_b x_{l−1,b}ᵀ over a batch of B independent
 * samples has E[‖∂L/∂W_l‖²] = n_out · n_in · B · E[(∂L/∂h_l)²] · E[x_{l−1}²].
 */
final class Theory {
    /** Predictions per layer l = 1..L (index l − 1). */
    record Prediction(double[] preStd, double[] postMean, double[] postStd, double[] gradStd, double[] weightGradNorm) {
    }

    private Theory() {
    }

    /**
     * The predictions for layers of widths {@code widths[0] → widths[1] → ... → widths[L]} with
     * inputs of second moment 1 and a loss whose gradient with respect to x_L has second moment
     * 1 (the stack's random readout), for a batch of {@code batch}.
     */
    static Prediction of(int[] widths, Activation act, double[] weightVar, double[] biasVar, int batch) {
        int depth = widths.length - 1;
        double[] pre = new double[depth];
        double[] mean = new double[depth];
        double[] std = new double[depth];
        double[] grad = new double[depth];
        double[] wgrad = new double[depth];
        double[] inM2 = new double[depth];
        double[] dfM2 = new double[depth];
        double m2 = 1;
        for (int l = 0; l < depth; l++) {
            inM2[l] = m2;
            double q = widths[l] * weightVar[l] * m2 + biasVar[l];
            pre[l] = Math.sqrt(q);
            Moments m = moments(act, q);
            mean[l] = m.mean();
            std[l] = Math.sqrt(Math.max(0, m.square() - m.mean() * m.mean()));
            dfM2[l] = m.slopeSquare();
            m2 = m.square();
        }
        double gx = 1;
        for (int l = depth - 1; l >= 0; l--) {
            double gh = dfM2[l] * gx;
            grad[l] = Math.sqrt(gh);
            wgrad[l] = Math.sqrt((double) widths[l + 1] * widths[l] * batch * gh * inM2[l]);
            gx = widths[l + 1] * weightVar[l] * gh;
        }
        return new Prediction(pre, mean, std, grad, wgrad);
    }

    /** E[φ(z)], E[φ(z)²] and E[φ'(z)²] for z ~ N(0, q). */
    record Moments(double mean, double square, double slopeSquare) {
    }

    /** The three moments the recursions need: in closed form for none and ReLU, by quadrature for tanh and sigmoid. */
    static Moments moments(Activation act, double q) {
        return switch (act) {
            case NONE -> new Moments(0, q, 1);
            case RELU -> new Moments(Math.sqrt(q / (2 * Math.PI)), q / 2, 0.5);
            default -> q == 0 ? new Moments(act.f(0), act.f(0) * act.f(0), act.df(0) * act.df(0))
                    : new Moments(quadrature(act::f, q), quadrature(z -> act.f(z) * act.f(z), q),
                    quadrature(z -> act.df(z) * act.df(z), q));
        };
    }

    /**
     * ∫ h(z) N(z; 0, q) dz by composite Simpson: on |z| ≤ Z = min(20, 12√q), where tanh and the
     * sigmoid still bend, on a grid in z fine enough for both; and beyond, up to 12 standard
     * deviations, on a grid in units of the standard deviation, where they are flat.
     */
    static double quadrature(DoubleUnaryOperator h, double q) {
        double s = Math.sqrt(q);
        double zMax = Math.min(20, 12 * s);
        double inner = simpson(z -> h.applyAsDouble(z) * Math.exp(-z * z / (2 * q)) / Math.sqrt(2 * Math.PI * q),
                -zMax, zMax, 8000);
        if (12 * s <= 20) {
            return inner;
        }
        DoubleUnaryOperator tail = u -> Math.exp(-u * u / 2) / Math.sqrt(2 * Math.PI);
        double uMin = 20 / s;
        double upper = simpson(u -> h.applyAsDouble(u * s) * tail.applyAsDouble(u), uMin, 12, 4000);
        double lower = simpson(u -> h.applyAsDouble(-u * s) * tail.applyAsDouble(u), uMin, 12, 4000);
        return inner + upper + lower;
    }

    private static double simpson(DoubleUnaryOperator f, double a, double b, int intervals) {
        double hStep = (b - a) / intervals;
        double sum = f.applyAsDouble(a) + f.applyAsDouble(b);
        for (int i = 1; i < intervals; i++) {
            sum += f.applyAsDouble(a + i * hStep) * (i % 2 == 1 ? 4 : 2);
        }
        return sum * hStep / 3;
    }
}
