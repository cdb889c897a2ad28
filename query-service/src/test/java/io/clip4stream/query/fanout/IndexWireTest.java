package io.clip4stream.query.fanout;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Frame embeddings as base64 float32 on the {@code /v1/knn} wire, and the JSON numbers older indexes send. */
class IndexWireTest {
    private final ObjectMapper json = new ObjectMapper();
    private final float[][] frames = {{1.5f, -2.25f, 3e-8f}, {Float.MIN_VALUE, -0.0f, 1e30f}};

    @Test
    void float32RoundTripsBitForBitThroughJson() throws Exception {
        IndexWire.KnnHit hit = new IndexWire.KnnHit(
                "c:0",
                "c",
                0,
                0,
                1,
                "t",
                List.of(),
                "v1",
                0.5f,
                null,
                null,
                IndexWire.float32le(frames),
                3,
                null,
                null);
        String text = json.writeValueAsString(hit);
        IndexWire.KnnHit back = json.readValue(text, IndexWire.KnnHit.class);
        float[][] decoded = IndexWire.frames(back.frameEmbeddingsF32le(), back.frameEmbeddingDim());
        assertEquals(2, decoded.length);
        for (int f = 0; f < frames.length; f++) {
            for (int d = 0; d < 3; d++) {
                assertEquals(Float.floatToRawIntBits(frames[f][d]), Float.floatToRawIntBits(decoded[f][d]));
            }
        }
    }

    @Test
    void packedFramesAreReadFromTheirBase64() throws Exception {
        byte[] packed = io.clip4stream.schemas.frames.PackedFrames.pack(
                new float[][] {{1f, 2f}}, io.clip4stream.schemas.frames.FrameEncoding.FLOAT16);
        String text = "{\"clipId\": \"c:0\", \"frameEmbeddingsPacked\": \""
                + java.util.Base64.getEncoder().encodeToString(packed) + "\"}";

        IndexWire.KnnHit hit = json.readValue(text, IndexWire.KnnHit.class);

        assertArrayEquals(packed, hit.frameEmbeddingsPacked());
        assertArrayEquals(
                new float[] {1f, 2f},
                io.clip4stream.schemas.frames.PackedFrames.unpack(hit.frameEmbeddingsPacked())[0]);
    }

    @Test
    void theIndexServiceBase64IsReadAsIs() throws Exception {
        // What io.clip4stream.index.http.KnnResponse.Hit writes for [[1, 2]]: little-endian 0x3f800000, 0x40000000.
        IndexWire.KnnHit hit = json.readValue(
                "{\"clipId\": \"c:0\", \"frameEmbeddingsF32le\": \"AACAPwAAAEA=\", \"frameEmbeddingDim\": 2}",
                IndexWire.KnnHit.class);
        assertArrayEquals(new float[] {1f, 2f}, IndexWire.frames(hit.frameEmbeddingsF32le(), 2)[0]);
    }

    @Test
    void theProvisionalFlagIsReadAndAbsentFromOlderIndexes() throws Exception {
        IndexWire.KnnHit live = json.readValue("{\"clipId\": \"c:0\", \"provisional\": true}", IndexWire.KnnHit.class);
        assertEquals(Boolean.TRUE, live.provisional());
        IndexWire.KnnHit older = json.readValue("{\"clipId\": \"c:0\"}", IndexWire.KnnHit.class);
        assertEquals(null, older.provisional(), "an index from before the flag: a closed clip");
    }

    @Test
    void malformedBytesAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> IndexWire.frames(new byte[10], 3));
        assertThrows(IllegalArgumentException.class, () -> IndexWire.frames(new byte[12], 0));
        assertThrows(IllegalArgumentException.class, () -> IndexWire.float32le(new float[][] {{1}, {1, 2}}));
    }
}
