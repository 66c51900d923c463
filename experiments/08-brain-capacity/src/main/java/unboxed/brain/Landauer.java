package unboxed.brain;

/**
 * Landauer's bound: erasing one bit of information in surroundings at temperature T dissipates at
 * least k T ln 2 (Landauer 1961; measured by Bérut et al. 2012). Logically irreversible steps (an
 * addition that forgets its operands) must pay it; reversible ones need not (Bennett 1973).
 */
public final class Landauer {
    private Landauer() {
    }

    /** k T ln 2, in joules, for Boltzmann's constant k (J/K) and the temperature T (K). */
    public static double bitEnergy(double boltzmann, double kelvin) {
        if (!(boltzmann > 0) || !(kelvin > 0)) {
            throw new IllegalArgumentException("Landauer: need k > 0 and T > 0, got k = " + boltzmann + ", T = " + kelvin);
        }
        return boltzmann * kelvin * Math.log(2);
    }

    /**
     * How many orders of magnitude an operation costing {@code joules} sits above the bound, when it
     * erases {@code bits} bits: log10(joules / (bits · k T ln 2)).
     */
    public static double ordersAbove(double joules, double bits, double bitEnergy) {
        if (!(joules > 0) || !(bits > 0)) {
            throw new IllegalArgumentException("Landauer: need a positive energy and bit count, got " + joules + " J, "
                    + bits + " bits");
        }
        return Math.log10(joules / (bits * bitEnergy));
    }
}
