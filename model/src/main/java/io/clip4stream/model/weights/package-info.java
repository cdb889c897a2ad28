/** Reading and writing tensors in the safetensors format used for checkpoints and parity fixtures. */
package io.clip4stream.model.weights;
