/**
 * The CLIP4Clip network as DJL NDArray operations on the PyTorch engine, one class per block.
 *
 * <p>Weights are bound once, at load, into NDArrays owned by the model's (capped) NDManager. Every forward method takes
 * inputs that live in a per-call NDManager and writes every intermediate array there: each operation is called on (or
 * with as first operand) a per-call array, and a weight is only read, so the capped weight manager would throw if an
 * intermediate ever leaked into it.
 */
package io.clip4stream.model.nn;
