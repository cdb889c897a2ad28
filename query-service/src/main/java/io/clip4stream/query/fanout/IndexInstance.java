package io.clip4stream.query.fanout;

import java.net.URI;
import java.util.List;
import java.util.Objects;

/**
 * One index-service instance and the partitions (shards) it serves.
 *
 * @param baseUri where its HTTP API lives, e.g. {@code http://10.0.0.7:8083}
 * @param partitions the partitions it holds as active (empty when unknown, as with a static list)
 */
public record IndexInstance(URI baseUri, List<Integer> partitions) {

    /** Copies the partitions. */
    public IndexInstance {
        Objects.requireNonNull(baseUri, "baseUri");
        partitions = List.copyOf(partitions);
    }
}
