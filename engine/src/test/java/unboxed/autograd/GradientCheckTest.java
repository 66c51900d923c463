package unboxed.autograd;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;
import static unboxed.autograd.GradCheck.awayFromZero;
import static unboxed.autograd.GradCheck.check;
import static unboxed.autograd.GradCheck.constant;
import static unboxed.autograd.GradCheck.distinct;
import static unboxed.autograd.GradCheck.randn;
import static unboxed.autograd.GradCheck.uniform;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import unboxed.nn.functional.F;
import unboxed.nn.functional.Reduction;
import unboxed.tensor.Tensor;

/** Central-difference checks of every differentiable op's backward rule, one dynamic test per case. */
class GradientCheckTest {

    private static DynamicTest gc(String name, GradCheck.Fn f, Tensor... inputs) {
        return dynamicTest(name, () -> check(name, f, inputs));
    }

    @Test
    void theCheckerCatchesAWrongBackwardRule() {
        // an op that computes 3x but claims the gradient is 2g: the checker must notice
        GradCheck.Fn wrong = in -> {
            Tensor x = in[0];
            Tensor out = Autograd.noGrad(() -> x.mul(3f));
            return Autograd.record("WrongBackward", out, g -> new Tensor[] {g.mul(2f)}, x);
        };
        AssertionError e = assertThrows(AssertionError.class, () -> check("wrong", wrong, randn(1, 3)));
        assertTrue(e.getMessage().contains("wrong") && e.getMessage().contains("autograd"), e.getMessage());
        // and a transposed gradient (right values, wrong places)
        GradCheck.Fn transposed = in -> {
            Tensor x = in[0];
            Tensor out = Autograd.noGrad(() -> x.mul(1f));
            return Autograd.record("TBackward", out, g -> new Tensor[] {g.t().contiguous().reshape(2, 2)}, x);
        };
        assertThrows(AssertionError.class, () -> check("transposed", transposed, randn(2, 2, 2)));
        // and a gradient off by one part in 10^5, far below what a float32 check can resolve
        GradCheck.Fn slightlyWrong = in -> {
            Tensor x = in[0];
            Tensor out = Autograd.noGrad(() -> x.mul(3f));
            return Autograd.record("SlightlyWrongBackward", out, g -> new Tensor[] {g.mul(3.00003f)}, x);
        };
        assertThrows(AssertionError.class, () -> check("slightly wrong", slightlyWrong, randn(3, 4)));
    }

    @TestFactory
    Stream<DynamicTest> binaryOpsWithBroadcasting() {
        List<DynamicTest> t = new ArrayList<>();
        t.add(gc("add [2,3]+[2,3]", in -> in[0].add(in[1]), randn(1, 2, 3), randn(2, 2, 3)));
        t.add(gc("add [2,3]+[3]", in -> in[0].add(in[1]), randn(3, 2, 3), randn(4, 3)));
        t.add(gc("add [2,1,4]+[3,1]", in -> in[0].add(in[1]), randn(5, 2, 1, 4), randn(6, 3, 1)));
        t.add(gc("add [3]+0-dim", in -> in[0].add(in[1]), randn(7, 3), randn(8)));
        t.add(gc("sub [3,1]-[1,4]", in -> in[0].sub(in[1]), randn(9, 3, 1), randn(10, 1, 4)));
        t.add(gc("sub [3]-[2,3]", in -> in[0].sub(in[1]), randn(11, 3), randn(12, 2, 3)));
        t.add(gc("mul [2,3]*[2,3]", in -> in[0].mul(in[1]), randn(13, 2, 3), randn(14, 2, 3)));
        t.add(gc("mul [4,1]*[3]", in -> in[0].mul(in[1]), randn(15, 4, 1), randn(16, 3)));
        t.add(gc("mul [2,3]*0-dim", in -> in[0].mul(in[1]), randn(17, 2, 3), randn(18)));
        t.add(gc("div [2,3]/[3]", in -> in[0].div(in[1]), randn(19, 2, 3), uniform(20, 0.5, 2, 3)));
        t.add(gc("div [3]/[2,3] (negative divisor)", in -> in[0].div(in[1]), randn(21, 3), uniform(22, -2, -0.5, 2, 3)));
        t.add(gc("div [2,1]/[1,3]", in -> in[0].div(in[1]), randn(23, 2, 1), uniform(24, 0.5, 2, 1, 3)));
        Tensor a = randn(25, 2, 3);
        t.add(gc("maximum [2,3],[2,3]", in -> in[0].maximum(in[1]), a, a.add(awayFromZero(26, 0.1, 2, 3))));
        Tensor b = randn(27, 3);
        t.add(gc("maximum [2,3],[3]", in -> in[0].maximum(in[1]), b.add(awayFromZero(28, 0.1, 2, 3)), b));
        t.add(gc("x*x (same tensor twice)", in -> in[0].mul(in[0]), randn(29, 4)));
        t.add(gc("x/x^2 + x", in -> in[0].div(in[0].mul(in[0])).add(in[0]), uniform(30, 0.5, 2, 4)));
        return t.stream();
    }

