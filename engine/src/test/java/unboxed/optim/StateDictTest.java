package unboxed.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import unboxed.nn.Parameter;
import unboxed.tensor.Tensor;

/**
 * state_dict: a run saved after N steps to a file, restored into a fresh optimizer and continued, is
 * the uninterrupted run bit for bit, for Adam, AdamW and SGD, groups and options included.
 */
class StateDictTest {
    @TempDir
    Path dir;

    private static final int N = 7;
    private static final int M = 9;

    /** Deterministic gradients for step s: a different pattern each step, some elements large, some tiny. */
    private static float[] gradient(int s, int n, int which) {
        float[] g = new float[n];
        for (int i = 0; i < n; i++) {
            g[i] = (float) (Math.sin(1.7 * s + 0.3 * i + which) * Math.pow(10, (i % 5) - 3));
        }
        return g;
    }

    private static List<Parameter> fresh(float[][] values) {
        List<Parameter> ps = new ArrayList<>();
        for (int k = 0; k < values.length; k++) {
            ps.add(new Parameter("p" + k, Tensor.of(values[k].clone(), values[k].length)));
        }
        return ps;
    }

    private static void steps(Optimizer opt, List<Parameter> ps, int from, int to) {
        for (int s = from; s < to; s++) {
            for (int k = 0; k < ps.size(); k++) {
                // the last parameter has no gradient on odd steps: its step counter falls behind
                boolean skip = k == ps.size() - 1 && s % 2 == 1;
                ps.get(k).data().setGrad(skip ? null : Tensor.of(gradient(s, ps.get(k).data().numel(), k),
                        ps.get(k).data().numel()));
            }
            opt.step();
        }
    }

    private static float[][] values(List<Parameter> ps) {
        float[][] v = new float[ps.size()][];
        for (int k = 0; k < ps.size(); k++) {
            v[k] = ps.get(k).data().toArray();
        }
        return v;
    }

    /**
     * Runs N + M steps at once, and N steps, save, load into a fresh optimizer built by {@code make} with
     * other options, M steps; the two must end with the same bits.
     */
    private void resumesBitForBit(Function<List<Parameter>, Optimizer> make, Function<List<Parameter>, Optimizer> other)
            throws IOException {
        float[][] start = {{0.5f, -1f, 2f, 0f, 3f, -0.25f, 1e-3f}, {1f, 2f, 3f, 4f, 5f, 6f, 7f, 8f, 9f, 10f, 11f, 12f,
                13f, 14f, 15f, 16f, 17f, 18f, 19f}, {-4f, 4f}};
        List<Parameter> whole = fresh(start);
        Optimizer straight = make.apply(whole);
        steps(straight, whole, 0, N + M);

        List<Parameter> first = fresh(start);
        Optimizer before = make.apply(first);
        steps(before, first, 0, N);
        Path file = dir.resolve(before.name() + ".safetensors");
        before.stateDict().save(file);
        float[][] saved = values(first);

        List<Parameter> second = fresh(saved);
        Optimizer after = other.apply(second);
        after.loadStateDict(StateDict.load(file));
        assertEquals(before.stateDict().paramGroups(), after.stateDict().paramGroups(), "the options come back");
        steps(after, second, N, N + M);

        float[][] a = values(whole);
        float[][] b = values(second);
        for (int k = 0; k < a.length; k++) {
            assertArrayEquals(a[k], b[k], before.name() + ": parameter " + k + " after resuming");
        }
        // and the states themselves, bit for bit
        Map<Integer, Map<String, Tensor>> sa = straight.stateDict().state();
        Map<Integer, Map<String, Tensor>> sb = after.stateDict().state();
        assertEquals(sa.keySet(), sb.keySet());
        for (Integer k : sa.keySet()) {
            assertEquals(sa.get(k).keySet(), sb.get(k).keySet());
            for (String name : sa.get(k).keySet()) {
                assertArrayEquals(sa.get(k).get(name).toArray(), sb.get(k).get(name).toArray(), k + "." + name);
            }
        }
    }

    private static final double[] BETAS = {0.9, 0.999};

    @Test
    void adamResumes() throws IOException {
        resumesBitForBit(ps -> new Adam(ps, 0.01), ps -> new Adam(ps, 0.5));
        resumesBitForBit(ps -> new Adam(ps, 0.01, new double[] {0.8, 0.99}, 1e-6, 0.1, true, true),
                ps -> new Adam(ps, 0.01, new double[] {0.8, 0.99}, 1e-6, 0.1, false, true));
    }

    @Test
    void adamWResumes() throws IOException {
        resumesBitForBit(ps -> new AdamW(ps, 0.01, BETAS, 1e-8, 0.05, true, false), ps -> new AdamW(ps, 0.3));
    }

    @Test
    void sgdResumes() throws IOException {
        resumesBitForBit(ps -> new SGD(ps, 0.01, 0.9, 0.1, 0.01, false, false), ps -> new SGD(ps, 0.01, 0.9, 0.1,
                0.01, false, false));
        resumesBitForBit(ps -> new SGD(ps, 0.05, 0.9, 0, 0, true, true), ps -> new SGD(ps, 0.05, 0.9, 0, 0, true, true));
    }

