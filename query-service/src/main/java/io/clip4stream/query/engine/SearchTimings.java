package io.clip4stream.query.engine;

/**
 * Where a search spent its time, in microseconds.
 *
 * @param encodeMicros tokenizing and encoding the text
 * @param gatherMicros discovering shards, asking them and merging their answers
 * @param rerankMicros tight re-ranking (0 when skipped)
 * @param totalMicros everything
 */
public record SearchTimings(long encodeMicros, long gatherMicros, long rerankMicros, long totalMicros) {}
