package io.clip4stream.app.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.clip4stream.model.spec.SimilarityHead;
import io.clip4stream.model.tokenize.ClipTokenizer;
import io.clip4stream.model.train.FreezeRule;
import io.clip4stream.model.weights.ModelDirectory;
import io.clip4stream.model.weights.SafetensorsFile;
import io.clip4stream.model.weights.TinyModelGenerator;
import io.clip4stream.model.weights.TinyModelShape;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Trains a tiny model on generated coloured clips: it learns, resumes exactly, and evaluates. */
class TrainingRunTest {

    @TempDir
    static Path dir;

    private static Path manifest;
    private static ModelDirectory tiny;

    @BeforeAll
    static void data() throws IOException {
        manifest = ColouredClips.write(dir.resolve("videos"), 8, 3);
        tiny = new TinyModelGenerator(7).generate(dir.resolve("tiny"), TinyModelShape.defaults(), "tiny-train");
    }

    private static TrainingSet set(Path cache) {
        ClipFrameReader reader = new ClipFrameReader(64, 12, ClipFrameReader.DEFAULT_FPS, cache);
        return TrainingSet.prepare(
                "train",
                TrainingManifest.read(manifest),
                reader,
                ClipTokenizer.withBundledVocabulary(),
                12,
                32,
                line -> {});
    }

    private static TrainingSettings settings(SimilarityHead head, int epochs, FreezeRule freeze) {
        // Rates far above the paper's: a tiny random model must move visibly in a few steps.
        return new TrainingSettings(head, epochs, 4, 3e-4, 1.0, 0.1, freeze, 12, 32, 5, 0);
    }

    private static TrainingRun.Outcome train(
            TrainingSettings settings, TrainingSet set, Path out, Optional<Path> resume, int stopAfterSteps)
            throws IOException {
        AtomicInteger polls = new AtomicInteger();
        return new TrainingRun(
                        settings,
                        tiny,
                        set,
                        Optional.of(set),
                        "coloured clips",
                        out,
                        Device.cpu(),
                        1,
                        line -> {},
                        () -> stopAfterSteps > 0 && polls.getAndIncrement() >= stopAfterSteps)
                .run(resume);
    }

    @Test
    void learnsTheColoursLossFallsAndRecallRises() throws IOException {
        TrainingSet set = set(dir.resolve("frames"));
        RetrievalEvaluator.Result before = ModelEvaluation.run(
                tiny, SimilarityHead.MEAN_P, manifest, "test", 1.0, dir.resolve("frames"), 1, line -> {});
        Path out = dir.resolve("meanP");
        TrainingRun.Outcome outcome =
                train(settings(SimilarityHead.MEAN_P, 40, FreezeRule.layers(0)), set, out, Optional.empty(), 0);

        assertTrue(outcome.completed());
        List<Double> losses = new ArrayList<>();
        outcome.history()
                .path("epochs")
                .forEach(e -> losses.add(e.path("mean_loss").asDouble()));
        assertEquals(40, losses.size());
        double first = losses.get(0);
        double last = losses.get(losses.size() - 1);
        assertTrue(last < 0.8 * first, "loss should fall by a fifth at least: " + losses);

        ModelDirectory trained = ModelDirectory.open(out);
        RetrievalEvaluator.Result after = ModelEvaluation.run(
                trained, SimilarityHead.MEAN_P, manifest, "test", 1.0, dir.resolve("frames"), 1, line -> {});
        assertTrue(
                after.textToVideo().r1() >= before.textToVideo().r1() + 25,
                "R@1 should rise by 25 points: " + before.textToVideo() + " -> " + after.textToVideo());

        JsonNode config =
                JsonMapper.builder().build().readTree(out.resolve("config.json").toFile());
        assertEquals("meanP", config.path("sim_header").asText());
        assertEquals("[\"meanP\"]", config.path("trained_heads").toString(), "the head trained here is recorded");
        assertTrue(
                config.path("model_version").asText().startsWith(tiny.config().modelVersion() + "+meanP-"));
        assertEquals(40, config.path("training").path("epochs").size());
        assertTrue(config.path("training").path("epochs").get(0).has("eval"));
        assertEquals(8, config.path("training").path("train_clips").asInt());
    }

    @Test
    void aRunStoppedAndResumedEndsWithTheWeightsOfAnUninterruptedRun() throws IOException {
        TrainingSet set = set(dir.resolve("frames"));
        // seqTransf with CLIP frozen: head-only training on cached embeddings; the tight head would add dropout,
        // which the per-step seed makes repeatable too.
        for (SimilarityHead head : List.of(SimilarityHead.SEQ_TRANSF, SimilarityHead.TIGHT_TRANSF)) {
            TrainingSettings settings = settings(head, 3, FreezeRule.clip());
            Path whole = dir.resolve("whole-" + head.configName());
            assertTrue(train(settings, set, whole, Optional.empty(), 0).completed());

            Path parts = dir.resolve("parts-" + head.configName());
            TrainingRun.Outcome stopped = train(settings, set, parts, Optional.empty(), 2);
            assertFalse(stopped.completed());
            assertEquals(2, stopped.steps());
            assertTrue(Files.isRegularFile(parts.resolve("checkpoint/state.json")));
            TrainingRun.Outcome resumed = train(settings, set, parts, Optional.of(parts), 0);
            assertTrue(resumed.completed());
            assertEquals(6, resumed.steps());

            try (SafetensorsFile a = SafetensorsFile.open(whole.resolve("checkpoint/weights.safetensors"));
                    SafetensorsFile b = SafetensorsFile.open(parts.resolve("checkpoint/weights.safetensors"))) {
                assertEquals(a.names(), b.names());
                for (String name : a.names()) {
                    assertArrayEquals(a.floats(name), b.floats(name), 0f, head + " " + name);
                }
            }
        }
    }

