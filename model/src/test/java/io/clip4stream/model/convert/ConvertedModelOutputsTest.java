package io.clip4stream.model.convert;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.clip4stream.model.Clip4ClipModel;
import io.clip4stream.model.ModelOptions;
import io.clip4stream.model.spec.LinearPatch;
import io.clip4stream.model.spec.ModelConfig;
import io.clip4stream.model.spec.SimilarityHead;
import io.clip4stream.model.weights.ModelDirectory;
import io.clip4stream.model.weights.SafetensorsWriter;
import io.clip4stream.model.weights.TensorData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Loads converted directories in the model and checks that they give the frame, text and clip vectors (and tight
 * scores) that the source weights give, bit for bit: conversion only renames, reshapes without arithmetic and widens
 * exactly.
 */
class ConvertedModelOutputsTest {

    private static final ModelOptions OPTIONS =
            ModelOptions.defaults().withDevice(ModelOptions.DeviceChoice.CPU).withIntraOpThreads(1);
    private static final int FRAMES = 3;

    @TempDir
    Path temp;

    /** Fixed inputs and what a model gives for them. */
    private record Outputs(float[][] frames, float[] text, float[] clip, float[] tight) {
        static Outputs of(Path dir) {
            try (Clip4ClipModel model = Clip4ClipModel.load(dir, OPTIONS)) {
                int size = model.info().imageSize();
                SplittableRandom random = new SplittableRandom(11);
                float[] pixels = new float[FRAMES * 3 * size * size];
                for (int i = 0; i < pixels.length; i++) {
                    pixels[i] = (float) random.nextGaussian();
                }
                int words = model.info().maxWords();
                int[] ids = new int[words];
                int[] mask = new int[words];
                int[] tokens = {998, 17, 305, 42, 999
                }; // SOT-like, three tokens, EOT-like (the largest id ends the text)
                for (int i = 0; i < tokens.length; i++) {
                    ids[i] = tokens[i];
                    mask[i] = 1;
                }
                float[][] frames = model.embedFrames(pixels, FRAMES);
                float[] tight = model.hasTightHead()
                        ? model.tightScores(ids, mask, new float[][][] {frames, {frames[2], frames[0]}})
                        : new float[0];
                return new Outputs(frames, model.encodeText(ids, mask), model.aggregateClip(frames), tight);
            }
        }

        void assertSame(Outputs actual) {
            assertEquals(frames.length, actual.frames.length);
            for (int i = 0; i < frames.length; i++) {
                assertArrayEquals(frames[i], actual.frames[i], "frame " + i);
            }
            assertArrayEquals(text, actual.text, "text vector");
            assertArrayEquals(clip, actual.clip, "clip vector");
            assertArrayEquals(tight, actual.tight, "tight scores");
        }
    }

    private Path directory(String name, SimilarityHead head, Map<String, TensorData> tensors) throws Exception {
        ModelConfig config = new ModelConfig(name, "1", head, LinearPatch.TWO_D, 12, 32, 2, Optional.empty());
        return ModelDirectory.write(temp.resolve(name), config, tensors).root();
    }

    private Path convert(Path checkpoint, String name, ConversionOptions options) throws Exception {
        return new CheckpointConverter()
                .convert(checkpoint, temp.resolve(name), options)
                .directory();
    }

    @Test
    void shouldGiveTheSourceVectorsFromHuggingFaceSafetensors() throws Exception {
        Map<String, TensorData> clip = new LinkedHashMap<>();
        TinyCheckpoint.CLIP4CLIP.forEach((name, data) -> {
            if (name.startsWith("clip.")) {
                clip.put(name, data);
            }
        });
        Path source = directory("source", SimilarityHead.MEAN_P, clip);
        Path hf = temp.resolve("model.safetensors");
        new SafetensorsWriter().write(hf, TinyCheckpoint.huggingFace(), Map.of());
        Path converted = convert(hf, "from-hf", ConversionOptions.defaults());
        Outputs.of(source).assertSame(Outputs.of(converted));
    }

    @Test
    void shouldGiveTheSourceVectorsFromAHalfPrecisionTorchScriptArchive() throws Exception {
        // Our loader reads OpenAI-named F16 safetensors directly: that is the source model the archive must match.
        Path source = Files.createDirectories(temp.resolve("openai"));
        new SafetensorsWriter().write(source.resolve(ModelDirectory.WEIGHTS_FILE), TinyCheckpoint.openAi(), Map.of());
        Files.writeString(
                source.resolve(ModelDirectory.CONFIG_FILE),
                new ModelConfig("openai", "1", SimilarityHead.MEAN_P, LinearPatch.TWO_D, 12, 32, 2, Optional.empty())
                        .toJson());
        Path pt = temp.resolve("ViT-tiny.pt");
        TorchFiles.writeTorchScript(pt, TinyCheckpoint.openAi());
        Path converted = convert(pt, "from-pt", ConversionOptions.defaults());
        Outputs.of(source).assertSame(Outputs.of(converted));
    }

    @Test
    void shouldGiveTheSourceTightScoresFromATorchSaveCheckpoint() throws Exception {
        Path source = directory("tight", SimilarityHead.TIGHT_TRANSF, TinyCheckpoint.CLIP4CLIP);
        Path bin = temp.resolve("pytorch_model.bin.2");
        TorchFiles.writeStateDict(bin, TinyCheckpoint.CLIP4CLIP);
        Path converted = convert(bin, "from-bin", ConversionOptions.defaults());
        Outputs.of(source).assertSame(Outputs.of(converted));
    }
}
