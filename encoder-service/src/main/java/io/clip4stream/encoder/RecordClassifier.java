package io.clip4stream.encoder;

import io.clip4stream.model.ModelInfo;
import io.clip4stream.schemas.avro.ClipBoundary;
import io.clip4stream.schemas.avro.EmbeddingStreamRecord;
import io.clip4stream.schemas.avro.EndOfSource;
import io.clip4stream.schemas.avro.FrameStreamRecord;
import io.clip4stream.schemas.avro.PipelineError;
import io.clip4stream.schemas.avro.SampledFrame;
import java.nio.ByteBuffer;
import java.util.Objects;
import java.util.function.Function;
import org.apache.kafka.common.errors.SerializationException;

/**
 * Decides what one input record of the encoder is, with no Kafka client in sight: a frame to embed, a clip boundary or
 * end-of-source marker to pass on unchanged, or a record to reject to the errors topic (empty, unreadable, of an
 * unknown payload, or a frame not of the model's input size). The encode loop calls it for every polled record.
 */
public final class RecordClassifier {

    /** What an input record is. */
    public sealed interface Kind permits Frame, PassOn, Reject {}

    /**
     * A sampled frame of the model's input size: it is embedded.
     *
     * @param frame the frame
     */
    public record Frame(SampledFrame frame) implements Kind {}

    /**
     * A clip boundary or end-of-source marker: it goes to frame-embeddings as it came, in order with the frames.
     *
     * @param output the record to pass on
     */
    public record PassOn(EmbeddingStreamRecord output) implements Kind {}

    /**
     * A record that cannot be processed: it goes to the errors topic.
     *
     * @param errorType the error type of the error record
     * @param message what is wrong with it
     */
    public record Reject(String errorType, String message) implements Kind {}

    private final Function<byte[], FrameStreamRecord> decoder;
    private final ModelInfo model;

    /**
     * A classifier decoding values with {@code decoder} (which throws a {@link SerializationException} for unreadable
     * bytes, as our Avro serdes do) for {@code model}'s input size.
     */
    public RecordClassifier(Function<byte[], FrameStreamRecord> decoder, ModelInfo model) {
        this.decoder = Objects.requireNonNull(decoder, "decoder");
        this.model = Objects.requireNonNull(model, "model");
    }

    /** Classifies a record's value ({@code null} for a tombstone). */
    public Kind classify(byte[] value) {
        if (value == null) {
            return new Reject("EmptyRecord", "a null value (tombstone) carries no frame");
        }
        FrameStreamRecord decoded;
        try {
            decoded = decoder.apply(value);
        } catch (SerializationException e) {
            return new Reject(e.getClass().getSimpleName(), String.valueOf(e.getMessage()));
        }
        return switch (decoded.getPayload()) {
            case SampledFrame frame -> checkSize(frame);
            case ClipBoundary boundary -> new PassOn(new EmbeddingStreamRecord(boundary));
            case EndOfSource end -> new PassOn(new EmbeddingStreamRecord(end));
            default ->
                new Reject(
                        "UnknownPayload",
                        "payload of type " + decoded.getPayload().getClass().getName()
                                + " is not a frame stream record");
        };
    }

    private Kind checkSize(SampledFrame frame) {
        int size = model.imageSize();
        long expected = 3L * size * size;
        int actual = frame.getPixels().remaining();
        if (frame.getWidth() != size || frame.getHeight() != size || actual != expected) {
            return new Reject(
                    "FrameSizeMismatch",
                    "frame " + frame.getFrameIndex() + " of source " + frame.getSourceId() + " is "
                            + frame.getWidth() + "x" + frame.getHeight() + " with " + actual + " bytes; model "
                            + model.modelId() + " needs " + size + "x" + size + " RGB = " + expected
                            + " bytes (ingest resizes and crops to the model input size)");
        }
        return new Frame(frame);
    }

    /**
     * The error record of a rejected input record, naming where it was read.
     *
     * @param reject why it was rejected
     * @param stage the stage name written into the error
     * @param topic the input topic
     * @param partition the input partition
     * @param offset the record's offset
     * @param key the record's key, or {@code null}
     * @param occurredAtMillis when it was rejected
     */
    public static PipelineError error(
            Reject reject, String stage, String topic, int partition, long offset, byte[] key, long occurredAtMillis) {
        return PipelineError.newBuilder()
                .setStage(stage)
                .setTopic(topic)
                .setPartition(partition)
                .setOffset(offset)
                .setKey(key == null ? null : ByteBuffer.wrap(key))
                .setErrorType(reject.errorType())
                .setMessage(reject.message())
                .setOccurredAtMillis(occurredAtMillis)
                .build();
    }
}
