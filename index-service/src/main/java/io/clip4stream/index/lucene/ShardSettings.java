package io.clip4stream.index.lucene;

import java.time.Duration;
import java.util.Objects;

/**
 * How one shard's Lucene index is kept: how often it refreshes, how many threads search its segments, and how its
 * merge policy sizes segments.
 *
 * <p>The merge policy is a {@code TieredMergePolicy} made explicit so that it is visible and tunable: every segment
 * below {@code mergeFloorMb} counts as that large when merges are chosen, so the many tiny segments that 250 ms
 * refreshes flush are merged together early (each segment is one more HNSW graph a query must search), while
 * {@code segmentsPerTier} bounds how many segments of one size wait before being merged (fewer means fewer segments
 * to search but more merge work; HNSW merges rebuild graphs and are most of indexing's CPU).
 *
 * <p>A tiered policy merges by size and leaves a live index at several segments, and each segment is one more graph
 * every query walks. So when no clip has been written for {@code idleMergeAfter}, the refresher asks Lucene to merge
 * down to {@code idleMergeSegments} in the background: once per idle period, only when above that count, on Lucene's
 * merge threads (never the stream thread, and the refresher does not wait for it).
 *
 * @param refreshInterval how often the near-real-time searcher is refreshed
 * @param searchThreads threads that search a query's segments concurrently; 1 searches them on the caller's thread
 * @param mergeFloorMb segments smaller than this are treated as this large when choosing merges
 * @param segmentsPerTier segments of about the same size allowed before they are merged
 * @param idleMergeAfter how long without writes before the background merge to few segments; zero turns it off
 * @param idleMergeSegments the segment count the idle merge merges down to
 */
public record ShardSettings(
        Duration refreshInterval,
        int searchThreads,
        double mergeFloorMb,
        double segmentsPerTier,
        Duration idleMergeAfter,
        int idleMergeSegments) {

    /** Default merge floor: a few thousand 512-wide clips with their frame embeddings. */
    public static final double DEFAULT_MERGE_FLOOR_MB = 64;

    /**
     * Default segments per tier: Lucene's own. {@code bench knn --live} at 100k with 4 merged five times as much on a
     * 2-core machine for no fewer segments (merges backed up), so the idle merge, not a tighter tier, compacts.
     */
    public static final double DEFAULT_SEGMENTS_PER_TIER = 10;

    /**
     * Default idle time before the background merge: several refresh intervals, so a pause between two bursts of one
     * camera does not start a merge, short enough that an index that stopped growing is compacted soon.
     */
    public static final Duration DEFAULT_IDLE_MERGE_AFTER = Duration.ofSeconds(10);

    /** Default segments after an idle merge: one graph per query, the state the merged k-NN figures describe. */
    public static final int DEFAULT_IDLE_MERGE_SEGMENTS = 1;

    /** Most search threads one shard may have. */
    public static final int MAXIMUM_SEARCH_THREADS = 256;

    /** Validates the settings. */
    public ShardSettings {
        Objects.requireNonNull(refreshInterval, "refreshInterval");
        if (refreshInterval.isNegative() || refreshInterval.isZero()) {
            throw new IllegalArgumentException("refreshInterval must be positive; was " + refreshInterval);
        }
        if (searchThreads < 1 || searchThreads > MAXIMUM_SEARCH_THREADS) {
            throw new IllegalArgumentException(
                    "searchThreads must be in [1, " + MAXIMUM_SEARCH_THREADS + "]; was " + searchThreads);
        }
        if (!(mergeFloorMb > 0) || !(segmentsPerTier >= 2)) {
            throw new IllegalArgumentException("the merge floor must be positive and segments per tier at least 2;"
                    + " were " + mergeFloorMb + " MB, " + segmentsPerTier);
        }
        Objects.requireNonNull(idleMergeAfter, "idleMergeAfter");
        if (idleMergeAfter.isNegative() || idleMergeSegments < 1) {
            throw new IllegalArgumentException("the idle merge delay must be >= 0 and its segment count >= 1; were "
                    + idleMergeAfter + ", " + idleMergeSegments);
        }
    }

    /** The given refresh, threads and merge policy, with the default idle merge. */
    public ShardSettings(Duration refreshInterval, int searchThreads, double mergeFloorMb, double segmentsPerTier) {
        this(
                refreshInterval,
                searchThreads,
                mergeFloorMb,
                segmentsPerTier,
                DEFAULT_IDLE_MERGE_AFTER,
                DEFAULT_IDLE_MERGE_SEGMENTS);
    }

    /** Whether the idle merge is on. */
    public boolean idleMergeOn() {
        return !idleMergeAfter.isZero();
    }

    /** A copy with another idle merge ({@code after} zero turns it off). */
    public ShardSettings withIdleMerge(Duration after, int segments) {
        return new ShardSettings(refreshInterval, searchThreads, mergeFloorMb, segmentsPerTier, after, segments);
    }

    /** A copy with another merge policy. */
    public ShardSettings withMergePolicy(double floorMb, double perTier) {
        return new ShardSettings(refreshInterval, searchThreads, floorMb, perTier, idleMergeAfter, idleMergeSegments);
    }

    /** Refreshing every {@code refreshInterval}, one search thread per core, the default merge policy. */
    public static ShardSettings of(Duration refreshInterval) {
        return new ShardSettings(
                refreshInterval,
                Math.min(MAXIMUM_SEARCH_THREADS, Runtime.getRuntime().availableProcessors()),
                DEFAULT_MERGE_FLOOR_MB,
                DEFAULT_SEGMENTS_PER_TIER);
    }
}
