/**
 * The numbered convolution versions of post 02, each complete and readable on its own, each
 * validated against the PyTorch fixtures before it is timed: v1 the seven nested loops, v2 the
 * same loops reordered with the invariants hoisted, v3 im2col and the engine's matrix product.
 * The engine's own conv2d ({@code unboxed.tensor.Convolution}) is v3's idea as graph ops.
 */
package unboxed.convolutions.versions;
