package io.clip4stream.app.train;

import io.clip4stream.model.Clip4ClipModel;
import io.clip4stream.model.metrics.RetrievalMetrics;
import io.clip4stream.model.weights.ModelCard;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.BinaryOperator;
import java.util.function.Consumer;
import java.util.stream.IntStream;

/**
 * Text→video retrieval as the services run it: frames embedded and aggregated by the loaded model's first-stage head,
 * captions encoded, cosine ranking; then, when the model has a tight head, the top {@code rerankDepth} candidates of each
 * caption re-ordered by its scores (fused with the first stage's as config.json records), as the query service re-ranks.
 */
public final class PipelineEvaluator {

    private final TrainingSet data;
    private final int rerankDepth;
    private final GatedFrameEmbedder gate;

    /** Creates an evaluator over {@code data} (first caption of each clip) re-ranking the top {@code rerankDepth}. */
    public PipelineEvaluator(TrainingSet data, int rerankDepth) {
        this(data, rerankDepth, null);
    }

    /**
     * An evaluator as above whose frames go through {@code gate} (each clip its own source, so no embedding is reused
     * across clips), or are all encoded when it is null.
     */
    public PipelineEvaluator(TrainingSet data, int rerankDepth, GatedFrameEmbedder gate) {
        this.data = data;
        this.rerankDepth = rerankDepth;
        this.gate = gate;
    }

    /** First-stage figures, and re-ranked ones when the model has a tight head. */
    public record Result(RetrievalMetrics firstStage, Optional<RetrievalMetrics> reranked, int clips) {}

    /** Evaluates {@code model}, re-ranking as its config.json records (the tight logits, or their fusion). */
    public Result evaluate(Clip4ClipModel model, Consumer<String> progress) {
        Scored scored = score(model, progress);
        RetrievalMetrics firstStage = RetrievalMetrics.textToVideo(scored.first());
        if (scored.tight() == null) {
            return new Result(firstStage, Optional.empty(), scored.first().length);
        }
        return new Result(
                firstStage,
                Optional.of(rerank(scored, (tight, first) -> model.card().rerankScores(tight, first))),
                scored.first().length);
    }

    /**
     * The re-ranked figures for each first-stage weight of {@code weights} (the fusion {@code tight + w × cosine}), from
     * one pass of the encoders and the tight head; empty when the model has no trained tight head.
     */
    public Map<Double, RetrievalMetrics> sweep(Clip4ClipModel model, double[] weights, Consumer<String> progress) {
        Scored scored = score(model, progress);
        Map<Double, RetrievalMetrics> out = new LinkedHashMap<>();
        if (scored.tight() != null) {
            for (double w : weights) {
                out.put(w, rerank(scored, (tight, first) -> ModelCard.fuse(tight, first, w)));
            }
        }
        return out;
    }

    /** First-stage scores of every caption against every clip; each caption's top candidates and their tight logits. */
    private record Scored(float[][] first, int[][] top, float[][] tight) {}

    private Scored score(Clip4ClipModel model, Consumer<String> progress) {
        int n = data.size();
        int frames = data.maxFrames();
        float[][][] clipFrames = new float[n][][];
        float[][] clipVectors = new float[n][];
        for (int i = 0; i < n; i++) {
            int size = model.info().imageSize();
            float[] pixels = new float[frames * 3 * size * size];
            float[] mask = new float[frames];
            data.pixelsInto(i, pixels, 0, mask, 0);
            int valid = 0;
            while (valid < frames && mask[valid] > 0) {
                valid++;
            }
            float[][] embeddings = gate == null
                    ? model.embedFrames(Arrays.copyOf(pixels, valid * 3 * size * size), valid)
                    : gate.embed("clip-" + i, pixels, valid, 3 * size * size, model::embedFrames);
            clipFrames[i] = embeddings;
            clipVectors[i] = model.aggregateClip(embeddings);
            if ((i + 1) % 50 == 0 || i + 1 == n) {
                progress.accept("encoded " + (i + 1) + "/" + n + " clips");
            }
        }
        float[][] first = new float[n][];
        float[][] raw = new float[n][];
        for (int t = 0; t < n; t++) {
            long[] ids = data.tokens(data.clips().get(t).captions().get(0));
            int[] intIds = new int[ids.length];
            int[] mask = new int[ids.length];
            for (int j = 0; j < ids.length; j++) {
                intIds[j] = (int) ids[j];
                mask[j] = ids[j] != 0 ? 1 : 0;
            }
            float[] text = model.encodeText(intIds, mask);
            raw[t] = rerankable(model) ? model.encodeTextRaw(intIds, mask) : null;
            first[t] = new float[n];
            for (int v = 0; v < n; v++) {
                first[t][v] = dot(text, clipVectors[v]);
            }
        }
        if (!rerankable(model)) {
            return new Scored(first, null, null);
        }
        int depth = Math.min(rerankDepth, n);
        int[][] top = new int[n][];
        float[][] tight = new float[n][];
        for (int t = 0; t < n; t++) {
            float[] row = first[t];
            top[t] = IntStream.range(0, n)
                    .boxed()
                    .sorted(Comparator.comparingDouble((Integer v) -> -row[v]))
                    .limit(depth)
                    .mapToInt(Integer::intValue)
                    .toArray();
            float[][][] candidates = new float[depth][][];
            for (int k = 0; k < depth; k++) {
                candidates[k] = clipFrames[top[t][k]];
            }
            tight[t] = model.tightScores(raw[t], candidates);
        }
        return new Scored(first, top, tight);
    }

    /** Ranks as the query service does: the top candidates by {@code order}'s scores above the rest in first-stage order. */
    private static RetrievalMetrics rerank(Scored scored, BinaryOperator<float[]> order) {
        int n = scored.first().length;
        float[][] reranked = new float[n][];
        for (int t = 0; t < n; t++) {
            float[] row = scored.first()[t];
            int[] top = scored.top()[t];
            int depth = top.length;
            float[] firstTop = new float[depth];
            for (int k = 0; k < depth; k++) {
                firstTop[k] = row[top[k]];
            }
            float[] scores = order.apply(scored.tight()[t], firstTop);
            int[] byFirst = IntStream.range(0, n)
                    .boxed()
                    .sorted(Comparator.comparingDouble((Integer v) -> -row[v]))
                    .mapToInt(Integer::intValue)
                    .toArray();
            float[] out = new float[n];
            for (int r = 0; r < n; r++) {
                out[byFirst[r]] = n - r;
            }
            Integer[] byScore = IntStream.range(0, depth).boxed().toArray(Integer[]::new);
            // Stable, as the query service's sort: equal scores keep first-stage order.
            Arrays.sort(byScore, Comparator.comparingDouble((Integer k) -> -scores[k]));
            for (int r = 0; r < depth; r++) {
                out[top[byScore[r]]] = 2 * n - r;
            }
            reranked[t] = out;
        }
        return RetrievalMetrics.textToVideo(reranked);
    }

    /**
     * Whether the model has a tight head worth re-ranking with: its weights, and either a record that it was trained
     * or no record of trained heads at all (directories from before the record existed).
     */
    static boolean rerankable(Clip4ClipModel model) {
        var trained = model.card().trainedHeads();
        return model.hasTightHead() && (trained.isEmpty() || trained.contains("tightTransf"));
    }

    private static float dot(float[] a, float[] b) {
        float sum = 0;
        for (int i = 0; i < a.length; i++) {
            sum += a[i] * b[i];
        }
        return sum;
    }
}
