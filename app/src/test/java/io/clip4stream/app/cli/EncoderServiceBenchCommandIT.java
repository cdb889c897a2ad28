package io.clip4stream.app.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code bench encoder-service} end to end: its own embedded broker, a generated tiny model, one JSON object. */
class EncoderServiceBenchCommandIT {

    @Test
    void measuresTheModelAloneAndTheServiceThroughKafkaAndPrintsTheirRatio() throws Exception {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Clip4StreamCommand.commandLine(new PrintWriter(out, true), new PrintWriter(err, true), Map.of())
                .execute(
                        "bench",
                        "encoder-service",
                        "--model",
                        "TINY",
                        "--frames",
                        "96",
                        "--batch-size",
                        "8",
                        "--threads",
                        "1",
                        "--device",
                        "CPU",
                        // The tiny model embeds all 96 frames within the default 100 ms commit interval, so the
                        // service could commit them in one transaction, leaving the benchmark no window to time.
                        "--commit-interval-ms",
                        "0",
                        "--json");
        assertEquals(0, code, err.toString());

        JsonNode json = new ObjectMapper().readTree(out.toString());
        assertEquals("encoder-service", json.get("benchmark").asText());
        assertEquals(96, json.get("frames").asInt());
        assertEquals(8, json.get("batchSize").asInt());
        assertEquals(64, json.get("imageSize").asInt());
        double model = json.get("modelFramesPerSecond").asDouble();
        double service = json.get("serviceFramesPerSecond").asDouble();
        assertTrue(model > 0 && service > 0, out.toString());
        assertEquals(service / model, json.get("ratio").asDouble(), 1e-9);
        assertTrue(json.get("serviceBatches").asLong() >= 12, "96 frames in batches of at most 8: " + out);
        assertTrue(json.get("meanServiceBatch").asDouble() <= 8.0, out.toString());
        assertTrue(json.get("serviceTransactions").asLong() >= 1, out.toString());
    }

    @Test
    void measuresTheStaticSceneGateOnAMostlyStaticCamera() throws Exception {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Clip4StreamCommand.commandLine(new PrintWriter(out, true), new PrintWriter(err, true), Map.of())
                .execute(
                        "bench",
                        "encoder-service",
                        "--static-scene",
                        "--model",
                        "TINY",
                        "--frames",
                        "96",
                        "--sources",
                        "2",
                        "--partitions",
                        "2",
                        "--batch-size",
                        "8",
                        "--threads",
                        "1",
                        "--device",
                        "CPU",
                        "--demo-clips",
                        "6",
                        "--json");
        assertEquals(0, code, err.toString());

        JsonNode json = new ObjectMapper().readTree(out.toString());
        assertEquals("static-scene", json.get("mode").asText());
        // The same held-out demo-world clips with every frame encoded and through the gate, with the default model.
        JsonNode demo = json.get("demoWorld");
        assertEquals(6, demo.get("clips").asInt(), out.toString());
        assertTrue(demo.get("frames").asLong() >= 6
                && demo.get("reused_frames").asLong() <= demo.get("frames").asLong());
        for (String r1 : List.of("first_stage_r1_without", "first_stage_r1_with")) {
            assertTrue(demo.get(r1).asDouble() >= 0 && demo.get(r1).asDouble() <= 1, out.toString());
        }
        assertEquals(96, json.get("frames").asInt());
        long reused = json.get("reusedFrames").asLong();
        // 3 of every 12 frames show a moving object, and the first static frame after it differs from the last
        // encoded (object) frame: 8 of 12 reusable, less each source's very first frame.
        assertEquals(0.75, json.get("staticShare").asDouble(), 1e-9);
        assertEquals(96 * 8 / 12 - 2, reused, out.toString());
        assertEquals(reused / 96.0, json.get("skippedShare").asDouble(), 1e-9);
        assertTrue(json.get("secondsWithGate").asDouble() > 0
                && json.get("secondsWithoutGate").asDouble() > 0);
    }
}
