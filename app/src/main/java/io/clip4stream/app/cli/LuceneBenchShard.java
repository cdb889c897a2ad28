package io.clip4stream.app.cli;

import io.clip4stream.index.http.IndexRoutes;
import io.clip4stream.index.lucene.ClipIndex;
import io.clip4stream.index.lucene.HnswSettings;
import io.clip4stream.index.lucene.LuceneClipStore;
import io.clip4stream.index.lucene.ShardSettings;
import io.clip4stream.index.shard.LocalShards;
import io.clip4stream.index.shard.ShardMap;
import io.clip4stream.index.store.ClipFilter;
import io.clip4stream.index.store.ClipHit;
import io.clip4stream.index.store.ClipKey;
import io.clip4stream.index.store.ReadOnlyClipVectorStore;
import io.clip4stream.query.bench.BenchShard;
import io.clip4stream.query.bench.InMemoryIndexServer;
import io.clip4stream.query.bench.ShardFactory;
import io.clip4stream.runtime.http.HttpHost;
import io.clip4stream.schemas.avro.ClipVector;
import io.clip4stream.schemas.frames.ClipFrames;
import io.clip4stream.schemas.frames.FrameEncoding;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * A query-benchmark shard that is a real Lucene index ({@link ClipIndex} with the default HNSW settings and shard
 * settings) served by the index service's own query routes ({@link IndexRoutes}): k-NN is an HNSW search with the
 * hits' stored fields read, and {@code /v1/frames} reads and unpacks the stored frame blobs, as in production.
 */
final class LuceneBenchShard implements BenchShard {

    /** Prefix of each shard index's name. */
    private static final String NAME_PREFIX = "bench-query-shard-";

    private final ClipIndex index;
    private final TimedStore store;
    private final HttpHost host;
    private final Path dir;
    private final String modelVersion;

    private LuceneBenchShard(ClipIndex index, Path dir, String modelVersion, List<Integer> partitions) {
        this.index = index;
        this.dir = dir;
        this.modelVersion = modelVersion;
        this.store = new TimedStore(index);
        FixedShards shards = new FixedShards(store, partitions);
        HttpHost.Builder builder =
                HttpHost.builder("bench-lucene-index").port(0).bindAddress("127.0.0.1");
        this.host = IndexRoutes.register(builder, shards, () -> modelVersion)
                .build()
                .start();
        shards.self = host.uri().getHost() + ":" + host.uri().getPort();
    }

    /**
     * A factory building each shard's index under {@code workDir} with frames stored in {@code encoding}, reporting
     * build and merge times on {@code progress}.
     */
    static ShardFactory factory(Path workDir, FrameEncoding encoding, PrintWriter progress) {
        return contents -> start(contents, workDir.resolve("shard-" + contents.shard()), encoding, progress);
    }

    /** Writes {@code contents} to a new index in {@code dir}, commits, force-merges it to one segment and serves it. */
    static LuceneBenchShard start(
            ShardFactory.Contents contents, Path dir, FrameEncoding encoding, PrintWriter progress) throws IOException {
        Files.createDirectories(dir);
        ClipIndex index = new ClipIndex(
                NAME_PREFIX + contents.shard(),
                HnswSettings.defaults(),
                ShardSettings.of(LuceneClipStore.DEFAULT_REFRESH_INTERVAL));
        try {
            long start = System.nanoTime();
            index.open(dir);
            List<InMemoryIndexServer.ClipInfo> clips = contents.clips();
            for (int i = 0; i < clips.size(); i++) {
                index.put(clipVector(contents, i, encoding));
            }
            index.commit(Map.of());
            double buildSeconds = (System.nanoTime() - start) / 1e9;
            // The running service's idle merge (ShardSettings.idleMergeAfter) merges a shard that stopped taking
            // writes down to one segment; the benchmark measures that steady state, so it merges now.
            long mergeStart = System.nanoTime();
            index.forceMerge(1);
            index.commit(Map.of());
            index.refresh();
            double mergeSeconds = (System.nanoTime() - mergeStart) / 1e9;
            progress.printf(
                    Locale.ROOT,
                    "shard %d: Lucene index of %d clips (frames %s) built in %.1f s, force-merged to %d segment(s)"
                            + " in %.1f s, as the service's idle merge leaves it%n",
                    contents.shard(),
                    clips.size(),
                    encoding.configName(),
                    buildSeconds,
                    index.visibleSegments(),
                    mergeSeconds);
            progress.flush();
            String version = clips.isEmpty() ? "" : clips.getFirst().modelVersion();
            return new LuceneBenchShard(index, dir, version, List.of(contents.shard()));
        } catch (RuntimeException e) {
            closeAndDelete(index, dir);
            throw e;
        }
    }

