package io.clip4stream.index.lucene;

import io.clip4stream.index.store.ClipFilter;
import io.clip4stream.index.store.ClipHit;
import io.clip4stream.index.store.ClipKey;
import io.clip4stream.index.store.ClipVectorOrder;
import io.clip4stream.index.store.Removal;
import io.clip4stream.index.store.RemovalBudget;
import io.clip4stream.index.store.SourceSpan;
import io.clip4stream.schemas.avro.ClipVector;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.apache.lucene.codecs.KnnVectorsFormat;
import org.apache.lucene.codecs.lucene104.Lucene104Codec;
import org.apache.lucene.index.BinaryDocValues;
import org.apache.lucene.index.FloatVectorValues;
import org.apache.lucene.index.IndexReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.KnnVectorValues;
import org.apache.lucene.index.LeafReader;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.NumericDocValues;
import org.apache.lucene.index.ReaderUtil;
import org.apache.lucene.index.SortedDocValues;
import org.apache.lucene.index.StoredFields;
import org.apache.lucene.index.Term;
import org.apache.lucene.index.TieredMergePolicy;
import org.apache.lucene.search.BooleanClause.Occur;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.KnnFloatVectorQuery;
import org.apache.lucene.search.MatchAllDocsQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.SearcherFactory;
import org.apache.lucene.search.SearcherManager;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.store.MMapDirectory;
import org.apache.lucene.util.Bits;
import org.apache.lucene.util.BytesRef;
import org.apache.lucene.util.VectorUtil;

/**
 * One shard's clip index in Lucene, and nothing of Kafka: one {@link IndexWriter}, one near-real-time
 * {@link SearcherManager} refreshed by an {@link IndexRefresher} (never inside a query), vectors in memory-mapped HNSW
 * files, segments searched concurrently on a bounded pool, an explicit {@link TieredMergePolicy}.
 *
 * <p>Writes come from one thread (a stream task's); queries and the refresher run on others. Removal by source and
 * retention is one pass over the doc values of every segment for all due sources at once, with one refresh, bounded
 * by a {@link RemovalBudget} so the writing thread is never held long (see {@link #remove}).
 *
 * <p>Every failure is a {@link ClipIndexException} naming the index, its directory and the operation.
 */
public final class ClipIndex implements AutoCloseable {

    private static final double RAM_BUFFER_MB = 64;

    /**
     * Most threads one merge may use to build the merged segment's HNSW graph: merging the graphs of large segments is
     * most of indexing's CPU, and one thread left the second core idle while a 100k-clip merge took minutes.
     */
    private static final int MAXIMUM_MERGE_WORKERS = 4;

    private static final long THREADS_STOP_SECONDS = 10;

    /** Documents a removal pass looks at between two readings of the clock (reading it per document costs more). */
    private static final int CLOCK_CHECK_DOCUMENTS = 256;

    /** A source ordinal's cutoff when the source has nothing due in this pass. */
    private static final long NOT_DUE = Long.MIN_VALUE;

    private final String name;
    private final HnswSettings settings;
    private final ShardSettings shard;
    private final LongSupplier nanoClock;
    private final Map<String, SourceSpan> spans = new ConcurrentHashMap<>();
    private final Object refreshLock = new Object();
    private final AtomicLong refreshes = new AtomicLong();
    private final AtomicLong maintenancePasses = new AtomicLong();
    private final AtomicLong maintenanceRefreshes = new AtomicLong();
    private final AtomicLong documentsScanned = new AtomicLong();
    private final AtomicLong writes = new AtomicLong();
    private final AtomicLong idleMerges = new AtomicLong();
    private final TimedMergeScheduler mergeScheduler = new TimedMergeScheduler();
    private volatile long lastWriteNanos;
    private long idleMergedAtWrites = -1;

    private Path path;
    private MMapDirectory directory;
    private ExecutorService mergeExecutor;
    private ExecutorService searchExecutor;
    private IndexWriter writer;
    private SearcherManager searchers;
    private IndexRefresher refresher;
    private Map<String, String> commitData = Map.of();
    private volatile Map<String, Long> visibleUpTo = Map.of();
    private volatile boolean open;

