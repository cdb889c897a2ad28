package io.clip4stream.ingest.reencode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.clip4stream.ingest.kafka.KafkaFrameSink;
import io.clip4stream.ingest.run.Checkpoint;
import io.clip4stream.runtime.kafka.KafkaClientSettings;
import io.clip4stream.schemas.avro.ClipBoundary;
import io.clip4stream.schemas.avro.EndOfSource;
import io.clip4stream.schemas.avro.EndReason;
import io.clip4stream.schemas.avro.FrameStreamRecord;
import io.clip4stream.schemas.avro.IngestState;
import io.clip4stream.schemas.avro.IngestStatus;
import io.clip4stream.schemas.avro.SampledFrame;
import io.clip4stream.schemas.avro.SourceKind;
import io.clip4stream.schemas.topic.Topics;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

/** A re-encode's sink: every record stamped with the version, its own transactional id, and never a status. */
class ReencodeSinkTest {
    private static final Topics TOPICS = Topics.withPrefix("t.", 3);

    private final List<Map<String, Object>> configs = new ArrayList<>();
    private final MockProducer<byte[], byte[]> producer =
            new MockProducer<>(true, null, new ByteArraySerializer(), new ByteArraySerializer());
    private final AtomicLong clips = new AtomicLong();

    private ReencodeSink sink() {
        return ReencodeSink.open(
                KafkaClientSettings.of("localhost:1"),
                TOPICS,
                "ingest-1",
                "v2",
                "up-1",
                Duration.ofSeconds(60),
                config -> {
                    configs.add(config);
                    return producer;
                },
                clips::addAndGet);
    }

    @Test
    void itClaimsItsOwnLaneAndAlwaysStartsFromTheBeginning() {
        try (ReencodeSink sink = sink()) {
            assertSame(Checkpoint.NONE, sink.claim());
            assertTrue(producer.transactionInitialized());
        }
        String id = (String) configs.get(0).get("transactional.id");
        assertEquals("t.frames.reencode.v2.up-1", id);
        assertEquals(ReencodeSink.transactionalId(TOPICS, "v2", "up-1"), id);
        assertNotEquals(KafkaFrameSink.transactionalId(TOPICS, "up-1"), id, "never fences the source's own run");
    }

    @Test
    void dotsInVersionsAndSourceIdsNeverMakeTwoLanesShareATransactionalId() {
        // Version "a.b" of source "c" and version "a" of source "b.c" would both read "reencode.a.b.c" unescaped.
        assertNotEquals(
                ReencodeSink.transactionalId(TOPICS, "a.b", "c"), ReencodeSink.transactionalId(TOPICS, "a", "b.c"));
        assertEquals("t.frames.reencode.a%2Eb.c", ReencodeSink.transactionalId(TOPICS, "a.b", "c"));
        assertNotEquals(StoppedMarkers.transactionalId(TOPICS, "a.b"), ReencodeSink.transactionalId(TOPICS, "a", "b"));
    }

    @Test
    void everyRecordIsStampedAndACommitWritesNoStatus() {
        try (ReencodeSink sink = sink()) {
            sink.claim();
            // The run's first commit (its DECODING status) has nothing to commit here.
            sink.commit(status());
            assertEquals(0, producer.commitCount());
            sink.frame(frame(0));
            sink.frame(frame(1));
            sink.boundary(boundary());
            sink.commit(status());
            sink.end(end());
            sink.commit(status());
        }
        assertEquals(2, producer.commitCount());
        assertEquals(1, clips.get(), "one clip committed");
        List<ProducerRecord<byte[], byte[]>> sent = producer.history();
        assertEquals(4, sent.size());
        for (ProducerRecord<byte[], byte[]> record : sent) {
            assertEquals(TOPICS.frames().name(), record.topic(), "nothing on the status topic");
            assertEquals("up-1", TOPICS.frames().keySerde().deserializer().deserialize(record.topic(), record.key()));
        }
        List<Object> payloads = sent.stream()
                .map(r -> TOPICS.frames().valueSerde().deserializer().deserialize(r.topic(), r.value()))
                .map(FrameStreamRecord::getPayload)
                .toList();
        assertEquals("v2", ((SampledFrame) payloads.get(0)).getReencodeFor());
        assertEquals(1L, ((SampledFrame) payloads.get(1)).getFrameIndex());
        assertEquals("v2", ((SampledFrame) payloads.get(1)).getReencodeFor());
        assertEquals("v2", ((ClipBoundary) payloads.get(2)).getReencodeFor());
        assertEquals("up-1:0", ((ClipBoundary) payloads.get(2)).getClipId());
        assertEquals("v2", ((EndOfSource) payloads.get(3)).getReencodeFor());
        assertEquals(EndReason.COMPLETED, ((EndOfSource) payloads.get(3)).getReason());
    }

    @Test
    void anAbortDropsTheOpenClipAndItsCount() {
        try (ReencodeSink sink = sink()) {
            sink.claim();
            sink.frame(frame(0));
            sink.boundary(boundary());
            sink.abort();
            sink.commit(status());
        }
        assertTrue(producer.transactionAborted());
        assertFalse(producer.transactionCommitted());
        assertEquals(0, clips.get());
    }

    @Test
    void theRunsRecordsAreNotChanged() {
        SampledFrame frame = frame(0);
        try (ReencodeSink sink = sink()) {
            sink.claim();
            sink.frame(frame);
        }
        assertNull(frame.getReencodeFor(), "the stamp is on the copy sent");
    }

    private static SampledFrame frame(long index) {
        return SampledFrame.newBuilder()
                .setSourceId("up-1")
                .setClipIndex(0)
                .setFrameIndex(index)
                .setPresentationTimeMicros(index * 500_000)
                .setWidth(1)
                .setHeight(1)
                .setPixels(ByteBuffer.wrap(new byte[] {1, 2, 3}))
                .build();
    }

    private static ClipBoundary boundary() {
        return ClipBoundary.newBuilder()
                .setSourceId("up-1")
                .setClipIndex(0)
                .setClipId("up-1:0")
                .setFirstFrameIndex(0)
                .setFrameCount(2)
                .setStartTimeMicros(0)
                .setEndTimeMicros(1_000_000)
                .setThumbnailJpeg(ByteBuffer.wrap(new byte[0]))
                .build();
    }

    private static EndOfSource end() {
        return EndOfSource.newBuilder()
                .setSourceId("up-1")
                .setReason(EndReason.COMPLETED)
                .setTotalFrames(2)
                .setTotalClips(1)
                .setDurationMicros(1_000_000)
                .build();
    }

    private static IngestStatus status() {
        return IngestStatus.newBuilder()
                .setSourceId("up-1")
                .setKind(SourceKind.UPLOAD)
                .setState(IngestState.DECODING)
                .setUpdatedAtMillis(1)
                .build();
    }
}