    /** Clip {@code i} of {@code contents} as the index service stores it, frames packed in {@code encoding}. */
    static ClipVector clipVector(ShardFactory.Contents contents, int i, FrameEncoding encoding) {
        InMemoryIndexServer.ClipInfo clip = contents.clips().get(i);
        int dim = contents.dim();
        List<Float> vector = new ArrayList<>(dim);
        for (int d = 0; d < dim; d++) {
            vector.add(contents.vectors()[i * dim + d]);
        }
        ClipVector.Builder builder = ClipVector.newBuilder()
                .setClipId(clip.clipId())
                .setSourceId(clip.sourceId())
                .setClipIndex(clip.clipIndex())
                .setStartTimeMicros(clip.startMicros())
                .setEndTimeMicros(clip.endMicros())
                .setTenant(clip.tenant())
                .setTags(new ArrayList<>(clip.tags()))
                .setThumbnailJpeg(ByteBuffer.wrap(clip.thumbnailJpeg() == null ? new byte[0] : clip.thumbnailJpeg()))
                .setModelId(contents.modelId())
                .setModelVersion(clip.modelVersion())
                .setAggregation("meanP")
                .setVector(vector)
                .setIndexedAtMillis(0L);
        return ClipFrames.set(builder, contents.frames().frames(i), encoding).build();
    }

    @Override
    public URI uri() {
        return host.uri();
    }

    @Override
    public long scanNanos() {
        return store.nearestNanos.get();
    }

    @Override
    public List<Hit> nearest(float[] query, int k) {
        return index.nearest(query, k, ClipFilter.modelVersion(modelVersion)).stream()
                .map(hit -> new Hit(hit.clip().getClipId().toString(), hit.score()))
                .toList();
    }

    @Override
    public void close() {
        host.close();
        closeAndDelete(index, dir);
    }

    private static void closeAndDelete(ClipIndex index, Path dir) {
        if (index.isOpen()) {
            index.close();
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete the benchmark shard " + dir, e);
        }
    }

    /** This one shard as an index instance's local shards. */
    private static final class FixedShards implements LocalShards {
        private final ReadOnlyClipVectorStore store;
        private final List<Integer> partitions;
        private volatile String self = "";

        FixedShards(ReadOnlyClipVectorStore store, List<Integer> partitions) {
            this.store = store;
            this.partitions = List.copyOf(partitions);
        }

        @Override
        public ReadOnlyClipVectorStore localStore() {
            return store;
        }

        @Override
        public List<Integer> localActivePartitions() {
            return partitions;
        }

        @Override
        public ShardMap shardMap() {
            int colon = self.lastIndexOf(':');
            return new ShardMap(
                    self,
                    "bench-lucene-index",
                    "RUNNING",
                    partitions.size(),
                    List.of(new ShardMap.Instance(
                            self.substring(0, colon),
                            Integer.parseInt(self.substring(colon + 1)),
                            partitions,
                            List.of())));
        }

        @Override
        public String self() {
            return self;
        }
    }

    /** The index as the query routes see it, timing k-NN searches (HNSW and the hits' stored-field reads). */
    private static final class TimedStore implements ReadOnlyClipVectorStore {
        private final ClipIndex index;
        private final AtomicLong nearestNanos = new AtomicLong();

        TimedStore(ClipIndex index) {
            this.index = index;
        }

        @Override
        public List<ClipHit> nearest(float[] query, int k, ClipFilter filter) {
            return timed(() -> index.nearest(query, k, filter));
        }

        @Override
        public List<ClipHit> nearestWithoutFloats(float[] query, int k, ClipFilter filter) {
            return timed(() -> index.nearestWithoutFloats(query, k, filter));
        }

        private List<ClipHit> timed(java.util.function.Supplier<List<ClipHit>> search) {
            long start = System.nanoTime();
            try {
                return search.get();
            } finally {
                nearestNanos.addAndGet(System.nanoTime() - start);
            }
        }

        @Override
        public Optional<Long> searchableUpTo(String sourceId) {
            return index.searchableUpTo(sourceId);
        }

        @Override
        public Map<String, Long> searchableUpTo() {
            return index.searchableUpTo();
        }

        @Override
        public List<ClipVector> clipVersions(String clipId) {
            return index.clipVersions(clipId);
        }

        @Override
        public List<ClipVector> clipsByKey(Collection<ClipKey> keys) {
            return index.clipsByKey(keys);
        }

        @Override
        public List<ClipVector> clips(ClipFilter filter, int limit) {
            return index.clips(filter, limit);
        }

        @Override
        public long visibleClips() {
            return index.visibleClips();
        }

        @Override
        public Map<String, Long> clipsPerModelVersion() {
            return index.clipsPerModelVersion();
        }

        @Override
        public int visibleSegments() {
            return index.visibleSegments();
        }
    }
}
