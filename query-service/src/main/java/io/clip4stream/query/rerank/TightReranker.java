package io.clip4stream.query.rerank;

import io.clip4stream.model.Clip4ClipModel;
import java.util.List;
import java.util.Objects;

/**
 * Scores a caption against candidate clips' frame embeddings with the tightTransf head, in batches so that memory
 * stays bounded however many candidates a request gathers, and split across {@link RerankLanes} side by side.
 */
public final class TightReranker {

    /** Fewest candidates per lane: below it a part's products are too small to be worth a thread. */
    static final int MIN_CANDIDATES_PER_LANE = 8;

    private final Clip4ClipModel model;
    private final int batchSize;
    private final RerankLanes lanes;

    /** A re-ranker over {@code model}'s tight head, scoring at most {@code batchSize} clips per forward pass. */
    public TightReranker(Clip4ClipModel model, int batchSize) {
        this(model, batchSize, RerankLanes.single());
    }

    /**
     * A re-ranker splitting each request's candidates across {@code lanes}, each part on one libtorch thread (one lane:
     * the model's configured threads).
     */
    public TightReranker(Clip4ClipModel model, int batchSize, RerankLanes lanes) {
        this.model = Objects.requireNonNull(model, "model");
        if (batchSize < 1) {
            throw new IllegalArgumentException("re-rank batch size must be positive; was " + batchSize);
        }
        this.batchSize = batchSize;
        this.lanes = Objects.requireNonNull(lanes, "lanes");
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
        int parts = parts(scores.length);
        if (parts == 1) {
            score(rawText, clipsFrameEmbeddings, 0, scores.length, scores, 0);
            return scores;
        }
        // Contiguous parts of near-equal size, each written into its own range of the scores.
        lanes.run(parts, part -> {
            int from = (int) ((long) scores.length * part / parts);
            int to = (int) ((long) scores.length * (part + 1) / parts);
            score(rawText, clipsFrameEmbeddings, from, to, scores, 1);
            return null;
        });
        return scores;
    }

    /** How many parts, run side by side, {@code candidates} clips are split into. */
    public int parts(int candidates) {
        return Math.clamp(candidates / MIN_CANDIDATES_PER_LANE, 1, lanes.lanes());
    }

    /** Scores candidates [from, to) into {@code scores} in batches; threads 0: the model's configured count. */
    private void score(float[] rawText, List<float[][]> clips, int from, int to, float[] scores, int threads) {
        for (int start = from; start < to; start += batchSize) {
            int end = Math.min(to, start + batchSize);
            float[][][] batch = clips.subList(start, end).toArray(new float[0][][]);
            float[] logits =
                    threads == 0 ? model.tightScores(rawText, batch) : model.tightScores(rawText, batch, threads);
            System.arraycopy(logits, 0, scores, start, logits.length);
        }
    }
}
