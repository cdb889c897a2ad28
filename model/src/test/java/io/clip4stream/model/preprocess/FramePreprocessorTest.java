package io.clip4stream.model.preprocess;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.clip4stream.model.spec.Preprocessing;
import java.awt.image.BufferedImage;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class FramePreprocessorTest {

    private static RgbImage randomImage(int width, int height, long seed) {
        byte[] rgb = new byte[width * height * 3];
        new Random(seed).nextBytes(rgb);
        return new RgbImage(width, height, rgb);
    }

    @Test
    void shouldRejectInvalidImages() {
        assertThrows(IllegalArgumentException.class, () -> new RgbImage(0, 10, new byte[0]));
        assertThrows(IllegalArgumentException.class, () -> new RgbImage(4, -1, new byte[12]));
        assertThrows(IllegalArgumentException.class, () -> new RgbImage(4, 4, new byte[47]));
        IllegalArgumentException rgba =
                assertThrows(IllegalArgumentException.class, () -> new RgbImage(4, 4, new byte[64]));
        assertTrue(rgba.getMessage().contains("RGBA"), rgba.getMessage());
        assertThrows(NullPointerException.class, () -> new RgbImage(4, 4, null));
        // 65536 x 65536 x 3 overflows an int; the check must not wrap around to a small size.
        assertThrows(IllegalArgumentException.class, () -> new RgbImage(65536, 65536, new byte[0]));
    }

    @Test
    void shouldRejectInvalidSizes() {
        assertThrows(IllegalArgumentException.class, () -> new FramePreprocessor(0));
        assertThrows(
                IllegalArgumentException.class, () -> PillowResize.bicubic().resize(randomImage(4, 4, 1), 0, 3));
        assertThrows(IllegalArgumentException.class, () -> new CenterCrop().crop(randomImage(4, 8, 1), 5));
        assertThrows(IllegalArgumentException.class, () -> FramePreprocessor.resizedSize(0, 5, 224));
        float[] tooShort = new float[3 * 64 * 64 - 1];
        FramePreprocessor tiny = new FramePreprocessor(64);
        assertThrows(IndexOutOfBoundsException.class, () -> tiny.preprocessInto(randomImage(80, 64, 2), tooShort, 0));
    }

    @Test
    void shouldKeepImagesImmutable() {
        byte[] rgb = {1, 2, 3};
        RgbImage image = new RgbImage(1, 1, rgb);
        rgb[0] = 9;
        image.rgb()[1] = 9;
        assertArrayEquals(new byte[] {1, 2, 3}, image.rgb());
        assertEquals(3, image.sample(0, 0, 2));
    }

    @Test
    void shouldRoundCropOffsetsHalfToEven() {
        assertEquals(36, CenterCrop.offset(297, 224));
        assertEquals(38, CenterCrop.offset(299, 224));
        assertEquals(0, CenterCrop.offset(224, 224));
        assertEquals(87, CenterCrop.offset(398, 224));
    }

    @Test
    void shouldUseTorchvisionShortSideRule() {
        assertArrayEquals(new int[] {298, 224}, FramePreprocessor.resizedSize(320, 240, 224));
        assertArrayEquals(new int[] {224, 298}, FramePreprocessor.resizedSize(240, 320, 224));
        assertArrayEquals(new int[] {64, 64}, FramePreprocessor.resizedSize(10, 10, 64));
        assertArrayEquals(new int[] {113, 64}, FramePreprocessor.resizedSize(1920, 1080, 64));
    }

    @Test
    void shouldLeaveImagesOfTheTargetSizeUntouched() {
        RgbImage image = randomImage(64, 64, 3);
        assertSame(image, PillowResize.bicubic().resize(image, 64, 64));
        FramePreprocessor tiny = new FramePreprocessor(64);
        assertEquals(image, tiny.resizeAndCrop(image));
    }

    @Test
    void shouldKeepAConstantImageConstantAtAnyScale() {
        byte[] rgb = new byte[37 * 23 * 3];
        for (int i = 0; i < rgb.length; i += 3) {
            rgb[i] = (byte) 200;
            rgb[i + 1] = 17;
            rgb[i + 2] = (byte) 255;
        }
        RgbImage flat = new RgbImage(37, 23, rgb);
        for (int[] size : new int[][] {{10, 7}, {37, 50}, {80, 23}, {3, 90}}) {
            RgbImage resized = PillowResize.bicubic().resize(flat, size[0], size[1]);
            for (int y = 0; y < size[1]; y++) {
                for (int x = 0; x < size[0]; x++) {
                    assertEquals(200, resized.sample(x, y, 0));
                    assertEquals(17, resized.sample(x, y, 1));
                    assertEquals(255, resized.sample(x, y, 2));
                }
            }
        }
    }

    @Test
    void shouldNormaliseWithClipMeanAndStd() {
        RgbImage image = new RgbImage(1, 1, new byte[] {0, (byte) 128, (byte) 255});
        float[] out = new ClipNormalize().normalize(image);
        assertEquals((0f / 255f - (float) 0.48145466) / (float) 0.26862954, out[0]);
        assertEquals((128f / 255f - (float) 0.4578275) / (float) 0.26130258, out[1]);
        assertEquals((255f / 255f - (float) 0.40821073) / (float) 0.27577711, out[2]);
    }

    @Test
    void shouldConvertBufferedImagesOfEveryCommonType() {
        RgbImage image = randomImage(7, 5, 4);
        BufferedImage bgr = image.toBufferedImage();
        assertEquals(image, RgbImage.fromBufferedImage(bgr));
        for (int type : new int[] {
            BufferedImage.TYPE_INT_RGB,
            BufferedImage.TYPE_INT_ARGB,
            BufferedImage.TYPE_4BYTE_ABGR,
            BufferedImage.TYPE_INT_BGR
        }) {
            BufferedImage converted = new BufferedImage(7, 5, type);
            converted.createGraphics().drawImage(bgr, 0, 0, null);
            assertEquals(image, RgbImage.fromBufferedImage(converted), "type " + type);
        }
        BufferedImage grey = new BufferedImage(3, 2, BufferedImage.TYPE_BYTE_GRAY);
        grey.getRaster().setSample(1, 1, 0, 77);
        RgbImage fromGrey = RgbImage.fromBufferedImage(grey);
        assertEquals(77, fromGrey.sample(1, 1, 0));
        assertEquals(77, fromGrey.sample(1, 1, 2));
        assertEquals(0, fromGrey.sample(0, 0, 1));
    }

    @Test
    void shouldBatchFramesOfDifferentSizes() {
        FramePreprocessor tiny = new FramePreprocessor(64);
        RgbImage wide = randomImage(120, 70, 5);
        RgbImage tall = randomImage(50, 90, 6);
        float[] batch = tiny.toTensor(List.of(wide, tall));
        assertEquals(2 * tiny.frameLength(), batch.length);
        assertArrayEquals(tiny.preprocess(tall), java.util.Arrays.copyOfRange(batch, tiny.frameLength(), batch.length));
        assertEquals(0, tiny.toTensor(List.of()).length);
    }

    private static RgbImage greyRow(int... values) {
        byte[] rgb = new byte[values.length * 3];
        for (int i = 0; i < values.length; i++) {
            rgb[3 * i] = (byte) values[i];
            rgb[3 * i + 1] = (byte) values[i];
            rgb[3 * i + 2] = (byte) values[i];
        }
        return new RgbImage(values.length, 1, rgb);
    }

    @Test
    void shouldResampleBilinearAsPillowDoes() {
        // Halving: the triangle stretched to support 2 puts taps 3/7, 3/7, 1/7 on the pixels inside the image (Pillow
        // clips the window at the border and renormalises), so 0, 70, 140, 210 become 50 and 160.
        RgbImage halved = PillowResize.bilinear().resize(greyRow(0, 70, 140, 210), 2, 1);
        assertEquals(50, halved.sample(0, 0, 0));
        assertEquals(160, halved.sample(1, 0, 2));
        // Doubling: output centres 0.25 and 0.75 of the first pixel's width; the first sees only pixel 0, the second
        // mixes 3/4 of pixel 0 with 1/4 of pixel 1.
        RgbImage doubled = PillowResize.bilinear().resize(greyRow(0, 100), 4, 1);
        assertEquals(0, doubled.sample(0, 0, 0));
        assertEquals(25, doubled.sample(1, 0, 1));
        assertEquals(75, doubled.sample(2, 0, 1));
        assertEquals(100, doubled.sample(3, 0, 2));
        RgbImage bicubic = PillowResize.bicubic().resize(greyRow(0, 100), 4, 1);
        assertTrue(bicubic.sample(1, 0, 0) != 25, "bicubic and bilinear must differ");
    }

    @Test
    void shouldResizeTheShortSideThenCropAsARecordedPreprocessingSays() {
        FramePreprocessor mmaction = new FramePreprocessor(new Preprocessing(256, "bilinear", 224, "clip"));
        assertEquals(256, mmaction.resizeSize());
        assertEquals(224, mmaction.size());
        assertEquals(3 * 224 * 224, mmaction.frameLength());
        RgbImage frame = randomImage(320, 240, 9);
        RgbImage out = mmaction.resizeAndCrop(frame);
        assertEquals(224, out.width());
        assertEquals(224, out.height());
        // 320x240 -> 341x256; the crop starts at round-half-even(117 / 2) = 58 across and (256 - 224) / 2 = 16 down.
        RgbImage resized = PillowResize.bilinear().resize(frame, 341, 256);
        for (int y = 0; y < 224; y += 37) {
            for (int x = 0; x < 224; x += 29) {
                for (int c = 0; c < 3; c++) {
                    assertEquals(resized.sample(58 + x, 16 + y, c), out.sample(x, y, c), x + "," + y + "," + c);
                }
            }
        }
        assertEquals(resized.sample(58 + 223, 16 + 223, 1), out.sample(223, 223, 1));
        assertEquals(mmaction.preprocess(frame).length, mmaction.frameLength());
    }

    @Test
    void shouldKeepTheDefaultPipelineWhenNothingIsRecorded() {
        RgbImage frame = randomImage(120, 70, 10);
        FramePreprocessor recorded = new FramePreprocessor(Preprocessing.clip(64));
        FramePreprocessor standard = new FramePreprocessor(64);
        assertEquals(64, standard.resizeSize());
        assertArrayEquals(standard.preprocess(frame), recorded.preprocess(frame));
        assertEquals(
                new CenterCrop().crop(PillowResize.bicubic().resize(frame, 109, 64), 64),
                standard.resizeAndCrop(frame));
    }
}