    @Test
    void badDataGetsOneClearErrorNamingTheLine() throws IOException {
        Path videos = dir.resolve("videos");
        assertError("train.jsonl:1: video", "{\"video\": \"missing.mp4\", \"caption\": \"x\"}");
        assertError(
                "train.jsonl:2: 'caption' is missing or empty",
                "{\"video\": \"" + videos.resolve("clip0.mp4") + "\", \"caption\": \"a\"}\n" + "{\"video\": \""
                        + videos.resolve("clip0.mp4") + "\", \"caption\": \"  \"}");
        assertError(
                "caption is too long",
                "{\"video\": \"" + videos.resolve("clip0.mp4") + "\", \"caption\": \""
                        + "x".repeat(ClipTokenizer.MAX_INPUT_CHARS + 1) + "\"}");
        assertError(
                "bad times",
                "{\"video\": \"" + videos.resolve("clip0.mp4") + "\", \"start\": 5, \"end\": 2, \"caption\": \"x\"}");
        assertError("holds no clip", "");

        Path beyond = dir.resolve("bad").resolve("beyond.jsonl");
        Files.writeString(
                beyond,
                "{\"video\": \"" + videos.resolve("clip0.mp4")
                        + "\", \"start\": 100, \"end\": 110, \"caption\": \"late\"}");
        ClipFrameReader reader = new ClipFrameReader(64, 12, 1.0, dir.resolve("bad-frames"));
        TrainingDataException zero = org.junit.jupiter.api.Assertions.assertThrows(
                TrainingDataException.class,
                () -> TrainingSet.prepare(
                        "train",
                        TrainingManifest.read(beyond),
                        reader,
                        ClipTokenizer.withBundledVocabulary(),
                        12,
                        32,
                        line -> {}));
        assertTrue(zero.getMessage().contains("zero clips left"), zero.getMessage());
    }

    private static void assertError(String expected, String manifestText) throws IOException {
        Path file = dir.resolve("bad").resolve("train.jsonl");
        Files.createDirectories(file.getParent());
        Files.writeString(file, manifestText);
        TrainingDataException e = org.junit.jupiter.api.Assertions.assertThrows(
                TrainingDataException.class, () -> TrainingManifest.read(file));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }

    @Test
    void theTrainAndEvalCommandsWriteAModelDirectoryAndItsFigures() throws Exception {
        java.io.StringWriter out = new java.io.StringWriter();
        java.io.StringWriter err = new java.io.StringWriter();
        Path trained = dir.resolve("cli-seqTransf");
        int code = io.clip4stream.app.cli.Clip4StreamCommand.commandLine(
                        new java.io.PrintWriter(out, true), new java.io.PrintWriter(err, true), java.util.Map.of())
                .execute(
                        "train",
                        manifest.toString(),
                        "--init",
                        tiny.root().toString(),
                        "--head",
                        "seqTransf",
                        "--out",
                        trained.toString(),
                        "--epochs",
                        "2",
                        "--batch-size",
                        "4",
                        "--lr",
                        "1e-3",
                        "--freeze-clip",
                        "--threads",
                        "1",
                        "--eval",
                        manifest.toString(),
                        "--json");
        assertEquals(0, code, err.toString());
        JsonNode summary = JsonMapper.builder().build().readTree(out.toString());
        assertTrue(summary.path("completed").asBoolean());
        assertEquals(4, summary.path("steps").asInt());
        assertTrue(err.toString().contains("epoch 2/2"), err.toString());
        assertEquals(
                "seqTransf", ModelDirectory.open(trained).config().simHeader().configName());
        assertTrue(ModelDirectory.open(trained).config().isTrained(SimilarityHead.SEQ_TRANSF));
        assertFalse(
                ModelDirectory.open(trained).config().isTrained(SimilarityHead.TIGHT_TRANSF),
                "the tiny model's random tightTransf weights were never trained");

        out.getBuffer().setLength(0);
        code = io.clip4stream.app.cli.Clip4StreamCommand.commandLine(
                        new java.io.PrintWriter(out, true), new java.io.PrintWriter(err, true), java.util.Map.of())
                .execute("model", "eval", trained.toString(), manifest.toString(), "--threads", "1", "--json");
        assertEquals(0, code, err.toString());
        JsonNode figures = JsonMapper.builder().build().readTree(out.toString());
        assertEquals(8, figures.path("clips").asInt());
        assertTrue(figures.path("text_to_video").has("r1"));
        assertTrue(figures.path("video_to_text").has("median_rank"));
    }
}
