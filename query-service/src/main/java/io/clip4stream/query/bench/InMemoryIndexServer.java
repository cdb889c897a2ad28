package io.clip4stream.query.bench;

import io.clip4stream.query.fanout.IndexWire;
import io.clip4stream.runtime.http.ApiException;
import io.clip4stream.runtime.http.Exchange;
import io.clip4stream.runtime.http.HttpHost;
import io.clip4stream.schemas.frames.FrameEncoding;
import io.clip4stream.schemas.frames.PackedFrames;
import java.io.IOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.PriorityQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * An index instance held in memory that speaks the index-service's query API ({@code POST /v1/knn}, {@code POST
 * /v1/frames}, {@code GET /v1/searchable-up-to}, {@code GET /v1/shards}, {@code GET /v1/clips}) and answers by exact
 * scan: a real server over real vectors, for the benchmark and for tests, never a substitute for the Lucene index in
 * production.
 */
public final class InMemoryIndexServer implements BenchShard {

    /**
     * One stored clip.
     *
     * @param clipId clip id
     * @param sourceId source id
     * @param clipIndex index in its source
     * @param startMicros start (source time)
     * @param endMicros end (source time)
     * @param tenant tenant
     * @param tags tags
     * @param modelVersion model version of the vector
     * @param thumbnailJpeg thumbnail (null for none)
     * @param provisional whether it is a live source's growing clip, indexed before it closed
     */
    public record ClipInfo(
            String clipId,
            String sourceId,
            long clipIndex,
            long startMicros,
            long endMicros,
            String tenant,
            List<String> tags,
            String modelVersion,
            byte[] thumbnailJpeg,
            boolean provisional) {

        /** A closed clip. */
        public ClipInfo(
                String clipId,
                String sourceId,
                long clipIndex,
                long startMicros,
                long endMicros,
                String tenant,
                List<String> tags,
                String modelVersion,
                byte[] thumbnailJpeg) {
            this(clipId, sourceId, clipIndex, startMicros, endMicros, tenant, tags, modelVersion, thumbnailJpeg, false);
        }
    }

    /** Supplies the frame embeddings of the clip at an ordinal, so large benchmarks need not hold them all. */
    @FunctionalInterface
    public interface FrameSource {
        /** The frame embeddings of clip {@code ordinal}. */
        float[][] frames(int ordinal);
    }

    private final List<ClipInfo> clips;
    private final float[] vectors;
    private final int dim;
    private final FrameSource frames;
    private final List<Integer> partitions;
    private final HttpHost host;
    private final AtomicReference<IndexWire.KnnRequest> lastRequest = new AtomicReference<>();
    private final AtomicReference<IndexWire.ShardMap> shardMap = new AtomicReference<>();
    private final AtomicLong scanNanos = new AtomicLong();
    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong framesSent = new AtomicLong();
    private final Map<String, Integer> ordinals = new HashMap<>();

    /**
     * Serves {@code clips} whose unit vectors are the rows of {@code vectors} ({@code clips.size() x dim}).
     *
     * @param partitions the partitions this instance claims to serve
     */
    public InMemoryIndexServer(
            List<ClipInfo> clips, float[] vectors, int dim, FrameSource frames, List<Integer> partitions) {
        if (vectors.length != (long) clips.size() * dim) {
            throw new IllegalArgumentException(
                    clips.size() + " clips need " + clips.size() * (long) dim + " floats; got " + vectors.length);
        }
        this.clips = List.copyOf(clips);
        this.vectors = vectors;
        this.dim = dim;
        this.frames = Objects.requireNonNull(frames, "frames");
        this.partitions = List.copyOf(partitions);
        for (int i = 0; i < this.clips.size(); i++) {
            ordinals.putIfAbsent(this.clips.get(i).clipId(), i);
        }
        this.host = HttpHost.builder("in-memory-index")
                .port(0)
                .bindAddress("127.0.0.1")
                .route(IndexWire.KNN_PATH, this::knn)
                .route(IndexWire.FRAMES_PATH, this::frames)
                .route(IndexWire.SEARCHABLE_UP_TO_PATH, this::sources)
                .route(IndexWire.SHARDS_PATH, this::shards)
                .route(IndexWire.CLIPS_PATH, this::storedClips)
                .build()
                .start();
    }

