package io.clip4stream.schemas.topic;

import io.clip4stream.schemas.avro.Alert;
import io.clip4stream.schemas.avro.StandingQuery;
import io.clip4stream.schemas.avro.WebhookDeadLetter;
import io.clip4stream.schemas.serde.AvroSerde;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

/**
 * The topics of standing queries and alerts, beside {@link Topics} under the same prefix.
 *
 * <p>A catalog of its own rather than more components of {@link Topics}, so the pipeline's catalog (and every caller
 * of its constructor and {@code all()}) stays as it is; a service that alerts provisions both.
 *
 * @param standingQueries compacted standing queries, keyed by query id
 * @param alerts compacted alert moments, keyed by alert id (deterministic from query, source and moment start)
 * @param webhookDeadLetters alerts a webhook refused after every retry, keyed by alert id
 */
public record AlertTopics(
        Topic<String, StandingQuery> standingQueries,
        Topic<String, Alert> alerts,
        Topic<String, WebhookDeadLetter> webhookDeadLetters) {

    private static final int SMALL_MESSAGE_BYTES = 1024 * 1024;

    /** The catalog with the default prefix and partition count of {@link Topics}. */
    public static AlertTopics defaults() {
        return withPrefix(Topics.DEFAULT_PREFIX, Topics.DEFAULT_PARTITIONS);
    }

    /** The catalog with every name starting with {@code prefix} and topics of {@code partitions} partitions. */
    public static AlertTopics withPrefix(String prefix, int partitions) {
        Serde<String> key = Serdes.String();
        Optional<Duration> forever = Optional.empty();
        return new AlertTopics(
                new Topic<>(
                        prefix + "standing-queries",
                        key,
                        AvroSerde.of(StandingQuery.class),
                        partitions,
                        CleanupPolicy.COMPACT,
                        forever,
                        SMALL_MESSAGE_BYTES),
                new Topic<>(
                        prefix + "alerts",
                        key,
                        AvroSerde.of(Alert.class),
                        partitions,
                        CleanupPolicy.COMPACT,
                        forever,
                        SMALL_MESSAGE_BYTES),
                new Topic<>(
                        prefix + "webhook-dead-letters",
                        key,
                        AvroSerde.of(WebhookDeadLetter.class),
                        partitions,
                        CleanupPolicy.DELETE,
                        Optional.of(Topics.EVENT_RETENTION.multipliedBy(2)),
                        SMALL_MESSAGE_BYTES));
    }

    /** Every topic of the catalog. */
    public List<Topic<String, ?>> all() {
        return List.of(standingQueries, alerts, webhookDeadLetters);
    }
}
