package io.clip4stream.index.lucene;

import io.clip4stream.index.store.ClipVectorStore;
import io.clip4stream.schemas.topic.Topics;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import org.apache.kafka.streams.state.StoreBuilder;

/**
 * Builds a stream task's {@link LuceneClipStore}, writing its changelog unless logging is disabled.
 *
 * <p>Logging is on by default; Streams creates the changelog topic compacted, so it keeps the latest version of every
 * clip and the tombstones of removed ones. Caching is not supported: the store has its own write buffer (the
 * {@code IndexWriter}'s), so {@link #withCachingEnabled()} is a documented no-op that returns this builder.
 */
public final class LuceneClipStoreBuilder implements StoreBuilder<ClipVectorStore> {

    private final String name;
    private final HnswSettings settings;
    private final ShardSettings shard;
    private final Duration commitInterval;
    private boolean logging = true;
    private Map<String, String> logConfig = defaultLogConfig();

    /** A builder of stores called {@code name} (also the changelog's name part). */
    public LuceneClipStoreBuilder(String name, HnswSettings settings, ShardSettings shard, Duration commitInterval) {
        this.name = Objects.requireNonNull(name, "name");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.shard = Objects.requireNonNull(shard, "shard");
        this.commitInterval = Objects.requireNonNull(commitInterval, "commitInterval");
    }

    private static Map<String, String> defaultLogConfig() {
        Map<String, String> config = new HashMap<>();
        // A clip with its frame embeddings and thumbnail can exceed Kafka's 1 MB default.
        config.put("max.message.bytes", Integer.toString(Topics.MAX_MESSAGE_BYTES));
        return config;
    }

    /** Caching is unsupported (the index writer buffers already); this returns the builder unchanged. */
    @Override
    public LuceneClipStoreBuilder withCachingEnabled() {
        return this;
    }

    @Override
    public LuceneClipStoreBuilder withCachingDisabled() {
        return this;
    }

    @Override
    public LuceneClipStoreBuilder withLoggingEnabled(Map<String, String> config) {
        logging = true;
        Map<String, String> merged = defaultLogConfig();
        merged.putAll(Objects.requireNonNull(config, "config"));
        logConfig = merged;
        return this;
    }

    @Override
    public LuceneClipStoreBuilder withLoggingDisabled() {
        logging = false;
        logConfig = new HashMap<>();
        return this;
    }

    @Override
    public ClipVectorStore build() {
        return new LuceneClipStore(name, settings, shard, commitInterval, logging);
    }

    @Override
    public Map<String, String> logConfig() {
        return Map.copyOf(logConfig);
    }

    @Override
    public boolean loggingEnabled() {
        return logging;
    }

    @Override
    public String name() {
        return name;
    }
}
