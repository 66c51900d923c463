package unboxed.autogradpost;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import unboxed.backend.Backends;
import unboxed.io.Provenance;
import unboxed.io.Results;
import unboxed.kit.CommonOptions;
import unboxed.kit.ExperimentMain;

/**
 * Post 04's experiments, each writing one results file:
 * <ul>
 *   <li>{@code probes.json}: each probe of torch.autograd's behaviour run on the engine, beside the
 *       outcome PyTorch exported to {@code data/fixtures/04-autograd};</li>
 *   <li>{@code gradient-check.json}: the finite-difference gradient checker over every
 *       differentiable op, in double precision: cases run and the largest error per op;</li>
 *   <li>{@code graph-cost.json}: what the recorded graph keeps alive on the MNIST MLP, against
 *       post 01's layers with hand-derived gradients, and that both give the same gradients;</li>
 *   <li>{@code graph-depth.json}: graph size against depth, for MLPs of 1 to 64 layers;</li>
 *   <li>{@code graph-picture.json}: one recorded graph, node by node, for the report's figure.</li>
 * </ul>
 * Timings are JMH benchmarks ({@code make bench POST=04-autograd}), not part of these files, so
 * that every file here reproduces bit for bit.
 */
@Command(name = "04-autograd", mixinStandardHelpOptions = true,
        description = "Post 04 (Autograd): PyTorch's autograd probed and reproduced, a gradient checker over every"
                + " op, and what the recorded graph costs.")
public final class Experiment implements Callable<Integer> {
    public static final String POST = "04-autograd";

    @Mixin
    CommonOptions options;

    @Option(names = "--only", paramLabel = "NAME", description = "run one experiment: ${COMPLETION-CANDIDATES}")
    Part only;

    enum Part { probes, gradient_check, graph_cost, graph_depth, graph_picture }

    private String[] args = new String[0];

    public static void main(String[] args) {
        Experiment e = new Experiment();
        e.args = args;
        ExperimentMain.run(e, args);
    }

    @Override
    public Integer call() throws Exception {
        Backends.use(Backends.create(options.backend(), options.threads()));
        Path out = options.out(POST);
        Provenance run = options.provenance(args);
        if (only == null || only == Part.probes) {
            Provenance p = run.restart();
            Map<String, Object> r = Probes.run();
            Results.write(out.resolve("probes.json"), POST, "probes", p.finish(), r);
        }
        if (only == null || only == Part.gradient_check) {
            Provenance p = run.restart();
            Map<String, Object> r = GradientChecks.run(options.seed(), options.full());
            Results.write(out.resolve("gradient-check.json"), POST, "gradient-check", p.finish(), r);
        }
        if (only == null || only == Part.graph_cost) {
            Provenance p = run.restart();
            Map<String, Object> r = GraphCost.run(options.seed());
            Results.write(out.resolve("graph-cost.json"), POST, "graph-cost", p.finish(), r);
        }
        if (only == null || only == Part.graph_depth) {
            Provenance p = run.restart();
            Map<String, Object> r = GraphDepth.run(options.seed());
            Results.write(out.resolve("graph-depth.json"), POST, "graph-depth", p.finish(), r);
        }
        if (only == null || only == Part.graph_picture) {
            Provenance p = run.restart();
            Map<String, Object> r = GraphPicture.run(options.seed());
            Results.write(out.resolve("graph-picture.json"), POST, "graph-picture", p.finish(), r);
        }
        return 0;
    }
}
