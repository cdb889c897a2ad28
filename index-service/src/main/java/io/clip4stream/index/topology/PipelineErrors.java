package io.clip4stream.index.topology;

import io.clip4stream.schemas.avro.PipelineError;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.RecordMetadata;

/** Builds the error records of the index stage with the coordinates of the record being processed. */
final class PipelineErrors {

    /** The stage name in error records. */
    static final String STAGE = "index";

    private PipelineErrors() {}

    /** An error about the record {@code context} is processing (or, in a punctuation, about {@code key}). */
    static PipelineError of(ProcessorContext<?, ?> context, String key, String errorType, String message) {
        RecordMetadata metadata = context.recordMetadata().orElse(null);
        return PipelineError.newBuilder()
                .setStage(STAGE)
                .setTopic(metadata == null ? "" : metadata.topic())
                .setPartition(metadata == null ? context.taskId().partition() : metadata.partition())
                .setOffset(metadata == null ? -1 : metadata.offset())
                .setKey(key == null ? null : ByteBuffer.wrap(key.getBytes(StandardCharsets.UTF_8)))
                .setErrorType(errorType)
                .setMessage(message)
                .setOccurredAtMillis(context.currentSystemTimeMs())
                .build();
    }
}