    /** A closed index called {@code name}; {@link #open(Path)} opens it. */
    public ClipIndex(String name, HnswSettings settings, ShardSettings shard) {
        this(name, settings, shard, System::nanoTime);
    }

    /** A closed index reading time from {@code nanoClock} for its removal budget (tests give a fake clock). */
    ClipIndex(String name, HnswSettings settings, ShardSettings shard, LongSupplier nanoClock) {
        this.name = Objects.requireNonNull(name, "name");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.shard = Objects.requireNonNull(shard, "shard");
        this.nanoClock = Objects.requireNonNull(nanoClock, "nanoClock");
    }

    /** Opens (or creates) the index in {@code dir} and starts refreshing it. */
    public void open(Path dir) {
        if (open) {
            throw new IllegalStateException("index " + name + " is already open at " + path);
        }
        this.path = dir;
        try {
            Files.createDirectories(dir);
            directory = new MMapDirectory(dir);
            int mergeWorkers =
                    Math.min(MAXIMUM_MERGE_WORKERS, Runtime.getRuntime().availableProcessors());
            if (mergeWorkers > 1) {
                mergeExecutor = Executors.newFixedThreadPool(mergeWorkers, daemonThreads("hnsw-merge-" + name + "-"));
            }
            if (shard.searchThreads() > 1) {
                // Bounded: a burst of queries queues for these threads instead of multiplying them.
                searchExecutor = Executors.newFixedThreadPool(
                        shard.searchThreads(), daemonThreads("index-search-" + name + "-"));
            }
            writer = new IndexWriter(
                    directory,
                    writerConfig(settings.format(mergeWorkers, mergeExecutor), shard)
                            .setMergeScheduler(mergeScheduler));
            commitData = readCommitData(writer.getLiveCommitData());
            ExecutorService executor = searchExecutor;
            searchers = new SearcherManager(writer, new SearcherFactory() {
                @Override
                public IndexSearcher newSearcher(IndexReader reader, IndexReader previousReader) {
                    // With an executor, a k-NN query searches each segment's graph on its own task.
                    return new IndexSearcher(reader, executor);
                }
            });
            rebuildSpans();
        } catch (IOException | RuntimeException e) {
            closeQuietly();
            throw new ClipIndexException("cannot open the Lucene index " + name + " at " + dir, e);
        }
        visibleUpTo = newestEnds();
        lastWriteNanos = nanoClock.getAsLong();
        open = true;
        refresher = IndexRefresher.start(name, shard.refreshInterval(), () -> {
            refresh();
            mergeWhenIdle();
        });
    }

    private static java.util.concurrent.ThreadFactory daemonThreads(String prefix) {
        return Thread.ofPlatform().daemon().name(prefix, 0).factory();
    }

    /** The writer configuration every clip index uses, with the default shard settings' merge policy. */
    static IndexWriterConfig writerConfig(HnswSettings settings) {
        return writerConfig(settings.format(), ShardSettings.of(java.time.Duration.ofSeconds(1)));
    }

    /** Our codec, our merge policy, no merge wait on refresh, no commit on close. */
    private static IndexWriterConfig writerConfig(KnnVectorsFormat format, ShardSettings shard) {
        IndexWriterConfig config = new IndexWriterConfig()
                .setOpenMode(IndexWriterConfig.OpenMode.CREATE_OR_APPEND)
                .setCodec(new Lucene104Codec() {
                    @Override
                    public KnnVectorsFormat getKnnVectorsFormatForField(String field) {
                        return format;
                    }
                })
                .setMergePolicy(mergePolicy(shard))
                .setRAMBufferSizeMB(RAM_BUFFER_MB)
                // Separate files per format, so vector and graph files are mapped (and measured) on their own.
                .setUseCompoundFile(false)
                .setCommitOnClose(false);
        // Merging on refresh waits up to 500 ms for HNSW merges by default, which showed as refresh spikes.
        config.setMaxFullFlushMergeWaitMillis(0);
        return config;
    }

