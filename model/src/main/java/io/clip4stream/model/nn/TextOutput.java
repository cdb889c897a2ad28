package io.clip4stream.model.nn;

import ai.djl.ndarray.NDArray;

/**
 * What the caption encoder produces for a batch of token sequences.
 *
 * @param textEmbeddings the projected hidden state at each sequence's {@code argmax(ids)} (EOT) position,
 *     {@code [batch, D]}, not normalised: CLIP4Clip's {@code sequence_output}
 * @param hidden {@code ln_final(x) @ text_projection} at every position, {@code [batch, L, D]}
 */
public record TextOutput(NDArray textEmbeddings, NDArray hidden) {}
