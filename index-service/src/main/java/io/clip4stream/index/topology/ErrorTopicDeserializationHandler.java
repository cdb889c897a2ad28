package io.clip4stream.index.topology;

import io.clip4stream.schemas.avro.PipelineError;
import io.clip4stream.schemas.serde.AvroSerde;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.streams.errors.DeserializationExceptionHandler;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the index running past an unreadable input record (unknown schema, corrupt bytes) by writing a
 * {@link PipelineError} with its coordinates to the errors topic, in the same transaction, and skipping it.
 */
public final class ErrorTopicDeserializationHandler implements DeserializationExceptionHandler {

    /** Streams config key naming the errors topic. */
    public static final String ERRORS_TOPIC_CONFIG = "clip4stream.errors.topic";

    private static final Logger LOG = LoggerFactory.getLogger(ErrorTopicDeserializationHandler.class);
    private static final AvroSerde<PipelineError> SERDE = AvroSerde.of(PipelineError.class);

    private String errorsTopic;

    @Override
    public void configure(Map<String, ?> configs) {
        Object topic = configs.get(ERRORS_TOPIC_CONFIG);
        if (topic == null) {
            throw new IllegalArgumentException(ERRORS_TOPIC_CONFIG + " must name the errors topic");
        }
        errorsTopic = topic.toString();
    }

    @Override
    public Response handleError(ErrorHandlerContext context, ConsumerRecord<byte[], byte[]> record, Exception e) {
        LOG.warn(
                "skipping unreadable record {}-{}@{}: {}",
                record.topic(),
                record.partition(),
                record.offset(),
                e.getMessage());
        PipelineError error = PipelineError.newBuilder()
                .setStage(PipelineErrors.STAGE)
                .setTopic(record.topic())
                .setPartition(record.partition())
                .setOffset(record.offset())
                .setKey(record.key() == null ? null : ByteBuffer.wrap(record.key()))
                .setErrorType(e.getClass().getSimpleName())
                .setMessage(String.valueOf(e.getMessage()))
                .setOccurredAtMillis(System.currentTimeMillis())
                .build();
        return Response.resume(List.of(new ProducerRecord<>(errorsTopic, record.key(), SERDE.encode(error))));
    }
}
