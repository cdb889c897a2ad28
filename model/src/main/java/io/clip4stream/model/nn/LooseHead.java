package io.clip4stream.model.nn;

import ai.djl.ndarray.NDArray;

/** A loose similarity head (meanP, seqLSTM, seqTransf): one L2-normalised vector per clip, compared by cosine. */
public interface LooseHead {

    /**
     * Aggregates {@code frames} ({@code [clips, T, D]}, raw frame embeddings) under {@code validFrames} ({@code [clips,
     * T]}, 1 for a real frame, 0 for padding, float) into L2-normalised clip vectors {@code [clips, D]}.
     */
    NDArray aggregate(NDArray frames, NDArray validFrames);
}