    /** The merge policy of {@code shard}; see {@link ShardSettings} for why these two knobs. */
    static TieredMergePolicy mergePolicy(ShardSettings shard) {
        TieredMergePolicy policy = new TieredMergePolicy();
        policy.setFloorSegmentMB(shard.mergeFloorMb());
        policy.setSegmentsPerTier(shard.segmentsPerTier());
        return policy;
    }

    /** Notes a write, which postpones the idle merge. */
    private void wrote() {
        writes.incrementAndGet();
        lastWriteNanos = nanoClock.getAsLong();
    }

    /**
     * Starts a background merge down to the shard's idle-merge segment count when nothing was written for its idle
     * time and none was started since the last write; returns whether it started one. Lucene's merge threads do the
     * work: this only asks ({@code forceMerge} without waiting), so the refresher that calls it goes on refreshing, and
     * a write arriving meanwhile is indexed into a new segment as usual. Once per idle period, so an index that cannot
     * get below the count (a merge that Lucene declines) is not asked again and again.
     */
    boolean mergeWhenIdle() {
        if (!shard.idleMergeOn() || !open) {
            return false;
        }
        long writesNow = writes.get();
        if (writesNow == idleMergedAtWrites
                || nanoClock.getAsLong() - lastWriteNanos
                        < shard.idleMergeAfter().toNanos()) {
            return false;
        }
        idleMergedAtWrites = writesNow;
        if (visibleSegments() <= shard.idleMergeSegments() || writer.hasPendingMerges()) {
            return false;
        }
        try {
            writer.forceMerge(shard.idleMergeSegments(), false);
        } catch (IOException | RuntimeException e) {
            throw failure("start an idle merge down to " + shard.idleMergeSegments() + " segments", e);
        }
        idleMerges.incrementAndGet();
        return true;
    }

    /** Waits until no merge is running (tests and benchmarks; a merge started meanwhile is waited for too). */
    void awaitMerges() {
        mergeScheduler.sync();
    }

    /** Merges done since the index opened, their total time, and how many idle merges were started. */
    public MergeCounters mergeCounters() {
        return new MergeCounters(mergeScheduler.merges.get(), mergeScheduler.nanos.get(), idleMerges.get());
    }

    /** Lucene's concurrent merge scheduler, timing each merge (HNSW merges are most of indexing's CPU). */
    private static final class TimedMergeScheduler extends org.apache.lucene.index.ConcurrentMergeScheduler {
        final AtomicLong merges = new AtomicLong();
        final AtomicLong nanos = new AtomicLong();

        @Override
        protected void doMerge(MergeSource mergeSource, org.apache.lucene.index.MergePolicy.OneMerge merge)
                throws IOException {
            long start = System.nanoTime();
            try {
                super.doMerge(mergeSource, merge);
            } finally {
                nanos.addAndGet(System.nanoTime() - start);
                merges.incrementAndGet();
            }
        }
    }

    /** The user data of the last commit (as found when opened, or as last given to {@link #commit}). */
    public Map<String, String> commitData() {
        return commitData;
    }

    /** Adds {@code clip}, replacing the clip with the same {@link ClipKey}; searchable after the next refresh. */
    public void put(ClipVector clip) {
        ensureOpen();
        try {
            writer.updateDocument(ClipDocuments.keyTerm(ClipKey.of(clip)), ClipDocuments.toDocument(clip));
            wrote();
        } catch (IOException | RuntimeException e) {
            throw failure("index clip " + clip.getClipId(), e);
        }
        String source = clip.getSourceId().toString();
        spans.merge(source, SourceSpan.of(source, clip.getEndTimeMicros()), (a, b) -> a.plus(b.newestEndMicros()));
    }

    /** Removes the clip with {@code key} if it is held. */
    public void delete(ClipKey key) {
        ensureOpen();
        try {
            writer.deleteDocuments(ClipDocuments.keyTerm(key));
            wrote();
        } catch (IOException | RuntimeException e) {
            throw failure("delete clip " + key.clipId(), e);
        }
        // The span may now be too wide; spans only drive retention checks, and a removal pass recomputes them.
    }