    @TestFactory
    Stream<DynamicTest> unaryOps() {
        List<DynamicTest> t = new ArrayList<>();
        t.add(gc("neg", in -> in[0].neg(), randn(40, 2, 3)));
        t.add(gc("exp", in -> in[0].exp(), uniform(41, -1.5, 1.5, 2, 3)));
        t.add(gc("log", in -> in[0].log(), uniform(42, 0.5, 3, 2, 3)));
        t.add(gc("sqrt", in -> in[0].sqrt(), uniform(43, 0.5, 3, 2, 3)));
        t.add(gc("relu (away from 0)", in -> in[0].relu(), awayFromZero(44, 0.1, 2, 4)));
        t.add(gc("sigmoid", in -> in[0].sigmoid(), randn(45, 2, 3)));
        t.add(gc("tanh", in -> in[0].tanh(), randn(46, 2, 3)));
        t.add(gc("abs (away from 0)", in -> in[0].abs(), awayFromZero(47, 0.1, 2, 4)));
        t.add(gc("pow 2", in -> in[0].pow(2f), randn(48, 2, 3)));
        t.add(gc("pow 3", in -> in[0].pow(3f), randn(49, 5)));
        t.add(gc("pow 0.5", in -> in[0].pow(0.5f), uniform(50, 0.5, 2, 5)));
        t.add(gc("pow -1.5", in -> in[0].pow(-1.5f), uniform(51, 0.5, 2, 5)));
        t.add(gc("pow 0", in -> in[0].pow(0f), randn(52, 3)));
        t.add(gc("add/sub/mul/div by a float", in -> in[0].add(2f).mul(-1.5f).sub(0.5f).div(4f), randn(53, 2, 2)));
        t.add(gc("clampMin (away from the bound)", in -> in[0].clampMin(0f), awayFromZero(54, 0.1, 6)));
        t.add(gc("0-dim exp", in -> in[0].exp(), randn(55)));
        return t.stream();
    }

    @TestFactory
    Stream<DynamicTest> reductions() {
        List<DynamicTest> t = new ArrayList<>();
        Tensor x = randn(60, 2, 3, 4);
        t.add(gc("sum()", in -> in[0].sum(), x));
        t.add(gc("mean()", in -> in[0].mean(), x));
        int[][] dimSets = {{0}, {1}, {-1}, {0, 2}, {2, 0, 1}, {-3, -2}};
        for (int[] dims : dimSets) {
            for (boolean keep : new boolean[] {true, false}) {
                String d = java.util.Arrays.toString(dims) + " keepdim=" + keep;
                t.add(gc("sum " + d, in -> in[0].sum(dims, keep), x));
                if (dims.length == 1) {
                    t.add(gc("mean " + d, in -> in[0].mean(dims[0], keep), x));
                }
            }
        }
        Tensor m = distinct(61, 3, 4);
        for (int dim : new int[] {0, 1, -1}) {
            for (boolean keep : new boolean[] {true, false}) {
                t.add(gc("max dim=" + dim + " keepdim=" + keep + " [3,4]", in -> in[0].max(dim, keep).values(), m));
            }
        }
        t.add(gc("max dim=1 [2,3,4]", in -> in[0].max(1, false).values(), distinct(62, 2, 3, 4)));
        t.add(gc("max of a transposed view", in -> in[0].t().max(0, false).values(), distinct(63, 3, 4)));
        t.add(gc("mean of a 0-dim", in -> in[0].mean(), randn(64)));
        return t.stream();
    }

