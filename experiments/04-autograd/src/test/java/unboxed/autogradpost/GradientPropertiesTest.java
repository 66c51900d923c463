package unboxed.autogradpost;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.EnumSet;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import unboxed.tensor.Op;

/**
 * The gradient checker as property tests: every op family, random cases from the same
 * arbitraries the experiment draws from ({@link GradientCases}), each case checked in double
 * precision. jqwik picks an op of the family, then a case of it, and shrinks a failing case to a
 * small one. 500 tries a family take a second or two: a case is a few milliseconds.
 */
class GradientPropertiesTest {
    private static final Set<Op> POINTWISE = EnumSet.range(Op.ADD, Op.WHERE);
    private static final Set<Op> REDUCTIONS = EnumSet.of(Op.SUM, Op.SUM_DIMS, Op.MEAN, Op.MEAN_DIMS, Op.AMAX, Op.MAX,
            Op.MAX_DIM, Op.SOFTMAX, Op.LOG_SOFTMAX);
    private static final Set<Op> VIEWS = EnumSet.range(Op.CLONE, Op.NARROW_BACKWARD);
    private static final Set<Op> PRODUCTS_AND_INDEXING = EnumSet.of(Op.BMM, Op.GATHER, Op.SCATTER_ADD);
    private static final Set<Op> WINDOWS = EnumSet.range(Op.UNFOLD, Op.AVG_POOL2D_BACKWARD);

    private static Arbitrary<GradientCase> casesOf(Set<Op> family) {
        return Arbitraries.of(family).flatMap(GradientCases::of);
    }

    private static void passes(GradientCase c) {
        GradientChecker.Outcome o = GradientChecker.check(c);
        assertTrue(o.passed(), o.failure());
    }

    @Provide
    Arbitrary<GradientCase> pointwise() {
        return casesOf(POINTWISE);
    }

    @Provide
    Arbitrary<GradientCase> reductions() {
        return casesOf(REDUCTIONS);
    }

    @Provide
    Arbitrary<GradientCase> views() {
        return casesOf(VIEWS);
    }

    @Provide
    Arbitrary<GradientCase> productsAndIndexing() {
        return casesOf(PRODUCTS_AND_INDEXING);
    }

    @Provide
    Arbitrary<GradientCase> windows() {
        return casesOf(WINDOWS);
    }

    @Property(tries = 500)
    void pointwiseOpsHaveTheGradientsOfTheirDifferences(@ForAll("pointwise") GradientCase c) {
        passes(c);
    }

    @Property(tries = 500)
    void reductionsAndSoftmaxesHaveTheGradientsOfTheirDifferences(@ForAll("reductions") GradientCase c) {
        passes(c);
    }

    @Property(tries = 500)
    void viewsHaveTheGradientsOfTheirDifferences(@ForAll("views") GradientCase c) {
        passes(c);
    }

    @Property(tries = 500)
    void matmulGatherAndScatterHaveTheGradientsOfTheirDifferences(@ForAll("productsAndIndexing") GradientCase c) {
        passes(c);
    }

    @Property(tries = 500)
    void convolutionsAndPoolingsHaveTheGradientsOfTheirDifferences(@ForAll("windows") GradientCase c) {
        passes(c);
    }

    /** The families together are the registry: an op added to Op but to no family fails here. */
    @Property(tries = 1)
    void theFamiliesCoverEveryOp() {
        Set<Op> all = EnumSet.noneOf(Op.class);
        for (Set<Op> f : java.util.List.of(POINTWISE, REDUCTIONS, VIEWS, PRODUCTS_AND_INDEXING, WINDOWS)) {
            all.addAll(f);
        }
        assertTrue(all.equals(EnumSet.allOf(Op.class)), "ops in no property family: "
                + EnumSet.complementOf(EnumSet.copyOf(all)));
    }
}
