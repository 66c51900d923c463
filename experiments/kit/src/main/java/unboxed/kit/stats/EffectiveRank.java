package unboxed.kit.stats;

import java.util.Arrays;
import org.apache.commons.math3.linear.Array2DRowRealMatrix;
import org.apache.commons.math3.linear.SingularValueDecomposition;

/**
 * How many directions a layer's activations really use. A layer of H units fed N inputs gives
 * an N × H matrix; its rank is at most min(N, H), but a matrix whose singular values are
 * 10, 0.01, 0.01, … is one direction in practice. Two measures, both of the singular values σ:
 * <ul>
 *   <li>{@link #entropy}: Roy and Vetterli's effective rank (2007), exp of the entropy of
 *       σ / Σσ: H for H equal singular values, 1 for one, smoothly in between;</li>
 *   <li>{@link #srank}: the number of singular values that hold a share 1 − δ of Σσ (Kumar et
 *       al., "Implicit under-parameterization", 2021, with δ = 0.01), the count the plasticity
 *       literature reports.</li>
 * </ul>
 * The singular values come from commons-math3's SVD in float64, which is deterministic.
 */
public final class EffectiveRank {
    /** Kumar et al.'s δ: the share of Σσ the srank may leave out. */
    public static final double SRANK_DELTA = 0.01;

    private EffectiveRank() {
    }

    /** The singular values of {@code m} (rows × columns), largest first. */
    public static double[] singularValues(double[][] m) {
        if (m.length == 0 || m[0].length == 0) {
            return new double[0];
        }
        for (double[] row : m) {
            if (row.length != m[0].length) {
                throw new IllegalArgumentException("singularValues: ragged matrix, rows of " + m[0].length + " and "
                        + row.length + " values");
            }
            for (double v : row) {
                if (!Double.isFinite(v)) {
                    throw new IllegalArgumentException("singularValues: non-finite entry " + v
                            + "; measure the rank of finite activations only");
                }
            }
        }
        double[] s = new SingularValueDecomposition(new Array2DRowRealMatrix(m, false)).getSingularValues();
        double[] out = s.clone();
        Arrays.sort(out);
        for (int i = 0, j = out.length - 1; i < j; i++, j--) {
            double t = out[i];
            out[i] = out[j];
            out[j] = t;
        }
        return out;
    }

    /** exp(−Σ pᵢ ln pᵢ) with pᵢ = σᵢ / Σσ; 0 for a zero matrix. */
    public static double entropy(double[] sigma) {
        double sum = 0;
        for (double s : sigma) {
            sum += s;
        }
        if (!(sum > 0)) {
            return 0;
        }
        double h = 0;
        for (double s : sigma) {
            if (s > 0) {
                double p = s / sum;
                h -= p * Math.log(p);
            }
        }
        return Math.exp(h);
    }

    /** The least k with σ₁ + … + σₖ ≥ (1 − δ) Σσ; 0 for a zero matrix. */
    public static int srank(double[] sigma, double delta) {
        if (!(delta >= 0 && delta < 1)) {
            throw new IllegalArgumentException("srank: delta must be in [0, 1), got " + delta);
        }
        double sum = 0;
        for (double s : sigma) {
            sum += s;
        }
        if (!(sum > 0)) {
            return 0;
        }
        double acc = 0;
        for (int k = 0; k < sigma.length; k++) {
            acc += sigma[k];
            if (acc >= (1 - delta) * sum) {
                return k + 1;
            }
        }
        return sigma.length;
    }

    /** {@link #entropy} of the matrix whose columns are {@code byUnit[u]} (units × inputs, as the hooks give them). */
    public static double ofUnits(double[][] byUnit) {
        return entropy(singularValues(byUnit));
    }
}
