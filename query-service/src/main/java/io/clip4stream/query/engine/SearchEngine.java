package io.clip4stream.query.engine;

import io.clip4stream.model.ModelInfo;
import io.clip4stream.query.fanout.Candidate;
import io.clip4stream.query.fanout.CandidateQuery;
import io.clip4stream.query.fanout.Gathered;
import io.clip4stream.query.fanout.ScatterGather;
import io.clip4stream.query.metrics.QueryMetrics;
import io.clip4stream.query.rerank.TightReranker;
import io.clip4stream.query.search.InvalidSearchException;
import io.clip4stream.query.search.SearchRequest;
import io.clip4stream.runtime.kafka.ModelVersionClips;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * Answers a search: the query (text, an example, or both) becomes one vector ({@link QueryVectors}), candidates are
 * gathered from every shard and merged, then re-ranked with the tight head when the model has one and the query is
 * text only (otherwise kept in first-stage order and flagged as such).
 */
public final class SearchEngine {
    /** Path prefix under which the query service serves thumbnails. */
    public static final String THUMBNAIL_PATH = "/thumbnails/";

    private final ModelInfo model;
    private final QueryVectors vectors;
    private final ScatterGather gather;
    private final TightReranker reranker;
    private final ThumbnailCache thumbnails;
    private final QueryMetrics metrics;
    private final ModelExecutor modelWork;

    /** Wires the stages of the search path together, running model work inline on the caller's thread. */
    public SearchEngine(
            ModelInfo model,
            QueryVectors vectors,
            ScatterGather gather,
            TightReranker reranker,
            ThumbnailCache thumbnails,
            QueryMetrics metrics) {
        this(model, vectors, gather, reranker, thumbnails, metrics, null);
    }

    /**
     * Wires the stages of the search path together; query encoding (text and example images) and re-ranking run on
     * {@code modelWork} (bounded: a full executor makes {@link #search} throw {@link ModelSaturatedException}), or
     * inline when it is null.
     */
    public SearchEngine(
            ModelInfo model,
            QueryVectors vectors,
            ScatterGather gather,
            TightReranker reranker,
            ThumbnailCache thumbnails,
            QueryMetrics metrics,
            ModelExecutor modelWork) {
        this.modelWork = modelWork;
        this.model = Objects.requireNonNull(model, "model");
        this.vectors = Objects.requireNonNull(vectors, "vectors");
        this.gather = Objects.requireNonNull(gather, "gather");
        this.reranker = Objects.requireNonNull(reranker, "reranker");
        this.thumbnails = Objects.requireNonNull(thumbnails, "thumbnails");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
    }

    /** The loaded model this engine encodes with. */
    public ModelInfo model() {
        return model;
    }

    /**
     * Runs {@code request}.
     *
     * @throws InvalidSearchException when it names a model version other than the loaded one
     * @throws io.clip4stream.query.fanout.ShardException when no index instance can be discovered
     * @throws ModelSaturatedException when the model executor is full
     */
    public SearchResult search(SearchRequest request) {
        return search(request, SearchQuery.text(request.text()));
    }

