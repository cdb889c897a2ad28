package io.clip4stream.model.convert;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.clip4stream.model.spec.LinearPatch;
import io.clip4stream.model.spec.ModelConfig;
import io.clip4stream.model.spec.Preprocessing;
import io.clip4stream.model.spec.SimilarityHead;
import io.clip4stream.model.weights.ModelCard;
import io.clip4stream.model.weights.ModelDirectory;
import io.clip4stream.model.weights.SafetensorsFile;
import io.clip4stream.model.weights.SafetensorsWriter;
import io.clip4stream.model.weights.TensorDType;
import io.clip4stream.model.weights.TensorData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Converts the tiny model from every source format and naming and checks that the model directory holds exactly the
 * source's values under CLIP4Clip names: bit for bit, F16 sources widened exactly.
 */
class CheckpointConverterTest {

    @TempDir
    Path temp;

    private final CheckpointConverter converter = new CheckpointConverter();

    private static Map<String, TensorData> clipOnly() {
        Map<String, TensorData> clip = new LinkedHashMap<>();
        TinyCheckpoint.CLIP4CLIP.forEach((name, data) -> {
            if (name.startsWith("clip.") && !name.equals("clip.visual.conv2.weight")) {
                clip.put(name, data);
            }
        });
        return clip;
    }

    /** Asserts the directory's weights are exactly {@code expected} (F32), no more, no fewer. */
    private static void assertWeights(Map<String, TensorData> expected, Path dir) throws IOException {
        try (SafetensorsFile weights = SafetensorsFile.open(dir.resolve(ModelDirectory.WEIGHTS_FILE))) {
            assertEquals(new TreeSet<>(expected.keySet()), weights.names());
            for (Map.Entry<String, TensorData> tensor : expected.entrySet()) {
                String name = tensor.getKey();
                assertEquals(TensorDType.F32, weights.info(name).dtype(), name);
                assertArrayEquals(tensor.getValue().shape(), weights.info(name).shape(), name);
                assertArrayEquals(tensor.getValue().littleEndianBytes(), weights.rawBytes(name), name);
            }
        }
    }

    @Test
    void shouldConvertATorchSaveStateDictBitForBitWithItsTightHead() throws Exception {
        Path bin = temp.resolve("pytorch_model.bin.4");
        TorchFiles.writeStateDict(bin, TinyCheckpoint.CLIP4CLIP);
        ConversionResult result = converter.convert(bin, temp.resolve("out"), ConversionOptions.defaults());
        assertEquals(SourceFormat.TORCH_SAVE, result.format());
        assertEquals(SimilarityHead.TIGHT_TRANSF, result.config().simHeader(), "detected from cross.*");
        assertEquals(LinearPatch.TWO_D, result.config().linearPatch(), "no conv2 in the checkpoint");
        assertEquals(2, result.config().crossNumHiddenLayers(), "counted from the blocks");
        assertEquals("pytorch_model", result.config().modelId());
        assertEquals(
                Optional.of(
                        EnumSet.of(SimilarityHead.SEQ_LSTM, SimilarityHead.SEQ_TRANSF, SimilarityHead.TIGHT_TRANSF)),
                result.config().trainedHeads(),
                "a CLIP4Clip checkpoint holds the parameters of the heads it trained");
        assertWeights(TinyCheckpoint.CLIP4CLIP, temp.resolve("out"));
        assertTrue(result.summary().contains("torch.save checkpoint"), result.summary());
    }

    @Test
    void shouldReadAnMmactionCheckpointWithMetadataStridedViewsAndPreprocessorBuffers() throws Exception {
        Map<String, TorchFiles.Entry> entries = new LinkedHashMap<>();
        clipOnly().forEach((name, data) -> entries.put(name, new TorchFiles.Entry(data, data.shape().length == 2)));
        entries.put(
                "data_preprocessor.mean",
                new TorchFiles.Entry(TensorData.f32(new long[] {3}, 122.771f, 116.746f, 104.093f), false));
        Path pth = temp.resolve("clip4clip_msrvtt.pth");
        TorchFiles.writeMmactionCheckpoint(pth, entries);
        ConversionResult result = converter.convert(pth, temp.resolve("out"), ConversionOptions.defaults());
        assertEquals(SimilarityHead.MEAN_P, result.config().simHeader());
        assertEquals(LinearPatch.TWO_D, result.config().linearPatch());
        assertWeights(clipOnly(), temp.resolve("out"));
        assertTrue(
                result.notes().getFirst().contains("data_preprocessor.mean"),
                result.notes().toString());
    }

