package io.clip4stream.index.http;

import io.clip4stream.index.shard.ShardLocator;
import io.clip4stream.index.store.ClipFilter;
import io.clip4stream.index.store.ClipHit;
import io.clip4stream.index.store.ReadOnlyClipVectorStore;
import io.clip4stream.runtime.http.ApiException;
import io.clip4stream.runtime.http.Exchange;
import io.clip4stream.runtime.http.HttpHost;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.Supplier;
import org.apache.kafka.streams.errors.InvalidStateStoreException;

/**
 * The index service's query routes (interactive queries over the local shards):
 *
 * <ul>
 *   <li>{@code POST /v1/knn}: k-NN with filters over this instance's active shards ({@link KnnRequest} →
 *       {@link KnnResponse});
 *   <li>{@code GET /v1/shards}: which instance holds which shards ({@link io.clip4stream.index.shard.ShardMap});
 *   <li>{@code GET /v1/searchable-up-to[?sourceId=ID]}: per source, the newest clip end visible to queries.
 * </ul>
 */
public final class IndexRoutes {

    /** Largest accepted k-NN request body: a 4096-d vector in JSON with room for filters. */
    public static final long MAX_BODY_BYTES = 256 * 1024;

    private final ShardLocator shards;
    private final Supplier<String> activeModelVersion;

    private IndexRoutes(ShardLocator shards, Supplier<String> activeModelVersion) {
        this.shards = shards;
        this.activeModelVersion = activeModelVersion;
    }

    /** Adds the routes to {@code host}; {@code IndexService} and the tests both call this. */
    public static HttpHost.Builder register(
            HttpHost.Builder host, ShardLocator shards, Supplier<String> activeModelVersion) {
        IndexRoutes routes = new IndexRoutes(
                Objects.requireNonNull(shards, "shards"), Objects.requireNonNull(activeModelVersion, "version"));
        return host.route("/v1/knn", routes::knn)
                .route("/v1/shards", routes::shardMap)
                .route("/v1/searchable-up-to", routes::searchableUpTo);
    }

    private void knn(Exchange exchange) throws IOException {
        requireMethod(exchange, "POST");
        KnnRequest request = exchange.readJson(KnnRequest.class, MAX_BODY_BYTES);
        float[] vector = request.resolvedVector();
        int k = request.resolvedK();
        ClipFilter filter = request.filter(activeModelVersion.get());
        long started = System.nanoTime();
        ReadOnlyClipVectorStore store = localStore();
        List<Integer> partitions;
        List<ClipHit> hits;
        Map<String, Long> upTo = new TreeMap<>();
        boolean binaryFrames = request.binaryFrameEmbeddings();
        try {
            partitions = shards.localActivePartitions();
            hits = store.nearest(vector, k, filter);
            for (ClipHit hit : hits) {
                String source = hit.clip().getSourceId().toString();
                store.searchableUpTo(source).ifPresent(end -> upTo.put(source, end));
            }
            for (String source : filter.sourceIds()) {
                store.searchableUpTo(source).ifPresent(end -> upTo.put(source, end));
            }
        } catch (InvalidStateStoreException e) {
            throw unavailable(e);
        }
        long tookMicros = (System.nanoTime() - started) / 1_000;
        exchange.respondJson(
                200,
                new KnnResponse(
                        shards.self(),
                        filter.modelVersion(),
                        partitions,
                        hits.stream()
                                .map(hit -> KnnResponse.Hit.of(
                                        hit,
                                        request.frameEmbeddingsIncluded(),
                                        request.thumbnailsIncluded(),
                                        binaryFrames))
                                .toList(),
                        upTo,
                        tookMicros));
    }

    private void shardMap(Exchange exchange) throws IOException {
        requireMethod(exchange, "GET");
        exchange.respondJson(200, shards.shardMap());
    }

    private void searchableUpTo(Exchange exchange) throws IOException {
        requireMethod(exchange, "GET");
        ReadOnlyClipVectorStore store = localStore();
        String source = exchange.query().get("sourceId");
        Map<String, Long> sources = new TreeMap<>();
        if (source == null) {
            sources.putAll(store.searchableUpTo());
        } else {
            store.searchableUpTo(source).ifPresent(end -> sources.put(source, end));
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("instance", shards.self());
        body.put("partitions", shards.localActivePartitions());
        body.put("sources", sources);
        exchange.respondJson(200, body);
    }

    private ReadOnlyClipVectorStore localStore() {
        try {
            return shards.localStore();
        } catch (InvalidStateStoreException | IllegalStateException e) {
            throw unavailable(e);
        }
    }

    private static ApiException unavailable(RuntimeException e) {
        return new ApiException(
                503,
                "shards_unavailable",
                "the local index shards cannot be queried now (" + e.getMessage()
                        + "); retry after the rebalance or restore");
    }

    private static void requireMethod(Exchange exchange, String method) {
        if (!exchange.method().equals(method)) {
            throw new ApiException(405, "method_not_allowed", exchange.path() + " accepts " + method + " only");
        }
    }
}
