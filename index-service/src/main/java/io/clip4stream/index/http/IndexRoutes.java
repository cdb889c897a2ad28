package io.clip4stream.index.http;

import io.clip4stream.index.shard.LocalShards;
import io.clip4stream.index.store.ClipFilter;
import io.clip4stream.index.store.ClipHit;
import io.clip4stream.index.store.ClipKey;
import io.clip4stream.index.store.ReadOnlyClipVectorStore;
import io.clip4stream.runtime.http.ApiException;
import io.clip4stream.runtime.http.Exchange;
import io.clip4stream.runtime.http.HttpHost;
import io.clip4stream.schemas.avro.ClipVector;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Supplier;
import org.apache.kafka.streams.errors.InvalidStateStoreException;

/**
 * The index service's query routes (interactive queries over the local shards):
 *
 * <ul>
 *   <li>{@code POST /v1/knn}: k-NN with filters over this instance's active shards ({@link KnnRequest} →
 *       {@link KnnResponse});
 *   <li>{@code POST /v1/frames}: the frame embeddings of named clips ({@link FramesRequest} → {@link
 *       FramesResponse}), the second phase of a two-phase gather: {@code /v1/knn} without frames finds the
 *       candidates, and only those the query service re-ranks travel with their frames;
 *   <li>{@code GET /v1/shards}: which instance holds which shards ({@link io.clip4stream.index.shard.ShardMap});
 *   <li>{@code GET /v1/searchable-up-to[?sourceId=ID]}: per source, the newest clip end visible to queries;
 *   <li>{@code GET /v1/clips?clipId=ID} (every model version of one clip) or {@code GET
 *       /v1/clips?sourceId=ID[&fromMicros=..][&toMicros=..][&modelVersion=..]} (the clips of a source in a time range):
 *       stored clips with their vectors, for searches by example ({@link ClipsResponse}).
 * </ul>
 */
public final class IndexRoutes {

    /** Largest accepted k-NN request body: a 4096-d vector in JSON with room for filters. */
    public static final long MAX_BODY_BYTES = 256 * 1024;

    /** Most clips {@code GET /v1/clips} returns for a source's time range. */
    public static final int MAX_RANGE_CLIPS = 200;

    private final LocalShards shards;
    private final Supplier<String> activeModelVersion;

    private IndexRoutes(LocalShards shards, Supplier<String> activeModelVersion) {
        this.shards = shards;
        this.activeModelVersion = activeModelVersion;
    }

