package io.clip4stream.ingest.reencode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.clip4stream.ingest.run.SinkFailedException;
import io.clip4stream.runtime.kafka.KafkaClientSettings;
import io.clip4stream.schemas.avro.EndOfSource;
import io.clip4stream.schemas.avro.EndReason;
import io.clip4stream.schemas.topic.Topics;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

/** The STOPPED markers of sources without kept media: keyed by each source, stamped, committed together. */
class StoppedMarkersTest {
    private static final Topics TOPICS = Topics.withPrefix("t.", 3);

    private final List<Map<String, Object>> configs = new ArrayList<>();
    private final MockProducer<byte[], byte[]> producer =
            new MockProducer<>(true, null, new ByteArraySerializer(), new ByteArraySerializer());

    private StoppedMarkers markers() {
        return new StoppedMarkers(KafkaClientSettings.of("localhost:1"), TOPICS, "ingest-1", "v2", config -> {
            configs.add(config);
            return producer;
        });
    }

    @Test
    void eachSourceGetsOneStampedStoppedMarkerInOneTransaction() {
        try (StoppedMarkers markers = markers()) {
            markers.send(List.of("cam-1", "path-1"));
            markers.send(List.of());
        }
        assertEquals(1, producer.commitCount());
        List<String> keys = producer.history().stream()
                .map(r -> TOPICS.frames().keySerde().deserializer().deserialize(r.topic(), r.key()))
                .toList();
        assertEquals(List.of("cam-1", "path-1"), keys);
        EndOfSource marker = (EndOfSource) TOPICS.frames()
                .valueSerde()
                .deserializer()
                .deserialize(TOPICS.frames().name(), producer.history().get(1).value())
                .getPayload();
        assertEquals("path-1", marker.getSourceId());
        assertEquals(EndReason.STOPPED, marker.getReason());
        assertEquals("v2", marker.getReencodeFor());
        assertEquals(StoppedMarkers.NO_KEPT_MEDIA, marker.getDetail());
        String id = (String) configs.get(0).get("transactional.id");
        assertEquals("t.frames.reencode-stopped.v2", id);
        assertNotEquals(ReencodeSink.transactionalId(TOPICS, "v2", "cam-1"), id);
    }

    @Test
    void aFailedCommitIsASinkFailureAndNothingIsCommitted() {
        producer.commitTransactionException = new KafkaException("broker unavailable");
        try (StoppedMarkers markers = markers()) {
            SinkFailedException e = assertThrows(SinkFailedException.class, () -> markers.send(List.of("cam-1")));
            assertEquals("broker unavailable", e.getCause().getMessage());
        }
        assertEquals(0, producer.commitCount());
    }
}
