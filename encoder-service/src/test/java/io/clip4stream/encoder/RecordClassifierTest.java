package io.clip4stream.encoder;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.clip4stream.model.ModelInfo;
import io.clip4stream.model.spec.LinearPatch;
import io.clip4stream.model.spec.SimilarityHead;
import io.clip4stream.schemas.avro.EmbeddingStreamRecord;
import io.clip4stream.schemas.avro.FrameStreamRecord;
import io.clip4stream.schemas.avro.PipelineError;
import io.clip4stream.schemas.avro.SampledFrame;
import io.clip4stream.schemas.serde.AvroSerde;
import io.clip4stream.testkit.SampleRecords;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/** What each kind of input record becomes, without a broker. */
class RecordClassifierTest {

    /** A model taking 2x2 frames. */
    static final ModelInfo MODEL = new ModelInfo(
            "tiny", "v1", 4, 2, 12, 32, SimilarityHead.MEAN_P, LinearPatch.TWO_D, false, false, 1f, "cpu");

    private static final AvroSerde<FrameStreamRecord> FRAMES = AvroSerde.of(FrameStreamRecord.class);

    private static final EncoderModel ACTIVE =
            new EncoderModel(new FrameEncoding(MODEL), MODEL, FakeModels.embedder(1f, 12));

    /** A deployed version with another visual encoder taking 3x3 frames. */
    private static final EncoderModel DEPLOYED = FakeModels.model("v2", 3, 2f);

    private static final EncoderModels.Snapshot MODELS = new EncoderModels.Snapshot(
            ACTIVE,
            java.util.Map.of("v1", ACTIVE, "v2", DEPLOYED),
            java.util.Map.of("v0", "model version v0 was retired"));

    private final RecordClassifier classifier = new RecordClassifier(FRAMES::decode, () -> MODELS);

