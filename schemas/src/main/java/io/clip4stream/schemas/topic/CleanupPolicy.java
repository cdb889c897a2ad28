package io.clip4stream.schemas.topic;

/** Kafka's {@code cleanup.policy}: compacted topics hold state (latest value per key), deleting topics hold events. */
public enum CleanupPolicy {
    /** Old segments are removed after the retention time. */
    DELETE("delete"),
    /** Only the latest record per key is kept; a {@code null} value (tombstone) removes the key. */
    COMPACT("compact");

    private final String configValue;

    CleanupPolicy(String configValue) {
        this.configValue = configValue;
    }

    /** The value of Kafka's {@code cleanup.policy} topic setting. */
    public String configValue() {
        return configValue;
    }
}