    @Test
    void shouldConvertATorchScriptArchiveInOpenAiNamingWideningHalves() throws Exception {
        Map<String, TensorData> raw = new LinkedHashMap<>(TinyCheckpoint.openAi());
        raw.put("input_resolution", TensorData.i64(new long[0], 32));
        raw.put("context_length", TensorData.i64(new long[0], 77));
        raw.put("vocab_size", TensorData.i64(new long[0], 49408));
        Path pt = temp.resolve("ViT-B-32.pt");
        TorchFiles.writeTorchScript(pt, raw);
        ConversionResult result = converter.convert(pt, temp.resolve("out"), ConversionOptions.defaults());
        assertEquals(SourceFormat.TORCH_SCRIPT, result.format());
        assertEquals("ViT-B-32", result.config().modelId());
        assertEquals(Optional.of(Set.of()), result.config().trainedHeads(), "zero-shot CLIP trained no head");
        assertTrue(result.storedDtypes().get("F16") > 0, result.storedDtypes().toString());
        // Every F16 value is a float, so the widened weights equal the F32 values the halves were made from.
        Map<String, TensorData> expected = new LinkedHashMap<>();
        clipOnly()
                .forEach((name, data) -> expected.put(
                        name,
                        TinyCheckpoint.halvedLikeOpenAi(name.substring(5))
                                ? TensorData.f32(data.shape(), TinyCheckpoint.floats(TinyCheckpoint.half(data)))
                                : data));
        assertWeights(expected, temp.resolve("out"));
        assertTrue(
                result.notes().toString().contains("input_resolution"),
                result.notes().toString());
    }

    @Test
    void shouldMapHuggingFaceClipModelNamesBack() throws Exception {
        Path file = temp.resolve("model.safetensors");
        new SafetensorsWriter().write(file, TinyCheckpoint.huggingFace(), Map.of("format", "pt"));
        ConversionResult result = converter.convert(file, temp.resolve("out"), ConversionOptions.defaults());
        assertEquals(SourceFormat.SAFETENSORS, result.format());
        assertEquals(ClipNaming.Convention.HUGGING_FACE, result.naming());
        assertWeights(clipOnly(), temp.resolve("out"));
    }

    @Test
    void shouldRefuseAHuggingFaceClipWithAnotherActivation() throws Exception {
        Path file = temp.resolve("model.safetensors");
        new SafetensorsWriter().write(file, TinyCheckpoint.huggingFace(), Map.of());
        Files.writeString(
                temp.resolve("config.json"),
                "{\"text_config\": {\"hidden_act\": \"gelu\"}, \"vision_config\": {\"hidden_act\": \"gelu\"}}");
        CheckpointFormatException error = assertThrows(
                CheckpointFormatException.class,
                () -> converter.convert(file, temp.resolve("out"), ConversionOptions.defaults()));
        assertTrue(error.getMessage().contains("text_config.hidden_act is 'gelu'"), error.getMessage());
        Files.writeString(temp.resolve("config.json"), "{\"text_config\": {\"hidden_act\": \"quick_gelu\"}}");
        converter.convert(file, temp.resolve("out"), ConversionOptions.defaults());
    }

    @Test
    void shouldInitialiseTheThreeDimensionalPatchFromOpenAiSafetensors() throws Exception {
        Path file = temp.resolve("open_clip_model.safetensors");
        new SafetensorsWriter().write(file, TinyCheckpoint.openAi(), Map.of());
        ConversionResult result = converter.convert(
                file, temp.resolve("out"), ConversionOptions.defaults().withLinearPatch(LinearPatch.THREE_D));
        assertEquals(LinearPatch.THREE_D, result.config().linearPatch());
        try (SafetensorsFile weights = SafetensorsFile.open(temp.resolve("out").resolve(ModelDirectory.WEIGHTS_FILE))) {
            float[] conv1 = weights.floats("clip.visual.conv1.weight");
            float[] conv2 = weights.floats("clip.visual.conv2.weight");
            long[] shape = weights.info("clip.visual.conv1.weight").shape();
            int tap = (int) (shape[2] * shape[3]);
            for (int channel = 0; channel < conv1.length / tap; channel++) {
                float[] zeros = new float[tap];
                assertArrayEquals(zeros, Arrays.copyOfRange(conv2, 3 * channel * tap, (3 * channel + 1) * tap));
                assertArrayEquals(
                        Arrays.copyOfRange(conv1, channel * tap, (channel + 1) * tap),
                        Arrays.copyOfRange(conv2, (3 * channel + 1) * tap, (3 * channel + 2) * tap));
                assertArrayEquals(zeros, Arrays.copyOfRange(conv2, (3 * channel + 2) * tap, (3 * channel + 3) * tap));
            }
        }
    }