    /** The base URI. */
    @Override
    public URI uri() {
        return host.uri();
    }

    /** Makes {@code GET /v1/shards} answer {@code answer} (by default: this instance alone, with its partitions). */
    public void answerShardMap(IndexWire.ShardMap answer) {
        shardMap.set(answer);
    }

    /** This instance as a shard map entry. */
    public IndexWire.ShardInstance asShardInstance() {
        return new IndexWire.ShardInstance(uri().getHost(), uri().getPort(), partitions, List.of());
    }

    /** The last k-NN request received, or null. */
    public IndexWire.KnnRequest lastRequest() {
        return lastRequest.get();
    }

    /** k-NN requests answered so far. */
    public long requests() {
        return requests.get();
    }

    /** Clips whose frame embeddings this instance has sent, by {@code /v1/knn} or {@code /v1/frames}. */
    public long framesSent() {
        return framesSent.get();
    }

    /** Total nanoseconds spent scanning vectors (excluding HTTP and JSON), for the benchmark's breakdown. */
    @Override
    public long scanNanos() {
        return scanNanos.get();
    }

    private void knn(Exchange exchange) throws IOException {
        IndexWire.KnnRequest request = exchange.readJson(IndexWire.KnnRequest.class, 1 << 20);
        int k = request.k() == null ? 10 : request.k();
        if (request.vector() == null || request.vector().length != dim || k < 1 || k > 1000) {
            throw ApiException.badRequest("invalid_query", "need a " + dim + "-d vector and k >= 1");
        }
        lastRequest.set(request);
        long start = System.nanoTime();
        int[] top = nearest(request.vector(), k, clip -> accepts(request, clip));
        scanNanos.addAndGet(System.nanoTime() - start);
        requests.incrementAndGet();
        List<IndexWire.KnnHit> hits = new ArrayList<>();
        boolean withFrames = !Boolean.FALSE.equals(request.includeFrameEmbeddings());
        // The same two encodings as the index-service's /v1/knn.
        boolean binary = IndexWire.F32LE_BASE64.equals(request.frameEmbeddingEncoding());
        boolean packed = IndexWire.PACKED_BASE64.equals(request.frameEmbeddingEncoding());
        if (!binary
                && !packed
                && request.frameEmbeddingEncoding() != null
                && !request.frameEmbeddingEncoding().equals("floats")) {
            throw ApiException.badRequest(
                    "invalid_frame_embedding_encoding", "unknown encoding " + request.frameEmbeddingEncoding());
        }
        for (int ordinal : top) {
            ClipInfo c = clips.get(ordinal);
            if (withFrames) {
                framesSent.incrementAndGet();
            }
            hits.add(new IndexWire.KnnHit(
                    c.clipId(),
                    c.sourceId(),
                    c.clipIndex(),
                    c.startMicros(),
                    c.endMicros(),
                    c.tenant(),
                    c.tags(),
                    c.modelVersion(),
                    dot(request.vector(), ordinal),
                    Boolean.FALSE.equals(request.includeThumbnails()) ? null : c.thumbnailJpeg(),
                    withFrames && !binary && !packed ? frames.frames(ordinal) : null,
                    withFrames && binary ? IndexWire.float32le(frames.frames(ordinal)) : null,
                    withFrames && binary ? dim(frames.frames(ordinal)) : null,
                    withFrames && packed ? PackedFrames.pack(frames.frames(ordinal), FrameEncoding.FLOAT32) : null,
                    c.provisional() ? Boolean.TRUE : null));
        }
        long tookMicros = (System.nanoTime() - start) / 1000;
        exchange.respondJson(
                200,
                new IndexWire.KnnResponse(
                        uri().getHost() + ":" + uri().getPort(),
                        request.modelVersion(),
                        partitions,
                        hits,
                        searchableUpTo(),
                        tookMicros,
                        hits.isEmpty() ? clipsPerModelVersion() : null));
    }

