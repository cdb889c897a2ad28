package io.clip4stream.app.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.clip4stream.schemas.frames.FrameEncoding;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code bench storage} writes a few clips through the Lucene store and an embedded broker's topic in every encoding
 * and prints the JSON fields, the chosen encoding smaller than float32 in both places.
 */
class BenchStorageCommandIT {

    @Test
    void printsBytesPerClipOfEachEncodingAndTheRerankAgreement() throws Exception {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = Clip4StreamCommand.commandLine(new PrintWriter(out, true), new PrintWriter(err, true), Map.of())
                .execute("bench", "storage", "--clips", "30", "--scenes", "10", "--encoding", "int8", "--json");

        assertEquals(0, exit, err.toString());
        JsonNode json = new ObjectMapper().readTree(out.toString());
        assertEquals(30, json.get("clips").asInt());
        assertEquals("int8", json.get("frame_encoding").asText());
        assertEquals(512, json.get("width").asInt());
        double index = json.get("index_bytes_per_clip").asDouble();
        double topic = json.get("topic_bytes_per_clip").asDouble();
        double agreement = json.get("rerank_top10_agreement").asDouble();
        assertTrue(agreement >= 0 && agreement <= 1, out.toString());
        assertEquals(FrameEncoding.values().length, json.get("encodings").size(), out.toString());
        // 12 float32 frames of 512 are 24,576 bytes; int8 packs them in 6,202 (PackedFramesTest), in both places.
        double frameSaving = 24_576 - 6_202;
        assertTrue(json.get("float32_index_bytes_per_clip").asDouble() - index > 0.9 * frameSaving, out.toString());
        assertTrue(json.get("float32_topic_bytes_per_clip").asDouble() - topic > 0.9 * frameSaving, out.toString());
        assertTrue(topic > 6_202 + 2_048, "the record still holds its frames and its float32 vector: " + topic);
        for (JsonNode encoding : json.get("encodings")) {
            if (encoding.get("frame_encoding").asText().equals("int10")) {
                // The encoding for 12 KiB a clip at width 512: 7,738 bytes of frames next to the 2,048-byte vector and
                // the thumbnail.
                assertEquals(7_738, encoding.get("frame_bytes_per_clip").asDouble(), out.toString());
                assertTrue(encoding.get("topic_record_bytes_per_clip").asDouble() <= 12_288, out.toString());
            }
            assertTrue(
                    encoding.get("topic_record_bytes_per_clip").asDouble()
                            <= encoding.get("topic_bytes_per_clip").asDouble(),
                    out.toString());
        }
    }

    @Test
    void refusesAnUnknownEncoding() {
        StringWriter err = new StringWriter();
        int exit = Clip4StreamCommand.commandLine(
                        new PrintWriter(new StringWriter(), true), new PrintWriter(err, true), Map.of())
                .execute("bench", "storage", "--clips", "1", "--encoding", "bf16");

        assertEquals(2, exit, err.toString());
        assertTrue(err.toString().contains("float32, float16, int8"), err.toString());
    }
}
