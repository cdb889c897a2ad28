package io.clip4stream.query.metrics;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.Unit;

/** The query service's metrics: stage latencies, partial answers, refused requests. */
public final class QueryMetrics {
    private final Histogram stageSeconds;
    private final Counter searches;
    private final Counter rejected;

    /** Registers the metrics on {@code registry}. */
    public QueryMetrics(PrometheusRegistry registry) {
        this.stageSeconds = Histogram.builder()
                .name("clip4stream_query_stage_seconds")
                .help("Time spent per search stage: encode, gather, rerank, total")
                .unit(Unit.SECONDS)
                .labelNames("stage")
                .register(registry);
        this.searches = Counter.builder()
                .name("clip4stream_query_searches")
                .help("Searches answered, by completeness (complete or partial) and order (reranked or first_stage)")
                .labelNames("completeness", "order")
                .register(registry);
        this.rejected = Counter.builder()
                .name("clip4stream_query_rejected")
                .help("Requests refused before searching, by reason (rate_limited, invalid)")
                .labelNames("reason")
                .register(registry);
    }

    /** Records one answered search. */
    public void searched(
            long encodeMicros,
            long gatherMicros,
            long rerankMicros,
            long totalMicros,
            boolean partial,
            boolean reranked) {
        stageSeconds.labelValues("encode").observe(encodeMicros / 1e6);
        stageSeconds.labelValues("gather").observe(gatherMicros / 1e6);
        if (reranked) {
            stageSeconds.labelValues("rerank").observe(rerankMicros / 1e6);
        }
        stageSeconds.labelValues("total").observe(totalMicros / 1e6);
        searches.labelValues(partial ? "partial" : "complete", reranked ? "reranked" : "first_stage")
                .inc();
    }

    /** Exports the hits and misses of the text-encoding cache (hit ratio = hits / (hits + misses)). */
    public void observeTextCache(PrometheusRegistry registry, io.clip4stream.query.engine.TextEncodingCache cache) {
        io.prometheus.metrics.core.metrics.CounterWithCallback.builder()
                .name("clip4stream_query_text_cache_lookups")
                .help("Text-encoding cache lookups by result (hit: the text tower did not run)")
                .labelNames("result")
                .callback(callback -> {
                    callback.call(cache.hits(), "hit");
                    callback.call(cache.misses(), "miss");
                })
                .register(registry);
        io.prometheus.metrics.core.metrics.GaugeWithCallback.builder()
                .name("clip4stream_query_text_cache_entries")
                .help("Text encodings held by the cache")
                .callback(callback -> callback.call(cache.size()))
                .register(registry);
    }

    /** Records a refused request. */
    public void rejected(String reason) {
        rejected.labelValues(reason).inc();
    }
}
