package io.clip4stream.schemas.topic;

import io.clip4stream.schemas.avro.Caption;
import io.clip4stream.schemas.avro.ClipVector;
import io.clip4stream.schemas.avro.EmbeddingStreamRecord;
import io.clip4stream.schemas.avro.FrameStreamRecord;
import io.clip4stream.schemas.avro.IngestRequest;
import io.clip4stream.schemas.avro.IngestStatus;
import io.clip4stream.schemas.avro.ModelVersion;
import io.clip4stream.schemas.avro.PipelineError;
import io.clip4stream.schemas.avro.SourceDeletion;
import io.clip4stream.schemas.serde.AvroSerde;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

/**
 * Every topic Clip4Stream reads or writes, under one name prefix so several deployments can share a cluster.
 *
 * <p>All topics are keyed by source id except {@link #clipVectors()}, keyed by clip id, and
 * {@link #captions()}, keyed by caption id; keying by source keeps each
 * source's frames, boundaries and end marker in one partition, in order.
 *
 * @param ingestRequests work queue of ingest requests (HTTP API or any Kafka client, e.g. kcat)
 * @param sources compacted registry of sources; ingest instances share the live ones through a consumer group
 * @param ingestStatus compacted latest status per source
 * @param sourceDeletions requests to remove a source and all its clips
 * @param frames sampled frames, clip boundaries and end markers
 * @param frameEmbeddings frame embeddings, clip boundaries and end markers
 * @param clipVectors indexed clips (compacted by clip id)
 * @param errors records a stage could not process
 * @param models compacted record of every model version the services have served, keyed by version
 * @param captions compacted captions users attached to time ranges of sources (training data), keyed by caption id
 */
public record Topics(
        Topic<String, IngestRequest> ingestRequests,
        Topic<String, IngestRequest> sources,
        Topic<String, IngestStatus> ingestStatus,
        Topic<String, SourceDeletion> sourceDeletions,
        Topic<String, FrameStreamRecord> frames,
        Topic<String, EmbeddingStreamRecord> frameEmbeddings,
        Topic<String, ClipVector> clipVectors,
        Topic<String, PipelineError> errors,
        Topic<String, ModelVersion> models,
        Topic<String, Caption> captions) {

    /** Prefix of every topic name unless configured otherwise. */
    public static final String DEFAULT_PREFIX = "clip4stream.";

    /** Partitions of the data topics; the parallelism ceiling of every service. */
    public static final int DEFAULT_PARTITIONS = 6;

    /** Frames are large and only needed until they are embedded. */
    public static final Duration FRAME_RETENTION = Duration.ofDays(1);

    /** Event topics other than frames keep a week, enough to rebuild downstream state after an outage. */
    public static final Duration EVENT_RETENTION = Duration.ofDays(7);

    /** Room for a 224x224 RGB frame (150 KB) or a clip with its frame embeddings, with margin. */
    public static final int MAX_MESSAGE_BYTES = 4 * 1024 * 1024;

    private static final int SMALL_MESSAGE_BYTES = 1024 * 1024;

    /** The catalog with the default prefix and partition count. */
    public static Topics defaults() {
        return withPrefix(DEFAULT_PREFIX, DEFAULT_PARTITIONS);
    }

    /** The catalog with every name starting with {@code prefix} and data topics of {@code partitions} partitions. */
    public static Topics withPrefix(String prefix, int partitions) {
        Serde<String> key = Serdes.String();
        Optional<Duration> events = Optional.of(EVENT_RETENTION);
        Optional<Duration> forever = Optional.empty();
        return new Topics(
                new Topic<>(
                        prefix + "ingest-requests",
                        key,
                        AvroSerde.of(IngestRequest.class),
                        partitions,
                        CleanupPolicy.DELETE,
                        events,
                        SMALL_MESSAGE_BYTES),
                new Topic<>(
                        prefix + "sources",
                        key,
                        AvroSerde.of(IngestRequest.class),
                        partitions,
                        CleanupPolicy.COMPACT,
                        forever,
                        SMALL_MESSAGE_BYTES),
                new Topic<>(
                        prefix + "ingest-status",
                        key,
                        AvroSerde.of(IngestStatus.class),
                        partitions,
                        CleanupPolicy.COMPACT,
                        forever,
                        SMALL_MESSAGE_BYTES),
                new Topic<>(
                        prefix + "source-deletions",
                        key,
                        AvroSerde.of(SourceDeletion.class),
                        partitions,
                        CleanupPolicy.COMPACT,
                        forever,
                        SMALL_MESSAGE_BYTES),
                new Topic<>(
                        prefix + "frames",
                        key,
                        AvroSerde.of(FrameStreamRecord.class),
                        partitions,
                        CleanupPolicy.DELETE,
                        Optional.of(FRAME_RETENTION),
                        MAX_MESSAGE_BYTES),
                new Topic<>(
                        prefix + "frame-embeddings",
                        key,
                        AvroSerde.of(EmbeddingStreamRecord.class),
                        partitions,
                        CleanupPolicy.DELETE,
                        events,
                        MAX_MESSAGE_BYTES),
                new Topic<>(
                        prefix + "clip-vectors",
                        key,
                        AvroSerde.of(ClipVector.class),
                        partitions,
                        CleanupPolicy.COMPACT,
                        forever,
                        MAX_MESSAGE_BYTES),
                new Topic<>(
                        prefix + "errors",
                        key,
                        AvroSerde.of(PipelineError.class),
                        partitions,
                        CleanupPolicy.DELETE,
                        Optional.of(EVENT_RETENTION.multipliedBy(2)),
                        MAX_MESSAGE_BYTES),
                // One partition: a handful of records, read whole at every service's start-up.
                new Topic<>(
                        prefix + "models",
                        key,
                        AvroSerde.of(ModelVersion.class),
                        1,
                        CleanupPolicy.COMPACT,
                        forever,
                        SMALL_MESSAGE_BYTES),
                // Captions are kept forever: they are the training data of every later model version.
                new Topic<>(
                        prefix + "captions",
                        key,
                        AvroSerde.of(Caption.class),
                        partitions,
                        CleanupPolicy.COMPACT,
                        forever,
                        SMALL_MESSAGE_BYTES));
    }

    /** Every topic of the catalog, in pipeline order. */
    public List<Topic<String, ?>> all() {
        return List.of(
                ingestRequests,
                sources,
                ingestStatus,
                sourceDeletions,
                frames,
                frameEmbeddings,
                clipVectors,
                errors,
                models,
                captions);
    }
}