    @TestFactory
    Stream<DynamicTest> softmaxes() {
        List<DynamicTest> t = new ArrayList<>();
        Tensor x = randn(70, 2, 3, 4);
        for (int dim : new int[] {0, 1, 2, -1}) {
            t.add(gc("softmax dim=" + dim, in -> in[0].softmax(dim), x));
            t.add(gc("logSoftmax dim=" + dim, in -> in[0].logSoftmax(dim), x));
        }
        t.add(gc("softmax 1-D", in -> in[0].softmax(0), randn(71, 5)));
        t.add(gc("logSoftmax of a transposed view", in -> in[0].t().logSoftmax(1), randn(72, 4, 3)));
        t.add(gc("softmax of a transposed view, dim 0", in -> in[0].t().softmax(0), randn(73, 4, 3)));
        t.add(gc("F.softmax / F.logSoftmax", in -> F.softmax(in[0], 1).add(F.logSoftmax(in[0], 0)), randn(74, 3, 3)));
        return t.stream();
    }

    @TestFactory
    Stream<DynamicTest> matmulInAllItsForms() {
        List<DynamicTest> t = new ArrayList<>();
        t.add(gc("1-D . 1-D", in -> in[0].matmul(in[1]), randn(80, 4), randn(81, 4)));
        t.add(gc("1-D . 2-D", in -> in[0].matmul(in[1]), randn(82, 3), randn(83, 3, 5)));
        t.add(gc("2-D . 1-D", in -> in[0].matmul(in[1]), randn(84, 2, 3), randn(85, 3)));
        t.add(gc("2-D . 2-D", in -> in[0].matmul(in[1]), randn(86, 2, 3), randn(87, 3, 4)));
        t.add(gc("batched 3-D . 3-D", in -> in[0].matmul(in[1]), randn(88, 2, 3, 4), randn(89, 2, 4, 5)));
        t.add(gc("broadcast batch [2,1,3,4] . [5,4,2]", in -> in[0].matmul(in[1]), randn(90, 2, 1, 3, 4), randn(91, 5, 4, 2)));
        t.add(gc("2-D . 3-D", in -> in[0].matmul(in[1]), randn(92, 3, 4), randn(93, 2, 4, 5)));
        t.add(gc("3-D . 1-D", in -> in[0].matmul(in[1]), randn(94, 2, 3, 4), randn(95, 4)));
        t.add(gc("1-D . 3-D", in -> in[0].matmul(in[1]), randn(96, 4), randn(97, 2, 4, 3)));
        t.add(gc("transposed operands", in -> in[0].t().matmul(in[1].t()), randn(98, 3, 2), randn(99, 4, 3)));
        t.add(gc("x . x^T (same tensor twice)", in -> in[0].matmul(in[0].t()), randn(100, 3, 4)));
        t.add(gc("bmm", in -> in[0].matmul(in[1]), randn(101, 2, 2, 3), randn(102, 2, 3, 2)));
        return t.stream();
    }

    @TestFactory
    Stream<DynamicTest> viewsAndReshapes() {
        List<DynamicTest> t = new ArrayList<>();
        t.add(gc("reshape (a view)", in -> in[0].reshape(3, 4), randn(110, 2, 6)));
        t.add(gc("reshape of a transposed tensor (a copy)", in -> in[0].t().reshape(-1), randn(111, 3, 4)));
        t.add(gc("view", in -> in[0].view(4, 3), randn(112, 2, 6)));
        t.add(gc("flatten", in -> in[0].flatten(), randn(113, 2, 2, 2)));
        t.add(gc("transpose", in -> in[0].transpose(0, 2), randn(114, 2, 3, 4)));
        t.add(gc("permute", in -> in[0].permute(2, 0, 1), randn(115, 2, 3, 4)));
        t.add(gc("expand [3,1] -> [2,3,4]", in -> in[0].expand(2, 3, 4), randn(116, 3, 1)));
        t.add(gc("expand 0-dim -> [2,2]", in -> in[0].expand(2, 2), randn(117)));
        t.add(gc("narrow", in -> in[0].narrow(1, 1, 2), randn(118, 3, 4)));
        t.add(gc("narrow of narrow", in -> in[0].narrow(0, 1, 2).narrow(1, 2, 2), randn(119, 3, 4)));
        t.add(gc("unsqueeze", in -> in[0].unsqueeze(1), randn(120, 2, 3)));
        t.add(gc("squeeze", in -> in[0].squeeze(1), randn(121, 2, 1, 3)));
        t.add(gc("contiguous of a permuted view", in -> in[0].permute(1, 0).contiguous(), randn(122, 3, 2)));
        t.add(gc("a chain of views into arithmetic",
                in -> in[0].transpose(0, 1).reshape(6).narrow(0, 1, 4).unsqueeze(0).expand(3, 4).mul(in[0].sum()),
                randn(123, 2, 3)));
        return t.stream();
    }

