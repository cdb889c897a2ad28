package io.clip4stream.encoder;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.clip4stream.schemas.avro.EmbeddingStreamRecord;
import io.clip4stream.schemas.avro.EndOfSource;
import io.clip4stream.schemas.avro.EndReason;
import io.clip4stream.schemas.avro.FrameEmbedding;
import io.clip4stream.schemas.avro.PipelineError;
import io.clip4stream.schemas.avro.SampledFrame;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** A batch's plan, without Kafka or a model: the pixels to embed, and every input's output in input order. */
class BatchPlanTest {
    private static final FrameEncoding ENCODING = new FrameEncoding(RecordClassifierTest.MODEL);
    private static final int FLOATS = ENCODING.frameFloats();

    private static SampledFrame frame(String source, long index, int grey) {
        int side = RecordClassifierTest.MODEL.imageSize();
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
                .build();
    }

    private static EncoderInput.Frame in(String source, long offset, int grey) {
        return new EncoderInput.Frame(source.getBytes(), offset, frame(source, offset, grey));
    }

    private static EncoderInput.PassOn end(String source, long offset) {
        return new EncoderInput.PassOn(
                source.getBytes(),
                offset,
                new EmbeddingStreamRecord(EndOfSource.newBuilder()
                        .setSourceId(source)
                        .setReason(EndReason.values()[0])
                        .setTotalFrames(offset)
                        .setTotalClips(0)
                        .setDurationMicros(offset * 1_000_000L)
                        .build()));
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

    @Test
    void shouldEmbedEveryFrameAndKeepInputOrderWhenTheGateIsOff() {
        List<EncoderInput> inputs = List.of(in("cam-1", 0, 10), rejected(1), in("cam-1", 2, 200), end("cam-1", 3));
        BatchPlan plan = BatchPlan.prepare(inputs, ENCODING, new StaticSceneGate(StaticSceneGate.Policy.OFF));
        assertEquals(2, plan.framesToEmbed());
        assertNull(plan.decisions());
        assertArrayEquals(ENCODING.tensor(List.of(frame("cam-1", 0, 10), frame("cam-1", 2, 200))), plan.pixels());

        BatchPlan.Outputs outputs = plan.outputs(vectors(2), ENCODING);
        assertEquals(4, outputs.records().size());
        assertEquals(1, outputs.forwarded());
        assertEquals(0, outputs.reused());
        assertEquals(List.of("unknown_schema"), outputs.rejectedTypes());
        FrameEmbedding first = (FrameEmbedding)
                ((EmbeddingStreamRecord) outputs.records().get(0).value()).getPayload();
        assertEquals(List.of(0f, 0.5f, 0f, 1f), first.getEmbedding());
        assertTrue(outputs.records().get(1).error(), "the rejected record goes to the errors topic, in its place");
        FrameEmbedding third = (FrameEmbedding)
                ((EmbeddingStreamRecord) outputs.records().get(2).value()).getPayload();
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
        BatchPlan plan = BatchPlan.prepare(inputs, ENCODING, gate);
        assertEquals(2, plan.framesToEmbed());
        assertEquals(2 * FLOATS, plan.pixels().length);
        assertEquals(
                List.of(false, false, true),
                plan.decisions().stream().map(d -> d.reused()).toList());

        BatchPlan.Outputs outputs = plan.outputs(vectors(2), ENCODING);
        assertEquals(1, outputs.reused());
        FrameEmbedding reused = (FrameEmbedding)
                ((EmbeddingStreamRecord) outputs.records().get(2).value()).getPayload();
        assertTrue(reused.getReused());
        assertEquals(List.of(0f, 0.5f, 0f, 1f), reused.getEmbedding(), "cam-1's first frame's vector");
        FrameEmbedding other = (FrameEmbedding)
                ((EmbeddingStreamRecord) outputs.records().get(1).value()).getPayload();
        assertFalse(other.getReused());
        assertEquals(1f, other.getEmbedding().getFirst());
    }

    @Test
    void shouldForgetASourceAtItsEndSoItsNextStreamIsEmbeddedAgain() {
        StaticSceneGate gate = new StaticSceneGate(new StaticSceneGate.Policy(Set.of("cam-1"), 0.02));
        BatchPlan first = BatchPlan.prepare(List.of(in("cam-1", 0, 50)), ENCODING, gate);
        first.outputs(vectors(1), ENCODING);
        BatchPlan second = BatchPlan.prepare(List.of(end("cam-1", 1), in("cam-1", 2, 50)), ENCODING, gate);
        assertEquals(1, second.framesToEmbed(), "after the end marker the same pixels are embedded again");
        assertThrows(IllegalArgumentException.class, () -> second.outputs(vectors(2), ENCODING));
    }
}