    /**
     * Removes the clips of every source in {@code endBeforeMicros} ending before that source's cutoff
     * ({@link Long#MAX_VALUE}: all of them) in one pass: one refresh, then one walk over each segment's source and end
     * doc values, collecting the keys of due clips from their doc values, then one batch of deletes by key. The pass
     * stops early when it has collected {@code budget.maxClips()} clips or run {@code budget.maxTime()}; it then
     * reports itself incomplete, and the next call with the same cutoffs goes on from the document where it stopped
     * (other cutoffs start a new round). The pass that completes a round also recomputes the spans of its sources.
     */
    public Removal remove(Map<String, Long> endBeforeMicros, RemovalBudget budget) {
        ensureOpen();
        if (endBeforeMicros.isEmpty()) {
            return new Removal(List.of(), true);
        }
        // Under the refresh lock, so a refresh sees either the deletions and the spans' update or neither.
        synchronized (refreshLock) {
            maintenancePasses.incrementAndGet();
            try {
                // Every write so far must be visible, or a clip put since the last refresh would be deleted from the
                // index without its key being reported.
                maintenanceRefreshes.incrementAndGet();
                refreshLocked();
                IndexSearcher searcher = searchers.acquire();
                Pass pass;
                try {
                    pass = scan(searcher.getIndexReader(), endBeforeMicros, budget);
                } finally {
                    searchers.release(searcher);
                }
                Term[] terms = new Term[pass.removed().size()];
                for (int i = 0; i < terms.length; i++) {
                    terms[i] = ClipDocuments.keyTerm(pass.removed().get(i).key());
                }
                if (terms.length > 0) {
                    writer.deleteDocuments(terms);
                    wrote();
                }
                if (pass.complete()) {
                    Map<String, SourceSpan> keptSpans = round.kept;
                    round = null;
                    for (String source : endBeforeMicros.keySet()) {
                        SourceSpan kept = keptSpans.get(source);
                        if (kept == null) {
                            spans.remove(source);
                        } else {
                            spans.put(source, kept);
                        }
                    }
                }
                return new Removal(pass.removed(), pass.complete());
            } catch (IOException | RuntimeException e) {
                throw failure("remove the due clips of " + endBeforeMicros.size() + " sources", e);
            }
        }
    }

    /** What one scan found: the due clips, and whether the round it belongs to has now covered every document. */
    private record Pass(List<Removal.Removed> removed, boolean complete) {}

    /**
     * Where a removal round stands between passes, so that a pass cut short by its budget goes on where it stopped
     * instead of scanning the same documents again (deleted documents stay in their segment until it is merged, and a
     * budget smaller than that prefix would never get past it). Segments are immutable, so a segment is known by its
     * core's cache key across refreshes; a merged segment is new and is scanned, which is harmless: the documents of
     * a round are kept or removed by the same cutoffs.
     */
    private static final class Round {
        final Map<String, Long> due;
        final Set<Object> covered = new java.util.HashSet<>();
        final Map<String, SourceSpan> kept = new HashMap<>();
        Object segment;
        int nextDoc;

        Round(Map<String, Long> due) {
            this.due = Map.copyOf(due);
        }
    }

    private Round round;

