package io.clip4stream.app.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.clip4stream.ingest.decode.SyntheticVideo;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code clip4stream probe} on a generated video, a truncated one and an unreadable file. */
class ProbeCommandTest {
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @TempDir
    Path dir;

    private int run(String... args) {
        return Clip4StreamCommand.commandLine(new PrintWriter(out, true), new PrintWriter(err, true), Map.of())
                .execute(args);
    }

    @Test
    void printsThePlanAsOneJsonObject() throws Exception {
        Path file = dir.resolve("v.mp4");
        SyntheticVideo.h264Mp4(64, 48, 10, 50).writeTo(file);
        assertEquals(0, run("probe", file.toString(), "--fps", "2", "--window", "4", "--stride", "2"), err.toString());
        JsonNode json = new ObjectMapper().readTree(out.toString());
        assertEquals(5000, json.get("durationMs").asLong());
        assertEquals(10, json.get("frames").size());
        assertEquals(500, json.get("frames").get(1).get("timestampMs").asLong());
        JsonNode clips = json.get("clips");
        assertEquals(4, clips.size()); // windows at 0, 2, 4, 6 (the last, 6..9, is full)
        assertEquals(1, clips.get(1).get("index").asLong());
        assertEquals(1000, clips.get(1).get("startMs").asLong());
        assertEquals(3000, clips.get(1).get("endMs").asLong());
        assertEquals(4, clips.get(1).get("frameCount").asInt());
        assertFalse(json.get("truncated").asBoolean());
        assertEquals("h264", json.get("video").get("codec").asText());
        assertEquals(64, json.get("video").get("width").asInt());
        assertEquals(48, json.get("video").get("height").asInt());
        assertEquals("upright", json.get("video").get("orientation").asText());
    }

    @Test
    void saysHowAPortraitPhoneVideoIsTurned() throws Exception {
        Path file = dir.resolve("portrait.mp4");
        SyntheticVideo.h264Mp4(64, 48, 10, 20).writeTo(file, -90);
        assertEquals(0, run("probe", file.toString()), err.toString());
        JsonNode video = new ObjectMapper().readTree(out.toString()).get("video");
        assertEquals(48, video.get("width").asInt());
        assertEquals(64, video.get("height").asInt());
        assertEquals("clockwise", video.get("orientation").asText());
    }

    @Test
    void reportsATruncatedFile() throws Exception {
        Path file = dir.resolve("v.mp4");
        SyntheticVideo.h264Mp4(64, 48, 10, 80).withFaststart(true).writeTo(file);
        byte[] bytes = Files.readAllBytes(file);
        Path cut = Files.write(dir.resolve("cut.mp4"), java.util.Arrays.copyOf(bytes, bytes.length / 2));
        assertEquals(0, run("probe", cut.toString()), err.toString());
        assertTrue(new ObjectMapper().readTree(out.toString()).get("truncated").asBoolean());
    }

    @Test
    void unreadableInputExitsNonZeroWithOneReadableLine() throws Exception {
        Path file = Files.writeString(dir.resolve("notes.txt"), "not a video\n".repeat(100));
        assertEquals(1, run("probe", file.toString()));
        String message = err.toString().strip();
        assertEquals(1, message.lines().count(), message);
        assertTrue(message.startsWith("probe: ") && message.contains("not a video"), message);
        assertEquals("", out.toString());
    }
}
