package io.clip4stream.schemas.topic;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.apache.kafka.common.serialization.Serde;

/**
 * One topic of the catalog: its name, how its keys and values are encoded, and how it is created.
 *
 * @param name full topic name, prefix included
 * @param keySerde serde of the record keys
 * @param valueSerde serde of the record values
 * @param partitions partition count used when the topic is created
 * @param cleanup delete for event streams, compact for state
 * @param retention how long records are kept; empty keeps them forever (only sensible when compacted)
 * @param maxMessageBytes largest record the topic accepts
 * @param <K> key type
 * @param <V> value type
 */
public record Topic<K, V>(
        String name,
        Serde<K> keySerde,
        Serde<V> valueSerde,
        int partitions,
        CleanupPolicy cleanup,
        Optional<Duration> retention,
        int maxMessageBytes) {

    private static final String LEGAL_NAME = "[a-zA-Z0-9._-]{1,249}";

    /** Validates the topic's settings. */
    public Topic {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(keySerde, "keySerde");
        Objects.requireNonNull(valueSerde, "valueSerde");
        Objects.requireNonNull(cleanup, "cleanup");
        Objects.requireNonNull(retention, "retention");
        if (!name.matches(LEGAL_NAME)) {
            throw new IllegalArgumentException("Illegal topic name '" + name + "': use 1-249 of [a-zA-Z0-9._-]");
        }
        if (partitions < 1) {
            throw new IllegalArgumentException("Topic " + name + " needs at least one partition; was " + partitions);
        }
        if (maxMessageBytes < 1024) {
            throw new IllegalArgumentException(
                    "Topic " + name + ": max message bytes must be >= 1024; was " + maxMessageBytes);
        }
    }

    /** The topic-level settings to create it with ({@code cleanup.policy}, {@code retention.ms}, ...). */
    public Map<String, String> configs() {
        Map<String, String> configs = new LinkedHashMap<>();
        configs.put("cleanup.policy", cleanup.configValue());
        configs.put(
                "retention.ms", retention.map(d -> Long.toString(d.toMillis())).orElse("-1"));
        configs.put("max.message.bytes", Integer.toString(maxMessageBytes));
        return configs;
    }

    /** This topic with another partition count. */
    public Topic<K, V> withPartitions(int count) {
        return new Topic<>(name, keySerde, valueSerde, count, cleanup, retention, maxMessageBytes);
    }
}
