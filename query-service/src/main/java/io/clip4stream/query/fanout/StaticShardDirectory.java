package io.clip4stream.query.fanout;

import java.net.URI;
import java.util.List;

/** A fixed list of index instances, each asked for everything it holds. */
public final class StaticShardDirectory implements ShardDirectory {
    private final ShardLayout layout;

    /** A directory of these base URIs. */
    public StaticShardDirectory(List<URI> instances) {
        if (instances.isEmpty()) {
            throw new IllegalArgumentException("a static shard directory needs at least one index instance");
        }
        this.layout = new ShardLayout(
                instances.stream().map(uri -> new IndexInstance(uri, List.of())).toList(), List.of());
    }

    @Override
    public ShardLayout layout() {
        return layout;
    }

    @Override
    public void invalidate() {
        // Nothing cached: the list never changes.
    }

    @Override
    public String toString() {
        return "StaticShardDirectory"
                + layout.instances().stream().map(IndexInstance::baseUri).toList();
    }
}
