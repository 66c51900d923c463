package unboxed.brain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;
import unboxed.io.RepoRoot;

/**
 * The committed tables: every row cited, every unit the quantity's, every magnitude plausible for
 * its unit (a power in milliwatts written as watts, a rate per millisecond, would fall outside);
 * and bad rows refused with a message that names the file, the row and the fix.
 */
class CitationTest {
    static final String HEADER = "species,quantity,low,high,unit,source,note\n";
    static final String CITED = "\"Azevedo et al. 2009, Equal numbers of neuronal and nonneuronal cells, doi:10.1002/cne.21974\"";

    static Inputs committed() throws IOException {
        return Inputs.read(RepoRoot.get());
    }

    @Test
    void everyCommittedRowHasACitationAndItsQuantitysUnit() throws IOException {
        Inputs in = committed();
        int rows = 0;
        for (List<Estimate> table : List.of(in.brains(), in.computers(), in.models(), in.constants())) {
            for (Estimate e : table) {
                String where = e.file() + ":" + e.line();
                assertTrue(CitedTable.YEAR.matcher(e.source()).find(), where + " cites no year");
                assertTrue(CitedTable.LOCATOR.matcher(e.source()).find(), where + " cites no DOI, arXiv id or URL");
                assertTrue(e.low() > 0 && e.low() <= e.high(), where + " range");
                rows++;
            }
        }
        assertEquals(4, in.sha256().size());
        assertTrue(rows > 90, "rows: " + rows);
        for (CitedTable.Schema s : CitedTable.Schema.values()) {
            List<Estimate> t = CitedTable.read(CitedTable.folder(RepoRoot.get()), s);
            for (Estimate e : t) {
                assertEquals(s.units().get(e.quantity()), e.unit(), e.file() + ":" + e.line());
            }
        }
    }

    @Test
    void theTablesCoverWhatThePostCompares() throws IOException {
        Inputs in = committed();
        assertEquals(List.of("c-elegans", "fruit-fly", "honeybee", "mouse", "rat", "cat", "macaque", "human"),
                CitedTable.subjects(in.brains()));
        for (String species : CitedTable.subjects(in.brains())) {
            for (String q : List.of("neurons", "synapses", "synaptic_events", "power")) {
                CitedTable.find(in.brains(), species, q);
            }
        }
        for (String gpu : List.of("Tesla K80", "Tesla P100", "Tesla V100", "A100", "H100", "H200")) {
            for (String q : List.of("fp32_peak", "power", "price")) {
                CitedTable.find(in.computers(), gpu, q);
            }
        }
        for (String arch : List.of("Zen 3", "Zen 4", "Zen 5")) {
            String cpu = Machines.deviceOf(arch, in.computers());
            for (String q : List.of("fp32_peak", "power", "price", "cores")) {
                CitedTable.find(in.computers(), cpu, q);
            }
        }
        assertTrue(in.models().stream().filter(e -> e.quantity().equals("training_compute")).count() >= 8);
    }

    @Test
    void magnitudesArePlausibleForTheirUnits() throws IOException {
        Inputs in = committed();
        for (String species : CitedTable.subjects(in.brains())) {
            Estimate neurons = CitedTable.find(in.brains(), species, "neurons");
            Estimate synapses = CitedTable.find(in.brains(), species, "synapses");
            Estimate events = CitedTable.find(in.brains(), species, "synaptic_events");
            Estimate power = CitedTable.find(in.brains(), species, "power");
            // per synapse between 0.01 and 100 events a second: a rate per millisecond would be 1000 times more
            assertTrue(events.low() >= 0.01 * synapses.low() && events.high() <= 100 * synapses.high(), species);
            assertTrue(synapses.low() >= neurons.low(), species + ": at least one synapse per neuron");
            double perNeuron = power.mid() / neurons.mid();
            assertTrue(perNeuron > 1e-12 && perNeuron < 1e-8, species + ": " + perNeuron + " W per neuron");
        }
        for (String device : CitedTable.subjects(in.computers())) {
            Estimate fp32 = CitedTable.find(in.computers(), device, "fp32_peak");
            Estimate power = CitedTable.find(in.computers(), device, "power");
            double perWatt = fp32.mid() / power.mid();
            assertTrue(perWatt > 1e9 && perWatt < 1e12, device + ": " + perWatt + " FLOP/s per W");
            assertTrue(power.low() >= 50 && power.high() <= 1500, device + ": board or package power in W");
            assertTrue(fp32.year() > 2010 && fp32.year() < 2030, device);
            in.computers().stream().filter(e -> e.subject().equals(device) && e.quantity().equals("fp16_peak"))
                    .forEach(fp16 -> assertTrue(fp16.low() >= fp32.low(), device + ": 16-bit at least as fast"));
        }
        for (Estimate c : in.models()) {
            if (c.quantity().equals("parameters")) {
                Estimate compute = CitedTable.find(in.models(), c.subject(), "training_compute");
                // at least one example per parameter at 6 FLOP each
                assertTrue(compute.low() >= 6 * c.high(), c.subject());
            }
        }
    }

