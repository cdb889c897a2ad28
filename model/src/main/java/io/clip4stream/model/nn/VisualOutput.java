package io.clip4stream.model.nn;

import ai.djl.ndarray.NDArray;

/**
 * What the frame encoder produces for a batch of frames.
 *
 * @param frameEmbeddings {@code ln_post(class token) @ proj}, {@code [frames, D]}: CLIP4Clip's {@code visual_output}
 * @param classTokenBeforeLnPost the class token after the last block, {@code [frames, width]} (for parity checks)
 */
public record VisualOutput(NDArray frameEmbeddings, NDArray classTokenBeforeLnPost) {}
