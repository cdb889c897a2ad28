package io.clip4stream.model.preprocess;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.clip4stream.model.weights.SafetensorsFile;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Compares the pipeline with tensors the original CLIP4Clip dataloader produced (Pillow 9.4, torchvision 0.14). */
class FramePreprocessorParityTest {

    private static final int SIZE = 224;
    private static SafetensorsFile fixture;
    private final FramePreprocessor preprocessor = new FramePreprocessor(SIZE);

    @BeforeAll
    static void loadFixture() throws IOException {
        try (InputStream in = new GZIPInputStream(FramePreprocessorParityTest.class.getResourceAsStream(
                "/parity/preprocess/preprocess.safetensors.gz"))) {
            fixture = SafetensorsFile.read(in, "preprocess.safetensors.gz");
        }
    }

    @AfterAll
    static void closeFixture() throws IOException {
        fixture.close();
    }

    static Stream<Arguments> images() throws IOException {
        try (InputStream in =
                FramePreprocessorParityTest.class.getResourceAsStream("/parity/preprocess/manifest.json")) {
            JsonNode manifest = JsonMapper.builder().build().readTree(in);
            List<Arguments> images = new ArrayList<>();
            for (JsonNode image : manifest.get("images")) {
                images.add(Arguments.of(image.get("key").textValue(), image));
            }
            return images.stream();
        }
    }

    private static RgbImage source(String key) {
        long[] shape = fixture.info(key + ".source_rgb").shape();
        return new RgbImage((int) shape[1], (int) shape[0], fixture.bytes(key + ".source_rgb"));
    }

    @Test
    void shouldCoverAllSixFixtureImages() throws IOException {
        assertEquals(6, images().count());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("images")
    void shouldComputeTheResizedSizeAndCropOffsetsOfTheManifest(String key, JsonNode manifest) {
        int width = manifest.get("width").intValue();
        int height = manifest.get("height").intValue();
        int[] resized = FramePreprocessor.resizedSize(width, height, SIZE);
        assertEquals(manifest.get("resized_wh").get(0).intValue(), resized[0]);
        assertEquals(manifest.get("resized_wh").get(1).intValue(), resized[1]);
        assertEquals(manifest.get("crop_left").intValue(), CenterCrop.offset(resized[0], SIZE));
        assertEquals(manifest.get("crop_top").intValue(), CenterCrop.offset(resized[1], SIZE));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("images")
    void shouldResizeAndCropBitForBit(String key, JsonNode manifest) {
        RgbImage cropped = preprocessor.resizeAndCrop(source(key));
        assertEquals(SIZE, cropped.width());
        assertEquals(SIZE, cropped.height());
        byte[] expected = fixture.bytes(key + ".resized_cropped_rgb");
        byte[] actual = cropped.rgb();
        int differing = 0;
        for (int i = 0; i < expected.length; i++) {
            differing += expected[i] != actual[i] ? 1 : 0;
        }
        assertEquals(0, differing, key + ": bytes differing from Pillow");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("images")
    void shouldNormaliseBitForBit(String key, JsonNode manifest) {
        float[] expected = fixture.floats(key + ".normalised");
        float[] actual = preprocessor.preprocess(source(key));
        assertEquals(expected.length, actual.length);
        for (int i = 0; i < expected.length; i++) {
            if (Float.floatToRawIntBits(expected[i]) != Float.floatToRawIntBits(actual[i])) {
                throw new AssertionError(key + "[" + i + "]: " + actual[i] + " != " + expected[i]);
            }
        }
    }

    @Test
    void shouldStackFramesIntoOneBatchTensor() throws IOException {
        List<String> keys =
                images().map(arguments -> (String) arguments.get()[0]).toList();
        List<RgbImage> frames =
                keys.stream().map(FramePreprocessorParityTest::source).toList();
        float[] batch = preprocessor.toTensor(frames);
        int frameLength = 3 * SIZE * SIZE;
        assertEquals(keys.size() * frameLength, batch.length);
        for (int f = 0; f < keys.size(); f++) {
            float[] expected = fixture.floats(keys.get(f) + ".normalised");
            float[] slice = java.util.Arrays.copyOfRange(batch, f * frameLength, (f + 1) * frameLength);
            assertArrayEquals(expected, slice, keys.get(f));
        }
    }
}
