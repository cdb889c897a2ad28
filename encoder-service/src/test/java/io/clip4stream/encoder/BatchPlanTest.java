package io.clip4stream.encoder;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.clip4stream.schemas.avro.ClipBoundary;
import io.clip4stream.schemas.avro.EmbeddingStreamRecord;
import io.clip4stream.schemas.avro.EndOfSource;
import io.clip4stream.schemas.avro.EndReason;
import io.clip4stream.schemas.avro.FrameEmbedding;
import io.clip4stream.schemas.avro.PipelineError;
import io.clip4stream.schemas.avro.SampledFrame;
import io.clip4stream.testkit.SampleRecords;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** A batch's plan, without Kafka or a real model: the pixels each model embeds, and every input's output in order. */
class BatchPlanTest {
    /** The active model: 2x2 frames, vectors tagged 1. */
    private static final EncoderModel ACTIVE = FakeModels.model("v1", 2, 1f);
    /** A version with another visual encoder: 3x3 frames, vectors tagged 2. */
    private static final EncoderModel OTHER = FakeModels.model("v2", 3, 2f);

    private static final FrameEncoding ENCODING = ACTIVE.encoding();
    private static final int FLOATS = ENCODING.frameFloats();

    private static SampledFrame frame(String source, long index, int grey, int side, String reencodeFor) {
        byte[] pixels = new byte[side * side * 3];
        Arrays.fill(pixels, (byte) grey);
        return SampledFrame.newBuilder()
                .setSourceId(source)
                .setClipIndex(0)
                .setFrameIndex(index)
                .setPresentationTimeMicros(index * 1_000_000L)
                .setWidth(side)
                .setHeight(side)
                .setPixels(ByteBuffer.wrap(pixels))
                .setReencodeFor(reencodeFor)
                .build();
    }

    private static SampledFrame frame(String source, long index, int grey) {
        return frame(source, index, grey, 2, null);
    }

    private static EncoderInput.Frame in(String source, long offset, int grey) {
        return new EncoderInput.Frame(source.getBytes(), offset, frame(source, offset, grey), ACTIVE);
    }

    /** A frame of {@code source} decoded again from kept media for {@code model}. */
    private static EncoderInput.Frame reencode(String source, long offset, int grey, EncoderModel model) {
        return new EncoderInput.Frame(
                source.getBytes(),
                offset,
                frame(source, offset, grey, model.encoding().imageSize(), model.version()),
                model);
    }

    private static EncoderInput.PassOn end(String source, long offset, String reencodeFor) {
        return new EncoderInput.PassOn(
                source.getBytes(),
                offset,
                new EmbeddingStreamRecord(EndOfSource.newBuilder()
                        .setSourceId(source)
                        .setReason(EndReason.values()[0])
                        .setTotalFrames(offset)
                        .setTotalClips(0)
                        .setDurationMicros(offset * 1_000_000L)
                        .setReencodeFor(reencodeFor)
                        .build()));
    }

    private static EncoderInput.PassOn end(String source, long offset) {
        return end(source, offset, null);
    }

    private static EncoderInput.Rejected rejected(long offset) {
        return new EncoderInput.Rejected(
                "bad".getBytes(),
                offset,
                new PipelineError("encoder", "frames", 0, offset, null, "unknown_schema", "no such schema", 0L));
    }

    private static float[][] vectors(int n) {
        float[][] out = new float[n][];
        for (int i = 0; i < n; i++) {
            out[i] = new float[] {i, i + 0.5f, 2 * i, 1};
        }
        return out;
    }

    private static FrameEmbedding embedding(BatchPlan.Outputs outputs, int index) {
        return (FrameEmbedding)
                ((EmbeddingStreamRecord) outputs.records().get(index).value()).getPayload();
    }

    /** The first normalised value of a frame of grey level {@code grey}. */
    private static float normalised(int grey, EncoderModel model) {
        return model.encoding()
                .tensor(List.of(frame("x", 0, grey, model.encoding().imageSize(), null)))[0];
    }

    @Test
    void shouldEmbedEveryFrameAndKeepInputOrderWhenTheGateIsOff() {
        List<EncoderInput> inputs = List.of(in("cam-1", 0, 10), rejected(1), in("cam-1", 2, 200), end("cam-1", 3));
        BatchPlan plan = BatchPlan.prepare(inputs, new StaticSceneGate(StaticSceneGate.Policy.OFF));
        assertEquals(2, plan.framesToEmbed());
        assertNull(plan.frames().get(0).decision());
        assertEquals(1, plan.groups().size());
        assertArrayEquals(
                ENCODING.tensor(List.of(frame("cam-1", 0, 10), frame("cam-1", 2, 200))),
                plan.groups().get(0).pixels());

        BatchPlan.Outputs outputs = plan.outputs(vectors(2));
        assertEquals(4, outputs.records().size());
        assertEquals(1, outputs.forwarded());
        assertEquals(0, outputs.reused());
        assertEquals(Map.of(), outputs.reencoded());
        assertEquals(List.of("unknown_schema"), outputs.rejectedTypes());
        FrameEmbedding first = embedding(outputs, 0);
        assertEquals(List.of(0f, 0.5f, 0f, 1f), first.getEmbedding());
        assertEquals("v1", first.getModelVersion());
        assertNull(first.getReencodeFor());
        assertTrue(outputs.records().get(1).error(), "the rejected record goes to the errors topic, in its place");
        FrameEmbedding third = embedding(outputs, 2);
        assertEquals(2, third.getFrameIndex());
        assertEquals(1f, third.getEmbedding().getFirst());
        assertSame(
                ((EncoderInput.PassOn) inputs.get(3)).output(),
                outputs.records().get(3).value());
        assertArrayEquals("cam-1".getBytes(), outputs.records().get(3).key());
    }

