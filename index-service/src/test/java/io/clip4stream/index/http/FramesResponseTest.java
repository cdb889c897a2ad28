package io.clip4stream.index.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.clip4stream.runtime.http.ApiException;
import io.clip4stream.schemas.avro.ClipVector;
import io.clip4stream.schemas.frames.ClipFrames;
import io.clip4stream.testkit.SampleRecords;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The second phase of a two-phase gather: {@code POST /v1/frames} returns the frames of the clips asked for. */
class FramesResponseTest {
    private final ObjectMapper json = new ObjectMapper();

    private static ClipVector clip(String clipId, String version, float value) {
        return ClipVector.newBuilder(SampleRecords.clipVector("cam-1"))
                .setClipId(clipId)
                .setModelVersion(version)
                .setFrameEmbeddings(List.of(List.of(value, -value), List.of(2 * value, 0f)))
                .build();
    }

    @Test
    void returnsTheAskedVersionOfHeldClipsInRequestOrderAndLeavesOutTheRest() {
        Map<String, List<ClipVector>> store = Map.of(
                "a", List.of(clip("a", "v1", 1f), clip("a", "v2", 5f)),
                "b", List.of(clip("b", "v1", 3f)),
                "c", List.of(clip("c", "v2", 7f)));
        List<FramesResponse.Clip> found = FramesResponse.select(
                List.of("b", "missing", "c", "a"), "v1", id -> store.getOrDefault(id, List.of()), false);
        assertEquals(
                List.of("b", "a"),
                found.stream().map(FramesResponse.Clip::clipId).toList());
        assertEquals(List.of(List.of(3f, -3f), List.of(6f, 0f)), found.get(0).frameEmbeddings());
        assertEquals(List.of(1f, -1f), found.get(1).frameEmbeddings().get(0));
        assertNull(found.get(0).frameEmbeddingsF32le());
    }

    @Test
    void packedFramesCarryTheSameBytesAsTheKnnWire() {
        ClipVector a = io.clip4stream.schemas.frames.ClipFrames.withEncoding(
                clip("a", "v1", 1.25f), io.clip4stream.schemas.frames.FrameEncoding.FLOAT16);
        FramesResponse.Clip packed = FramesResponse.Clip.of(a, KnnRequest.FrameWire.PACKED_BASE64);
        assertEquals(KnnResponse.Hit.packedBase64(a), packed.frameEmbeddingsPacked());
        assertNull(packed.frameEmbeddingsF32le());
        assertNull(packed.frameEmbeddings());
        assertEquals(
                KnnRequest.FrameWire.PACKED_BASE64, new FramesRequest(List.of("a"), null, "packed-base64").frameWire());
    }

    @Test
    void binaryFramesCarryTheSameBytesAsTheKnnWire() {
        ClipVector a = clip("a", "v1", 1.25f);
        FramesResponse.Clip binary = FramesResponse.Clip.of(a, true);
        assertEquals(KnnResponse.Hit.float32Base64(ClipFrames.of(a)), binary.frameEmbeddingsF32le());
        assertEquals(2, binary.frameEmbeddingDim());
        assertNull(binary.frameEmbeddings());
    }

    @Test
    void theRequestIsValidatedAndDeduplicated() throws Exception {
        FramesRequest request = json.readValue(
                "{\"clipIds\": [\"x\", \"y\", \"x\"], \"frameEmbeddingEncoding\": \"f32le-base64\"}",
                FramesRequest.class);
        assertEquals(List.of("x", "y"), request.resolvedClipIds());
        assertEquals(true, request.binaryFrameEmbeddings());
        assertEquals("active", request.resolvedModelVersion("active"));
        assertEquals(
                "missing_clip_ids",
                assertThrows(ApiException.class, () -> new FramesRequest(List.of(), null, null).resolvedClipIds())
                        .code());
        assertEquals(
                "too_many_clip_ids",
                assertThrows(
                                ApiException.class,
                                () -> new FramesRequest(Collections.nCopies(KnnRequest.MAX_K + 1, "x"), null, null)
                                        .resolvedClipIds())
                        .code());
        assertThrows(ApiException.class, () -> new FramesRequest(List.of("x"), null, "int8").binaryFrameEmbeddings());
    }
}