    private Pass scan(IndexReader reader, Map<String, Long> endBeforeMicros, RemovalBudget budget) throws IOException {
        if (round == null || !round.due.equals(endBeforeMicros)) {
            round = new Round(endBeforeMicros);
        }
        Round current = round;
        long deadline = saturatedAdd(nanoClock.getAsLong(), budget.maxTime().toNanos());
        List<Removal.Removed> removed = new ArrayList<>();
        long scanned = 0;
        try {
            for (LeafReaderContext leaf : reader.leaves()) {
                LeafReader segment = leaf.reader();
                Object segmentKey = segment.getCoreCacheHelper() == null
                        ? segment
                        : segment.getCoreCacheHelper().getKey();
                if (current.covered.contains(segmentKey)) {
                    continue;
                }
                SortedDocValues sources = segment.getSortedDocValues(ClipDocuments.SOURCE);
                NumericDocValues ends = segment.getNumericDocValues(ClipDocuments.END);
                if (sources == null || ends == null) {
                    current.covered.add(segmentKey);
                    continue;
                }
                // Source ids become ordinals once per segment, so each document costs an array read.
                long[] cutoffs = new long[sources.getValueCount()];
                Arrays.fill(cutoffs, NOT_DUE);
                String[] names = new String[cutoffs.length];
                boolean anyDue = false;
                for (Map.Entry<String, Long> due : endBeforeMicros.entrySet()) {
                    int ord = sources.lookupTerm(new BytesRef(due.getKey()));
                    if (ord >= 0) {
                        cutoffs[ord] = due.getValue();
                        names[ord] = due.getKey();
                        anyDue = true;
                    }
                }
                if (!anyDue) {
                    current.covered.add(segmentKey);
                    continue;
                }
                BinaryDocValues keys = segment.getBinaryDocValues(ClipDocuments.KEY_VALUES);
                StoredFields stored = null;
                Bits live = segment.getLiveDocs();
                int first = segmentKey.equals(current.segment) ? current.nextDoc : 0;
                for (int doc = sources.advance(first); doc != SortedDocValues.NO_MORE_DOCS; doc = sources.nextDoc()) {
                    if (++scanned % CLOCK_CHECK_DOCUMENTS == 0 && nanoClock.getAsLong() - deadline > 0) {
                        current.segment = segmentKey;
                        current.nextDoc = doc;
                        return new Pass(removed, false);
                    }
                    if (live != null && !live.get(doc)) {
                        continue;
                    }
                    int ord = sources.ordValue();
                    long cutoff = cutoffs[ord];
                    if (cutoff == NOT_DUE || !ends.advanceExact(doc)) {
                        continue;
                    }
                    long end = ends.longValue();
                    String source = names[ord];
                    if (cutoff == Long.MAX_VALUE || end < cutoff) {
                        if (removed.size() == budget.maxClips()) {
                            current.segment = segmentKey;
                            current.nextDoc = doc;
                            return new Pass(removed, false);
                        }
                        ClipKey key;
                        if (keys != null && keys.advanceExact(doc)) {
                            BytesRef bytes = keys.binaryValue();
                            key = ClipKey.fromBytes(
                                    Arrays.copyOfRange(bytes.bytes, bytes.offset, bytes.offset + bytes.length));
                        } else {
                            // Written before the key had doc values: read the stored key.
                            stored = stored == null ? segment.storedFields() : stored;
                            String text = stored.document(doc, Set.of(ClipDocuments.KEY))
                                    .get(ClipDocuments.KEY);
                            key = ClipKey.fromBytes(text.getBytes(StandardCharsets.UTF_8));
                        }
                        removed.add(new Removal.Removed(source, key));
                    } else {
                        current.kept.merge(source, SourceSpan.of(source, end), (a, b) -> a.plus(b.newestEndMicros()));
                    }
                }
                current.covered.add(segmentKey);
            }
            return new Pass(removed, true);
        } finally {
            documentsScanned.addAndGet(scanned);
        }
    }

    private static long saturatedAdd(long a, long b) {
        long sum = a + b;
        return ((a ^ sum) & (b ^ sum)) < 0 ? Long.MAX_VALUE : sum;
    }

    private void rebuildSpans() throws IOException {
        IndexSearcher searcher = searchers.acquire();
        try {
            spans.clear();
            spans.putAll(spansOf(searcher.getIndexReader()));
        } finally {
            searchers.release(searcher);
        }
    }