    static SampledFrame frame(long index, int width, int height) {
        byte[] pixels = new byte[width * height * 3];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (byte) (i * 11 + index);
        }
        return SampledFrame.newBuilder()
                .setSourceId("cam")
                .setClipIndex(index / 12)
                .setFrameIndex(index)
                .setPresentationTimeMicros(index * 1_000_000L)
                .setWidth(width)
                .setHeight(height)
                .setPixels(ByteBuffer.wrap(pixels))
                .build();
    }

    @Test
    void shouldAcceptAFrameOfTheModelsInputSize() {
        SampledFrame frame = frame(3, 2, 2);
        RecordClassifier.Kind kind = classifier.classify(FRAMES.encode(new FrameStreamRecord(frame)));
        assertEquals(new RecordClassifier.Frame(frame, ACTIVE), kind);
    }

    @Test
    void shouldGiveAReencodeFrameItsVersionsModelAndCheckItsSizeAgainstThatModel() {
        SampledFrame forV2 =
                SampledFrame.newBuilder(frame(3, 3, 3)).setReencodeFor("v2").build();
        assertEquals(
                new RecordClassifier.Frame(forV2, DEPLOYED),
                classifier.classify(FRAMES.encode(new FrameStreamRecord(forV2))));
        SampledFrame activeSized =
                SampledFrame.newBuilder(frame(4, 2, 2)).setReencodeFor("v2").build();
        RecordClassifier.Reject reject = assertInstanceOf(
                RecordClassifier.Reject.class, classifier.classify(FRAMES.encode(new FrameStreamRecord(activeSized))));
        assertEquals("FrameSizeMismatch", reject.errorType());
        assertTrue(reject.message().contains("v2 needs 3x3 RGB = 27 bytes"), reject.message());
    }

    @Test
    void shouldRejectAFrameReencodedForAVersionThisEncoderCannotServeNamingItAndWhy() {
        SampledFrame forRetired =
                SampledFrame.newBuilder(frame(5, 2, 2)).setReencodeFor("v0").build();
        RecordClassifier.Reject retired = assertInstanceOf(
                RecordClassifier.Reject.class, classifier.classify(FRAMES.encode(new FrameStreamRecord(forRetired))));
        assertEquals(RecordClassifier.UNKNOWN_MODEL_VERSION, retired.errorType());
        assertTrue(retired.message().contains("for model version v0"), retired.message());
        assertTrue(retired.message().contains("v0 was retired"), retired.message());

        SampledFrame forUnknown =
                SampledFrame.newBuilder(frame(6, 2, 2)).setReencodeFor("v7").build();
        RecordClassifier.Reject unknown = assertInstanceOf(
                RecordClassifier.Reject.class, classifier.classify(FRAMES.encode(new FrameStreamRecord(forUnknown))));
        assertEquals(RecordClassifier.UNKNOWN_MODEL_VERSION, unknown.errorType());
        assertTrue(unknown.message().contains("v7 is not deployed"), unknown.message());
    }

    @Test
    void shouldAskForTheModelsAgainWhenAFrameNamesAVersionNotServedYet() {
        EncoderModels.Snapshot later =
                new EncoderModels.Snapshot(ACTIVE, java.util.Map.of("v1", ACTIVE, "v2", DEPLOYED), java.util.Map.of());
        EncoderModels.Snapshot early =
                new EncoderModels.Snapshot(ACTIVE, java.util.Map.of("v1", ACTIVE), java.util.Map.of());
        java.util.List<String> asked = new java.util.ArrayList<>();
        RecordClassifier catchingUp = new RecordClassifier(FRAMES::decode, () -> early, version -> {
            asked.add(version);
            return later;
        });
        SampledFrame forV2 =
                SampledFrame.newBuilder(frame(3, 3, 3)).setReencodeFor("v2").build();
        assertEquals(
                new RecordClassifier.Frame(forV2, DEPLOYED),
                catchingUp.classify(FRAMES.encode(new FrameStreamRecord(forV2))));
        catchingUp.classify(FRAMES.encode(new FrameStreamRecord(frame(4, 2, 2))));
        assertEquals(java.util.List.of("v2"), asked, "a live frame asks nothing");
    }

    @Test
    void shouldPassAReencodingsBoundaryOnWithItsVersion() {
        var boundary = io.clip4stream.schemas.avro.ClipBoundary.newBuilder(SampleRecords.clipBoundary("cam"))
                .setReencodeFor("v2")
                .build();
        RecordClassifier.PassOn passOn = assertInstanceOf(
                RecordClassifier.PassOn.class, classifier.classify(FRAMES.encode(new FrameStreamRecord(boundary))));
        assertEquals(
                "v2",
                ((io.clip4stream.schemas.avro.ClipBoundary) passOn.output().getPayload())
                        .getReencodeFor()
                        .toString());
    }

    @Test
    void shouldPassBoundariesAndEndMarkersOnUnchanged() {
        var boundary = SampleRecords.clipBoundary("cam");
        var end = SampleRecords.endOfSource("cam");
        assertEquals(
                new RecordClassifier.PassOn(new EmbeddingStreamRecord(boundary)),
                classifier.classify(FRAMES.encode(new FrameStreamRecord(boundary))));
        assertEquals(
                new RecordClassifier.PassOn(new EmbeddingStreamRecord(end)),
                classifier.classify(FRAMES.encode(new FrameStreamRecord(end))));
    }

    @Test
    void shouldRejectATombstone() {
        RecordClassifier.Reject reject = assertInstanceOf(RecordClassifier.Reject.class, classifier.classify(null));
        assertEquals("EmptyRecord", reject.errorType());
    }

    @Test
    void shouldRejectBytesThatAreNotAnAvroMessage() {
        RecordClassifier.Reject reject =
                assertInstanceOf(RecordClassifier.Reject.class, classifier.classify(new byte[] {1, 2, 3}));
        assertEquals("MalformedRecordException", reject.errorType());
    }

    @Test
    void shouldRejectARecordOfAnotherSchema() {
        byte[] embedding = AvroSerde.of(EmbeddingStreamRecord.class)
                .encode(new EmbeddingStreamRecord(SampleRecords.frameEmbedding("cam", 0)));
        RecordClassifier.Reject reject =
                assertInstanceOf(RecordClassifier.Reject.class, classifier.classify(embedding));
        assertEquals("UnknownSchemaException", reject.errorType());
    }

    @Test
    void shouldRejectAFrameNotOfTheModelsInputSizeSayingWhy() {
        RecordClassifier.Reject reject = assertInstanceOf(
                RecordClassifier.Reject.class,
                classifier.classify(FRAMES.encode(new FrameStreamRecord(frame(7, 4, 2)))));
        assertEquals("FrameSizeMismatch", reject.errorType());
        assertTrue(reject.message().contains("frame 7 of source cam is 4x2 with 24 bytes"), reject.message());
        assertTrue(reject.message().contains("needs 2x2 RGB = 12 bytes"), reject.message());
    }

    @Test
    void shouldRejectAFrameWhosePixelsDoNotMatchItsSize() {
        SampledFrame truncated = SampledFrame.newBuilder(frame(1, 2, 2))
                .setPixels(ByteBuffer.wrap(new byte[11]))
                .build();
        RecordClassifier.Reject reject = assertInstanceOf(
                RecordClassifier.Reject.class, classifier.classify(FRAMES.encode(new FrameStreamRecord(truncated))));
        assertEquals("FrameSizeMismatch", reject.errorType());
    }

    @Test
    void shouldNameWhereARejectedRecordWasRead() {
        RecordClassifier.Reject reject = new RecordClassifier.Reject("EmptyRecord", "no frame");
        PipelineError error = RecordClassifier.error(reject, "encoder", "frames", 4, 99, new byte[] {'k'}, 1234);
        assertEquals("encoder", error.getStage());
        assertEquals("frames", error.getTopic());
        assertEquals(4, error.getPartition());
        assertEquals(99, error.getOffset());
        assertArrayEquals(new byte[] {'k'}, error.getKey().array());
        assertEquals("EmptyRecord", error.getErrorType());
        assertEquals("no frame", error.getMessage());
        assertEquals(1234, error.getOccurredAtMillis());
        assertNull(RecordClassifier.error(reject, "encoder", "frames", 4, 99, null, 1234)
                .getKey());
    }
}
