package io.clip4stream.runtime.config;

import io.clip4stream.schemas.topic.Topics;

/**
 * The topic settings every service shares: the name prefix, the partition count of created topics and their
 * replication factor.
 *
 * @param prefix prefix of every topic name
 * @param partitions partitions of topics created at start-up
 * @param replicationFactor replicas of topics created at start-up
 */
public record TopicSettings(String prefix, int partitions, int replicationFactor) {

    /** Topic name prefix. */
    public static final Setting<String> PREFIX =
            Setting.string("CLIP4S_TOPIC_PREFIX", Topics.DEFAULT_PREFIX, "Prefix of every Kafka topic name.");

    /** Partitions of created topics. */
    public static final Setting<Integer> PARTITIONS = Setting.integer(
            "CLIP4S_TOPIC_PARTITIONS",
            Topics.DEFAULT_PARTITIONS,
            1,
            10_000,
            "Partitions of topics created at start-up; the most instances of a service that can share the work.");

    /** Replication factor of created topics. */
    public static final Setting<Integer> REPLICATION_FACTOR = Setting.integer(
            "CLIP4S_TOPIC_REPLICATION_FACTOR",
            1,
            1,
            32,
            "Replication factor of topics created at start-up (3 on a production cluster).");

    /** Validates the settings. */
    public TopicSettings {
        Topics.withPrefix(prefix, partitions); // validates names and partition count
        if (replicationFactor < 1) {
            throw new ConfigException("Replication factor must be >= 1; was " + replicationFactor);
        }
    }

    /** Reads the three settings. */
    public static TopicSettings fromEnv(Env env) {
        return new TopicSettings(env.get(PREFIX), env.get(PARTITIONS), env.get(REPLICATION_FACTOR));
    }

    /** The defaults: prefix {@code clip4stream.}, {@link Topics#DEFAULT_PARTITIONS} partitions, one replica. */
    public static TopicSettings defaults() {
        return fromEnv(new Env(java.util.Map.of()));
    }

    /** The topic catalog under this prefix. */
    public Topics topics() {
        return Topics.withPrefix(prefix, partitions);
    }
}
