package unboxed.brain;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Energy per operation against Landauer's bound k T ln 2 per erased bit at body temperature: the
 * human brain per synaptic event (its power over its events per second), each chip of the table per
 * FLOP at its peak (power over peak FLOP/s), this repository's measured SGEMM, and two
 * 45 nm reference energies (a 32-bit floating-point multiply; a 32-bit word read from DRAM).
 *
 * <p>Each is given as a range (low .. high joules) and as orders of magnitude above the bound,
 * per bit and per operation: a synaptic event conveys at most {@code bitsPerEvent} bit; an FP32
 * multiply that forgets its operands erases at least {@code bitsPerFlop} bits.
 */
final class Thermal {
    private Thermal() {
    }

    static Map<String, Object> compute(Path resultsRoot, Inputs in, double kelvin, double bitsPerEvent,
                                       double bitsPerFlop) throws IOException {
        double k = in.constant("boltzmann_constant", false);
        double bit = Landauer.bitEnergy(k, kelvin);
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("boltzmann_constant", k);
        r.put("kelvin", kelvin);
        r.put("bit_energy", bit);
        // the measured range of body temperature moves the bound by this little
        r.put("bit_energy_body_low", Landauer.bitEnergy(k, in.constant("body_temperature", false)));
        r.put("bit_energy_body_high", Landauer.bitEnergy(k, in.constant("body_temperature", true)));
        List<Map<String, Object>> rows = new ArrayList<>();
        Estimate power = CitedTable.find(in.brains(), "human", "power");
        Estimate events = CitedTable.find(in.brains(), "human", "synaptic_events");
        rows.add(row("human brain", "brain", "synaptic event", power.low() / events.high(), power.high() / events.low(),
                bitsPerEvent, bit));
        for (String device : CitedTable.subjects(in.computers())) {
            Estimate w = CitedTable.find(in.computers(), device, "power");
            String kind = w.get("kind");
            for (String q : List.of("fp32_peak", "fp16_peak")) {
                Estimate f = in.computers().stream().filter(e -> e.subject().equals(device) && e.quantity().equals(q))
                        .findFirst().orElse(null);
                if (f != null) {
                    rows.add(row(device + (q.equals("fp16_peak") ? " FP16" : " FP32"), kind,
                            "FLOP at peak", w.low() / f.high(), w.high() / f.low(), bitsPerFlop, bit));
                }
            }
        }
        List<Machines.Measured> measured = new ArrayList<>();
        measured.add(Machines.cpu(resultsRoot));
        measured.addAll(Machines.gpus(resultsRoot, in.computers()));
        for (Machines.Measured m : measured) {
            double[] w = Machines.watts(m, in.computers());
            Map<String, Object> row = row(m.what() + " on " + m.device(), "measured", "FLOP measured",
                    w[0] / m.flops(), w[1] / m.flops(), bitsPerFlop, bit);
            row.put("source", m.source().relativePath());
            rows.add(row);
        }
        rows.add(row("FP32 multiply, 45 nm", "reference", "operation",
                in.constant("fp32_multiply_energy", false), in.constant("fp32_multiply_energy", true), bitsPerFlop, bit));
        rows.add(row("32-bit DRAM read, 45 nm", "reference", "word moved",
                in.constant("dram_read_energy", false), in.constant("dram_read_energy", true), bitsPerFlop, bit));
        r.put("rows", rows);
        return r;
    }

    static Map<String, Object> row(String what, String kind, String per, double low, double high, double bits,
                                   double bitEnergy) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("what", what);
        m.put("kind", kind);
        m.put("per", per);
        m.put("joules_low", low);
        m.put("joules_high", high);
        m.put("bits", bits);
        m.put("orders_per_bit_low", Landauer.ordersAbove(low, 1, bitEnergy));
        m.put("orders_per_bit_high", Landauer.ordersAbove(high, 1, bitEnergy));
        m.put("orders_per_operation_low", Landauer.ordersAbove(low, bits, bitEnergy));
        m.put("orders_per_operation_high", Landauer.ordersAbove(high, bits, bitEnergy));
        return m;
    }
}
