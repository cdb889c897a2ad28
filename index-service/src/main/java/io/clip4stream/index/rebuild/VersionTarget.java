package io.clip4stream.index.rebuild;

import io.clip4stream.index.aggregate.ClipAggregator;
import java.util.Objects;

/**
 * A model version a shard keeps vectors for, and the head that makes them from frame embeddings.
 *
 * @param version the model version the vectors are stored under
 * @param aggregator that version's head
 */
public record VersionTarget(String version, ClipAggregator aggregator) {

    /** Validates the fields. */
    public VersionTarget {
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(aggregator, "aggregator");
    }
}
