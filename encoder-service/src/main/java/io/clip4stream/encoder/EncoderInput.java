package io.clip4stream.encoder;

import io.clip4stream.schemas.avro.EmbeddingStreamRecord;
import io.clip4stream.schemas.avro.PipelineError;
import io.clip4stream.schemas.avro.SampledFrame;

/** One input record of the encoder as {@link RecordClassifier} sorted it, with its key and offset. */
sealed interface EncoderInput permits EncoderInput.Frame, EncoderInput.PassOn, EncoderInput.Rejected {
    /** The input record's key, which its output keeps. */
    byte[] key();

    /** The input record's offset in its partition. */
    long offset();

    /** A frame to embed with {@code model}. */
    record Frame(byte[] key, long offset, SampledFrame frame, EncoderModel model) implements EncoderInput {

        /** Whether ingest decoded it again from kept media for another model version ({@code reencodeFor}). */
        boolean reencode() {
            return frame.getReencodeFor() != null;
        }
    }

    /** A record passed on unchanged (a clip boundary, an end of source). */
    record PassOn(byte[] key, long offset, EmbeddingStreamRecord output) implements EncoderInput {}

    /** A record that cannot be processed, and the error record it becomes. */
    record Rejected(byte[] key, long offset, PipelineError error) implements EncoderInput {}
}
