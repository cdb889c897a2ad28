package io.clip4stream.query.engine;

import io.clip4stream.model.ModelInfo;
import io.clip4stream.query.fanout.Candidate;
import io.clip4stream.query.fanout.CandidateQuery;
import io.clip4stream.query.fanout.Gathered;
import io.clip4stream.query.fanout.ScatterGather;
import io.clip4stream.query.metrics.QueryMetrics;
import io.clip4stream.query.rerank.BudgetedRerank;
import io.clip4stream.query.rerank.RerankCost;
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
    /** A default re-rank budget that re-ranks every candidate. */
    public static final int NO_BUDGET = -1;

    /** Candidates per budgeted batch when the caller names no batch size. */
    private static final int DEFAULT_BUDGET_BATCH = 16;

    /** Path prefix under which the query service serves thumbnails. */
    public static final String THUMBNAIL_PATH = "/thumbnails/";

    private final ModelInfo model;
    private final QueryVectors vectors;
    private final ScatterGather gather;
    private final TightReranker reranker;
    private final ThumbnailCache thumbnails;
    private final QueryMetrics metrics;
    private final ModelExecutor modelWork;
    private final BudgetedRerank budgeted;
    private final int defaultBudgetMs;

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
        this(
                model,
                vectors,
                gather,
                reranker,
                thumbnails,
                metrics,
                modelWork,
                new BudgetedRerank(new RerankCost(), System::nanoTime, DEFAULT_BUDGET_BATCH),
                NO_BUDGET);
    }

    /**
     * Wires the stages of the search path together, as above, re-ranking through {@code budgeted} within a request's
     * {@code rerankBudgetMs}, or {@code defaultBudgetMs} when it names none ({@link #NO_BUDGET}: every candidate).
     */
    public SearchEngine(
            ModelInfo model,
            QueryVectors vectors,
            ScatterGather gather,
            TightReranker reranker,
            ThumbnailCache thumbnails,
            QueryMetrics metrics,
            ModelExecutor modelWork,
            BudgetedRerank budgeted,
            int defaultBudgetMs) {
        this.modelWork = modelWork;
        this.budgeted = Objects.requireNonNull(budgeted, "budgeted");
        this.defaultBudgetMs = defaultBudgetMs;
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

        List<Candidate> candidates = gathered.candidates();
        long budgetNanos = budgetNanos(request);
        int toRerank = 0;
        if (skipReason == null) {
            int expected = budgeted.expected(candidates.size(), budgetNanos);
            candidates = gather.withFrames(gathered, expected, model.modelVersion());
            if (!candidates.subList(0, expected).stream().allMatch(Candidate::hasFrameEmbeddings)) {
                skipReason = "some candidates came without frame embeddings; hits are in first-stage order";
            } else {
                toRerank = expected;
            }
        }
        long framed_ = System.nanoTime();
        float[] finalScores = new float[candidates.size()];
        for (int i = 0; i < finalScores.length; i++) {
            finalScores[i] = candidates.get(i).score();
        }
        int rerankedCount = 0;
        if (skipReason == null && toRerank > 0) {
            List<Candidate> scored = candidates;
            int available = toRerank;
            rerankedCount = onModel(() -> budgeted.run(available, budgetNanos, (from, to) -> {
                float[] firstStage = new float[to - from];
                List<float[][]> frames = new ArrayList<>(to - from);
                for (int i = from; i < to; i++) {
                    firstStage[i - from] = scored.get(i).score();
                    frames.add(scored.get(i).frameEmbeddings());
                }
                float[] batch = reranker.rerankScores(encoded.rawText(), frames, firstStage);
                System.arraycopy(batch, 0, finalScores, from, batch.length);
            }));
        }
        long reranked_ = System.nanoTime();

        int notReranked = skipReason == null ? candidates.size() - rerankedCount : 0;
        if (skipReason == null && rerankedCount == 0 && !candidates.isEmpty()) {
            skipReason = "the re-rank budget of " + TimeUnit.NANOSECONDS.toMillis(budgetNanos)
                    + " ms left every candidate first-stage only; hits are in first-stage order";
        }
        List<SearchHit> hits = hits(candidates, finalScores, rerankedCount, request.k());
        boolean reranked = skipReason == null;
        String note = skipReason;
        if (reranked && notReranked > 0) {
            note = "the re-rank budget of " + TimeUnit.NANOSECONDS.toMillis(budgetNanos) + " ms re-ranked "
                    + rerankedCount + " of " + candidates.size() + " candidates; the other " + notReranked
                    + " follow in first-stage order";
        }
        boolean partial = gathered.partial() || notReranked > 0;
        SearchTimings timings = new SearchTimings(
                micros(encoded_ - start),
                micros(framed_ - encoded_),
                reranked ? micros(reranked_ - framed_) : 0,
                micros(reranked_ - start));
        metrics.searched(
                timings.encodeMicros(),
                timings.gatherMicros(),
                timings.rerankMicros(),
                timings.totalMicros(),
                partial,
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
                note,
                hits.isEmpty()
                        ? new ModelVersionClips(gathered.clipsPerModelVersion())
                                .emptyVersionNote(model.modelVersion())
                                .orElse(null)
                        : null,
                partial,
                hits,
                gathered.shards(),
                gathered.unservedPartitions(),
                gathered.searchableUpToMicros(),
                timings,
                notReranked);
    }

    private long budgetNanos(SearchRequest request) {
        int millis = request.rerankBudgetMs() != null ? request.rerankBudgetMs() : defaultBudgetMs;
        return millis < 0 ? BudgetedRerank.UNLIMITED : TimeUnit.MILLISECONDS.toNanos(millis);
    }

    private <T> T onModel(java.util.function.Supplier<T> work) {
        return modelWork == null ? work.get() : modelWork.call(work);
    }

    private List<SearchHit> hits(List<Candidate> candidates, float[] finalScores, int rerankedCount, int k) {
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < candidates.size(); i++) {
            order.add(i);
        }
        // Re-ranked candidates (a prefix in first-stage order) come first in tight-head order; the ones the budget left
        // follow in first-stage order, as tight logits and cosines are not on one scale. Stable: equal final scores
        // keep first-stage order, which is itself deterministic.
        order.subList(0, rerankedCount).sort(Comparator.comparingDouble(i -> -finalScores[i]));
        if (rerankedCount == 0) {
            order.sort(Comparator.comparingDouble(i -> -finalScores[i]));
        }
        List<SearchHit> hits = new ArrayList<>();
        for (int rank = 0; rank < Math.min(k, order.size()); rank++) {
            Candidate c = candidates.get(order.get(rank));
            // Candidates come without thumbnails (a shard would send N of them for the k shown); a closed clip's is
            // fetched by id when the page asks. A provisional clip has none yet.
            String thumbnailUrl = null;
            if (c.thumbnailJpeg() != null && c.thumbnailJpeg().length > 0) {
                thumbnails.put(c.clipId(), c.thumbnailJpeg());
            } else if (!c.provisional()) {
                thumbnails.allow(c.clipId());
            }
            if (thumbnails.allowed(c.clipId())) {
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
                    c.tags(),
                    order.get(rank) < rerankedCount,
                    c.provisional()));
        }
        return hits;
    }

    private static long micros(long nanos) {
        return TimeUnit.NANOSECONDS.toMicros(nanos);
    }
}
