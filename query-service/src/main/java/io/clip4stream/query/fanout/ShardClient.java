package io.clip4stream.query.fanout;

import java.time.Duration;

/** Asks one index instance for candidates. */
public interface ShardClient {
    /**
     * Returns the instance's top candidates for {@code query}, waiting at most {@code timeout}.
     *
     * @throws ShardException when the instance is unreachable, too slow, or answers with an error
     */
    ShardAnswer candidates(IndexInstance instance, CandidateQuery query, Duration timeout);

    /**
     * Returns, per source the instance holds, the newest clip end time queries can see (microseconds).
     *
     * @throws ShardException when the instance is unreachable, too slow, or answers with an error
     */
    java.util.Map<String, Long> searchableUpTo(IndexInstance instance, Duration timeout);

    /**
     * Returns the stored clips {@code example} names that the instance holds (every model version of a clip id; a
     * source's clips in a time range of {@code modelVersion}), with their vectors.
     *
     * @throws ShardException when the instance is unreachable, too slow, or answers with an error
     */
    IndexWire.Clips clips(IndexInstance instance, ClipExample example, String modelVersion, Duration timeout);

    /**
     * Returns the frame embeddings of those of {@code clipIds} the instance holds in {@code modelVersion} (null: its
     * active one), by clip id: the second phase of a two-phase gather.
     *
     * @throws ShardException when the instance is unreachable, too slow, or answers with an error
     */
    java.util.Map<String, float[][]> frames(
            IndexInstance instance, java.util.List<String> clipIds, String modelVersion, Duration timeout);
}
