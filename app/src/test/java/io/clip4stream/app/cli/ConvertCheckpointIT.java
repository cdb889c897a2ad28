package io.clip4stream.app.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.clip4stream.model.Clip4ClipModel;
import io.clip4stream.model.ModelOptions;
import io.clip4stream.model.spec.LinearPatch;
import io.clip4stream.model.spec.SimilarityHead;
import io.clip4stream.model.tokenize.ClipTokenizer;
import io.clip4stream.model.tokenize.TokenizedText;
import io.clip4stream.model.weights.SafetensorsFile;
import io.clip4stream.model.weights.TinyModelGenerator;
import io.clip4stream.model.weights.TinyModelShape;
import io.clip4stream.testkit.RequiredTool;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs {@code model convert} (the Java readers) end to end on PyTorch checkpoints written from the tiny model by real
 * PyTorch ({@code tools/testdata/make_checkpoints.py}: a CLIP4Clip {@code pytorch_model.bin} from {@code torch.save} and
 * an OpenAI-style TorchScript archive from {@code torch.jit.save}), and checks that the converted directories compute
 * what the tiny model computes, and that they hold what {@code tools/convert_checkpoint.py} writes. Python only makes
 * the inputs and the cross-check: the conversion itself runs none. Skipped where no Python can import torch, except where
 * tools are required ({@code CLIP4S_REQUIRE_TOOLS=1}, see {@link RequiredTool}), where that is a failure.
 */
class ConvertCheckpointIT {
    private static final ModelOptions OPTIONS =
            ModelOptions.defaults().withDevice(ModelOptions.DeviceChoice.CPU).withIntraOpThreads(1);
    private static final int FRAMES = 5;

    @TempDir
    static Path work;

