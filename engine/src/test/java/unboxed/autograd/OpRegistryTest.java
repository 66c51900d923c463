package unboxed.autograd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;
import static unboxed.autograd.GradCheck.awayFromZero;
import static unboxed.autograd.GradCheck.check;
import static unboxed.autograd.GradCheck.distinct;
import static unboxed.autograd.GradCheck.randn;
import static unboxed.autograd.GradCheck.uniform;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import unboxed.fixtures.Verifier;
import unboxed.io.RepoRoot;
import unboxed.io.Safetensors;
import unboxed.nn.functional.F;
import unboxed.tensor.Op;
import unboxed.tensor.Tensor;

/**
 * The registry of differentiable ops ({@link Op}) held to its promise: every op has gradient-check
 * cases here, and a fixture op the verifier runs with fixture files exported from PyTorch; and
 * no op records a graph node outside the registry.
 */
class OpRegistryTest {
    record Case(String name, GradCheck.Fn f, Tensor... inputs) {
    }

    private static final Map<Op, List<Case>> CASES = new EnumMap<>(Op.class);

    private static void add(Op op, String name, GradCheck.Fn f, Tensor... inputs) {
        CASES.computeIfAbsent(op, o -> new ArrayList<>()).add(new Case(op + ": " + name, f, inputs));
    }

