/**
 * The numbered convolution versions of post 02, each complete and readable on its own, each
 * validated against the PyTorch fixtures before it is timed: v1 the seven nested loops, v2 the
 * same loops reordered with the invariants hoisted, v3 im2col and the engine's matrix product, v4
 * the same product without the im2col buffer, v5 a register-blocked direct convolution, v6 the
 * images spread over threads, v7 Winograd's F(2x2, 3x3) for 3x3 kernels (other roundings, its own
 * error bound). The engine's own conv2d ({@code unboxed.tensor.Convolution}) is v3's idea as graph
 * ops, with the bits of v3 to v6.
 */
package unboxed.convolutions.versions;
