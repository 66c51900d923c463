package unboxed.tensor;

/**
 * Every differentiable op of the engine: the name PyTorch gives the op (its function in
 * {@code torch} / {@code torch.nn.functional}, also the {@code op} of its fixture files) and the
 * name of the graph node it records ({@code grad_fn}), as PyTorch 1.13 names them.
 *
 * <p>This is the registry the tests hold the engine to: every constant must have gradient-check
 * cases (OpRegistryTest) and its fixture op must be one the verifier knows or a view whose
 * gradient the gradient checks cover; and the op families record nodes only through these
 * constants, so no differentiable op escapes the registry.
 */
public enum Op {
    ADD("add", "AddBackward0"),  // x + y and x + s
    SUB("sub", "SubBackward0"),  // x - y and x - s
    RSUB("rsub", "RsubBackward1"),  // s - x
    MUL("mul", "MulBackward0"),  // x * y and x * s
    DIV("div", "DivBackward0"),  // x / y and x / s
    POW("pow", "PowBackward0"),  // x ** p for a constant p
    NEG("neg", "NegBackward0"),
    EXP("exp", "ExpBackward0"),
    LOG("log", "LogBackward0"),
    SQRT("sqrt", "SqrtBackward0"),
    RELU("relu", "ReluBackward0"),
    SIGMOID("sigmoid", "SigmoidBackward0"),
    TANH("tanh", "TanhBackward0"),
    ABS("abs", "AbsBackward0"),
    MAXIMUM("maximum", "MaximumBackward0"),
    WHERE("where", "WhereBackward0"),
    SUM("sum", "SumBackward0"),  // the sum of all elements
    SUM_DIMS("sum", "SumBackward1"),  // the sum over some dimensions
    MEAN("mean", "MeanBackward0"),  // the mean of all elements
    MEAN_DIMS("mean", "MeanBackward1"),  // the mean over some dimensions
    AMAX("amax", "AmaxBackward0"),
    MAX("max", "MaxBackward1"),  // torch.max(input): the largest element
    MAX_DIM("max", "MaxBackward0"),  // torch.max(input, dim): values and indices
    BMM("matmul", "BmmBackward0"),  // every matmul runs as a batched product
    SOFTMAX("softmax", "SoftmaxBackward0"),
    LOG_SOFTMAX("log_softmax", "LogSoftmaxBackward0"),
    CLONE("clone", "CloneBackward0"),  // also contiguous() of a strided view
    RESHAPE("reshape", "ViewBackward0"),  // reshape and view
    TRANSPOSE("transpose", "TransposeBackward0"),
    PERMUTE("permute", "PermuteBackward0"),
    EXPAND("expand", "ExpandBackward0"),
    UNSQUEEZE("unsqueeze", "UnsqueezeBackward0"),
    SQUEEZE("squeeze", "SqueezeBackward1"),
    NARROW("narrow", "SliceBackward0"),  // PyTorch records narrow as a slice
    NARROW_BACKWARD("narrow", "SliceBackwardBackward0"),  // narrow's backward, itself differentiable (higher-order gradients)
    GATHER("gather", "GatherBackward0"),
    SCATTER_ADD("scatter_add", "ScatterAddBackward0"),
    UNFOLD("unfold", "Im2ColBackward0"),  // im2col: conv2d's unfold form is unfold, a product, a bias
    FOLD("fold", "Col2ImBackward0"),  // col2im, unfold's adjoint (and backward)
    CONV2D("conv2d", "ConvolutionBackward0"),  // conv2d as one op, defined by its unfold form
    CONV_TRANSPOSE2D("conv_transpose2d", "ConvolutionBackward0"),  // conv2d's input gradient as one op, defined by its fold form
    MAX_POOL2D("max_pool2d", "MaxPool2DWithIndicesBackward0"),
    AVG_POOL2D("avg_pool2d", "AvgPool2DBackward0"),
    AVG_POOL2D_BACKWARD("avg_pool2d", "AvgPool2DBackwardBackward0");  // average pooling's backward, itself differentiable

    private final String torchName;
    private final String gradFn;

    Op(String torchName, String gradFn) {
        this.torchName = torchName;
        this.gradFn = gradFn;
    }

    /** The op's PyTorch name, which is also its fixture files' {@code op}. */
    public String torchName() {
        return torchName;
    }

    /** The name of the node it records, such as {@code MulBackward0}. */
    public String gradFn() {
        return gradFn;
    }
}
