package io.clip4stream.query.caption;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.clip4stream.runtime.kafka.KafkaClientSettings;
import io.clip4stream.runtime.kafka.TopicProvisioner;
import io.clip4stream.schemas.avro.Caption;
import io.clip4stream.schemas.topic.Topics;
import io.clip4stream.testkit.EmbeddedKafka;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The captions topic as the query service uses it, on the embedded broker. */
class KafkaCaptionStoreIT {

    @RegisterExtension
    static final EmbeddedKafka KAFKA = EmbeddedKafka.singleNode();

    private static Caption caption(String id, long start, String text) {
        return Caption.newBuilder()
                .setCaptionId(id)
                .setSourceId("cam-1")
                .setStartMicros(start)
                .setEndMicros(start + 1_000_000L)
                .setText(text)
                .setCreatedAtMillis(1L)
                .build();
    }

    @Test
    void keepsTheLatestCaptionPerIdAndListsAllOfThem() {
        KafkaClientSettings kafka = KafkaClientSettings.of(KAFKA.bootstrapServers());
        Topics topics = Topics.withPrefix("captions-it.", 3);
        new TopicProvisioner(kafka, 1, TopicProvisioner.DEFAULT_TIMEOUT).ensure(List.of(topics.captions()));
        try (KafkaCaptionStore store = new KafkaCaptionStore(kafka, topics.captions(), Duration.ofSeconds(30))) {
            store.append(List.of(caption("a", 0, "first"), caption("b", 5_000_000L, "second")));
            store.append(List.of(caption("a", 0, "first, corrected")));

            List<Caption> all = store.all().stream()
                    .sorted(Comparator.comparing(c -> c.getCaptionId().toString()))
                    .toList();

            assertEquals(2, all.size());
            assertEquals("first, corrected", all.get(0).getText().toString());
            assertEquals("second", all.get(1).getText().toString());
        }
    }

    @Test
    void failsWithinItsTimeoutWhenTheTopicIsMissing() {
        KafkaClientSettings kafka = KafkaClientSettings.of(KAFKA.bootstrapServers());
        Topics topics = Topics.withPrefix("no-such-prefix.", 1);
        try (KafkaCaptionStore store = new KafkaCaptionStore(kafka, topics.captions(), Duration.ofSeconds(3))) {
            IllegalStateException e =
                    assertThrows(IllegalStateException.class, () -> store.append(List.of(caption("a", 0, "x"))));
            assertTrue(e.getMessage().contains("no-such-prefix.captions"), e.getMessage());
        }
    }
}