    private Map<String, Long> clipsPerModelVersion() {
        Map<String, Long> counts = new HashMap<>();
        clips.forEach(c -> counts.merge(c.modelVersion(), 1L, Long::sum));
        return counts;
    }

    private void frames(Exchange exchange) throws IOException {
        IndexWire.FramesRequest request = exchange.readJson(IndexWire.FramesRequest.class, 1 << 20);
        if (request.clipIds() == null
                || request.clipIds().isEmpty()
                || request.clipIds().size() > 1000) {
            throw ApiException.badRequest("missing_clip_ids", "need 1 to 1000 clip ids");
        }
        boolean binary = IndexWire.F32LE_BASE64.equals(request.frameEmbeddingEncoding());
        boolean packed = IndexWire.PACKED_BASE64.equals(request.frameEmbeddingEncoding());
        List<IndexWire.FrameClip> found = new ArrayList<>();
        for (String clipId : new java.util.LinkedHashSet<>(request.clipIds())) {
            Integer ordinal = ordinals.get(clipId);
            if (ordinal == null
                    || request.modelVersion() != null
                            && !request.modelVersion().equals(clips.get(ordinal).modelVersion())) {
                continue;
            }
            float[][] clipFrames = frames.frames(ordinal);
            framesSent.incrementAndGet();
            found.add(new IndexWire.FrameClip(
                    clipId,
                    clips.get(ordinal).modelVersion(),
                    binary || packed ? null : clipFrames,
                    binary ? IndexWire.float32le(clipFrames) : null,
                    binary ? dim(clipFrames) : null,
                    packed ? PackedFrames.pack(clipFrames, FrameEncoding.FLOAT32) : null));
        }
        exchange.respondJson(
                200,
                new IndexWire.Frames(
                        uri().getHost() + ":" + uri().getPort(), request.modelVersion(), partitions, found));
    }

    private void storedClips(Exchange exchange) throws IOException {
        Map<String, String> query = exchange.query();
        String clipId = query.get("clipId");
        String sourceId = query.get("sourceId");
        if (clipId == null && sourceId == null) {
            throw ApiException.badRequest("missing_clip", "give clipId, or sourceId with an optional time range");
        }
        Long from = query.containsKey("fromMicros") ? Long.valueOf(query.get("fromMicros")) : null;
        Long to = query.containsKey("toMicros") ? Long.valueOf(query.get("toMicros")) : null;
        String version = query.get("modelVersion");
        List<IndexWire.StoredClip> found = new ArrayList<>();
        for (int ordinal = 0; ordinal < clips.size(); ordinal++) {
            ClipInfo c = clips.get(ordinal);
            boolean matches = clipId != null
                    ? c.clipId().equals(clipId)
                    : c.sourceId().equals(sourceId)
                            && (version == null || version.equals(c.modelVersion()))
                            && (from == null || c.endMicros() > from)
                            && (to == null || c.startMicros() < to);
            if (matches) {
                found.add(new IndexWire.StoredClip(
                        c.clipId(),
                        c.sourceId(),
                        c.clipIndex(),
                        c.startMicros(),
                        c.endMicros(),
                        c.tenant(),
                        c.tags(),
                        c.modelVersion(),
                        java.util.Arrays.copyOfRange(vectors, ordinal * dim, (ordinal + 1) * dim),
                        // As the index-service: thumbnails in a lookup by id, not in a time range's answer.
                        clipId != null ? c.thumbnailJpeg() : null));
            }
        }
        exchange.respondJson(
                200, new IndexWire.Clips(uri().getHost() + ":" + uri().getPort(), partitions, found, false));
    }

