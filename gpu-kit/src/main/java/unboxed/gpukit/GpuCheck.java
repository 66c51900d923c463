package unboxed.gpukit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import unboxed.backend.BackendUnavailableException;
import unboxed.backend.cuda.CudaBackend;
import unboxed.io.Provenance;
import unboxed.io.Results;

/**
 * The GPU check, one step per call (tools/gpu/run.sh calls every step, each in its own JVM and
 * with its own time limit, so one crash loses one step):
 *
 * <pre>
 *   GpuCheck fixtures --fixtures DIR --out OUT        every fixture file on the cuda backend
 *   GpuCheck sgemm    --torch torch-sgemm.json --out OUT   SGEMM versions, checked, then timed against cuBLAS
 *   GpuCheck conv     --torch torch-conv.json --out OUT    conv2d versions against cuDNN on post 02's shapes
 *   GpuCheck epoch    --mnist DIR --torch torch-epoch.json --out OUT   MLP and CNN epochs against PyTorch
 * </pre>
 *
 * Each step writes {@code OUT/gpu-<step>.json} with the environment (GPU, driver, clocks, commit)
 * and per-item verdicts with their errors: a failed check is a result, not a crash, so a single
 * run tells everything that needs fixing. Exit code 0 when the step ran (whatever its verdicts),
 * 2 for a usage error or a machine without a GPU, 1 for a crash.
 */
public final class GpuCheck {
    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    final Map<String, String> options;
    final Path out;