    @Test
    void shouldLeaveOutReusedFramesAndGiveThemTheirReferencesVector() {
        StaticSceneGate gate = new StaticSceneGate(new StaticSceneGate.Policy(Set.of("cam-1"), 0.02));
        // cam-1 repeats itself; cam-2 (gate off for it) shows the same pixels and is always embedded.
        List<EncoderInput> inputs = List.of(in("cam-1", 0, 100), in("cam-2", 0, 100), in("cam-1", 1, 100));
        BatchPlan plan = BatchPlan.prepare(inputs, gate);
        assertEquals(2, plan.framesToEmbed());
        assertEquals(2 * FLOATS, plan.groups().get(0).pixels().length);
        assertEquals(
                List.of(false, false, true),
                plan.frames().stream().map(f -> f.decision().reused()).toList());

        BatchPlan.Outputs outputs = plan.outputs(vectors(2));
        assertEquals(1, outputs.reused());
        FrameEmbedding reused = embedding(outputs, 2);
        assertTrue(reused.getReused());
        assertEquals(List.of(0f, 0.5f, 0f, 1f), reused.getEmbedding(), "cam-1's first frame's vector");
        FrameEmbedding other = embedding(outputs, 1);
        assertFalse(other.getReused());
        assertEquals(1f, other.getEmbedding().getFirst());
    }

    @Test
    void shouldForgetASourceAtItsEndSoItsNextStreamIsEmbeddedAgain() {
        StaticSceneGate gate = new StaticSceneGate(new StaticSceneGate.Policy(Set.of("cam-1"), 0.02));
        BatchPlan first = BatchPlan.prepare(List.of(in("cam-1", 0, 50)), gate);
        first.outputs(vectors(1));
        BatchPlan second = BatchPlan.prepare(List.of(end("cam-1", 1), in("cam-1", 2, 50)), gate);
        assertEquals(1, second.framesToEmbed(), "after the end marker the same pixels are embedded again");
        assertThrows(IllegalArgumentException.class, () -> second.outputs(vectors(2)));
    }

    @Test
    void shouldEncodeEachFrameWithItsOwnModelAndKeepInputOrder() {
        ClipBoundary boundary = ClipBoundary.newBuilder(SampleRecords.clipBoundary("cam-1"))
                .setReencodeFor("v2")
                .build();
        EncoderInput.PassOn reencodedBoundary =
                new EncoderInput.PassOn("cam-1".getBytes(), 3, new EmbeddingStreamRecord(boundary));
        List<EncoderInput> inputs = List.of(
                in("cam-1", 0, 10),
                reencode("cam-1", 1, 20, OTHER),
                in("cam-1", 2, 30),
                reencodedBoundary,
                reencode("cam-1", 4, 40, OTHER),
                end("cam-1", 5, "v2"));
        BatchPlan plan = BatchPlan.prepare(inputs, new StaticSceneGate(StaticSceneGate.Policy.OFF));
        assertEquals(4, plan.framesToEmbed());
        assertEquals(List.of("v1", "v2"), plan.versions(), "one group per model, in order of first appearance");
        assertEquals(2 * 3 * 3 * 3, plan.groups().get(1).pixels().length, "v2's frames are prepared at its size");

        BatchPlan.Outputs outputs = plan.outputs(plan.embed());
        assertEquals(6, outputs.records().size());
        int[] frames = {0, 1, 2, 4};
        int[] greys = {10, 20, 30, 40};
        EncoderModel[] models = {ACTIVE, OTHER, ACTIVE, OTHER};
        for (int i = 0; i < frames.length; i++) {
            FrameEmbedding embedding = embedding(outputs, frames[i]);
            EncoderModel model = models[i];
            assertEquals(frames[i], embedding.getFrameIndex());
            assertEquals(model.version(), embedding.getModelVersion());
            assertEquals(model == OTHER ? "v2" : null, embedding.getReencodeFor());
            assertEquals(model == OTHER ? 2f : 1f, embedding.getEmbedding().get(0), "encoded by its own model");
            assertEquals(normalised(greys[i], model), embedding.getEmbedding().get(1), "its own pixels");
        }
        assertSame(boundary, ((EmbeddingStreamRecord) outputs.records().get(3).value()).getPayload());
        EndOfSource end =
                (EndOfSource) ((EmbeddingStreamRecord) outputs.records().get(5).value()).getPayload();
        assertEquals("v2", end.getReencodeFor(), "the re-encoding's end marker goes on with its version");
        assertEquals(Map.of("v2", 2), outputs.reencoded());
        assertEquals(2, outputs.forwarded());
    }