    private void sources(Exchange exchange) throws IOException {
        exchange.respondJson(
                200,
                new IndexWire.SearchableUpTo(uri().getHost() + ":" + uri().getPort(), partitions, searchableUpTo()));
    }

    private void shards(Exchange exchange) throws IOException {
        IndexWire.ShardMap answer = shardMap.get();
        exchange.respondJson(
                200,
                answer != null
                        ? answer
                        : new IndexWire.ShardMap(
                                uri().getHost() + ":" + uri().getPort(),
                                "in-memory-index",
                                "RUNNING",
                                partitions.size(),
                                List.of(asShardInstance())));
    }

    private static Integer dim(float[][] frames) {
        return frames.length == 0 ? 0 : frames[0].length;
    }

    private Map<String, Long> searchableUpTo() {
        Map<String, Long> upTo = new HashMap<>();
        for (ClipInfo c : clips) {
            upTo.merge(c.sourceId(), c.endMicros(), Math::max);
        }
        return upTo;
    }

    /** The exact {@code k} nearest clips of any model version, best first (a scan, as {@code /v1/knn} makes). */
    @Override
    public List<BenchShard.Hit> nearest(float[] query, int k) {
        if (query.length != dim) {
            throw new IllegalArgumentException("need a " + dim + "-d query; got " + query.length);
        }
        List<BenchShard.Hit> hits = new ArrayList<>();
        for (int ordinal : nearest(query, k, clip -> true)) {
            hits.add(new BenchShard.Hit(clips.get(ordinal).clipId(), dot(query, ordinal)));
        }
        return hits;
    }

    private int[] nearest(float[] query, int k, java.util.function.Predicate<ClipInfo> accepted) {
        PriorityQueue<float[]> heap = new PriorityQueue<>((a, b) -> Float.compare(a[0], b[0]));
        for (int ordinal = 0; ordinal < clips.size(); ordinal++) {
            if (!accepted.test(clips.get(ordinal))) {
                continue;
            }
            float score = dot(query, ordinal);
            if (heap.size() < k) {
                heap.add(new float[] {score, ordinal});
            } else if (score > heap.peek()[0]) {
                heap.poll();
                heap.add(new float[] {score, ordinal});
            }
        }
        int[] top = new int[heap.size()];
        for (int i = top.length - 1; i >= 0; i--) {
            top[i] = (int) heap.poll()[1];
        }
        return top;
    }

    private static boolean accepts(IndexWire.KnnRequest r, ClipInfo c) {
        return (r.modelVersion() == null || r.modelVersion().equals(c.modelVersion()))
                && (r.sourceIds() == null
                        || r.sourceIds().isEmpty()
                        || r.sourceIds().contains(c.sourceId()))
                && (r.tenant() == null || r.tenant().equals(c.tenant()))
                && (r.fromMicros() == null || c.endMicros() > r.fromMicros())
                && (r.toMicros() == null || c.startMicros() < r.toMicros())
                && (r.tags() == null || c.tags().containsAll(r.tags()))
                && (r.excludeClipIds() == null || !r.excludeClipIds().contains(c.clipId()))
                && (r.excludeSourceIds() == null || !r.excludeSourceIds().contains(c.sourceId()));
    }

    private float dot(float[] query, int ordinal) {
        int base = ordinal * dim;
        float s0 = 0;
        float s1 = 0;
        float s2 = 0;
        float s3 = 0;
        int i = 0;
        for (; i + 3 < dim; i += 4) {
            s0 += query[i] * vectors[base + i];
            s1 += query[i + 1] * vectors[base + i + 1];
            s2 += query[i + 2] * vectors[base + i + 2];
            s3 += query[i + 3] * vectors[base + i + 3];
        }
        for (; i < dim; i++) {
            s0 += query[i] * vectors[base + i];
        }
        return (s0 + s1) + (s2 + s3);
    }

    @Override
    public void close() {
        host.close();
    }
}
