package io.clip4stream.ingest.reencode;

import io.clip4stream.ingest.run.SinkFailedException;
import io.clip4stream.runtime.kafka.KafkaClientSettings;
import io.clip4stream.schemas.avro.EndOfSource;
import io.clip4stream.schemas.avro.EndReason;
import io.clip4stream.schemas.avro.FrameStreamRecord;
import io.clip4stream.schemas.topic.Topic;
import io.clip4stream.schemas.topic.Topics;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;

/**
 * Writes the STOPPED end markers of a version's re-encoding, for sources without kept media here, in one transaction
 * per batch: the index then knows those sources are settled for the version (their clips stay under the versions that
 * hold them) rather than waiting for frames that never come.
 */
public final class StoppedMarkers implements AutoCloseable {
    /** The detail every marker carries. */
    public static final String NO_KEPT_MEDIA =
            "no kept media to re-encode (not an upload kept by this ingest); its clips stay under the versions that hold them";

    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(5);

    private final Topic<String, FrameStreamRecord> frames;
    private final String version;
    private final Producer<byte[], byte[]> producer;

    /** Markers for {@code version} through a producer made by {@code producers}; fences an earlier writer of them. */
    public StoppedMarkers(
            KafkaClientSettings kafka,
            Topics topics,
            String instanceId,
            String version,
            Function<Map<String, Object>, Producer<byte[], byte[]>> producers) {
        this.frames = topics.frames();
        this.version = Objects.requireNonNull(version, "version");
        this.producer = producers.apply(kafka.transactionalProducer(
                instanceId + "-reencode-stopped-" + version, transactionalId(topics, version)));
        guard("(stopped markers)", "claim the markers of version " + version, producer::initTransactions);
    }

    /** The transactional id of {@code version}'s markers: a prefix no per-source re-encode id has. */
    public static String transactionalId(Topics topics, String version) {
        return topics.frames().name() + ".reencode-stopped." + ReencodeProgress.escaped(version);
    }

    /** The marker of {@code sourceId} for {@code version}. */
    public static EndOfSource marker(String sourceId, String version) {
        return EndOfSource.newBuilder()
                .setSourceId(sourceId)
                .setReason(EndReason.STOPPED)
                .setTotalFrames(0)
                .setTotalClips(0)
                .setDurationMicros(0)
                .setDetail(NO_KEPT_MEDIA)
                .setReencodeFor(version)
                .build();
    }

    /** Sends and commits the markers of {@code sourceIds} together. */
    public void send(List<String> sourceIds) {
        if (sourceIds.isEmpty()) {
            return;
        }
        String batch = sourceIds.get(0) + (sourceIds.size() > 1 ? " and " + (sourceIds.size() - 1) + " more" : "");
        guard(batch, "begin a transaction", producer::beginTransaction);
        try {
            for (String id : sourceIds) {
                byte[] key = frames.keySerde().serializer().serialize(frames.name(), id);
                byte[] value = frames.valueSerde()
                        .serializer()
                        .serialize(frames.name(), new FrameStreamRecord(marker(id, version)));
                guard(
                        id,
                        "send a STOPPED marker",
                        () -> producer.send(new ProducerRecord<>(frames.name(), key, value)));
            }
            guard(batch, "commit the STOPPED markers", producer::commitTransaction);
        } catch (SinkFailedException e) {
            try {
                producer.abortTransaction();
            } catch (KafkaException ignored) {
                // The producer is done either way; the caller makes a new one for the next try.
            }
            throw e;
        }
    }

    @Override
    public void close() {
        producer.close(CLOSE_TIMEOUT);
    }

    private static void guard(String sourceId, String action, Runnable body) {
        try {
            body.run();
        } catch (KafkaException e) {
            throw new SinkFailedException(sourceId, action, e);
        }
    }
}
