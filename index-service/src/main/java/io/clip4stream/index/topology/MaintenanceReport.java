package io.clip4stream.index.topology;

/**
 * What one maintenance tick of a shard did on the stream thread.
 *
 * @param dueSources sources with clips due for removal (deleted sources and sources past their retention)
 * @param removedClips clips removed
 * @param complete whether the pass covered the whole shard; when not, its budget ran out and the next tick goes on
 * @param nanos time the tick held the stream thread
 */
public record MaintenanceReport(int dueSources, int removedClips, boolean complete, long nanos) {}
