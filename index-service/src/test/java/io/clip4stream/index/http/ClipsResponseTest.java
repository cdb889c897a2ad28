package io.clip4stream.index.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.clip4stream.index.store.TestClips;
import io.clip4stream.schemas.avro.ClipVector;
import java.nio.ByteBuffer;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

class ClipsResponseTest {
    private static final ClipVector CLIP =
            TestClips.clip("cam-a", 7, "v1", "acme", List.of(), 0, 1_000_000, new float[] {0.6f, 0.8f});

    @Test
    void aLookupByIdCarriesTheThumbnailAndARangeDoesNot() throws Exception {
        ClipsResponse.StoredClip byId = ClipsResponse.StoredClip.of(CLIP, true);
        ClipsResponse.StoredClip inRange = ClipsResponse.StoredClip.of(CLIP);

        assertArrayEquals(new byte[] {(byte) 0xFF, (byte) 0xD8, 7}, byId.thumbnailJpeg());
        assertNull(inRange.thumbnailJpeg());
        JsonNode json = new ObjectMapper().valueToTree(byId);
        assertEquals(
                Base64.getEncoder().encodeToString(byId.thumbnailJpeg()),
                json.get("thumbnailJpeg").asText());
        assertEquals(3, CLIP.getThumbnailJpeg().remaining(), "reading the thumbnail does not move the record's buffer");
    }

    @Test
    void aClipWithoutThumbnailHasNone() {
        ClipVector provisional = ClipVector.newBuilder(CLIP)
                .setThumbnailJpeg(ByteBuffer.allocate(0))
                .build();

        assertNull(ClipsResponse.StoredClip.of(provisional, true).thumbnailJpeg());
    }
}
