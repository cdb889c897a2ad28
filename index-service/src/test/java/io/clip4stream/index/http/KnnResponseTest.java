package io.clip4stream.index.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.clip4stream.index.store.ClipHit;
import io.clip4stream.runtime.http.ApiException;
import io.clip4stream.schemas.avro.ClipVector;
import io.clip4stream.schemas.frames.ClipFrames;
import io.clip4stream.schemas.frames.FrameEncoding;
import io.clip4stream.schemas.frames.PackedFrames;
import io.clip4stream.testkit.SampleRecords;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The two encodings of a hit's frame embeddings on the {@code /v1/knn} wire. */
class KnnResponseTest {
    private final ObjectMapper json = new ObjectMapper();

    private static ClipHit hit() {
        ClipVector clip = ClipVector.newBuilder(SampleRecords.clipVector("cam-1"))
                .setFrameEmbeddings(List.of(List.of(1.5f, -2.25f, 3e-8f), List.of(Float.MIN_VALUE, -0.0f, 1e30f)))
                .build();
        return new ClipHit(clip, 0.5f);
    }

    @Test
    void base64Float32CarriesTheSameValuesBitForBit() throws Exception {
        JsonNode node = json.valueToTree(KnnResponse.Hit.of(hit(), true, false, true));
        assertEquals(3, node.get("frameEmbeddingDim").asInt());
        assertEquals(true, node.get("frameEmbeddings").isNull());
        ByteBuffer bytes = ByteBuffer.wrap(Base64.getDecoder()
                        .decode(node.get("frameEmbeddingsF32le").asText()))
                .order(ByteOrder.LITTLE_ENDIAN);
        float[] expected = {1.5f, -2.25f, 3e-8f, Float.MIN_VALUE, -0.0f, 1e30f};
        assertEquals(expected.length * Float.BYTES, bytes.remaining());
        for (float value : expected) {
            assertEquals(Float.floatToRawIntBits(value), Float.floatToRawIntBits(bytes.getFloat()));
        }
    }

    @Test
    void packedFramesTravelAsStored() throws Exception {
        ClipVector int8 = ClipFrames.withEncoding(hitOf(1.5f).clip(), FrameEncoding.INT8);
        JsonNode node = json.valueToTree(
                KnnResponse.Hit.of(new ClipHit(int8, 0.5f), true, false, KnnRequest.FrameWire.PACKED_BASE64));

        byte[] sent =
                Base64.getDecoder().decode(node.get("frameEmbeddingsPacked").asText());
        byte[] stored = new byte[ClipFrames.packed(int8).remaining()];
        ClipFrames.packed(int8).get(stored);
        assertArrayEquals(stored, sent, "the stored int8 bytes, not re-encoded");
        assertTrue(!node.hasNonNull("frameEmbeddingsF32le"), node.toString());
        assertTrue(!node.hasNonNull("frameEmbeddings"), node.toString());

        // A float32 clip (lists) is packed as float32 on the way: bit for bit.
        JsonNode float32 = json.valueToTree(KnnResponse.Hit.of(hit(), true, false, KnnRequest.FrameWire.PACKED_BASE64));
        float[][] frames = PackedFrames.unpack(
                Base64.getDecoder().decode(float32.get("frameEmbeddingsPacked").asText()));
        assertEquals(Float.floatToRawIntBits(-0.0f), Float.floatToRawIntBits(frames[1][1]));
        assertEquals(1e30f, frames[1][2]);
        assertEquals(
                KnnRequest.FrameWire.PACKED_BASE64,
                json.readValue("{\"vector\": [1], \"frameEmbeddingEncoding\": \"packed-base64\"}", KnnRequest.class)
                        .frameWire());
    }

    private static ClipHit hitOf(float value) {
        ClipVector clip = ClipVector.newBuilder(SampleRecords.clipVector("cam-1"))
                .setFrameEmbeddings(List.of(List.of(value, -value, 0f), List.of(2 * value, 0f, 1f)))
                .build();
        return new ClipHit(clip, 0.5f);
    }

    @Test
    void aProvisionalClipIsFlaggedOnTheWire() throws Exception {
        ClipVector growing =
                ClipVector.newBuilder(hit().clip()).setProvisional(true).build();
        JsonNode node = json.valueToTree(KnnResponse.Hit.of(new ClipHit(growing, 0.5f), false, false, true));
        assertEquals(true, node.get("provisional").asBoolean(), node.toString());
        JsonNode closed = json.valueToTree(KnnResponse.Hit.of(hit(), false, false, true));
        assertEquals(true, closed.get("provisional").isBoolean(), closed.toString());
        assertEquals(false, closed.get("provisional").asBoolean());
    }

    @Test
    void numbersStayTheDefaultForOlderClients() throws Exception {
        KnnResponse.Hit numbers = KnnResponse.Hit.of(hit(), true, false);
        assertEquals(List.of(1.5f, -2.25f, 3e-8f), numbers.frameEmbeddings().get(0));
        assertNull(numbers.frameEmbeddingsF32le());
        KnnResponse.Hit none = KnnResponse.Hit.of(hit(), false, false, true);
        assertNull(none.frameEmbeddings());
        assertNull(none.frameEmbeddingsF32le());
        assertNull(none.frameEmbeddingDim());
    }

    @Test
    void theRequestNamesTheEncoding() throws Exception {
        assertEquals(
                false, json.readValue("{\"vector\": [1]}", KnnRequest.class).binaryFrameEmbeddings());
        assertEquals(
                false,
                json.readValue("{\"vector\": [1], \"frameEmbeddingEncoding\": \"floats\"}", KnnRequest.class)
                        .binaryFrameEmbeddings());
        assertEquals(
                true,
                json.readValue("{\"vector\": [1], \"frameEmbeddingEncoding\": \"f32le-base64\"}", KnnRequest.class)
                        .binaryFrameEmbeddings());
        ApiException bad = assertThrows(
                ApiException.class,
                () -> json.readValue("{\"vector\": [1], \"frameEmbeddingEncoding\": \"f16\"}", KnnRequest.class)
                        .binaryFrameEmbeddings());
        assertEquals(400, bad.status());
    }
}
