package io.clip4stream.schemas.topic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.clip4stream.schemas.avro.AbsoluteThreshold;
import io.clip4stream.schemas.avro.Alert;
import io.clip4stream.schemas.avro.AlertState;
import io.clip4stream.schemas.avro.StandingQuery;
import io.clip4stream.schemas.avro.WebhookTarget;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class AlertTopicsTest {

    @Test
    void shouldShareThePrefixAndNotCollideWithThePipelineTopics() {
        AlertTopics alerts = AlertTopics.withPrefix("tenant-a.", 3);
        Set<String> names = new HashSet<>();
        Topics.withPrefix("tenant-a.", 3).all().forEach(topic -> names.add(topic.name()));
        for (Topic<String, ?> topic : alerts.all()) {
            assertEquals(3, topic.partitions());
            assertFalse(names.contains(topic.name()), topic.name());
            names.add(topic.name());
        }
        assertEquals(
                Topics.withPrefix("tenant-a.", 3).all().size() + alerts.all().size(), names.size());
        assertEquals(CleanupPolicy.COMPACT, alerts.standingQueries().cleanup());
        assertEquals(CleanupPolicy.COMPACT, alerts.alerts().cleanup());
    }

    @Test
    void shouldRoundTripAStandingQueryAndAnAlert() {
        AlertTopics topics = AlertTopics.defaults();
        StandingQuery query = StandingQuery.newBuilder()
                .setQueryId("q1")
                .setText("a red circle moving left")
                .setThreshold(new AbsoluteThreshold(0.3))
                .setWebhooks(List.of(new WebhookTarget("http://example.com/hook", "s3cret")))
                .setTextEmbedding(List.of(1f, 2f))
                .setCreatedAtMillis(1)
                .setUpdatedAtMillis(2)
                .build();
        byte[] bytes = topics.standingQueries().valueSerde().serializer().serialize("t", query);
        assertEquals(query, topics.standingQueries().valueSerde().deserializer().deserialize("t", bytes));

        Alert alert = Alert.newBuilder()
                .setAlertId("a")
                .setQueryId("q1")
                .setQueryText("x")
                .setSourceId("s")
                .setStartTimeMicros(0)
                .setEndTimeMicros(1)
                .setBestClipId("c")
                .setBestScore(0.5)
                .setThreshold(0.3)
                .setClips(1)
                .setState(AlertState.OPEN)
                .setUpdatedAtMillis(3)
                .build();
        byte[] alertBytes = topics.alerts().valueSerde().serializer().serialize("t", alert);
        assertEquals(alert, topics.alerts().valueSerde().deserializer().deserialize("t", alertBytes));
    }
}