    static String message(String table) {
        return assertThrows(IllegalArgumentException.class, () -> CitedTable.parse("data/brain-capacity/brains.csv",
                table, CitedTable.Schema.BRAINS)).getMessage();
    }

    @Test
    void aRowWithoutASourceNamesTheFileTheRowAndTheFix() {
        String m = message(HEADER + "human,neurons,8.6e10,8.6e10,count," + CITED + ",\n"
                + "human,synapses,1.5e14,1e15,count,,\n");
        assertTrue(m.startsWith("data/brain-capacity/brains.csv, row 2 (line 3) (human, synapses)"), m);
        assertTrue(m.contains("no source") && m.contains("DOI"), m);
    }

    @Test
    void aSourceWithoutADoiOrUrlIsRefused() {
        String m = message(HEADER + "human,neurons,8.6e10,8.6e10,count,Azevedo et al. 2009 (a paper),\n");
        assertTrue(m.contains("row 1") && m.contains("lacks a DOI, arXiv id or URL"), m);
        m = message(HEADER + "human,neurons,8.6e10,8.6e10,count,Azevedo et al. doi:10.1002/cne.21974,\n");
        assertTrue(m.contains("lacks a year"), m);
    }

    @Test
    void aUnitThatIsNotTheQuantitysIsRefusedWithTheUnitToUse() {
        String m = message(HEADER + "human,power,20000,20000,mW," + CITED + ",\n");
        assertTrue(m.contains("row 1") && m.contains("unit 'mW'") && m.contains("write W"), m);
        m = message(HEADER + "human,weight,1.4,1.4,kg," + CITED + ",\n");
        assertTrue(m.contains("unknown quantity 'weight'") && m.contains("synapses"), m);
    }

    @Test
    void otherBadRowsAreRefusedWithTheirFix() {
        assertTrue(message(HEADER + "human,synapses,1e15,1.5e14,count," + CITED + ",\n").contains("swap them"));
        assertTrue(message(HEADER + "human,synapses,lots,1e15,count," + CITED + ",\n").contains("not a number"));
        assertTrue(message(HEADER + "human,synapses,0,1e15,count," + CITED + ",\n").contains("positive"));
        assertTrue(message(HEADER + "human,synapses,1e14,1e15,count,Someone 2020, a title, https://x.org,\n")
                .contains("quote a cell that holds a comma"));
        assertTrue(message("species,quantity,value,unit,source\n").contains("the header is"));
        assertTrue(message(HEADER + "human,synapses,1e14,1e15,count," + CITED + ",\n"
                + "human,synapses,1e14,1e15,count," + CITED + ",\n").contains("already has a row"));
        assertTrue(message(HEADER + "human,synapses,1e14,1e15,count,\"unclosed 2020 https://x.org,\n")
                .contains("never closed"));
        String m = assertThrows(IllegalArgumentException.class, () -> CitedTable.parse("data/brain-capacity/models.csv",
                "model,date,quantity,low,high,unit,source,note\nGPT-3,May 2020,parameters,1.75e11,1.75e11,count,"
                        + CITED + ",\n", CitedTable.Schema.MODELS)).getMessage();
        assertTrue(m.contains("date 'May 2020' is not YYYY-MM"), m);
    }

    @Test
    void quotedCellsKeepTheirCommasAndQuotes() {
        List<Estimate> t = CitedTable.parse("t.csv", HEADER + "human,neurons,8.6e10,8.6e10,count," + CITED
                + ",\"86.1 ± 8.1 billion, \"\"mean ± s.d.\"\"\"\r\n", CitedTable.Schema.BRAINS);
        assertEquals(1, t.size());
        assertEquals("86.1 ± 8.1 billion, \"mean ± s.d.\"", t.get(0).note());
        assertFalse(t.get(0).source().startsWith("\""));
        assertEquals(3, t.get(0).line() + 1);
    }
}