    /** Adds the routes to {@code host}; {@code IndexService}, the query benchmark's Lucene shards and tests call this. */
    public static HttpHost.Builder register(
            HttpHost.Builder host, LocalShards shards, Supplier<String> activeModelVersion) {
        IndexRoutes routes = new IndexRoutes(
                Objects.requireNonNull(shards, "shards"), Objects.requireNonNull(activeModelVersion, "version"));
        return host.route("/v1/knn", routes::knn)
                .route("/v1/frames", routes::frames)
                .route("/v1/shards", routes::shardMap)
                .route("/v1/searchable-up-to", routes::searchableUpTo)
                .route("/v1/clips", routes::clips);
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
        KnnRequest.FrameWire frameWire = request.frameWire();
        Map<String, Long> perVersion = null;
        try {
            partitions = shards.localActivePartitions();
            hits = nearest(store, vector, k, filter, request);
            for (ClipHit hit : hits) {
                String source = hit.clip().getSourceId().toString();
                store.searchableUpTo(source).ifPresent(end -> upTo.put(source, end));
            }
            for (String source : filter.sourceIds()) {
                store.searchableUpTo(source).ifPresent(end -> upTo.put(source, end));
            }
            if (hits.isEmpty()) {
                // Counted only when nothing was found: an empty answer must be explainable, a full one need not be.
                perVersion = store.clipsPerModelVersion();
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
                                        frameWire))
                                .toList(),
                        upTo,
                        tookMicros,
                        perVersion));
    }

    private void frames(Exchange exchange) throws IOException {
        requireMethod(exchange, "POST");
        FramesRequest request = exchange.readJson(FramesRequest.class, MAX_BODY_BYTES);
        List<String> clipIds = request.resolvedClipIds();
        String version = request.resolvedModelVersion(activeModelVersion.get());
        KnnRequest.FrameWire wire = request.frameWire();
        ReadOnlyClipVectorStore store = localStore();
        List<FramesResponse.Clip> clips;
        try {
            // One lookup by exact key for all of them: a lookup per clip id would compile a suffix automaton each.
            java.util.Map<String, List<ClipVector>> found =
                    store
                            .clipsByKey(clipIds.stream()
                                    .map(id -> new ClipKey(version, id))
                                    .toList())
                            .stream()
                            .collect(java.util.stream.Collectors.groupingBy(
                                    c -> c.getClipId().toString()));
            clips = FramesResponse.select(clipIds, version, id -> found.getOrDefault(id, List.of()), wire);
        } catch (InvalidStateStoreException e) {
            throw unavailable(e);
        }
        exchange.respondJson(200, new FramesResponse(shards.self(), version, shards.localActivePartitions(), clips));
    }

    /**
     * The k nearest clips, leaving out the request's excluded clips and sources: excluded sources leave the filter (as
     * every other held source, so the index still searches only what may be returned), excluded clips are asked for
     * on top of k and dropped.
     */
    private static List<ClipHit> nearest(
            ReadOnlyClipVectorStore store, float[] vector, int k, ClipFilter filter, KnnRequest request) {
        Set<String> excludedSources = request.excludedSourceIds();
        Set<String> excludedClips = request.excludedClipIds();
        ClipFilter effective = filter;
        if (!excludedSources.isEmpty()) {
            Set<String> allowed = new TreeSet<>(
                    filter.sourceIds().isEmpty() ? store.searchableUpTo().keySet() : filter.sourceIds());
            allowed.removeAll(excludedSources);
            if (allowed.isEmpty()) {
                return List.of();
            }
            effective = filter.withSourceIds(allowed);
        }
        // An answer without frames sends no floats, so its hits need not load them (most of a stored clip).
        List<ClipHit> hits = request.frameEmbeddingsIncluded()
                ? store.nearest(vector, k + excludedClips.size(), effective)
                : store.nearestWithoutFloats(vector, k + excludedClips.size(), effective);
        return hits.stream()
                .filter(hit -> !excludedClips.contains(hit.clip().getClipId().toString()))
                .limit(k)
                .toList();
    }

    private void clips(Exchange exchange) throws IOException {
        requireMethod(exchange, "GET");
        Map<String, String> query = exchange.query();
        String clipId = query.get("clipId");
        String sourceId = query.get("sourceId");
        ReadOnlyClipVectorStore store = localStore();
        List<ClipVector> clips;
        boolean truncated = false;
        // A lookup by id answers a few clips (one per model version), so it carries thumbnails: the query service
        // fetches the thumbnails of the hits it returned this way. A time range's answer stays without them.
        boolean byClipId = clipId != null && !clipId.isBlank();
        try {
            if (byClipId) {
                clips = store.clipVersions(clipId);
            } else if (sourceId != null && !sourceId.isBlank()) {
                Long from = longParam(query, "fromMicros");
                Long to = longParam(query, "toMicros");
                if (from != null && to != null && from >= to) {
                    throw ApiException.badRequest(
                            "invalid_time_range", "fromMicros (" + from + ") must be < toMicros (" + to + ")");
                }
                String version = query.get("modelVersion");
                ClipFilter filter = ClipFilter.modelVersion(
                                version == null || version.isBlank() ? activeModelVersion.get() : version)
                        .withSourceIds(Set.of(sourceId))
                        .withTimeRange(Optional.ofNullable(from), Optional.ofNullable(to));
                clips = store.clips(filter, MAX_RANGE_CLIPS + 1);
                truncated = clips.size() > MAX_RANGE_CLIPS;
                clips = clips.subList(0, Math.min(MAX_RANGE_CLIPS, clips.size()));
            } else {
                throw ApiException.badRequest("missing_clip", "give clipId, or sourceId with an optional time range");
            }
        } catch (InvalidStateStoreException e) {
            throw unavailable(e);
        }
        exchange.respondJson(
                200,
                new ClipsResponse(
                        shards.self(),
                        shards.localActivePartitions(),
                        clips.stream()
                                .map(clip -> ClipsResponse.StoredClip.of(clip, byClipId))
                                .toList(),
                        truncated));
    }

    private static Long longParam(Map<String, String> query, String name) {
        String value = query.get(name);
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            return Long.parseLong(value.strip());
        } catch (NumberFormatException e) {
            throw ApiException.badRequest("invalid_" + name, name + " must be an integer; was '" + value + "'");
        }
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
