package io.clip4stream.schemas.frames;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.clip4stream.schemas.avro.ClipVector;
import io.clip4stream.schemas.serde.AvroSerde;
import io.clip4stream.schemas.serde.SchemaHistory;
import java.nio.ByteBuffer;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageEncoder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class ClipFramesTest {
    private static final AvroSerde<ClipVector> SERDE = AvroSerde.of(ClipVector.class);
    private static final float[][] FRAMES = {{0.5f, -0.25f, 0.125f}, {1f, 0f, -1f}};

    private static ClipVector.Builder clip() {
        return ClipVector.newBuilder()
                .setClipId("c-1")
                .setSourceId("cam-1")
                .setClipIndex(0)
                .setStartTimeMicros(0)
                .setEndTimeMicros(12_000_000)
                .setThumbnailJpeg(ByteBuffer.wrap(new byte[] {1}))
                .setModelId("m")
                .setModelVersion("v")
                .setAggregation("meanP")
                .setVector(List.of(1f, 0f, 0f))
                .setFrameEmbeddings(List.of())
                .setIndexedAtMillis(1);
    }

    @ParameterizedTest
    @EnumSource(FrameEncoding.class)
    void framesSurviveTheAvroRecordInEveryEncoding(FrameEncoding encoding) {
        ClipVector written = ClipFrames.set(clip(), FRAMES, encoding).build();
        ClipVector read = SERDE.decode(SERDE.encode(written));

        assertEquals(encoding, ClipFrames.encoding(read));
        assertEquals(2, ClipFrames.count(read));
        float[][] frames = ClipFrames.of(read);
        for (int f = 0; f < FRAMES.length; f++) {
            assertArrayEquals(FRAMES[f], frames[f], 0.01f);
        }
        assertEquals(
                List.of(frames[1][0], frames[1][1], frames[1][2]),
                ClipFrames.lists(read).get(1));
        if (encoding == FrameEncoding.FLOAT32) {
            assertNull(ClipFrames.packed(read), "float32 stays a list, readable by services that predate packing");
            assertEquals(2, read.getFrameEmbeddings().size());
        } else {
            assertNotNull(ClipFrames.packed(read));
            assertTrue(read.getFrameEmbeddings().isEmpty(), "packed frames leave the float list empty");
        }
    }

    @Test
    void packedFramesShrinkTheRecord() {
        float[][] frames = new float[12][512];
        for (float[] frame : frames) {
            java.util.Arrays.fill(frame, 0.01f);
        }
        int float32 = SERDE.encode(
                        ClipFrames.set(clip(), frames, FrameEncoding.FLOAT32).build())
                .length;
        int float16 = SERDE.encode(
                        ClipFrames.set(clip(), frames, FrameEncoding.FLOAT16).build())
                .length;
        int int8 =
                SERDE.encode(ClipFrames.set(clip(), frames, FrameEncoding.INT8).build()).length;

        assertTrue(float32 > 12 * 512 * 4, "float32: " + float32);
        assertTrue(float16 < float32 / 2 + 200, "float16: " + float16);
        assertTrue(int8 < float32 / 4 + 200, "int8: " + int8);
    }

    @Test
    void recordsWrittenBeforePackingAreReadAsFloat32Lists() throws Exception {
        List<Schema> history = SchemaHistory.load(
                ClipVector.getClassSchema().getFullName(), getClass().getClassLoader());
        assertEquals(1, history.size());
        Schema v1 = history.get(0);
        assertNull(v1.getField("packedFrameEmbeddings"), "v1 is the schema from before the packed field");
        GenericRecord old = new GenericData.Record(v1);
        ClipVector template = clip().build();
        for (Schema.Field field : v1.getFields()) {
            old.put(field.name(), template.get(field.name()));
        }
        old.put("frameEmbeddings", List.of(List.of(0.5f, -0.5f)));
        byte[] written = new BinaryMessageEncoder<GenericRecord>(GenericData.get(), v1)
                .encode(old)
                .array();

        ClipVector read = SERDE.decode(written);

        assertEquals(FrameEncoding.FLOAT32, ClipFrames.encoding(read));
        assertArrayEquals(new float[] {0.5f, -0.5f}, ClipFrames.of(read)[0]);
    }

    @Test
    void packedBytesThatDisagreeWithTheNamedEncodingAreRefused() {
        ClipVector packed = ClipFrames.set(clip(), FRAMES, FrameEncoding.INT8)
                .setFrameEncoding("float16")
                .build();

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ClipFrames.of(packed));
        assertTrue(e.getMessage().contains("clip c-1"), e.getMessage());
        assertTrue(e.getMessage().contains("packed as int8 but named float16"), e.getMessage());
    }

    @Test
    void reencodingKeepsEverythingElse() {
        ClipVector float32 =
                ClipFrames.set(clip(), FRAMES, FrameEncoding.FLOAT32).build();
        ClipVector int8 = ClipFrames.withEncoding(float32, FrameEncoding.INT8);

        assertEquals(FrameEncoding.INT8, ClipFrames.encoding(int8));
        assertEquals(float32.getVector(), int8.getVector());
        assertEquals(float32.getClipId(), int8.getClipId());
        assertTrue(ClipFrames.isEmpty(clip().build()));
    }
}
