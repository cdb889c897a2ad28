package io.clip4stream.index.lucene;

import io.clip4stream.index.store.ChangeLoggingClipVectorStore;
import io.clip4stream.index.store.ClipFilter;
import io.clip4stream.index.store.ClipHit;
import io.clip4stream.index.store.ClipKey;
import io.clip4stream.index.store.ClipVectorOrder;
import io.clip4stream.index.store.ClipVectorStore;
import io.clip4stream.index.store.SourceSpan;
import io.clip4stream.schemas.avro.ClipVector;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.errors.ProcessorStateException;
import org.apache.kafka.streams.processor.BatchingStateRestoreCallback;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.query.Position;
import org.apache.kafka.streams.query.PositionBound;
import org.apache.kafka.streams.query.QueryConfig;
import org.apache.kafka.streams.query.QueryResult;
import org.apache.lucene.codecs.KnnVectorsFormat;
import org.apache.lucene.codecs.lucene104.Lucene104Codec;
import org.apache.lucene.index.FloatVectorValues;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.KnnVectorValues;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.NumericDocValues;
import org.apache.lucene.index.ReaderUtil;
import org.apache.lucene.index.SortedDocValues;
import org.apache.lucene.index.StoredFields;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.BooleanClause.Occur;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.KnnFloatVectorQuery;
import org.apache.lucene.search.MatchAllDocsQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.SearcherManager;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.store.MMapDirectory;
import org.apache.lucene.util.Bits;
import org.apache.lucene.util.VectorUtil;

/**
 * A stream task's clip index in Lucene: one {@link IndexWriter}, one near-real-time {@link SearcherManager} refreshed
 * by an {@link IndexRefresher} (never inside a query), vectors in memory-mapped HNSW files.
 *
 * <p>It manages its changelog offsets: {@link #commit(Map)} keeps the offsets Streams hands it and, at most every
 * commit interval and on close, makes a Lucene commit carrying them as commit user data; {@link #committedOffset}
 * reads them back, so after a clean restart Streams replays only the changelog past the last Lucene commit. After a
 * failover the store starts empty and its restore callback replays the changelog (puts and tombstones).
 *
 * <p>Every I/O failure becomes a {@link ProcessorStateException} naming the store and the operation.
 */
public final class LuceneClipStore implements ClipVectorStore {

    /** Default refresh interval: a new clip is searchable within about this long. */
    public static final Duration DEFAULT_REFRESH_INTERVAL = Duration.ofMillis(250);

    /** Default minimum time between Lucene commits (each fsyncs); a crash replays at most this much changelog. */
    public static final Duration DEFAULT_COMMIT_INTERVAL = Duration.ofSeconds(30);

    private static final String OFFSET_PREFIX = "changelog-offset:";
    private static final double RAM_BUFFER_MB = 64;

    /**
     * Most threads one merge may use to build the merged segment's HNSW graph: merging the graphs of large segments is
     * most of indexing's CPU, and one thread left the second core idle while a 100k-clip merge took minutes.
     */
    private static final int MAXIMUM_MERGE_WORKERS = 4;

    private static final long MERGE_WORKERS_STOP_SECONDS = 10;

    private final String name;
    private final HnswSettings settings;
    private final Duration refreshInterval;
    private final Duration commitInterval;
    private final Map<String, SourceSpan> spans = new ConcurrentHashMap<>();
    private final Object refreshLock = new Object();

    private Path path;
    private MMapDirectory directory;
    private ExecutorService mergeExecutor;
    private IndexWriter writer;
    private SearcherManager searchers;
    private IndexRefresher refresher;
    private StateStoreContext context;
    private Position position = Position.emptyPosition();
    private Map<TopicPartition, Long> pendingOffsets = Map.of();
    private Map<TopicPartition, Long> committedOffsets = Map.of();
    private long lastCommitNanos;
    private volatile Map<String, Long> visibleUpTo = Map.of();
    private volatile boolean open;

    /** A closed store; {@link #init} (in Streams) or {@link #open(Path)} (stand-alone) opens it. */
    public LuceneClipStore(String name, HnswSettings settings, Duration refreshInterval, Duration commitInterval) {
        this.name = Objects.requireNonNull(name, "name");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.refreshInterval = positive(refreshInterval, "refreshInterval");
        this.commitInterval = positive(commitInterval, "commitInterval");
    }

