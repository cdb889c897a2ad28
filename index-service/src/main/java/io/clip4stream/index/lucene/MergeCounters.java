package io.clip4stream.index.lucene;

/**
 * The merging one index did since it opened.
 *
 * @param merges merges finished (including aborted ones)
 * @param mergeNanos their total time on Lucene's merge threads
 * @param idleMerges background merges to few segments started because ingest was idle
 */
public record MergeCounters(long merges, long mergeNanos, long idleMerges) {

    /** Total merge time in seconds. */
    public double mergeSeconds() {
        return mergeNanos / 1e9;
    }
}