    static {
        add(Op.ADD, "broadcast [2,1,4]+[3,1]", in -> in[0].add(in[1]), randn(1, 2, 1, 4), randn(2, 3, 1));
        add(Op.ADD, "scalar", in -> in[0].add(1.5f), randn(3, 2, 3));
        add(Op.SUB, "broadcast [3,1]-[1,4]", in -> in[0].sub(in[1]), randn(4, 3, 1), randn(5, 1, 4));
        add(Op.SUB, "scalar", in -> in[0].sub(2f), randn(6, 3));
        add(Op.RSUB, "1 - x", in -> in[0].rsub(1f), randn(7, 2, 3));
        add(Op.MUL, "broadcast [4,1]*[3]", in -> in[0].mul(in[1]), randn(8, 4, 1), randn(9, 3));
        add(Op.MUL, "scalar", in -> in[0].mul(-3f), randn(10, 3));
        add(Op.DIV, "broadcast [2,3]/[3]", in -> in[0].div(in[1]), randn(11, 2, 3), uniform(12, 0.5, 2, 3));
        add(Op.DIV, "scalar", in -> in[0].div(4f), randn(13, 3));
        add(Op.POW, "x^3", in -> in[0].pow(3f), randn(14, 2, 3));
        add(Op.POW, "x^0.5", in -> in[0].pow(0.5f), uniform(15, 0.5, 2, 4));
        add(Op.NEG, "[2,3]", in -> in[0].neg(), randn(16, 2, 3));
        add(Op.EXP, "[2,3]", in -> in[0].exp(), randn(17, 2, 3));
        add(Op.LOG, "positive", in -> in[0].log(), uniform(18, 0.5, 3, 2, 3));
        add(Op.SQRT, "positive", in -> in[0].sqrt(), uniform(19, 0.5, 3, 2, 3));
        add(Op.RELU, "away from the kink", in -> in[0].relu(), awayFromZero(20, 0.1, 3, 4));
        add(Op.SIGMOID, "[2,3]", in -> in[0].sigmoid(), randn(21, 2, 3));
        add(Op.TANH, "[2,3]", in -> in[0].tanh(), randn(22, 2, 3));
        add(Op.ABS, "away from the kink", in -> in[0].abs(), awayFromZero(23, 0.1, 3, 4));
        add(Op.MAXIMUM, "no ties, broadcast", in -> in[0].maximum(in[1]), randn(24, 3, 4), randn(25, 4));
        add(Op.WHERE, "fixed mask, broadcast", in -> Tensor.where(Tensor.of(new float[] {1, 0, 0, 1}, 4, 1)
                .to(in[0].backend()), in[0], in[1]), randn(26, 4, 3), randn(27, 3));
        add(Op.SUM, "all", in -> in[0].sum(), randn(28, 2, 3));
        add(Op.SUM_DIMS, "dims 0 and 2", in -> in[0].sum(new int[] {0, 2}, false), randn(29, 2, 3, 4));
        add(Op.MEAN, "all", in -> in[0].mean(), randn(30, 2, 3));
        add(Op.MEAN_DIMS, "dim -1 keepdim", in -> in[0].mean(-1, true), randn(31, 2, 3));
        add(Op.AMAX, "dims 0 and 1, no ties", in -> in[0].amax(new int[] {0, 1}, false), distinct(32, 2, 3, 2));
        add(Op.MAX, "whole tensor, no ties", in -> in[0].max(), distinct(33, 3, 4));
        add(Op.MAX_DIM, "dim 1", in -> in[0].max(1, false).values(), distinct(34, 3, 4));
        add(Op.BMM, "batched [2,3,4].[2,4,2]", in -> in[0].matmul(in[1]), randn(35, 2, 3, 4), randn(36, 2, 4, 2));
        add(Op.BMM, "transposed operand", in -> in[0].matmul(in[1].t()), randn(37, 3, 4), randn(38, 5, 4));
        add(Op.SOFTMAX, "dim 1", in -> in[0].softmax(1), randn(39, 2, 5));
        add(Op.LOG_SOFTMAX, "dim 0", in -> in[0].logSoftmax(0), randn(40, 4, 3));
        add(Op.CLONE, "of a transposed view", in -> in[0].t().contiguous(), randn(41, 3, 4));
        add(Op.RESHAPE, "[2,6] to [3,4]", in -> in[0].reshape(3, 4), randn(42, 2, 6));
        add(Op.TRANSPOSE, "dims 0 and 2", in -> in[0].transpose(0, 2), randn(43, 2, 3, 4));
        add(Op.PERMUTE, "[2,0,1]", in -> in[0].permute(2, 0, 1), randn(44, 2, 3, 4));
        add(Op.EXPAND, "new leading dim", in -> in[0].expand(2, 3, 4), randn(45, 3, 1));
        add(Op.UNSQUEEZE, "dim -1", in -> in[0].unsqueeze(-1), randn(46, 2, 3));
        add(Op.SQUEEZE, "dim 1", in -> in[0].squeeze(1), randn(47, 2, 1, 3));
        add(Op.NARROW, "dim 1", in -> in[0].narrow(1, 1, 2), randn(48, 3, 4));
        add(Op.NARROW_BACKWARD, "second order through narrow", OpRegistryTest::narrowGradient, randn(49, 4, 3));
        add(Op.GATHER, "dim 1, repeated indices", in -> in[0].gather(1, Tensor.of(new float[] {0, 2, 2, 1, 1, 0}, 2, 3)
                .to(in[0].backend())), randn(50, 2, 4));
        add(Op.SCATTER_ADD, "dim 0, repeated indices", in -> in[0].scatterAdd(0,
                Tensor.of(new float[] {0, 1, 0, 2, 1, 2}, 2, 3).to(in[0].backend()), in[1]), randn(51, 3, 3), randn(52, 2, 3));
        add(Op.UNFOLD, "kernel 3x2, dilation (1,2), padding 1, stride (2,1)", in -> F.unfold(in[0], new int[] {3, 2},
                new int[] {1, 2}, new int[] {1}, new int[] {2, 1}), randn(53, 2, 2, 5, 6));
        add(Op.CONV2D, "conv2d: input, weight and bias", in -> F.conv2d(in[0], in[1], in[2], new int[] {1},
                new int[] {1, 2}, new int[] {1}, 1), randn(54, 2, 3, 5, 4), randn(55, 4, 3, 3, 2), randn(56, 4));
        add(Op.CONV2D, "conv2d: stride 2, dilation 2, unbatched", in -> F.conv2d(in[0], in[1], null, new int[] {2},
                new int[] {2}, new int[] {2}, 1), randn(57, 2, 7, 6), randn(58, 3, 2, 3, 3));
        add(Op.FOLD, "kernel 2x3, padding 1, stride 2", in -> F.fold(in[0], new int[] {5, 6}, new int[] {2, 3},
                new int[] {1}, new int[] {1}, new int[] {2}), randn(59, 2, 12, 9));
        // conv2d with groups: unfold, then one product batched over the groups
        add(Op.CONV2D, "conv2d: groups 2, stride (2,1), padding (1,0), dilation (1,2)", in -> F.conv2d(in[0], in[1],
                in[2], new int[] {2, 1}, new int[] {1, 0}, new int[] {1, 2}, 2), randn(65, 2, 4, 6, 7),
                randn(66, 6, 2, 3, 2), randn(67, 6));
        add(Op.CONV2D, "conv2d: depthwise, channel multiplier 2, unbatched", in -> F.conv2d(in[0], in[1], null,
                new int[] {1}, new int[] {1}, new int[] {1}, 3), randn(68, 3, 5, 5), randn(69, 6, 1, 3, 3));
        // 'same' with a 2x4 kernel: total padding 1 and 3, odd, so the input is padded at the bottom and right first
        add(Op.CONV2D, "conv2d: padding 'same', even kernel, groups 2", in -> F.conv2d(in[0], in[1], in[2],
                new int[] {1}, "same", new int[] {1}, 2), randn(70, 2, 4, 5, 4), randn(71, 2, 2, 2, 4), randn(72, 2));
        // the locally connected layer: unfold, then one product batched over the output positions
        add(Op.UNFOLD, "locally_connected2d: input, weight and bias", in -> F.locallyConnected2d(in[0], in[1], in[2],
                new int[] {1}, new int[] {0}, new int[] {1}), randn(181, 2, 2, 4, 5), randn(182, 3, 4, 3, 2, 2, 2),
                randn(183, 3, 3, 4));
        add(Op.UNFOLD, "locally_connected2d: stride 2, padding (1,0), dilation 2, unbatched", in ->
                F.locallyConnected2d(in[0], in[1], null, new int[] {2}, new int[] {1, 0}, new int[] {2}),
                randn(184, 2, 6, 7), randn(185, 2, 3, 2, 2, 3, 2));
        // conv_transpose2d: a product with the transposed weight, then fold
        add(Op.CONV_TRANSPOSE2D, "conv_transpose2d: stride (2,3), padding (1,0), output_padding (1,2), groups 2", in ->
                F.convTranspose2d(in[0], in[1], in[2], new int[] {2, 3}, new int[] {1, 0}, new int[] {1, 2}, 2,
                        new int[] {1}), randn(73, 2, 4, 3, 3), randn(74, 4, 2, 3, 3), randn(75, 4));
        // output_padding 1 at stride 1 (allowed by dilation 2): fold sees an extra row of zero inputs
        add(Op.CONV_TRANSPOSE2D, "conv_transpose2d: dilation 2, output_padding 1 at stride 1, unbatched", in ->
                F.convTranspose2d(in[0], in[1], null, new int[] {1}, new int[] {1}, new int[] {1}, 1, new int[] {2}),
                randn(76, 2, 3, 4), randn(77, 2, 3, 3, 2));
        add(Op.CONV_TRANSPOSE2D, "conv_transpose2d: depthwise, stride 2, dilation (1,2)", in -> F.convTranspose2d(in[0], in[1],
                in[2], new int[] {2}, new int[] {0}, new int[] {1}, 3, new int[] {1, 2}), randn(78, 1, 3, 3, 4),
                randn(79, 3, 1, 2, 3), randn(80, 3));
        add(Op.MAX_POOL2D, "kernel 3, stride 2, padding 1, no ties", in -> F.maxPool2d(in[0], new int[] {3},
                new int[] {2}, new int[] {1}, new int[] {1}, false), distinct(60, 2, 2, 5, 5));
        add(Op.MAX_POOL2D, "kernel (2,3), dilation 2, ceil mode", in -> F.maxPool2d(in[0], new int[] {2, 3},
                new int[] {1, 2}, new int[] {0, 1}, new int[] {2}, true), distinct(61, 1, 2, 6, 7));
        add(Op.AVG_POOL2D, "kernel 3, padding 1, ceil mode, count_include_pad false", in -> F.avgPool2d(in[0],
                new int[] {3}, new int[] {2}, new int[] {1}, true, false, null), randn(62, 2, 2, 6, 5));
        add(Op.AVG_POOL2D, "divisor_override 3, unbatched", in -> F.avgPool2d(in[0], new int[] {2, 3}, null,
                new int[] {0}, false, true, 3), randn(63, 2, 4, 6));
        add(Op.AVG_POOL2D_BACKWARD, "second order through average pooling", OpRegistryTest::avgPoolGradient,
                randn(64, 1, 2, 5, 5));
        add(Op.CONV2D, "second order: the input and weight gradients of conv2d, differentiated",
                OpRegistryTest::convGradient, randn(186, 2, 2, 5, 4), randn(187, 4, 1, 3, 2));
        add(Op.CONV_TRANSPOSE2D, "second order: the input and weight gradients of conv_transpose2d, differentiated",
                OpRegistryTest::convTransposeGradient, randn(188, 2, 2, 3, 4), randn(189, 2, 2, 3, 2));
    }

