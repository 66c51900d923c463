/**
 * Post 01's layers with their gradients derived by hand: each class computes its forward pass,
 * keeps what its backward needs, and applies the derivative written out in the report, with no
 * autograd involved (everything runs under {@code noGrad}). The tests check each against the
 * PyTorch fixtures and against the engine's autograd versions.
 */
package unboxed.basics.byhand;