    @Test
    void groupsResumeWithTheirOwnOptions() throws IOException {
        resumesBitForBit(ps -> new Adam(List.of(new ParamGroup(ps.subList(0, 2)).set("lr", 0.05),
                        new ParamGroup(ps.subList(2, 3)).set("betas", List.of(0.5, 0.9)).set("amsgrad", true)), 0.01),
                ps -> new Adam(List.of(new ParamGroup(ps.subList(0, 2)), new ParamGroup(ps.subList(2, 3))), 0.01));
    }

    @Test
    void theDictLooksLikePyTorchs() {
        Parameter a = new Parameter("a", Tensor.of(new float[] {1, 2}, 2));
        Parameter b = new Parameter("b", Tensor.of(new float[] {3}, 1));
        Parameter c = new Parameter("c", Tensor.of(new float[] {4}, 1));
        Adam opt = new Adam(List.of(new ParamGroup(List.of(a, b)), new ParamGroup(List.of(c)).set("lr", 0.1)), 0.01);
        a.data().setGrad(Tensor.of(new float[] {1, 1}, 2));
        c.data().setGrad(Tensor.of(new float[] {1}, 1));
        opt.step();
        StateDict sd = opt.stateDict();
        assertEquals(List.of(0, 2), new ArrayList<>(sd.state().keySet()), "b never had a gradient: no state");
        assertEquals(List.of("step", "exp_avg", "exp_avg_sq"), new ArrayList<>(sd.state().get(0).keySet()));
        Map<String, Object> g1 = new LinkedHashMap<>();
        g1.put("lr", 0.1);
        g1.put("betas", List.of(0.9, 0.999));
        g1.put("eps", 1e-8);
        g1.put("weight_decay", 0.0);
        g1.put("amsgrad", false);
        g1.put("maximize", false);
        g1.put("params", List.of(2));
        assertEquals(g1, sd.paramGroups().get(1));
        assertEquals(List.of("lr", "betas", "eps", "weight_decay", "amsgrad", "maximize", "params"),
                new ArrayList<>(sd.paramGroups().get(1).keySet()), "PyTorch's order, params last");
        // a snapshot: later steps do not change it
        float[] expAvg = sd.state().get(0).get("exp_avg").toArray();
        opt.step();
        assertArrayEquals(expAvg, sd.state().get(0).get("exp_avg").toArray());
    }

    private static void rejects(Runnable call, String... parts) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call::run);
        for (String part : parts) {
            assertTrue(e.getMessage().contains(part), "message should contain '" + part + "': " + e.getMessage());
        }
    }

    @Test
    void aDictThatDoesNotFitIsRefusedAndChangesNothing() {
        List<Parameter> ps = fresh(new float[][] {{1, 2}, {3}});
        Adam opt = new Adam(ps, 0.01);
        steps(opt, ps, 0, 3);
        StateDict good = opt.stateDict();

        Adam two = new Adam(List.of(new ParamGroup(ps.subList(0, 1)), new ParamGroup(ps.subList(1, 2))), 0.01);
        rejects(() -> two.loadStateDict(good), "different number of parameter groups");
        Adam one = new Adam(ps.subList(0, 1), 0.01);
        rejects(() -> one.loadStateDict(good), "doesn't match the size of optimizer's group");
        List<Parameter> other = fresh(new float[][] {{1, 2, 3}, {3}});
        rejects(() -> new Adam(other, 0.01).loadStateDict(good), "'exp_avg' has shape [2], the parameter [3]");
        rejects(() -> new SGD(ps, 0.01).loadStateDict(good), "SGD loaded param group 0", "unknown option 'betas'");

        Map<Integer, Map<String, Tensor>> st = new LinkedHashMap<>(good.state());
        Map<String, Tensor> s0 = new LinkedHashMap<>(st.get(0));
        s0.put("exp_avgg", s0.get("exp_avg"));
        st.put(0, s0);
        rejects(() -> opt.loadStateDict(new StateDict(st, good.paramGroups())), "unknown state 'exp_avgg'");
        Map<String, Object> g = new LinkedHashMap<>(good.paramGroups().get(0));
        g.put("lr", -1.0);
        rejects(() -> opt.loadStateDict(new StateDict(good.state(), List.of(g))), "Invalid learning rate: -1.0");
        g.put("lr", 0.01);
        g.put("amsgrad", true);
        rejects(() -> opt.loadStateDict(new StateDict(good.state(), List.of(g))), "max_exp_avg_sq");
        // none of these changed the optimizer
        assertEquals(good.paramGroups(), opt.stateDict().paramGroups());
        assertArrayEquals(good.state().get(0).get("exp_avg").toArray(), opt.stateDict().state().get(0).get("exp_avg").toArray());
    }

    @Test
    void aFileThatIsNotAStateDictSaysSo() throws IOException {
        Path f = dir.resolve("model.safetensors");
        unboxed.io.Safetensors.write(f, Map.of("w", Tensor.of(new float[] {1}, 1)), Map.of("format", "weights"));
        IOException e = assertThrows(IOException.class, () -> StateDict.load(f));
        assertTrue(e.getMessage().contains("not an optimizer state dict") && e.getMessage().contains(f.toString()),
                e.getMessage());
    }
}