    private static Duration positive(Duration value, String what) {
        Objects.requireNonNull(value, what);
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(what + " must be positive; was " + value);
        }
        return value;
    }

    @Override
    public void init(StateStoreContext stateStoreContext, StateStore root) {
        this.context = stateStoreContext;
        open(stateStoreContext.stateDir().toPath().resolve(name));
        stateStoreContext.register(root, (BatchingStateRestoreCallback) this::restoreAll);
    }

    /** Opens (or creates) the index in {@code dir} and starts refreshing it; used directly outside Kafka Streams. */
    public void open(Path dir) {
        if (open) {
            throw new IllegalStateException("store " + name + " is already open at " + path);
        }
        this.path = dir;
        try {
            Files.createDirectories(dir);
            directory = new MMapDirectory(dir);
            int mergeWorkers =
                    Math.min(MAXIMUM_MERGE_WORKERS, Runtime.getRuntime().availableProcessors());
            if (mergeWorkers > 1) {
                mergeExecutor = Executors.newFixedThreadPool(
                        mergeWorkers,
                        Thread.ofPlatform()
                                .daemon()
                                .name("hnsw-merge-" + name + "-", 0)
                                .factory());
            }
            writer = new IndexWriter(directory, writerConfig(settings.format(mergeWorkers, mergeExecutor)));
            committedOffsets = parseOffsets(writer.getLiveCommitData());
            pendingOffsets = committedOffsets;
            searchers = new SearcherManager(writer, null);
            rebuildSpans();
        } catch (IOException e) {
            closeQuietly();
            throw new ProcessorStateException("cannot open the Lucene index of store " + name + " at " + dir, e);
        }
        lastCommitNanos = System.nanoTime();
        visibleUpTo = newestEnds();
        open = true;
        refresher = IndexRefresher.start(name, refreshInterval, this::refresh);
    }

    /** The writer configuration every clip index uses: our codec, no merge wait on refresh, no commit on close. */
    static IndexWriterConfig writerConfig(HnswSettings settings) {
        return writerConfig(settings.format());
    }

    private static IndexWriterConfig writerConfig(KnnVectorsFormat format) {
        IndexWriterConfig config = new IndexWriterConfig()
                .setOpenMode(IndexWriterConfig.OpenMode.CREATE_OR_APPEND)
                .setCodec(new Lucene104Codec() {
                    @Override
                    public KnnVectorsFormat getKnnVectorsFormatForField(String field) {
                        return format;
                    }
                })
                .setRAMBufferSizeMB(RAM_BUFFER_MB)
                // Separate files per format, so vector and graph files are mapped (and measured) on their own.
                .setUseCompoundFile(false)
                .setCommitOnClose(false);
        // Merging on refresh waits up to 500 ms for HNSW merges by default, which showed as refresh spikes.
        config.setMaxFullFlushMergeWaitMillis(0);
        return config;
    }

    private void restoreAll(Collection<KeyValue<byte[], byte[]>> records) {
        for (KeyValue<byte[], byte[]> record : records) {
            if (record.value == null) {
                delete(ClipKey.fromBytes(record.key));
            } else {
                put(ChangeLoggingClipVectorStore.decode(record.value));
            }
        }
    }

    @Override
    public void put(ClipVector clip) {
        ensureOpen();
        try {
            writer.updateDocument(ClipDocuments.keyTerm(ClipKey.of(clip)), ClipDocuments.toDocument(clip));
        } catch (IOException | RuntimeException e) {
            throw failure("index clip " + clip.getClipId(), e);
        }
        String source = clip.getSourceId().toString();
        spans.merge(source, SourceSpan.of(source, clip.getEndTimeMicros()), (a, b) -> a.plus(b.newestEndMicros()));
        trackPosition();
    }

    private void trackPosition() {
        if (context == null) {
            return;
        }
        Optional<RecordMetadata> metadata = context.recordMetadata();
        // In a punctuation the metadata has no topic: no input record caused the change.
        metadata.filter(m -> m.topic() != null && m.offset() >= 0)
                .ifPresent(m -> position = position.withComponent(m.topic(), m.partition(), m.offset()));
    }

    @Override
    public void delete(ClipKey key) {
        ensureOpen();
        try {
            writer.deleteDocuments(ClipDocuments.keyTerm(key));
        } catch (IOException | RuntimeException e) {
            throw failure("delete clip " + key.clipId(), e);
        }
        trackPosition();
        // The span may now be too wide; spans only drive retention checks, which recompute it from the index.
    }

    @Override
    public List<ClipKey> deleteSource(String sourceId) {
        // Under the refresh lock, so a refresh sees either the deletion and the span's removal or neither.
        synchronized (refreshLock) {
            List<ClipKey> removed = removeMatching(ClipDocuments.sourceQuery(sourceId), "delete source " + sourceId);
            spans.remove(sourceId);
            return removed;
        }
    }

    @Override
    public List<ClipKey> expire(String sourceId, long endBeforeMicros) {
        synchronized (refreshLock) {
            List<ClipKey> removed = removeMatching(
                    ClipDocuments.expiredQuery(sourceId, endBeforeMicros),
                    "expire clips of " + sourceId + " ending before " + endBeforeMicros);
            recomputeSpan(sourceId);
            return removed;
        }
    }

    private List<ClipKey> removeMatching(Query query, String operation) {
        ensureOpen();
        try {
            refresh();
            IndexSearcher searcher = searchers.acquire();
            List<ClipKey> keys = new ArrayList<>();
            try {
                TopDocs docs = searcher.search(
                        query, Math.max(1, searcher.getIndexReader().maxDoc()));
                StoredFields stored = searcher.storedFields();
                for (ScoreDoc doc : docs.scoreDocs) {
                    String key =
                            stored.document(doc.doc, Set.of(ClipDocuments.KEY)).get(ClipDocuments.KEY);
                    keys.add(ClipKey.fromBytes(key.getBytes(StandardCharsets.UTF_8)));
                }
            } finally {
                searchers.release(searcher);
            }
            writer.deleteDocuments(query);
            trackPosition();
            return keys;
        } catch (IOException | RuntimeException e) {
            throw failure(operation, e);
        }
    }

    private void recomputeSpan(String sourceId) {
        try {
            refresh();
            IndexSearcher searcher = searchers.acquire();
            try {
                Map<String, SourceSpan> fresh = spansOf(searcher, sourceId);
                if (fresh.containsKey(sourceId)) {
                    spans.put(sourceId, fresh.get(sourceId));
                } else {
                    spans.remove(sourceId);
                }
            } finally {
                searchers.release(searcher);
            }
        } catch (IOException e) {
            throw failure("recompute the span of " + sourceId, e);
        }
    }

    private void rebuildSpans() throws IOException {
        IndexSearcher searcher = searchers.acquire();
        try {
            spans.clear();
            spans.putAll(spansOf(searcher, null));
        } finally {
            searchers.release(searcher);
        }
    }

    /** Per-source spans read from doc values, for one source or (with {@code null}) all of them. */
    private static Map<String, SourceSpan> spansOf(IndexSearcher searcher, String onlySource) throws IOException {
        Map<String, SourceSpan> found = new HashMap<>();
        for (LeafReaderContext leaf : searcher.getIndexReader().leaves()) {
            SortedDocValues sources = leaf.reader().getSortedDocValues(ClipDocuments.SOURCE);
            NumericDocValues ends = leaf.reader().getNumericDocValues(ClipDocuments.END);
            if (sources == null || ends == null) {
                continue;
            }
            Bits live = leaf.reader().getLiveDocs();
            for (int doc = sources.nextDoc(); doc != SortedDocValues.NO_MORE_DOCS; doc = sources.nextDoc()) {
                if (live != null && !live.get(doc)) {
                    continue;
                }
                String source = sources.lookupOrd(sources.ordValue()).utf8ToString();
                if (onlySource != null && !onlySource.equals(source)) {
                    continue;
                }
                if (!ends.advanceExact(doc)) {
                    continue;
                }
                long end = ends.longValue();
                found.merge(source, SourceSpan.of(source, end), (a, b) -> a.plus(b.newestEndMicros()));
            }
        }
        return found;
    }

    @Override
    public Collection<SourceSpan> sourceSpans() {
        return List.copyOf(spans.values());
    }

    @Override
    public void refresh() {
        ensureOpen();
        synchronized (refreshLock) {
            // Snapshot before refreshing: everything in the snapshot was written before the refresh began, so the
            // published "searchable up to" never runs ahead of what queries can see.
            Map<String, Long> snapshot = newestEnds();
            try {
                searchers.maybeRefreshBlocking();
            } catch (IOException | RuntimeException e) {
                throw failure("refresh the searcher", e);
            }
            visibleUpTo = snapshot;
        }
    }

    private Map<String, Long> newestEnds() {
        Map<String, Long> ends = new HashMap<>();
        spans.values().forEach(span -> ends.put(span.sourceId(), span.newestEndMicros()));
        return Map.copyOf(ends);
    }

    @Override
    public List<ClipHit> nearest(float[] query, int k, ClipFilter filter) {
        if (k < 1 || query.length == 0) {
            throw new IllegalArgumentException("k must be >= 1 and the query non-empty; k was " + k);
        }
        ensureOpen();
        RuntimeException refreshFailure = refresher.failure();
        if (refreshFailure != null) {
            throw new ProcessorStateException("store " + name + " cannot refresh its searcher", refreshFailure);
        }
        int candidates = Math.max(k, settings.searchCandidates());
        String field = ClipDocuments.vectorField(query.length);
        try {
            IndexSearcher searcher = searchers.acquire();
            try {
                Query knn = new KnnFloatVectorQuery(
                        field, query, candidates, ClipDocuments.filterQuery(filter, searcher.getIndexReader()));
                TopDocs top = searcher.search(knn, candidates);
                // A quantized graph ranks by approximate scores: rescore every candidate it found with the raw
                // floats, so the graph's extra candidates recover what quantization misranked. A float graph's
                // ranking is already exact, so only the returned hits need their exact score.
                int rescored = settings.quantization() == HnswSettings.Quantization.FLOAT32
                        ? Math.min(k, top.scoreDocs.length)
                        : top.scoreDocs.length;
                ScoredDoc[] exact = exactScores(searcher, field, query, top.scoreDocs, rescored);
                Arrays.sort(exact, ScoredDoc.BEST_FIRST);
                // Only the hits returned load their clip: its frame embeddings are most of a document.
                int[] docs = new int[Math.min(k, exact.length)];
                for (int i = 0; i < docs.length; i++) {
                    docs[i] = exact[i].doc();
                }
                ClipVector[] clips = ClipDocuments.load(searcher.getIndexReader(), docs);
                List<ClipHit> hits = new ArrayList<>(docs.length);
                for (int i = 0; i < docs.length; i++) {
                    hits.add(new ClipHit(clips[i], exact[i].score()));
                }
                hits.sort(ClipHit.BEST_FIRST);
                return hits;
            } finally {
                searchers.release(searcher);
            }
        } catch (IOException | RuntimeException e) {
            throw failure("search " + k + " nearest clips", e);
        }
    }

    @Override
    public List<ClipVector> clipVersions(String clipId) {
        return loadMatching(ClipDocuments.clipIdQuery(clipId), Integer.MAX_VALUE, "look up clip " + clipId);
    }

    @Override
    public List<ClipVector> clips(ClipFilter filter, int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be >= 1; was " + limit);
        }
        return loadMatching(null, limit, filter, "list clips");
    }

    private List<ClipVector> loadMatching(Query query, int limit, String operation) {
        return loadMatching(query, limit, null, operation);
    }

    /** Loads at most {@code limit} clips matching {@code query} and {@code filter} (null: no condition). */
    private List<ClipVector> loadMatching(Query query, int limit, ClipFilter filter, String operation) {
        ensureOpen();
        try {
            IndexSearcher searcher = searchers.acquire();
            try {
                BooleanQuery.Builder all = new BooleanQuery.Builder().add(new MatchAllDocsQuery(), Occur.FILTER);
                if (query != null) {
                    all.add(query, Occur.FILTER);
                }
                Query filterQuery =
                        filter == null ? null : ClipDocuments.filterQuery(filter, searcher.getIndexReader());
                if (filterQuery != null) {
                    all.add(filterQuery, Occur.FILTER);
                } else if (filter != null) {
                    all.add(new TermQuery(new Term(ClipDocuments.MODEL_VERSION, filter.modelVersion())), Occur.FILTER);
                }
                int n = (int)
                        Math.min(limit, Math.max(1, searcher.getIndexReader().maxDoc()));
                TopDocs top = searcher.search(all.build(), n);
                int[] docs = Arrays.stream(top.scoreDocs).mapToInt(d -> d.doc).toArray();
                List<ClipVector> clips =
                        new ArrayList<>(Arrays.asList(ClipDocuments.load(searcher.getIndexReader(), docs)));
                clips.sort(ClipVectorOrder.EARLIEST_FIRST);
                return List.copyOf(clips);
            } finally {
                searchers.release(searcher);
            }
        } catch (IOException | RuntimeException e) {
            throw failure(operation, e);
        }
    }

    /** A document and its exact dot product with the query. */
    private record ScoredDoc(int doc, float score) {
        static final Comparator<ScoredDoc> BEST_FIRST =
                Comparator.comparingDouble((ScoredDoc d) -> -d.score()).thenComparingInt(ScoredDoc::doc);
    }

    /**
     * The exact dot products of the query with the raw float vectors of the first {@code count} docs, read from each
     * segment's vector values (memory-mapped), not from the stored clips.
     */
    private static ScoredDoc[] exactScores(
            IndexSearcher searcher, String field, float[] query, ScoreDoc[] docs, int count) throws IOException {
        ScoreDoc[] byDoc = Arrays.copyOf(docs, count);
        Arrays.sort(byDoc, Comparator.comparingInt((ScoreDoc d) -> d.doc));
        List<LeafReaderContext> leaves = searcher.getIndexReader().leaves();
        ScoredDoc[] scored = new ScoredDoc[count];
        int leafIndex = -1;
        FloatVectorValues values = null;
        KnnVectorValues.DocIndexIterator iterator = null;
        for (int i = 0; i < count; i++) {
            int doc = byDoc[i].doc;
            int sub = ReaderUtil.subIndex(doc, leaves);
            LeafReaderContext leaf = leaves.get(sub);
            if (sub != leafIndex) {
                leafIndex = sub;
                values = leaf.reader().getFloatVectorValues(field);
                iterator = values == null ? null : values.iterator();
            }
            int leafDoc = doc - leaf.docBase;
            if (iterator == null || iterator.advance(leafDoc) != leafDoc) {
                throw new IllegalStateException("hit " + doc + " has no vector in field " + field);
            }
            scored[i] = new ScoredDoc(doc, VectorUtil.dotProduct(query, values.vectorValue(iterator.index())));
        }
        return scored;
    }

    @Override
    public Optional<Long> searchableUpTo(String sourceId) {
        return Optional.ofNullable(visibleUpTo.get(sourceId));
    }

    @Override
    public Map<String, Long> searchableUpTo() {
        return visibleUpTo;
    }

    @Override
    public long visibleClips() {
        ensureOpen();
        try {
            IndexSearcher searcher = searchers.acquire();
            try {
                return searcher.getIndexReader().numDocs();
            } finally {
                searchers.release(searcher);
            }
        } catch (IOException e) {
            throw failure("count clips", e);
        }
    }

    @Override
    public void flush() {
        ensureOpen();
        commitLucene(pendingOffsets);
    }

    @Override
    public void commit(Map<TopicPartition, Long> changelogOffsets) {
        ensureOpen();
        pendingOffsets = Map.copyOf(withoutNulls(changelogOffsets));
        if (System.nanoTime() - lastCommitNanos >= commitInterval.toNanos()) {
            commitLucene(pendingOffsets);
        }
    }

    private static Map<TopicPartition, Long> withoutNulls(Map<TopicPartition, Long> offsets) {
        Map<TopicPartition, Long> copy = new HashMap<>();
        offsets.forEach((partition, offset) -> {
            if (offset != null) {
                copy.put(partition, offset);
            }
        });
        return copy;
    }

    private void commitLucene(Map<TopicPartition, Long> offsets) {
        Map<String, String> userData = new TreeMap<>();
        offsets.forEach((partition, offset) -> userData.put(OFFSET_PREFIX + partition, Long.toString(offset)));
        try {
            writer.setLiveCommitData(userData.entrySet());
            writer.commit();
        } catch (IOException | RuntimeException e) {
            throw failure("commit the index with changelog offsets " + offsets, e);
        }
        committedOffsets = offsets;
        lastCommitNanos = System.nanoTime();
    }

    private static Map<TopicPartition, Long> parseOffsets(Iterable<Map.Entry<String, String>> userData) {
        Map<TopicPartition, Long> offsets = new HashMap<>();
        if (userData == null) {
            return offsets;
        }
        for (Map.Entry<String, String> entry : userData) {
            if (!entry.getKey().startsWith(OFFSET_PREFIX)) {
                continue;
            }
            String partition = entry.getKey().substring(OFFSET_PREFIX.length());
            int dash = partition.lastIndexOf('-');
            offsets.put(
                    new TopicPartition(partition.substring(0, dash), Integer.parseInt(partition.substring(dash + 1))),
                    Long.parseLong(entry.getValue()));
        }
        return offsets;
    }

    @Override
    public Long committedOffset(TopicPartition partition) {
        return committedOffsets.get(partition);
    }

    /** The changelog offsets of the last Lucene commit, as stored in its commit user data. */
    public Map<TopicPartition, Long> committedOffsets() {
        return Map.copyOf(committedOffsets);
    }

    @Override
    public boolean managesOffsets() {
        return true;
    }

    /**
     * Expert: merges the index down to at most {@code maxSegments} segments, waits for it, commits and refreshes;
     * for benchmarks and offline compaction, never called by the topology.
     */
    public void forceMerge(int maxSegments) {
        ensureOpen();
        try {
            writer.forceMerge(maxSegments);
        } catch (IOException | RuntimeException e) {
            throw failure("merge down to " + maxSegments + " segments", e);
        }
        commitLucene(pendingOffsets);
        refresh();
    }

    /** How many segments queries currently search. */
    public int visibleSegments() {
        ensureOpen();
        try {
            IndexSearcher searcher = searchers.acquire();
            try {
                return searcher.getIndexReader().leaves().size();
            } finally {
                searchers.release(searcher);
            }
        } catch (IOException e) {
            throw failure("count segments", e);
        }
    }

    /** The index directory (for size reports). */
    public Path path() {
        return path;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public void close() {
        if (!open) {
            return;
        }
        open = false;
        refresher.close();
        try {
            if (writer.hasUncommittedChanges() || !pendingOffsets.equals(committedOffsets)) {
                commitLucene(pendingOffsets);
            }
        } finally {
            closeQuietlyOrThrow();
        }
    }

    private void closeQuietlyOrThrow() {
        try {
            closeResources();
        } catch (IOException e) {
            throw new ProcessorStateException("cannot close the Lucene index of store " + name + " at " + path, e);
        }
    }

    private void closeQuietly() {
        try {
            closeResources();
        } catch (IOException | RuntimeException suppressed) {
            // Opening already failed; that failure is the one reported.
        }
    }

    private void closeResources() throws IOException {
        IOException first = null;
        for (AutoCloseable resource : new AutoCloseable[] {searchers, writer, directory}) {
            if (resource == null) {
                continue;
            }
            try {
                resource.close();
            } catch (Exception e) {
                if (first == null) {
                    first = e instanceof IOException io ? io : new IOException(e);
                }
            }
        }
        if (mergeExecutor != null) {
            // The writer is closed, so no merge uses the workers any more; idle workers end at once.
            mergeExecutor.shutdownNow();
            try {
                if (!mergeExecutor.awaitTermination(MERGE_WORKERS_STOP_SECONDS, TimeUnit.SECONDS) && first == null) {
                    first = new IOException("the HNSW merge threads of store " + name + " did not stop");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            mergeExecutor = null;
        }
        if (first != null) {
            throw first;
        }
    }

    @Override
    public boolean persistent() {
        return true;
    }

    @Override
    public boolean isOpen() {
        return open;
    }

    @Override
    public <R> QueryResult<R> query(
            org.apache.kafka.streams.query.Query<R> query, PositionBound positionBound, QueryConfig config) {
        return QueryResult.forUnknownQueryType(query, this);
    }

    @Override
    public Position getPosition() {
        return position;
    }

    private void ensureOpen() {
        if (!open) {
            throw new ProcessorStateException("store " + name + " is not open");
        }
    }

    private ProcessorStateException failure(String operation, Exception cause) {
        if (cause instanceof ProcessorStateException state) {
            return state;
        }
        return new ProcessorStateException("store " + name + " at " + path + " failed to " + operation, cause);
    }

    @Override
    public String toString() {
        return "LuceneClipStore(" + name + ", " + settings + ", refresh " + refreshInterval.toMillis() + " ms)";
    }
}