    /** Per-source spans read from doc values. */
    private static Map<String, SourceSpan> spansOf(IndexReader reader) throws IOException {
        Map<String, SourceSpan> found = new HashMap<>();
        for (LeafReaderContext leaf : reader.leaves()) {
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
                if (!ends.advanceExact(doc)) {
                    continue;
                }
                String source = sources.lookupOrd(sources.ordValue()).utf8ToString();
                long end = ends.longValue();
                found.merge(source, SourceSpan.of(source, end), (a, b) -> a.plus(b.newestEndMicros()));
            }
        }
        return found;
    }

    /** What the index holds per source, including writes not yet visible to queries. */
    public Collection<SourceSpan> sourceSpans() {
        return List.copyOf(spans.values());
    }

    /** Makes every write so far visible to queries now; the refresher also does this on its schedule. */
    public void refresh() {
        ensureOpen();
        synchronized (refreshLock) {
            try {
                refreshLocked();
            } catch (IOException | RuntimeException e) {
                throw failure("refresh the searcher", e);
            }
        }
    }

    private void refreshLocked() throws IOException {
        // Snapshot before refreshing: everything in the snapshot was written before the refresh began, so the
        // published "searchable up to" never runs ahead of what queries can see.
        Map<String, Long> snapshot = newestEnds();
        searchers.maybeRefreshBlocking();
        refreshes.incrementAndGet();
        visibleUpTo = snapshot;
    }

    private Map<String, Long> newestEnds() {
        Map<String, Long> ends = new HashMap<>();
        spans.values().forEach(span -> ends.put(span.sourceId(), span.newestEndMicros()));
        return Map.copyOf(ends);
    }

    /**
     * Returns at most {@code k} clips that pass {@code filter}, most similar to {@code query} first, scored exactly.
     *
     * @throws IllegalArgumentException when {@code k < 1} or the query is empty
     */
    public List<ClipHit> nearest(float[] query, int k, ClipFilter filter) {
        return nearest(query, k, filter, settings.searchCandidates());
    }

    /**
     * {@link #nearest(float[], int, ClipFilter)} keeping {@code searchCandidates} candidates (efSearch) instead of the
     * configured number: the recall-for-speed trade of one search (at least k are always kept).
     *
     * @throws IllegalArgumentException when {@code k < 1}, the query is empty or {@code searchCandidates < 1}
     */
    public List<ClipHit> nearest(float[] query, int k, ClipFilter filter, int searchCandidates) {
        return nearest(query, k, filter, searchCandidates, true);
    }

    /**
     * {@link #nearest(float[], int, ClipFilter)} whose hits' clips come without their vector and frame embeddings:
     * what a k-NN answer without frames sends, without reading or copying the floats that are most of a document.
     */
    public List<ClipHit> nearestWithoutFloats(float[] query, int k, ClipFilter filter) {
        return nearest(query, k, filter, settings.searchCandidates(), false);
    }

    /**
     * {@link #nearestWithoutFloats(float[], int, ClipFilter)} keeping {@code searchCandidates} candidates (efSearch)
     * instead of the configured number.
     *
     * @throws IllegalArgumentException when {@code k < 1}, the query is empty or {@code searchCandidates < 1}
     */
    public List<ClipHit> nearestWithoutFloats(float[] query, int k, ClipFilter filter, int searchCandidates) {
        return nearest(query, k, filter, searchCandidates, false);
    }

    private List<ClipHit> nearest(float[] query, int k, ClipFilter filter, int searchCandidates, boolean withFloats) {
        if (k < 1 || query.length == 0 || searchCandidates < 1) {
            throw new IllegalArgumentException("k and searchCandidates must be >= 1 and the query non-empty; k was " + k
                    + ", searchCandidates " + searchCandidates);
        }
        ensureOpen();
        RuntimeException refreshFailure = refresher.failure();
        if (refreshFailure != null) {
            throw new ClipIndexException("index " + name + " cannot refresh its searcher", refreshFailure);
        }
        int candidates = Math.max(k, searchCandidates);
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
                ClipVector[] clips = ClipDocuments.load(searcher.getIndexReader(), docs, withFloats);
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

    /** Every visible stored version of clip {@code clipId}, one per model version that embedded it. */
    public List<ClipVector> clipVersions(String clipId) {
        return loadMatching(ClipDocuments.clipIdQuery(clipId), Integer.MAX_VALUE, null, "look up clip " + clipId);
    }

    /**
     * The visible clips stored under {@code keys}, earliest first: one query on the unique key terms (cheap, unlike
     * {@link #clipVersions}'s suffix automaton, which costs its compilation per clip id).
     */
    public List<ClipVector> clipsByKey(java.util.Collection<ClipKey> keys) {
        if (keys.isEmpty()) {
            return List.of();
        }
        List<org.apache.lucene.util.BytesRef> terms = keys.stream()
                .map(key -> new org.apache.lucene.util.BytesRef(key.asString()))
                .toList();
        return loadMatching(
                new org.apache.lucene.search.TermInSetQuery(ClipDocuments.KEY, terms),
                keys.size(),
                null,
                "look up " + keys.size() + " clips by key");
    }

    /** At most {@code limit} visible clips passing {@code filter}, earliest first. */
    public List<ClipVector> clips(ClipFilter filter, int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be >= 1; was " + limit);
        }
        return loadMatching(null, limit, filter, "list clips");
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

    /** The newest clip end time (source time, microseconds) of {@code sourceId} that queries can already see. */
    public Optional<Long> searchableUpTo(String sourceId) {
        return Optional.ofNullable(visibleUpTo.get(sourceId));
    }

    /** {@link #searchableUpTo(String)} for every source with a visible clip. */
    public Map<String, Long> searchableUpTo() {
        return visibleUpTo;
    }

    /** How many clips queries can see. */
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

    /**
     * The ids of the clips queries can see under {@code modelVersion}, read column-wise from the key doc values (no
     * stored document per clip).
     */
    public Set<String> clipIds(String modelVersion) {
        ensureOpen();
        try {
            IndexSearcher searcher = searchers.acquire();
            try {
                Set<String> ids = new java.util.HashSet<>();
                org.apache.lucene.search.Weight weight = searcher.createWeight(
                        searcher.rewrite(new TermQuery(new Term(ClipDocuments.MODEL_VERSION, modelVersion))),
                        org.apache.lucene.search.ScoreMode.COMPLETE_NO_SCORES,
                        1f);
                for (LeafReaderContext leaf : searcher.getIndexReader().leaves()) {
                    org.apache.lucene.search.Scorer scorer = weight.scorer(leaf);
                    if (scorer == null) {
                        continue;
                    }
                    LeafReader segment = leaf.reader();
                    BinaryDocValues keys = segment.getBinaryDocValues(ClipDocuments.KEY_VALUES);
                    StoredFields stored = null;
                    Bits live = segment.getLiveDocs();
                    org.apache.lucene.search.DocIdSetIterator docs = scorer.iterator();
                    for (int doc = docs.nextDoc();
                            doc != org.apache.lucene.search.DocIdSetIterator.NO_MORE_DOCS;
                            doc = docs.nextDoc()) {
                        if (live != null && !live.get(doc)) {
                            continue;
                        }
                        byte[] key;
                        if (keys != null && keys.advanceExact(doc)) {
                            BytesRef bytes = keys.binaryValue();
                            key = Arrays.copyOfRange(bytes.bytes, bytes.offset, bytes.offset + bytes.length);
                        } else {
                            // Written before the key had doc values: read the stored key.
                            stored = stored == null ? segment.storedFields() : stored;
                            key = stored.document(doc, Set.of(ClipDocuments.KEY))
                                    .get(ClipDocuments.KEY)
                                    .getBytes(StandardCharsets.UTF_8);
                        }
                        ids.add(ClipKey.fromBytes(key).clipId());
                    }
                }
                return ids;
            } finally {
                searchers.release(searcher);
            }
        } catch (IOException | RuntimeException e) {
            throw failure("list the clips of model version " + modelVersion, e);
        }
    }

    /** How many clips queries can see under each model version that holds any (versions in name order). */
    public Map<String, Long> clipsPerModelVersion() {
        ensureOpen();
        try {
            IndexSearcher searcher = searchers.acquire();
            try {
                // Terms of deleted documents linger until merges: collect the names, then count live documents.
                java.util.SortedSet<String> versions = new java.util.TreeSet<>();
                for (LeafReaderContext leaf : searcher.getIndexReader().leaves()) {
                    org.apache.lucene.index.Terms terms = leaf.reader().terms(ClipDocuments.MODEL_VERSION);
                    if (terms == null) {
                        continue;
                    }
                    org.apache.lucene.index.TermsEnum names = terms.iterator();
                    for (BytesRef name = names.next(); name != null; name = names.next()) {
                        versions.add(name.utf8ToString());
                    }
                }
                Map<String, Long> counts = new java.util.TreeMap<>();
                for (String version : versions) {
                    int live = searcher.count(new TermQuery(new Term(ClipDocuments.MODEL_VERSION, version)));
                    if (live > 0) {
                        counts.put(version, (long) live);
                    }
                }
                return counts;
            } finally {
                searchers.release(searcher);
            }
        } catch (IOException e) {
            throw failure("count clips per model version", e);
        }
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

    /** Whether anything was written since the last commit. */
    public boolean hasUncommittedChanges() {
        ensureOpen();
        return writer.hasUncommittedChanges();
    }

    /** Makes a Lucene commit (an fsync) carrying {@code userData}, which {@link #commitData()} then returns. */
    public void commit(Map<String, String> userData) {
        ensureOpen();
        Map<String, String> copy = Map.copyOf(userData);
        try {
            writer.setLiveCommitData(copy.entrySet());
            writer.commit();
        } catch (IOException | RuntimeException e) {
            throw failure("commit with user data " + copy, e);
        }
        commitData = copy;
    }

    /**
     * Expert: merges the index down to at most {@code maxSegments} segments and waits for it, then refreshes; for
     * benchmarks and offline compaction. The caller commits.
     */
    public void forceMerge(int maxSegments) {
        ensureOpen();
        try {
            writer.forceMerge(maxSegments);
        } catch (IOException | RuntimeException e) {
            throw failure("merge down to " + maxSegments + " segments", e);
        }
    }

    /** The work done since the index opened. */
    public IndexCounters counters() {
        return new IndexCounters(
                refreshes.get(), maintenancePasses.get(), maintenanceRefreshes.get(), documentsScanned.get());
    }

    /** The index directory (for size reports). */
    public Path path() {
        return path;
    }

    /** The index's name. */
    public String name() {
        return name;
    }

    /** Whether the index is open. */
    public boolean isOpen() {
        return open;
    }

    /** Stops refreshing and closes the index without committing (the caller commits first when it wants to). */
    @Override
    public void close() {
        if (!open) {
            return;
        }
        open = false;
        refresher.close();
        try {
            closeResources();
        } catch (IOException e) {
            throw new ClipIndexException("cannot close the Lucene index " + name + " at " + path, e);
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
        // The writer is closed, so no merge uses the merge workers any more, and no searcher the search threads.
        first = stop(mergeExecutor, "HNSW merge", first);
        mergeExecutor = null;
        first = stop(searchExecutor, "search", first);
        searchExecutor = null;
        if (first != null) {
            throw first;
        }
    }

    private IOException stop(ExecutorService executor, String what, IOException first) {
        if (executor == null) {
            return first;
        }
        executor.shutdownNow();
        try {
            if (!executor.awaitTermination(THREADS_STOP_SECONDS, TimeUnit.SECONDS) && first == null) {
                return new IOException("the " + what + " threads of index " + name + " did not stop");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return first;
    }

    private static Map<String, String> readCommitData(Iterable<Map.Entry<String, String>> userData) {
        Map<String, String> data = new HashMap<>();
        if (userData != null) {
            userData.forEach(entry -> data.put(entry.getKey(), entry.getValue()));
        }
        return Map.copyOf(data);
    }

    private void ensureOpen() {
        if (!open) {
            throw new ClipIndexException("index " + name + " is not open");
        }
    }

    private ClipIndexException failure(String operation, Exception cause) {
        if (cause instanceof ClipIndexException index) {
            return index;
        }
        return new ClipIndexException("index " + name + " at " + path + " failed to " + operation, cause);
    }

    @Override
    public String toString() {
        return "ClipIndex(" + name + ", " + settings + ", " + shard + ")";
    }
}
