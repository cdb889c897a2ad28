package io.clip4stream.model.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.clip4stream.model.weights.TinyModelShape;
import org.junit.jupiter.api.Test;

class TrainingFlopsTest {

    private static final TinyModelShape VIT_B32 = TrainBenchmark.vitB32SeqTransf(12);

    @Test
    void aBlockCostsTwentyFourWidthSquaredPerTokenPlusAttention() {
        // 3 tokens of width 2: 3 · (24 · 4 + 4 · 3 · 2) = 3 · 120, per layer.
        assertEquals(2 * 360.0, TrainingFlops.transformerForward(3, 2, 2));
    }

    @Test
    void aViTB32FrameIsAbout8Point8GflopForwardThatIs4Point4GigaMultiplyAdds() {
        double conv = 2.0 * 49 * 3 * 32 * 32 * 768; // 49 patches of 3·32² values into 768
        double blocks = 12 * 50 * (24.0 * 768 * 768 + 4.0 * 50 * 768); // 12 blocks over 49 patches + the class token
        double proj = 2.0 * 768 * 512;
        assertEquals(conv, TrainingFlops.patchEmbeddingForward(VIT_B32));
        assertEquals(conv + blocks + proj, TrainingFlops.visualForward(VIT_B32));
        assertEquals(8.8176e9, TrainingFlops.visualForward(VIT_B32), 1e5);
    }

    @Test
    void aHeadOnlyStepIsThreeTimesTheHeadAndTheSimilarityForward() {
        double perClip = 4 * 12 * (24.0 * 512 * 512 + 4.0 * 12 * 512); // 4 blocks of width 512 over 12 frames
        double similarity = 2.0 * 64 * 64 * 512;
        assertEquals(perClip, TrainingFlops.headForward(VIT_B32, 12));
        assertEquals(3 * (64 * perClip + similarity), TrainingFlops.headStep(VIT_B32, 64, 12));
        assertEquals(58.22e9, TrainingFlops.headStep(VIT_B32, 64, 12), 0.01e9);
    }

    @Test
    void aFullStepCountsTheFrozenPatchEmbeddingOnceAndEverythingElseThreeTimes() {
        int batch = 4;
        int frames = 12;
        double conv = batch * frames * TrainingFlops.patchEmbeddingForward(VIT_B32);
        double rest = batch * frames * TrainingFlops.visualForward(VIT_B32)
                - conv
                + batch * TrainingFlops.textForward(VIT_B32)
                + batch * TrainingFlops.headForward(VIT_B32, frames)
                + TrainingFlops.similarity(VIT_B32, batch);
        assertEquals(3 * rest + conv, TrainingFlops.fullStep(VIT_B32, batch, frames), 1.0);
        // Text: 12 causal blocks of width 512 over L = 32, then text_projection on all 32 tokens.
        assertEquals(
                12 * 32 * (24.0 * 512 * 512 + 4.0 * 32 * 512) + 2.0 * 32 * 512 * 512,
                TrainingFlops.textForward(VIT_B32));
    }
}