    /** As convGradient, for conv_transpose2d (groups 2, stride (2,1), padding 1, output_padding (1,0)). */
    private static Tensor convTransposeGradient(Tensor[] in) {
        try (Autograd.GradMode ignored = Autograd.enableGrad()) {
            Tensor x = in[0].requiresGrad() ? in[0] : in[0].detach().requiresGrad(true);
            Tensor w = in[1].requiresGrad() ? in[1] : in[1].detach().requiresGrad(true);
            Tensor y = F.convTranspose2d(x, w, null, new int[] {2, 1}, new int[] {1}, new int[] {1, 0}, 2, new int[] {1});
            List<Tensor> g = Autograd.grad(List.of(y.mul(y).sum()), List.of(x, w), null, true, true, false);
            return g.get(0).mul(g.get(0)).sum().add(g.get(1).mul(g.get(1)).sum());
        }
    }

    /**
     * The gradients of sum(conv2d(x, w)^2) with respect to x and w (create_graph), combined into
     * one value: a function of x and w whose graph holds conv2d's backward, so checking it checks
     * the gradients of both gradients (groups 2, stride (2,1), padding 1).
     */
    private static Tensor convGradient(Tensor[] in) {
        try (Autograd.GradMode ignored = Autograd.enableGrad()) {
            Tensor x = in[0].requiresGrad() ? in[0] : in[0].detach().requiresGrad(true);
            Tensor w = in[1].requiresGrad() ? in[1] : in[1].detach().requiresGrad(true);
            Tensor y = F.conv2d(x, w, null, new int[] {2, 1}, new int[] {1}, new int[] {1}, 2);
            List<Tensor> g = Autograd.grad(List.of(y.mul(y).sum()), List.of(x, w), null, true, true, false);
            return g.get(0).mul(g.get(0)).sum().add(g.get(1).mul(g.get(1)).sum());
        }
    }