    /**
     * Runs {@code request} looking for {@code query} (text, an example, or both; the request's text is ignored).
     *
     * @throws InvalidSearchException when it names a model version other than the loaded one
     * @throws io.clip4stream.query.search.RejectedExampleException when the example cannot be used
     * @throws io.clip4stream.query.fanout.ShardException when no index instance can be discovered
     * @throws ModelSaturatedException when the model executor is full
     */
    public SearchResult search(SearchRequest request, SearchQuery query) {
        if (request.modelVersion() != null && !request.modelVersion().equals(model.modelVersion())) {
            throw new InvalidSearchException(
                    "unknown_model_version",
                    "model version '" + request.modelVersion() + "' is not served here; this query service encodes"
                            + " with " + model.modelId() + " version '" + model.modelVersion() + "'");
        }
        long start = System.nanoTime();
        QueryVector encoded = onModel(() -> vectors.vector(query));
        long encoded_ = System.nanoTime();

        String skipReason = query.hasExample()
                ? "queries by example are not re-ranked: the tight head scores text against frames"
                : !request.rerank()
                        ? "re-ranking was turned off by the request"
                        : reranker.unavailableReason()
                                .map(reason -> reason + "; hits are in first-stage order")
                                .orElse(null);
        Gathered gathered = gather.gather(new CandidateQuery(
                encoded.vector(),
                request.candidates(),
                request.filters(),
                model.modelVersion(),
                skipReason == null,
                encoded.excludeClipIds(),
                encoded.excludeSourceIds()));
        long gathered_ = System.nanoTime();

        List<Candidate> candidates = gathered.candidates();
        if (skipReason == null && !candidates.stream().allMatch(Candidate::hasFrameEmbeddings)) {
            skipReason = "some candidates came without frame embeddings; hits are in first-stage order";
        }
        float[] finalScores = new float[candidates.size()];
        if (skipReason == null && !candidates.isEmpty()) {
            float[] firstStage = new float[candidates.size()];
            for (int i = 0; i < firstStage.length; i++) {
                firstStage[i] = candidates.get(i).score();
            }
            List<float[][]> frames =
                    candidates.stream().map(Candidate::frameEmbeddings).toList();
            finalScores = onModel(() -> reranker.rerankScores(encoded.rawText(), frames, firstStage));
        } else {
            for (int i = 0; i < finalScores.length; i++) {
                finalScores[i] = candidates.get(i).score();
            }
        }
        long reranked_ = System.nanoTime();

        List<SearchHit> hits = hits(candidates, finalScores, request.k());
        boolean reranked = skipReason == null;
        SearchTimings timings = new SearchTimings(
                micros(encoded_ - start),
                micros(gathered_ - encoded_),
                reranked ? micros(reranked_ - gathered_) : 0,
                micros(reranked_ - start));
        metrics.searched(
                timings.encodeMicros(),
                timings.gatherMicros(),
                timings.rerankMicros(),
                timings.totalMicros(),
                gathered.partial(),
                reranked);
        return new SearchResult(
                query.text() == null ? "" : query.text(),
                query.exampleLabel(),
                query.hasExample() && query.text() != null ? query.weight() : null,
                request.k(),
                request.candidates(),
                model.modelId(),
                model.modelVersion(),
                reranked,
                skipReason,
                hits.isEmpty()
                        ? new ModelVersionClips(gathered.clipsPerModelVersion())
                                .emptyVersionNote(model.modelVersion())
                                .orElse(null)
                        : null,
                gathered.partial(),
                hits,
                gathered.shards(),
                gathered.unservedPartitions(),
                gathered.searchableUpToMicros(),
                timings);
    }

    private <T> T onModel(java.util.function.Supplier<T> work) {
        return modelWork == null ? work.get() : modelWork.call(work);
    }

    private List<SearchHit> hits(List<Candidate> candidates, float[] finalScores, int k) {
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < candidates.size(); i++) {
            order.add(i);
        }
        // Stable: equal final scores keep first-stage order, which is itself deterministic.
        order.sort(Comparator.comparingDouble(i -> -finalScores[i]));
        List<SearchHit> hits = new ArrayList<>();
        for (int rank = 0; rank < Math.min(k, order.size()); rank++) {
            Candidate c = candidates.get(order.get(rank));
            String thumbnailUrl = null;
            if (c.thumbnailJpeg() != null && c.thumbnailJpeg().length > 0) {
                thumbnails.put(c.clipId(), c.thumbnailJpeg());
                thumbnailUrl = THUMBNAIL_PATH
                        + URLEncoder.encode(c.clipId(), StandardCharsets.UTF_8).replace("+", "%20");
            }
            hits.add(new SearchHit(
                    rank + 1,
                    c.clipId(),
                    c.sourceId(),
                    c.clipIndex(),
                    c.startMicros(),
                    c.endMicros(),
                    finalScores[order.get(rank)],
                    c.score(),
                    thumbnailUrl,
                    c.tenant(),
                    c.tags()));
        }
        return hits;
    }

    private static long micros(long nanos) {
        return TimeUnit.NANOSECONDS.toMicros(nanos);
    }
}