    @TestFactory
    Stream<DynamicTest> selectionAndIndexing() {
        List<DynamicTest> t = new ArrayList<>();
        Tensor mask = constant(new float[] {1, 0, 0, 1, 1, 0}, 2, 3);
        t.add(gc("where [2,3] ? [2,3] : [3]", in -> Tensor.where(mask, in[0], in[1]), randn(150, 2, 3), randn(151, 3)));
        t.add(gc("where with a mask computed from the input", in -> Tensor.where(in[0].gt(0f), in[0].exp(), in[0].neg()),
                awayFromZero(152, 0.1, 2, 3)));
        Tensor index = constant(new float[] {2, 0, 1, 2, 1, 1, 0, 0}, 2, 4);
        t.add(gc("gather dim=1 (repeated indices)", in -> in[0].gather(1, index), randn(153, 2, 3)));
        t.add(gc("gather dim=0", in -> in[0].gather(0, constant(new float[] {1, 0, 1, 1}, 2, 2)), randn(154, 2, 3)));
        t.add(gc("scatter_add dim=1, input and src", in -> in[0].scatterAdd(1, index, in[1]), randn(155, 2, 3), randn(156, 2, 4)));
        t.add(gc("scatter_add into a transposed view", in -> in[0].t().scatterAdd(0, constant(new float[] {2, 0, 1}, 1, 3), in[1]),
                randn(157, 3, 3), randn(158, 1, 3)));
        Tensor m = distinct(159, 2, 3, 4);
        t.add(gc("amax [0,2] keepdim", in -> in[0].amax(new int[] {0, 2}, true), m));
        t.add(gc("amax all", in -> in[0].amax(new int[0], false), m));
        t.add(gc("max() of all elements", in -> in[0].max(), m));
        t.add(gc("clone of a narrowed view", in -> in[0].narrow(0, 1, 1).copy().mul(in[0].narrow(0, 0, 1)), randn(160, 2, 3)));
        return t.stream();
    }

    @TestFactory
    Stream<DynamicTest> functionalComposites() {
        List<DynamicTest> t = new ArrayList<>();
        Tensor target = constant(new float[] {2, 0, 1, 2}, 4);
        t.add(gc("cross_entropy mean", in -> F.crossEntropy(in[0], target), randn(130, 4, 3)));
        F.CrossEntropyOptions o = F.CrossEntropyOptions.DEFAULT.withWeight(constant(new float[] {0.5f, 2, 1}, 3))
                .withIgnoreIndex(0).withLabelSmoothing(0.2);
        t.add(gc("cross_entropy weight+ignore+smoothing", in -> F.crossEntropy(in[0], target, o), randn(131, 4, 3)));
        t.add(gc("cross_entropy probabilities, sum",
                in -> F.crossEntropy(in[0], in[1].softmax(1), o.withIgnoreIndex(-100).withReduction(Reduction.SUM)),
                randn(132, 4, 3), randn(133, 4, 3)));
        t.add(gc("cross_entropy (N,C,d) none",
                in -> F.crossEntropy(in[0], constant(new float[] {0, 2, 1, 1}, 2, 2),
                        F.CrossEntropyOptions.DEFAULT.withReduction(Reduction.NONE)),
                randn(134, 2, 3, 2)));
        Tensor y = constant(new float[] {0, 1, 1, 0, 0.3f, 1}, 2, 3);
        t.add(gc("bce_with_logits, weight and pos_weight",
                in -> F.binaryCrossEntropyWithLogits(in[0], y, constant(new float[] {1, 2, 0.5f}, 3), Reduction.MEAN,
                        constant(new float[] {3, 1, 0.5f}, 3)),
                randn(135, 2, 3)));
        t.add(gc("bce_with_logits, target gradient",
                in -> F.binaryCrossEntropyWithLogits(in[0], in[1].sigmoid(), null, Reduction.SUM, null),
                randn(136, 2, 3), randn(137, 2, 3)));
        t.add(gc("mse_loss", in -> F.mseLoss(in[0], in[1], Reduction.MEAN), randn(138, 2, 3), randn(139, 2, 3)));
        t.add(gc("linear", in -> F.linear(in[0], in[1], in[2]), randn(140, 4, 3), randn(141, 2, 3), randn(142, 2)));
        t.add(gc("linear 3-D input, no bias", in -> F.linear(in[0], in[1], null), randn(143, 2, 2, 3), randn(144, 5, 3)));
        return t.stream();
    }
}