    /** The gradient of sum(avg_pool2d(x)^2) with respect to x (create_graph): its graph holds average pooling's backward. */
    private static Tensor avgPoolGradient(Tensor[] in) {
        try (Autograd.GradMode ignored = Autograd.enableGrad()) {
            Tensor x = in[0].requiresGrad() ? in[0] : in[0].detach().requiresGrad(true);
            Tensor y = F.avgPool2d(x, new int[] {3}, new int[] {1}, new int[] {1}, false, true, null);
            Tensor g = Autograd.grad(List.of(y.mul(y).sum()), List.of(x), null, true, true, false).get(0);
            return g.mul(g);
        }
    }

    /**
     * The gradient of sum(narrow(x)^2) with respect to x, computed with create_graph: a function
     * of x whose graph contains narrow's backward (the pad into zeros), so checking its gradient
     * checks that backward's own backward.
     */
    private static Tensor narrowGradient(Tensor[] in) {
        try (Autograd.GradMode ignored = Autograd.enableGrad()) {
            Tensor x = in[0].requiresGrad() ? in[0] : in[0].detach().requiresGrad(true);
            Tensor y = x.narrow(0, 1, 2);
            Tensor g = Autograd.grad(List.of(y.mul(y).sum()), List.of(x), null, true, true, false).get(0);
            return g.mul(g);
        }
    }

    @Test
    void everyDifferentiableOpHasGradientCheckCases() {
        for (Op op : Op.values()) {
            assertTrue(CASES.containsKey(op) && !CASES.get(op).isEmpty(), op + " has no gradient-check case in OpRegistryTest");
        }
    }

    @TestFactory
    Stream<DynamicTest> gradientChecks() {
        return CASES.values().stream().flatMap(List::stream)
                .map(c -> dynamicTest(c.name(), () -> check(c.name(), c.f(), c.inputs())));
    }

    /** Every op's PyTorch name is an op the fixture verifier runs, and fixture files exported from PyTorch exercise it. */
    @Test
    void everyDifferentiableOpHasFixturesFromPyTorch() throws IOException {
        Set<String> exported = new TreeSet<>();
        try (Stream<Path> files = Files.walk(RepoRoot.get().resolve("data/fixtures"))) {
            for (Path p : files.filter(f -> f.toString().endsWith(".safetensors")).toList()) {
                exported.add(Safetensors.read(p).meta("op"));
            }
        }
        List<String> missing = new ArrayList<>();
        for (Op op : Op.values()) {
            if (!Verifier.knownOps().contains(op.torchName()) || !exported.contains(op.torchName())) {
                missing.add(op + " (" + op.torchName() + ")");
            }
        }
        assertEquals(List.of(), missing, "ops without a verifier bridge or without exported fixtures");
    }

    /** The op families record graph nodes only through {@link Op}, so the registry is complete by construction. */
    @Test
    void noOpRecordsANodeOutsideTheRegistry() throws IOException {
        Path dir = RepoRoot.get().resolve("engine/src/main/java/unboxed/tensor");
        Pattern literal = Pattern.compile("Autograd\\.record\\(\\s*\"");
        List<String> offenders = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path p : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                Matcher m = literal.matcher(Files.readString(p));
                if (m.find()) {
                    offenders.add(p.getFileName().toString());
                }
            }
        }
        assertEquals(List.of(), offenders, "Autograd.record with a literal name instead of an Op constant");
    }
}
