package unboxed.brain;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The scale of brains and of the machines we build, as the figures draw it: every cited row of
 * the tables grouped by subject ({@code {"low", "high"}} per quantity, null where the table has
 * none), and this repository's measured FLOP/s with the power its share of the chip draws.
 */
final class ScaleTables {
    private ScaleTables() {
    }

    static Map<String, Object> compute(Path resultsRoot, Inputs in) throws IOException {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("brains", group(in.brains(), List.of("neurons", "synapses", "synaptic_events", "power")));
        r.put("computers", group(in.computers(), List.of("fp32_peak", "fp16_peak", "power", "price", "cores")));
        r.put("models", group(in.models(), List.of("parameters", "training_compute")));
        Map<String, Object> measured = new LinkedHashMap<>();
        measured.put("cpu", Machines.describe(Machines.cpu(resultsRoot), in.computers()));
        List<Map<String, Object>> gpus = new ArrayList<>();
        for (Machines.Measured m : Machines.gpus(resultsRoot, in.computers())) {
            gpus.add(Machines.describe(m, in.computers()));
        }
        measured.put("gpus", gpus);
        r.put("measured", measured);
        return r;
    }

    /** One entry per subject, in table order: its extra columns, its year where dated, and each quantity's range. */
    static List<Map<String, Object>> group(List<Estimate> table, List<String> quantities) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (String subject : CitedTable.subjects(table)) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", subject);
            Estimate first = null;
            for (Estimate e : table) {
                first = first == null && e.subject().equals(subject) ? e : first;
            }
            m.putAll(first.extra());
            if (first.extra().containsKey("date")) {
                m.put("year", first.year());
            }
            for (String q : quantities) {
                Estimate e = null;
                for (Estimate x : table) {
                    e = x.subject().equals(subject) && x.quantity().equals(q) ? x : e;
                }
                m.put(q, e == null ? null : range(e));
            }
            out.add(m);
        }
        return out;
    }

    static Map<String, Object> range(Estimate e) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("low", e.low());
        m.put("high", e.high());
        return m;
    }
}
