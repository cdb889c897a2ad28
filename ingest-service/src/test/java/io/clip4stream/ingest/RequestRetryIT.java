package io.clip4stream.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.clip4stream.ingest.decode.SyntheticVideo;
import io.clip4stream.schemas.avro.ClipBoundary;
import io.clip4stream.schemas.avro.EndReason;
import io.clip4stream.schemas.avro.IngestState;
import io.clip4stream.schemas.avro.IngestStatus;
import io.clip4stream.schemas.avro.SampledFrame;
import io.clip4stream.schemas.topic.Topics;
import io.clip4stream.testkit.EmbeddedKafka;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InvalidTxnStateException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * File requests whose run a Kafka failure cuts short (a commit that times out, a transaction in an invalid state, a
 * producer fenced while this instance still owns the request's partition) are run again, not given up: each source
 * ends DONE with every frame and clip committed exactly once, no FAILED status on the way, and the request's offset
 * committed in the end.
 */
class RequestRetryIT {
    @RegisterExtension
    static final EmbeddedKafka KAFKA = EmbeddedKafka.singleNode();

    /** 3 s at 10 fps: at 2 fps that is 6 sampled frames, 3 clips of 2 (see IngestServiceIT). */
    private static final SyntheticVideo VIDEO = SyntheticVideo.h264Mp4(64, 48, 10, 30);

    private static final Duration WAIT = Duration.ofSeconds(90);

    @Test
    void aRunCutShortByKafkaIsRetriedAndEndsDoneWithEveryClipOnce() throws Exception {
        Path dir = Files.createTempDirectory("ingest-retry");
        Path root = Files.createDirectories(dir.resolve("media"));
        VIDEO.withFaststart(true).writeTo(root.resolve("video.mp4"));
        String prefix = "rt" + UUID.randomUUID().toString().substring(0, 6) + ".";
        IngestConfig config = IngestServiceIT.config(KAFKA.bootstrapServers(), prefix, root, dir.resolve("up"), "rt-a");
        Topics topics = config.topics();
        // Commit 1 is the run's DECODING status, 2 is clip 0, 3 is clip 1: clip 0 is committed before each failure.
        FailingOnceProducers producers = new FailingOnceProducers(Map.of(
                "retry-timeout",
                new FailingOnceProducers.Failure(
                        3, () -> new TimeoutException("Timeout expired after 60000ms while awaiting EndTxn(true)")),
                "retry-txn-state",
                new FailingOnceProducers.Failure(
                        2,
                        () -> new InvalidTxnStateException(
                                "The producer attempted a transactional operation in an invalid state")),
                "retry-fenced",
                new FailingOnceProducers.Failure(
                        3,
                        () -> new ProducerFencedException("There is a newer producer with the same transactionalId"))));
        List<String> sources = List.of("retry-timeout", "retry-txn-state", "retry-fenced");
        try (IngestService service = new IngestService(config, new PrometheusRegistry(), producers)) {
            service.start();
            for (String id : sources) {
                HttpResponse<String> response =
                        IngestServiceIT.register(service.httpUri(), Map.of("sourceId", id, "uri", "video.mp4"));
                assertEquals(202, response.statusCode(), response.body());
            }
            for (String id : sources) {
                JsonNode done = IngestServiceIT.awaitState(service.httpUri(), id, "DONE");
                assertEquals(3, done.get("clipsEmitted").asLong(), done.toString());
                assertEquals(2, producers.producersMade(id), id + ": the failed run and exactly one retry");
                SourceStream stream = SourceStream.read(
                        KAFKA.bootstrapServers(),
                        topics.frames(),
                        id,
                        s -> !s.ends().isEmpty(),
                        WAIT);
                assertEquals(
                        List.of(0L, 1L, 2L, 3L, 4L, 5L),
                        stream.frames().stream()
                                .map(SampledFrame::getFrameIndex)
                                .toList(),
                        id + ": every frame once, in order");
                assertEquals(
                        List.of(id + ":0", id + ":2", id + ":4"),
                        stream.boundaries().stream()
                                .map(ClipBoundary::getClipId)
                                .toList(),
                        id + ": every clip once");
                assertEquals(1, stream.ends().size(), id + ": one end marker");
                assertEquals(EndReason.COMPLETED, stream.ends().get(0).getReason());
            }
            List<IngestStatus> history = statusHistory(topics);
            for (String id : sources) {
                List<IngestStatus> mine =
                        history.stream().filter(s -> s.getSourceId().equals(id)).toList();
                assertTrue(
                        mine.stream().noneMatch(s -> s.getState() == IngestState.FAILED),
                        id + " was never reported FAILED: " + mine);
                assertTrue(
                        mine.stream()
                                .anyMatch(s -> s.getState() == IngestState.DECODING
                                        && s.getReason() != null
                                        && s.getReason().startsWith("resumed after 1 interrupted run")),
                        id + ": the retry says why it resumed: " + mine);
            }
            awaitRequestsCommitted(topics, config.groupId());
        }
    }

    /** Every status ever committed to the status topic, oldest first. */
    private static List<IngestStatus> statusHistory(Topics topics) {
        Map<String, Object> config = Map.of(
                "bootstrap.servers", KAFKA.bootstrapServers(),
                "isolation.level", "read_committed",
                "auto.offset.reset", "earliest");
        List<IngestStatus> statuses = new ArrayList<>();
        try (KafkaConsumer<String, IngestStatus> consumer = new KafkaConsumer<>(
                config,
                topics.ingestStatus().keySerde().deserializer(),
                topics.ingestStatus().valueSerde().deserializer())) {
            List<TopicPartition> partitions = consumer
                    .partitionsFor(topics.ingestStatus().name())
                    .stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition()))
                    .toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (partitions.stream().anyMatch(p -> consumer.position(p) < ends.get(p))
                    && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, IngestStatus> record : consumer.poll(Duration.ofMillis(200))) {
                    statuses.add(record.value());
                }
            }
        }
        return statuses;
    }

    /** Waits until the request group has committed every request (a retried one included). */
    private static void awaitRequestsCommitted(Topics topics, String groupId) throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", KAFKA.bootstrapServers()))) {
            List<TopicPartition> partitions = admin
                    .describeTopics(List.of(topics.ingestRequests().name()))
                    .allTopicNames()
                    .get()
                    .get(topics.ingestRequests().name())
                    .partitions()
                    .stream()
                    .map(p -> new TopicPartition(topics.ingestRequests().name(), p.partition()))
                    .toList();
            Map<TopicPartition, Long> ends = new java.util.HashMap<>();
            for (var e : admin.listOffsets(partitions.stream()
                            .collect(java.util.stream.Collectors.toMap(p -> p, p -> OffsetSpec.latest())))
                    .all()
                    .get()
                    .entrySet()) {
                ends.put(e.getKey(), e.getValue().offset());
            }
            long deadline = System.nanoTime() + WAIT.toNanos();
            Map<TopicPartition, Long> committed = Map.of();
            while (System.nanoTime() < deadline) {
                Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(groupId)
                        .partitionsToOffsetAndMetadata()
                        .get();
                committed = new java.util.HashMap<>();
                for (var e : offsets.entrySet()) {
                    if (e.getValue() != null) {
                        committed.put(e.getKey(), e.getValue().offset());
                    }
                }
                boolean all = true;
                for (TopicPartition p : partitions) {
                    if (ends.get(p) > 0 && !ends.get(p).equals(committed.get(p))) {
                        all = false;
                    }
                }
                if (all) {
                    return;
                }
                Thread.sleep(100);
            }
            throw new AssertionError("requests not all committed: ends " + ends + ", committed " + committed);
        }
    }
}
