package unboxed.optim;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import unboxed.io.Safetensors;
import unboxed.io.Safetensors.FormatException;
import unboxed.tensor.Tensor;

/**
 * An optimizer's {@code state_dict()}, laid out as PyTorch's:
 * <pre>
 *   state:        {0: {step: tensor(3.), exp_avg: ..., exp_avg_sq: ...}, 1: {...}}
 *   param_groups: [{lr: 0.001, betas: [0.9, 0.999], ..., params: [0, 1]}, ...]
 * </pre>
 * A parameter is known by its index counted over the groups in order. {@link #save} and
 * {@link #load} keep it in a safetensors file: each state tensor as {@code state.<index>.<name>}
 * (float32, a step counter 0-dim, exactly as PyTorch keeps it), and the groups as JSON in the
 * metadata entry {@code param_groups}. Every float survives the round trip bit for bit, so a run
 * resumed from the file continues exactly as the uninterrupted run.
 */
public record StateDict(Map<Integer, Map<String, Tensor>> state, List<Map<String, Object>> paramGroups) {
    /** The {@code format} metadata of a saved state dict. */
    public static final String FORMAT = "unboxed-optimizer-state/1";

    private static final ObjectMapper JSON = new ObjectMapper();

    public StateDict {
        Map<Integer, Map<String, Tensor>> s = new TreeMap<>();
        state.forEach((k, v) -> s.put(k, Collections.unmodifiableMap(new LinkedHashMap<>(v))));
        state = Collections.unmodifiableMap(s);
        List<Map<String, Object>> g = new ArrayList<>();
        for (Map<String, Object> m : paramGroups) {
            g.add(Collections.unmodifiableMap(new LinkedHashMap<>(m)));
        }
        paramGroups = Collections.unmodifiableList(g);
    }

    /** Writes the dict to {@code path} (atomically: a temporary file, then a rename). */
    public void save(Path path) throws IOException {
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        state.forEach((index, entries) -> entries.forEach((name, t) -> {
            if (name.contains(".")) {
                throw new IllegalArgumentException("state name '" + name + "' of parameter " + index
                        + " contains a '.', which the file layout uses as a separator");
            }
            tensors.put("state." + index + "." + name, t);
        }));
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", FORMAT);
        meta.put("param_groups", JSON.writeValueAsString(paramGroups));
        Safetensors.write(path, tensors, meta);
    }

    /** Reads a dict that {@link #save} wrote; a file that is not one fails with a message naming the path. */
    public static StateDict load(Path path) throws IOException {
        Safetensors.File f = Safetensors.read(path);
        String format = f.metadata().get("format");
        if (!FORMAT.equals(format)) {
            throw new FormatException(path, "not an optimizer state dict (metadata format is " + format + ", expected "
                    + FORMAT + ")");
        }
        List<Map<String, Object>> groups;
        try {
            groups = JSON.readValue(f.meta("param_groups"), new TypeReference<List<Map<String, Object>>>() { });
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new FormatException(path, "metadata param_groups is not a JSON list of objects: "
                    + e.getOriginalMessage());
        }
        Map<Integer, Map<String, Tensor>> state = new TreeMap<>();
        for (String name : f.entries().keySet()) {
            String[] parts = name.split("\\.", -1);
            if (parts.length != 3 || !parts[0].equals("state") || !parts[1].matches("0|[1-9][0-9]{0,8}")
                    || parts[2].isEmpty()) {
                throw new FormatException(path, "unexpected tensor '" + name + "' (expected state.<index>.<name>)");
            }
            state.computeIfAbsent(Integer.parseInt(parts[1]), k -> new LinkedHashMap<>()).put(parts[2], f.tensor(name));
        }
        return new StateDict(state, groups);
    }
}
