package io.clip4stream.model.weights;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.clip4stream.model.Clip4ClipModel;
import io.clip4stream.model.ModelInfo;
import io.clip4stream.model.ModelOptions;
import io.clip4stream.model.spec.LinearPatch;
import io.clip4stream.model.spec.SimilarityHead;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class TinyModelGeneratorTest {

    @TempDir
    Path temp;

    private static final ModelOptions OPTIONS = ModelOptions.defaults().withIntraOpThreads(1);

    /** "a man is playing a guitar" in CLIP's vocabulary, padded to 32. */
    private static final int[] CAPTION = {49406, 320, 786, 533, 1629, 320, 5084, 49407};

    private static int[] padded(int[] ids, int length) {
        int[] out = new int[length];
        System.arraycopy(ids, 0, out, 0, ids.length);
        return out;
    }

    private static int[] mask(int valid, int length) {
        int[] out = new int[length];
        java.util.Arrays.fill(out, 0, valid, 1);
        return out;
    }

    private static float[] randomPixels(int frames, int size, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] pixels = new float[frames * 3 * size * size];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (float) (4 * random.nextDouble() - 2);
        }
        return pixels;
    }

    private static double norm(float[] v) {
        double sum = 0;
        for (float x : v) {
            assertTrue(Float.isFinite(x));
            sum += (double) x * x;
        }
        return Math.sqrt(sum);
    }

    @ParameterizedTest
    @EnumSource(SimilarityHead.class)
    void theDefaultModelLoadsAndRunsEveryHead(SimilarityHead head) throws IOException {
        TinyModelShape shape = TinyModelShape.defaults().withHead(head);
        new TinyModelGenerator(7).generate(temp.resolve("m"), shape, "tiny-" + head.configName());

        try (Clip4ClipModel model = Clip4ClipModel.load(temp.resolve("m"), OPTIONS)) {
            ModelInfo info = model.info();
            assertEquals(64, info.embedDim());
            assertEquals(64, info.imageSize());
            assertEquals(12, info.maxFrames());
            assertEquals(32, info.maxWords());
            assertEquals(head, info.head());
            assertEquals((float) Math.log(100), info.logitScale());
            assertTrue(model.hasTightHead());

            float[][] frames = model.embedFrames(randomPixels(5, 64, 1), 5);
            assertEquals(5, frames.length);
            assertEquals(64, frames[0].length);
            assertNotEquals(frames[0][0], frames[1][0]);
            float[] clip = model.aggregateClip(frames);
            assertEquals(1.0, norm(clip), 1e-5);
            float[] text = model.encodeText(padded(CAPTION, 32), mask(CAPTION.length, 32));
            assertEquals(1.0, norm(text), 1e-5);
            float[] scores = model.tightScores(
                    padded(CAPTION, 32), mask(CAPTION.length, 32), new float[][][] {frames, new float[][] {frames[2]}});
            assertEquals(2, scores.length);
            assertTrue(Float.isFinite(scores[0]) && Float.isFinite(scores[1]));
        }
    }

    @Test
    void theThreeDPatchModelEmbedsAClip() throws IOException {
        TinyModelShape shape = TinyModelShape.defaults().withLinearPatch(LinearPatch.THREE_D);
        new TinyModelGenerator(7).generate(temp.resolve("m3d"), shape, "tiny-3d");

        try (Clip4ClipModel model = Clip4ClipModel.load(temp.resolve("m3d"), OPTIONS)) {
            float[] pixels = randomPixels(3, 64, 2);
            float[][] frames = model.embedFrames(pixels, 3);
            assertEquals(3, frames.length);
            // A 3D patch frame sees its neighbours: the first frame differs when the second one changes.
            float[] changed = pixels.clone();
            changed[3 * 64 * 64 + 5] += 1f;
            assertNotEquals(frames[0][0], model.embedFrames(changed, 3)[0][0]);
            assertEquals(1.0, norm(model.aggregateClip(frames)), 1e-5);
        }
    }

    @Test
    void theSameSeedWritesIdenticalWeightsAndAnotherSeedDifferentOnes() throws IOException {
        TinyModelShape shape = TinyModelShape.defaults();
        Path first = new TinyModelGenerator(11)
                .generate(temp.resolve("a"), shape, "t")
                .weightFiles()
                .get(0);
        Path again = new TinyModelGenerator(11)
                .generate(temp.resolve("b"), shape, "t")
                .weightFiles()
                .get(0);
        Path other = new TinyModelGenerator(12)
                .generate(temp.resolve("c"), shape, "t")
                .weightFiles()
                .get(0);

        assertEquals(-1L, Files.mismatch(first, again));
        assertEquals(Files.size(first), Files.size(other));
        assertNotEquals(-1L, Files.mismatch(first, other));
    }
}