    @Test
    void reencodeFramesBypassTheStaticSceneGate() {
        StaticSceneGate gate = new StaticSceneGate(new StaticSceneGate.Policy(Set.of("cam-1"), 0.02));
        EncoderModel sameSize = FakeModels.model("v3", 2, 3f);
        // All the same pixels: only the live stream's second frame may reuse its first.
        List<EncoderInput> inputs = List.of(
                in("cam-1", 0, 100),
                reencode("cam-1", 1, 100, sameSize),
                reencode("cam-1", 2, 100, sameSize),
                in("cam-1", 3, 100));
        BatchPlan plan = BatchPlan.prepare(inputs, gate);
        assertEquals(3, plan.framesToEmbed());
        assertNull(plan.frames().get(1).decision(), "the gate never sees a re-encode frame");
        assertNull(plan.frames().get(2).decision());
        assertTrue(plan.frames().get(3).decision().reused());

        BatchPlan.Outputs outputs = plan.outputs(plan.embed());
        assertEquals(1, outputs.reused());
        assertFalse(embedding(outputs, 1).getReused());
        assertFalse(embedding(outputs, 2).getReused());
        assertEquals(3f, embedding(outputs, 2).getEmbedding().getFirst());
        assertEquals(1f, embedding(outputs, 3).getEmbedding().getFirst(), "the live frame's own model's vector");

        // A re-encoding's end marker does not end the live stream the gate follows.
        BatchPlan next = BatchPlan.prepare(List.of(end("cam-1", 4, "v3"), in("cam-1", 5, 100)), gate);
        assertEquals(0, next.framesToEmbed(), "still the live stream's reference");
    }

    @Test
    void theGateNeverReusesAVectorOfAnotherModelAfterTheActiveVersionChanges() {
        StaticSceneGate gate = new StaticSceneGate(new StaticSceneGate.Policy(Set.of("cam-1"), 0.02));
        BatchPlan before = BatchPlan.prepare(List.of(in("cam-1", 0, 100)), gate);
        before.outputs(before.embed());
        EncoderModel activated = FakeModels.model("v3", 2, 3f);
        EncoderInput.Frame sameScene = new EncoderInput.Frame("cam-1".getBytes(), 1, frame("cam-1", 1, 100), activated);
        BatchPlan after = BatchPlan.prepare(List.of(sameScene), gate);
        assertEquals(1, after.framesToEmbed());
        FrameEmbedding embedding = embedding(after.outputs(after.embed()), 0);
        assertEquals("v3", embedding.getModelVersion());
        assertEquals(3f, embedding.getEmbedding().getFirst());
    }

    @Test
    void aFrameForAVersionThisEncoderCannotServeBecomesAnErrorRecordInItsPlace() {
        EncoderModels.Snapshot snapshot = new EncoderModels.Snapshot(
                ACTIVE, Map.of("v1", ACTIVE, "v2", OTHER), Map.of("v9", "model version v9 was retired"));
        var frames = io.clip4stream.schemas.serde.AvroSerde.of(io.clip4stream.schemas.avro.FrameStreamRecord.class);
        RecordClassifier classifier = new RecordClassifier(frames::decode, () -> snapshot);
        SampledFrame forRetired = frame("cam-1", 1, 5, 2, "v9");
        var kind = classifier.classify(frames.encode(new io.clip4stream.schemas.avro.FrameStreamRecord(forRetired)));
        RecordClassifier.Reject reject = (RecordClassifier.Reject) kind;
        EncoderInput.Rejected rejected = new EncoderInput.Rejected(
                "cam-1".getBytes(),
                1,
                RecordClassifier.error(reject, EncodeLoop.STAGE, "frames", 0, 1, "cam-1".getBytes(), 0));
        BatchPlan plan = BatchPlan.prepare(
                List.of(in("cam-1", 0, 10), rejected, reencode("cam-1", 2, 10, OTHER)),
                new StaticSceneGate(StaticSceneGate.Policy.OFF));
        BatchPlan.Outputs outputs = plan.outputs(plan.embed());
        assertEquals(List.of(RecordClassifier.UNKNOWN_MODEL_VERSION), outputs.rejectedTypes());
        assertTrue(outputs.records().get(1).error());
        assertTrue(
                ((PipelineError) outputs.records().get(1).value()).getMessage().contains("v9 was retired"));
        assertEquals("v2", embedding(outputs, 2).getModelVersion());
    }
}