    @Test
    void shouldRecordTheRegistrysSettingsAndPreprocessing() throws Exception {
        Map<String, TorchFiles.Entry> entries = new LinkedHashMap<>();
        clipOnly().forEach((name, data) -> entries.put(name, new TorchFiles.Entry(data, false)));
        Path pth = temp.resolve("mm.pth");
        TorchFiles.writeMmactionCheckpoint(pth, entries);
        ConversionOptions options = ConversionOptions.fromSettings(Map.of(
                "sim_header",
                "meanP",
                "max_frames",
                "12",
                "max_words",
                "77",
                "model_id",
                "mmaction2/clip4clip",
                "model_version",
                "20230612-b9706e54",
                "trained_heads",
                "meanP",
                "resize",
                "short_side",
                "resize_size",
                "80",
                "interpolation",
                "bilinear",
                "crop_size",
                "64"));
        ConversionResult result = converter.convert(pth, temp.resolve("out"), options);
        ModelConfig config = ModelDirectory.open(temp.resolve("out")).config();
        assertEquals(result.config(), config);
        assertEquals("mmaction2/clip4clip", config.modelId());
        assertEquals(77, config.maxWords());
        assertEquals(Optional.of(new Preprocessing(80, "bilinear", 64, "clip")), config.preprocessing());
        assertEquals(Optional.of(Set.of(SimilarityHead.MEAN_P)), config.trainedHeads());

        ConversionOptions wrongCrop = ConversionOptions.fromSettings(Map.of("resize_size", "256", "crop_size", "224"));
        CheckpointFormatException error = assertThrows(
                CheckpointFormatException.class, () -> converter.convert(pth, temp.resolve("out2"), wrongCrop));
        assertTrue(
                error.getMessage().contains("crops 224 pixels but the model's input resolution is 64"),
                error.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ConversionOptions.fromSettings(Map.of("max_frame", "12")));
    }

    @Test
    void shouldWriteTheFrameEncodingIntoConfigJsonWhenOneIsNamed() throws Exception {
        Path file = temp.resolve("clip.safetensors");
        new SafetensorsWriter().write(file, TinyCheckpoint.openAi(), Map.of());

        converter.convert(
                file, temp.resolve("int10"), ConversionOptions.defaults().withFrameEncoding("int10"));
        converter.convert(file, temp.resolve("plain"), ConversionOptions.defaults());
        converter.convert(
                file, temp.resolve("settings"), ConversionOptions.fromSettings(Map.of("frame_encoding", "float16")));

        assertEquals(Optional.of("int10"), ModelCard.read(temp.resolve("int10")).frameEncoding());
        assertEquals(Optional.empty(), ModelCard.read(temp.resolve("plain")).frameEncoding());
        assertEquals(
                Optional.of("float16"), ModelCard.read(temp.resolve("settings")).frameEncoding());
        assertEquals(
                ModelDirectory.open(temp.resolve("plain")).config(),
                ModelDirectory.open(temp.resolve("int10")).config(),
                "the encoding changes nothing else in config.json");
        assertThrows(
                IllegalArgumentException.class,
                () -> ConversionOptions.defaults().withFrameEncoding("../int8"));
    }

    @Test
    void shouldRefuseAHeadTheCheckpointDoesNotHave() throws Exception {
        Path file = temp.resolve("clip.safetensors");
        new SafetensorsWriter().write(file, TinyCheckpoint.openAi(), Map.of());
        CheckpointFormatException error = assertThrows(
                CheckpointFormatException.class,
                () -> converter.convert(
                        file,
                        temp.resolve("out"),
                        ConversionOptions.defaults().withSimHeader(SimilarityHead.SEQ_TRANSF)));
        assertTrue(error.getMessage().contains("has no seqTransf weights"), error.getMessage());
        assertFalse(Files.exists(temp.resolve("out")), "nothing is written for a refused conversion");
    }

    @Test
    void shouldReportATruncatedZipAndLeaveNoModelDirectory() throws Exception {
        Path bin = temp.resolve("pytorch_model.bin");
        TorchFiles.writeStateDict(bin, clipOnly());
        byte[] whole = Files.readAllBytes(bin);
        Files.write(bin, Arrays.copyOf(whole, whole.length / 2));
        CheckpointFormatException error = assertThrows(
                CheckpointFormatException.class,
                () -> converter.convert(bin, temp.resolve("out"), ConversionOptions.defaults()));
        assertTrue(error.getMessage().contains("not a complete zip archive"), error.getMessage());
        assertFalse(Files.exists(temp.resolve("out").resolve(ModelDirectory.CONFIG_FILE)));
    }