    private static TorchPython python;
    private static Path tiny;
    private static Path checkpoints;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @BeforeAll
    static void writeCheckpoints() throws Exception {
        python = RequiredTool.PYTHON_TORCH.require(TorchPython.find());
        tiny = work.resolve("tiny");
        StringWriter log = new StringWriter();
        assertEquals(
                0,
                Clip4StreamCommand.commandLine(new PrintWriter(log, true), new PrintWriter(log, true), Map.of())
                        .execute("model", "tiny", tiny.toString()),
                log.toString());
        checkpoints = work.resolve("checkpoints");
        Path script = ToolsDirectory.locate().resolve("testdata/make_checkpoints.py");
        Process process = new ProcessBuilder(
                        python.executable(), script.toString(), tiny.toString(), checkpoints.toString())
                .redirectErrorStream(true)
                .start();
        process.getOutputStream().close();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, process.waitFor(), output);
        assertTrue(Files.isRegularFile(checkpoints.resolve("pytorch_model.bin")), output);
        assertTrue(Files.isRegularFile(checkpoints.resolve("clip.pt")), output);
    }

    private Path convert(String checkpoint, String name, String... options) {
        Path outDir = work.resolve(name);
        List<String> args = new ArrayList<>(
                List.of("model", "convert", checkpoints.resolve(checkpoint).toString(), outDir.toString()));
        args.addAll(List.of(options));
        int rc = Clip4StreamCommand.commandLine(new PrintWriter(out, true), new PrintWriter(err, true), Map.of())
                .execute(args.toArray(String[]::new));
        assertEquals(0, rc, out + "\n" + err);
        assertTrue(out.toString().contains("Model directory written"), out.toString());
        return outDir;
    }

    /** Fixed inputs and the outputs a model gives for them. */
    private record Outputs(float[][] frames, float[] text, float[] clip, Optional<float[]> tight) {
        static Outputs of(Clip4ClipModel model) {
            int size = model.info().imageSize();
            Random random = new Random(11);
            float[] pixels = new float[FRAMES * 3 * size * size];
            for (int i = 0; i < pixels.length; i++) {
                pixels[i] = (float) random.nextGaussian();
            }
            float[][] frames = model.embedFrames(pixels, FRAMES);
            TokenizedText tokens = ClipTokenizer.withBundledVocabulary()
                    .tokenize("a man riding a red bike", model.info().maxWords());
            float[] text = model.encodeText(tokens.inputIds(), tokens.inputMask());
            float[] clip = model.aggregateClip(frames);
            Optional<float[]> tight = model.hasTightHead()
                    ? Optional.of(model.tightScores(tokens.inputIds(), tokens.inputMask(), new float[][][] {
                        frames, {frames[3], frames[1]}
                    }))
                    : Optional.empty();
            return new Outputs(frames, text, clip, tight);
        }
    }

    private static Outputs outputs(Path modelDir) {
        try (Clip4ClipModel model = Clip4ClipModel.load(modelDir, OPTIONS)) {
            return Outputs.of(model);
        }
    }

    private static Path tinyWithHead(SimilarityHead head) throws Exception {
        Path dir = work.resolve("tiny-" + head.configName());
        new TinyModelGenerator(TinyModel.SEED)
                .generate(dir, TinyModelShape.defaults().withHead(head), TinyModel.MODEL_ID);
        return dir;
    }

    private static void assertSameFrames(float[][] expected, float[][] actual) {
        assertEquals(expected.length, actual.length);
        for (int i = 0; i < expected.length; i++) {
            assertArrayEquals(expected[i], actual[i], "frame " + i);
        }
    }

    @Test
    void shouldConvertAClip4ClipBinIntoTheSameModelWithItsTightHead() {
        Path converted = convert("pytorch_model.bin", "from-bin");
        try (Clip4ClipModel model = Clip4ClipModel.load(converted, OPTIONS)) {
            assertEquals(SimilarityHead.TIGHT_TRANSF, model.info().head(), "head detected from cross.* keys");
            assertEquals(LinearPatch.TWO_D, model.info().linearPatch());
        }
        Outputs expected = outputs(tiny);
        Outputs actual = outputs(converted);
        // The .bin holds the tiny model's values as float32, bit for bit, so every output is identical.
        assertSameFrames(expected.frames(), actual.frames());
        assertArrayEquals(expected.text(), actual.text());
        assertArrayEquals(expected.clip(), actual.clip());
        assertTrue(expected.tight().isPresent() && actual.tight().isPresent());
        assertArrayEquals(expected.tight().get(), actual.tight().get());
    }

    @Test
    void shouldConvertALegacyTorchSaveFileLikeItsZipTwin() {
        Path converted = convert("pytorch_model_legacy.bin", "from-legacy-bin");
        assertTrue(out.toString().contains("legacy torch.save checkpoint"), out.toString());
        Outputs expected = outputs(tiny);
        Outputs actual = outputs(converted);
        assertSameFrames(expected.frames(), actual.frames());
        assertArrayEquals(expected.text(), actual.text());
        assertArrayEquals(expected.clip(), actual.clip());
        assertArrayEquals(expected.tight().orElseThrow(), actual.tight().orElseThrow());
    }

    @Test
    void shouldKeepTheWeightsOfTheChosenLooseHead() throws Exception {
        // seqTransf uses frame_position_embeddings and transformerClip.*; one conversion keeps the test short.
        SimilarityHead head = SimilarityHead.SEQ_TRANSF;
        Path converted =
                convert("pytorch_model.bin", "from-bin-" + head.configName(), "--sim-header", head.configName());
        Outputs expected = outputs(tinyWithHead(head));
        Outputs actual = outputs(converted);
        assertArrayEquals(expected.clip(), actual.clip(), head + " clip vector");
        assertArrayEquals(expected.text(), actual.text(), head + " text vector");
    }

    @Test
    void shouldConvertAnOpenAiTorchScriptArchiveIntoAZeroShotMeanPModel() {
        Path converted = convert("clip.pt", "from-pt");
        try (Clip4ClipModel model = Clip4ClipModel.load(converted, OPTIONS)) {
            assertEquals(SimilarityHead.MEAN_P, model.info().head());
            assertFalse(model.hasTightHead(), "an OpenAI archive has no CLIP4Clip head");
            assertEquals(tinyLogitScale(), model.info().logitScale());
        }
        Outputs expected = outputs(tiny);
        Outputs actual = outputs(converted);
        // Float16 in the archive where CLIP keeps float16, float32 elsewhere: the same values as the tiny model's.
        assertSameFrames(expected.frames(), actual.frames());
        assertArrayEquals(expected.text(), actual.text());
        assertArrayEquals(expected.clip(), actual.clip());
    }

    @Test
    void shouldInitialiseTheThreeDimensionalPatchFromAnOpenAiArchiveLikeClip4Clip() {
        Path converted = convert("clip.pt", "from-pt-3d", "--linear-patch", "3d");
        Outputs actual;
        try (Clip4ClipModel model = Clip4ClipModel.load(converted, OPTIONS)) {
            assertEquals(LinearPatch.THREE_D, model.info().linearPatch());
            actual = Outputs.of(model);
        }
        // conv2 = [0, conv1, 0]: each frame's 3D patch equals its 2D patch, up to summation order.
        Outputs expected = outputs(tiny);
        for (int i = 0; i < FRAMES; i++) {
            assertArrayEquals(expected.frames()[i], actual.frames()[i], 1e-5f, "frame " + i);
        }
        assertArrayEquals(expected.text(), actual.text());
    }

    private static float tinyLogitScale() {
        try (Clip4ClipModel model = Clip4ClipModel.load(tiny, OPTIONS)) {
            return model.info().logitScale();
        }
    }

    @Test
    void shouldWriteTheSameWeightsAsThePythonConverter() throws Exception {
        Path java = convert("clip.pt", "java-from-pt");
        Path reference = work.resolve("python-from-pt");
        Process process = new ProcessBuilder(
                        python.executable(),
                        ToolsDirectory.locate().resolve("convert_checkpoint.py").toString(),
                        checkpoints.resolve("clip.pt").toString(),
                        reference.toString(),
                        "--float32")
                .redirectErrorStream(true)
                .start();
        process.getOutputStream().close();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, process.waitFor(), output);
        try (SafetensorsFile ours = SafetensorsFile.open(java.resolve("weights.safetensors"));
                SafetensorsFile theirs = SafetensorsFile.open(reference.resolve("weights.safetensors"))) {
            assertEquals(theirs.names(), ours.names());
            for (String name : theirs.names()) {
                assertEquals(theirs.info(name), ours.info(name), name);
                assertArrayEquals(theirs.rawBytes(name), ours.rawBytes(name), name);
            }
        }
    }
}
