package io.clip4stream.encoder;

import io.clip4stream.schemas.avro.ClipBoundary;
import io.clip4stream.schemas.avro.EmbeddingStreamRecord;
import io.clip4stream.schemas.avro.EndOfSource;
import io.clip4stream.schemas.avro.FrameStreamRecord;
import io.clip4stream.schemas.avro.PipelineError;
import io.clip4stream.schemas.avro.SampledFrame;
import java.nio.ByteBuffer;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.kafka.common.errors.SerializationException;

/**
 * Decides what one input record of the encoder is, with no Kafka client in sight: a frame to embed and the model to
 * embed it with, a clip boundary or end-of-source marker to pass on unchanged, or a record to reject to the errors
 * topic (empty, unreadable, of an unknown payload, a frame not of its model's input size, or a frame re-encoded for a
 * model version this encoder cannot serve). The encode loop calls it for every polled record.
 */
public final class RecordClassifier {

    /** What an input record is. */
    public sealed interface Kind permits Frame, PassOn, Reject {}

    /**
     * A sampled frame of its model's input size: it is embedded with {@code model}.
     *
     * @param frame the frame
     * @param model the active model for a live frame; the {@code reencodeFor} version's for a re-encode frame
     */
    public record Frame(SampledFrame frame, EncoderModel model) implements Kind {}

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

    /** The error type of a frame re-encoded for a model version this encoder cannot serve. */
    public static final String UNKNOWN_MODEL_VERSION = "UnknownModelVersion";

    private final Function<byte[], FrameStreamRecord> decoder;
    private final Supplier<EncoderModels.Snapshot> models;
    private final Function<String, EncoderModels.Snapshot> knowing;

    /**
     * A classifier decoding values with {@code decoder} (which throws a {@link SerializationException} for unreadable
     * bytes, as our Avro serdes do) and picking each frame's model from the current {@code models}.
     */
    public RecordClassifier(Function<byte[], FrameStreamRecord> decoder, Supplier<EncoderModels.Snapshot> models) {
        this(decoder, models, version -> models.get());
    }

    /**
     * As {@link #RecordClassifier(Function, Supplier)}, asking {@code knowing} for the models once more when a frame
     * names a version the current ones do not serve ({@link EncoderModels#knowing}).
     */
    public RecordClassifier(
            Function<byte[], FrameStreamRecord> decoder,
            Supplier<EncoderModels.Snapshot> models,
            Function<String, EncoderModels.Snapshot> knowing) {
        this.decoder = Objects.requireNonNull(decoder, "decoder");
        this.models = Objects.requireNonNull(models, "models");
        this.knowing = Objects.requireNonNull(knowing, "knowing");
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
            case SampledFrame frame -> withModel(frame);
            case ClipBoundary boundary -> new PassOn(new EmbeddingStreamRecord(boundary));
            case EndOfSource end -> new PassOn(new EmbeddingStreamRecord(end));
            default ->
                new Reject(
                        "UnknownPayload",
                        "payload of type " + decoded.getPayload().getClass().getName()
                                + " is not a frame stream record");
        };
    }

    private Kind withModel(SampledFrame frame) {
        EncoderModels.Snapshot snapshot = models.get();
        if (frame.getReencodeFor() == null) {
            return checkSize(frame, snapshot.active());
        }
        String version = frame.getReencodeFor().toString();
        if (snapshot.forVersion(version).isEmpty()) {
            snapshot = knowing.apply(version);
        }
        EncoderModels.Snapshot known = snapshot;
        return known.forVersion(version)
                .map(model -> checkSize(frame, model))
                .orElseGet(() -> new Reject(
                        UNKNOWN_MODEL_VERSION,
                        "frame " + frame.getFrameIndex() + " of source " + frame.getSourceId()
                                + " was decoded again for model version " + version + ", which this encoder cannot"
                                + " encode: " + known.whyNot(version)));
    }

    private static Kind checkSize(SampledFrame frame, EncoderModel encoder) {
        FrameEncoding model = encoder.encoding();
        int size = model.imageSize();
        long expected = 3L * size * size;
        int actual = frame.getPixels().remaining();
        if (frame.getWidth() != size || frame.getHeight() != size || actual != expected) {
            return new Reject(
                    "FrameSizeMismatch",
                    "frame " + frame.getFrameIndex() + " of source " + frame.getSourceId() + " is "
                            + frame.getWidth() + "x" + frame.getHeight() + " with " + actual + " bytes; model "
                            + model.modelId() + " " + model.modelVersion() + " needs " + size + "x" + size + " RGB = "
                            + expected
                            + " bytes (ingest resizes and crops to the model input size)");
        }
        return new Frame(frame, encoder);
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