    @Test
    void shouldRefuseAHostileCheckpointWithoutRunningIt() throws Exception {
        Path marker = temp.resolve("ran");
        byte[] pickle = PickleBytes.protocol(2)
                .global("os", "system")
                .mark()
                .string("touch " + marker)
                .tuple()
                .reduce()
                .stop();
        Path bin = temp.resolve("evil.bin");
        try (var zip = new java.util.zip.ZipOutputStream(Files.newOutputStream(bin))) {
            zip.putNextEntry(new java.util.zip.ZipEntry("archive/data.pkl"));
            zip.write(pickle);
            zip.closeEntry();
        }
        RefusedGlobalException error = assertThrows(
                RefusedGlobalException.class,
                () -> converter.convert(bin, temp.resolve("out"), ConversionOptions.defaults()));
        assertEquals("os.system", error.global());
        assertTrue(error.getMessage().contains("evil.bin:archive/data.pkl"), error.getMessage());
        assertFalse(Files.exists(marker));
    }

    @Test
    void shouldConvertALegacyTorchSaveFileBitForBitLikeItsZipTwin() throws Exception {
        Map<String, TorchFiles.Entry> entries = new LinkedHashMap<>();
        TinyCheckpoint.CLIP4CLIP.forEach((name, data) ->
                entries.put(name, new TorchFiles.Entry(data, data.shape().length == 2)));
        Path legacy = temp.resolve("pytorch_model.bin.1");
        TorchFiles.writeLegacyStateDict(legacy, entries);
        ConversionResult result = converter.convert(legacy, temp.resolve("out"), ConversionOptions.defaults());
        assertEquals(SourceFormat.LEGACY_TORCH_SAVE, result.format());
        assertEquals(SimilarityHead.TIGHT_TRANSF, result.config().simHeader(), "detected from cross.*");
        assertWeights(TinyCheckpoint.CLIP4CLIP, temp.resolve("out"));
    }

    @Test
    void shouldReportATruncatedLegacyFileAndLeaveNoModelDirectory() throws Exception {
        Map<String, TorchFiles.Entry> entries = new LinkedHashMap<>();
        clipOnly().forEach((name, data) -> entries.put(name, new TorchFiles.Entry(data, false)));
        Path legacy = temp.resolve("old.bin");
        TorchFiles.writeLegacyStateDict(legacy, entries);
        byte[] whole = Files.readAllBytes(legacy);
        Files.write(legacy, Arrays.copyOf(whole, whole.length - 5));
        CheckpointFormatException error = assertThrows(
                CheckpointFormatException.class,
                () -> converter.convert(legacy, temp.resolve("out"), ConversionOptions.defaults()));
        assertTrue(error.getMessage().contains("truncated"), error.getMessage());
        assertFalse(Files.exists(temp.resolve("out").resolve(ModelDirectory.CONFIG_FILE)));

        Files.write(legacy, Arrays.copyOf(whole, 40));
        CheckpointFormatException header = assertThrows(
                CheckpointFormatException.class,
                () -> converter.convert(legacy, temp.resolve("out"), ConversionOptions.defaults()));
        assertTrue(header.getMessage().contains("ends inside its pickled header"), header.getMessage());
    }

    @Test
    void shouldRefuseALegacyFileWhosePickleNamesAHostileGlobal() throws Exception {
        Path marker = temp.resolve("ran");
        byte[] magic = {0x6c, (byte) 0xfc, (byte) 0x9c, 0x46, (byte) 0xf9, 0x20, 0x6a, (byte) 0xa8, 0x50, 0x19};
        Path legacy = temp.resolve("evil-legacy.bin");
        try (var out = Files.newOutputStream(legacy)) {
            out.write(PickleBytes.protocol(2).longBytes(magic).stop());
            out.write(PickleBytes.protocol(2).integer(1001).stop());
            out.write(PickleBytes.protocol(2).emptyDict().stop());
            out.write(PickleBytes.protocol(2)
                    .global("builtins", "eval")
                    .mark()
                    .string("open('" + marker + "', 'w')")
                    .tuple()
                    .reduce()
                    .stop());
        }
        RefusedGlobalException error = assertThrows(
                RefusedGlobalException.class,
                () -> converter.convert(legacy, temp.resolve("out"), ConversionOptions.defaults()));
        assertEquals("builtins.eval", error.global());
        assertFalse(Files.exists(marker));
    }

    @Test
    void shouldRefuseAPickleThatIsNotATorchSaveFile() throws Exception {
        Path other = temp.resolve("other.pkl");
        Files.write(other, PickleBytes.protocol(2).integer(7).stop());
        CheckpointFormatException error = assertThrows(
                CheckpointFormatException.class,
                () -> converter.convert(other, temp.resolve("out"), ConversionOptions.defaults()));
        assertTrue(error.getMessage().contains("magic number"), error.getMessage());
    }
}