    private GpuCheck(Map<String, String> options) {
        this.options = options;
        this.out = Paths.get(options.getOrDefault("out", "gpu-results")).toAbsolutePath();
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    static int run(String[] args) {
        if (args.length == 0 || !List.of("fixtures", "sgemm", "conv", "epoch").contains(args[0])) {
            System.err.println("usage: GpuCheck fixtures|sgemm|conv|epoch --out DIR [--fixtures DIR] [--mnist DIR]"
                    + " [--torch FILE] [--commit SHA] [--quick]");
            return 2;
        }
        Map<String, String> opts = new LinkedHashMap<>();
        for (int i = 1; i < args.length; i++) {
            String a = args[i];
            if (!a.startsWith("--")) {
                System.err.println("GpuCheck: unexpected argument '" + a + "' (options are --name value)");
                return 2;
            }
            String key = a.substring(2);
            if (key.equals("quick")) {
                opts.put(key, "true");
            } else if (i + 1 < args.length) {
                opts.put(key, args[++i]);
            } else {
                System.err.println("GpuCheck: option " + a + " needs a value");
                return 2;
            }
        }
        GpuCheck check = new GpuCheck(opts);
        try {
            Files.createDirectories(check.out);
            CudaBackend backend = new CudaBackend();
            Provenance provenance = check.provenance(backend, args);
            Map<String, ObjectNode> files = switch (args[0]) {
                case "fixtures" -> Map.of("01-basics/gpu-fixtures", FixturesStep.run(check, backend));
                case "sgemm" -> Map.of("01-basics/gpu-sgemm", SgemmStep.run(check, backend));
                case "conv" -> Map.of("02-convolutions/gpu-conv", ConvStep.run(check, backend));
                default -> EpochStep.run(check, backend);
            };
            ObjectNode environment = check.environment(backend);
            JsonNode torch = check.torch();
            for (Map.Entry<String, ObjectNode> f : files.entrySet()) {
                String post = f.getKey().substring(0, f.getKey().indexOf('/'));
                String name = f.getKey().substring(f.getKey().indexOf('/') + 1);
                ObjectNode results = JSON.createObjectNode();
                results.set("environment", environment);
                if (torch != null) {
                    // the peer's side of the comparison: where and how PyTorch ran
                    ObjectNode peer = results.putObject("peer");
                    for (String key : List.of("environment", "settings", "protocol", "command", "nvidia_smi_after")) {
                        if (torch.has(key)) {
                            peer.set(key, torch.get(key));
                        }
                    }
                }
                results.setAll(f.getValue());
                // OUT/<post>/gpu-<step>.json: the layout of data/results, so that pinning is a copy
                Path target = check.out.resolve(post).resolve(name + ".json");
                Files.createDirectories(target.getParent());
                Results.write(target, post, name, provenance.restart().finish(), results);
                System.err.println("GpuCheck " + args[0] + ": wrote " + target);
            }
            return 0;
        } catch (BackendUnavailableException e) {
            System.err.println("GpuCheck: " + e.getMessage());
            return 2;
        } catch (Exception | Error e) {
            e.printStackTrace();
            return 1;
        }
    }

    /**
     * Who made these results: the commit the kit was built from ({@code --commit}, "-dirty" when its
     * tree had changes), the command, the machine and the GPU. The kit carries no git repository,
     * so the commit comes from the kit's VERSION, not from git.
     */
    Provenance provenance(CudaBackend backend, String[] args) {
        String version = option("commit", Provenance.UNKNOWN);
        boolean dirty = version.endsWith("-dirty") || version.equals(Provenance.UNKNOWN);
        String commit = version.replace("-dirty", "");
        Provenance p = Provenance.capture(0, "cuda", quick() ? "quick" : "full", Runtime.getRuntime().availableProcessors(),
                "tools/gpu/run.sh (GpuCheck " + String.join(" ", args) + ")");
        return new Provenance(commit, dirty, p.command(), p.seed(), p.backend(), p.scale(), p.threads(), p.jdk(),
                p.cpu(), p.cores(), backend.deviceName(), p.os(), p.started(), null);
    }

    String option(String name, String fallback) {
        return options.getOrDefault(name, fallback);
    }

    boolean quick() {
        return options.containsKey("quick");
    }

    /** The PyTorch side's results for this step ({@code --torch FILE}), or null when absent or unreadable. */
    JsonNode torch() {
        String f = options.get("torch");
        if (f == null) {
            return null;
        }
        try {
            return JSON.readTree(Paths.get(f).toFile());
        } catch (IOException e) {
            System.err.println("GpuCheck: cannot read the PyTorch results " + f + ": " + e.getMessage()
                    + " (ratios will be missing)");
            return null;
        }
    }

    /** What ran where: the GPU as the driver and nvidia-smi see it, its clocks now, the host, the commit. */
    ObjectNode environment(CudaBackend backend) {
        ObjectNode env = JSON.createObjectNode();
        env.put("gpu", backend.deviceName());
        env.put("compute_capability", backend.computeCapability());
        env.put("driver_cuda_version", backend.driverVersion() / 1000 + "." + backend.driverVersion() % 1000 / 10);
        String smi = command("nvidia-smi", "--query-gpu=name,driver_version,clocks.sm,clocks.mem,clocks.max.sm,"
                + "clocks.max.mem,power.limit,temperature.gpu", "--format=csv,noheader");
        if (smi != null) {
            String[] f = smi.split("\n")[0].split(",\\s*");
            String[] names = {"nvidia_smi_name", "driver", "clock_sm", "clock_mem", "clock_max_sm", "clock_max_mem",
                    "power_limit", "temperature_c"};
            for (int i = 0; i < Math.min(f.length, names.length); i++) {
                env.put(names[i], f[i].trim());
            }
        }
        env.put("host_cpu", cpuModel());
        env.put("host_cores", Runtime.getRuntime().availableProcessors());
        env.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
        env.put("commit", option("commit", "unknown"));
        env.put("finished_utc", Instant.now().toString());
        return env;
    }

    static String cpuModel() {
        try {
            for (String line : Files.readAllLines(Paths.get("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    return line.substring(line.indexOf(':') + 1).trim();
                }
            }
        } catch (IOException e) {
            // not Linux: the field stays "unknown"
        }
        return "unknown";
    }

    static String command(String... cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            byte[] b = p.getInputStream().readAllBytes();
            if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
                return null;
            }
            return new String(b, StandardCharsets.UTF_8).trim();
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /** One line of progress on stderr (run.sh logs it). */
    static void log(String s) {
        System.err.println(s);
        System.err.flush();
    }

    static List<Double> list(double[] a) {
        List<Double> l = new ArrayList<>(a.length);
        for (double v : a) {
            l.add(v);
        }
        return l;
    }
}
