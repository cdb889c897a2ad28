package io.clip4stream.model.nn;

import ai.djl.ndarray.NDArray;

/**
 * What the tight head produces for every (text, clip) pair.
 *
 * @param logits raw {@code similarity_dense} logits, {@code [texts, clips]} (no logit scale, no cosine)
 * @param pooled the pooler output per pair, {@code [texts, clips, D]}
 */
public record TightOutput(NDArray logits, NDArray pooled) {}
