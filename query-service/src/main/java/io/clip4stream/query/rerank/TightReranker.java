package io.clip4stream.query.rerank;

import io.clip4stream.model.Clip4ClipModel;
import java.util.List;
import java.util.Objects;

/**
 * Scores a caption against candidate clips' frame embeddings with the tightTransf head, in batches so that memory
 * stays bounded however many candidates a request gathers.
 */
public final class TightReranker {
    private final Clip4ClipModel model;
    private final int batchSize;

    /** A re-ranker over {@code model}'s tight head, scoring at most {@code batchSize} clips per forward pass. */
    public TightReranker(Clip4ClipModel model, int batchSize) {
        this.model = Objects.requireNonNull(model, "model");
        if (batchSize < 1) {
            throw new IllegalArgumentException("re-rank batch size must be positive; was " + batchSize);
        }
        this.batchSize = batchSize;
    }

    /** Whether the model has the tight head's weights and they were trained: untrained ones would only add noise. */
    public boolean available() {
        return model.hasTightHead() && model.info().tightHeadTrained();
    }

    /** Why re-ranking is not available, for the API and the page; empty when it is. */
    public java.util.Optional<String> unavailableReason() {
        if (!model.hasTightHead()) {
            return java.util.Optional.of("model " + model.info().modelId() + " has no tightTransf weights");
        }
        if (!model.info().tightHeadTrained()) {
            return java.util.Optional.of("model " + model.info().modelId() + " has tightTransf weights that were never"
                    + " trained (config.json trained_heads), so they are not used");
        }
        return java.util.Optional.empty();
    }

    /**
     * Returns the scores that order the candidates after re-ranking, in input order: the tight logits, combined with
     * the first-stage scores as the model's config.json records ({@link io.clip4stream.model.weights.ModelCard#rerankScores}).
     *
     * @param rawText the caption's raw embedding from {@link Clip4ClipModel#encodeTextRaw}
     * @param clipsFrameEmbeddings per clip, its frame embeddings (each non-empty)
     * @param firstStageScores per clip, its first-stage score (the cosine the index ranked it by)
     */
    public float[] rerankScores(float[] rawText, List<float[][]> clipsFrameEmbeddings, float[] firstStageScores) {
        return model.card().rerankScores(scores(rawText, clipsFrameEmbeddings), firstStageScores);
    }

    /**
     * Returns one tight logit per clip, in input order (higher is more similar).
     *
     * @param rawText the caption's raw embedding from {@link Clip4ClipModel#encodeTextRaw} (the text tower is not
     *     run again)
     * @param clipsFrameEmbeddings per clip, its frame embeddings (each non-empty)
     * @throws UnsupportedOperationException when the model has no tight head
     */
    public float[] scores(float[] rawText, List<float[][]> clipsFrameEmbeddings) {
        float[] scores = new float[clipsFrameEmbeddings.size()];
        for (int start = 0; start < scores.length; start += batchSize) {
            int end = Math.min(scores.length, start + batchSize);
            float[][][] batch = clipsFrameEmbeddings.subList(start, end).toArray(new float[0][][]);
            float[] logits = model.tightScores(rawText, batch);
            System.arraycopy(logits, 0, scores, start, logits.length);
        }
        return scores;
    }
}
