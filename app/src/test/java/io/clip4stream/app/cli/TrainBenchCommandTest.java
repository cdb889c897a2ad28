package io.clip4stream.app.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.clip4stream.testkit.RequiredTool;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code bench train} on the tiny model: every figure in one JSON object, and PyTorch eager where torch exists. */
class TrainBenchCommandTest {

    private static final String[] TINY = {
        "--model",
        "TINY",
        "--threads",
        "1",
        "--batch",
        "2",
        "--frames",
        "4",
        "--steps",
        "2",
        "--head-batch",
        "4",
        "--head-steps",
        "2",
        "--matmul-seconds",
        "0.05"
    };

    @Test
    void shouldMeasureBothTrainingModesTheMemoryAndTheEagerBaselineOnTheSameShapes() throws Exception {
        Run run = run(concat(TINY, "--memory-batch", "2", "--json"));
        assertEquals(0, run.exit(), run.err());
        JsonNode json = new ObjectMapper().readTree(run.out());
        assertEquals("train", json.get("benchmark").asText());
        assertEquals("tiny", json.get("shape").asText());
        assertEquals(1, json.get("threads").asInt());
        assertTrue(json.get("matmul_gflops").asDouble() > 0, run.out());

        JsonNode full = json.get("full");
        assertEquals(2, full.get("batch").asInt());
        assertEquals(4, full.get("frames").asInt());
        assertEquals(2, full.get("steps").asInt());
        assertEquals(0, full.get("freeze_layer_num").asInt());
        assertTrue(full.get("steps_per_second").asDouble() > 0, run.out());
        assertEquals(
                2 * full.get("steps_per_second").asDouble(),
                full.get("clips_per_second").asDouble(),
                1e-9);
        assertEquals(
                full.get("gflops").asDouble() / json.get("matmul_gflops").asDouble(),
                full.get("fraction_of_matmul_rate").asDouble(),
                1e-9);

        JsonNode head = json.get("head");
        assertEquals(4, head.get("batch").asInt());
        assertEquals(2, head.get("layers").asInt());
        assertEquals(64, head.get("width").asInt());
        assertTrue(head.get("steps_per_second").asDouble() > 0, run.out());
        assertTrue(head.get("gflop_per_step").asDouble() > 0, run.out());
        // frame_position_embeddings [77, 64] and two blocks of 12·w² + 13·w: CLIP, logit scale included, is frozen.
        assertEquals(
                77 * 64 + 2 * (12 * 64 * 64 + 13 * 64),
                head.get("trainable_parameters").asLong());

        JsonNode memory = json.get("memory");
        assertEquals(2, memory.get("batch").asInt());
        assertTrue(memory.get("heap_used_peak_gib").asDouble() > 0, run.out());
        assertTrue(memory.has("rss_peak_gib") && memory.has("rss_peak_source"), run.out());

        JsonNode eager = json.get("pytorch_eager");
        // .ci/run installs python3-torch: where tools are required the baseline must run, not be skipped.
        if (!RequiredTool.PYTHON_TORCH.optional(!eager.has("note"), "the PyTorch eager baseline: " + run.out())) {
            assertTrue(eager.get("note").asText().startsWith("not measured: "), run.out());
        } else {
            for (String mode : new String[] {"full", "head"}) {
                JsonNode theirs = eager.get(mode);
                assertTrue(theirs.get("steps_per_second").asDouble() > 0, run.out());
                // The baseline trains exactly the parameters ours trains, so the two step the same work.
                assertEquals(
                        json.get(mode).get("trainable_parameters").asLong(),
                        theirs.get("trainable_parameters").asLong(),
                        mode + ": " + run.out());
                assertEquals(
                        json.get(mode).get("steps_per_second").asDouble()
                                / theirs.get("steps_per_second").asDouble(),
                        theirs.get("ours_over_pytorch").asDouble(),
                        1e-9);
            }
            assertEquals(2, eager.get("memory").get("batch").asInt(), run.out());
        }
    }

    @Test
    void shouldSayWhatWasNotMeasuredInTheTable() {
        Run run = run(concat(TINY, "--skip-memory", "--no-pytorch"));
        assertEquals(0, run.exit(), run.err());
        assertTrue(run.out().contains("full fine-tuning (freeze 0), 2 x 4"), run.out());
        assertTrue(run.out().contains("head-only on cached embeddings, 4 x 4"), run.out());
        assertTrue(run.out().contains("memory: not measured: --skip-memory"), run.out());
        assertTrue(run.out().contains("pytorch eager: not measured: --no-pytorch"), run.out());
    }

    @Test
    void shouldBeListedUnderBench() {
        StringWriter out = new StringWriter();
        Clip4StreamCommand.commandLine(new PrintWriter(out, true), new PrintWriter(new StringWriter()), Map.of())
                .execute("bench", "--help");
        assertTrue(out.toString().contains("train"), out.toString());
    }

    private static String[] concat(String[] first, String... rest) {
        String[] all = new String[first.length + rest.length];
        System.arraycopy(first, 0, all, 0, first.length);
        System.arraycopy(rest, 0, all, first.length, rest.length);
        return all;
    }

    /** What one {@code bench train} run printed and returned. */
    private record Run(int exit, String out, String err) {}

    private static Run run(String... options) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = Clip4StreamCommand.commandLine(new PrintWriter(out, true), new PrintWriter(err, true), Map.of())
                .execute(concat(new String[] {"bench", "train"}, options));
        return new Run(exit, out.toString(), err.toString());
    }
}
