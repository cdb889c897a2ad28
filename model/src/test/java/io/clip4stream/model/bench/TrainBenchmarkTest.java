package io.clip4stream.model.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.clip4stream.model.train.TrainingBatch;
import io.clip4stream.model.weights.TinyModelShape;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class TrainBenchmarkTest {

    private static final TinyModelShape TINY = TinyModelShape.defaults();

    @Test
    void measuresFullAndHeadOnlyTrainingAndTheMemoryOfATinyModel() throws Exception {
        List<String> progress = new ArrayList<>();
        TrainBenchmark.Settings settings = new TrainBenchmark.Settings(1, 2, 4, 2, 4, 2, 2, 0.05);
        TrainBenchmark.Result result = new TrainBenchmark(settings, progress::add).run(TINY, "tiny");

        assertEquals("tiny", result.shape());
        assertTrue(result.matmulGflops() > 0);
        TrainBenchmark.Series full = result.full();
        assertEquals(2, full.batch());
        assertEquals(4, full.frames());
        assertEquals(2, full.steps());
        assertTrue(full.stepsPerSecond() > 0 && full.clipsPerSecond() == 2 * full.stepsPerSecond());
        assertEquals(TrainingFlops.fullStep(TINY, 2, 4) / 1e9, full.gflopPerStep(), 1e-12);
        assertTrue(Double.isFinite(full.firstLoss()) && full.firstLoss() >= 0, "loss " + full.firstLoss());
        assertTrue(Double.isFinite(full.lastLoss()) && full.lastLoss() >= 0, "loss " + full.lastLoss());

        TrainBenchmark.Series head = result.head();
        assertEquals(4, head.batch());
        assertTrue(head.stepsPerSecond() > 0);
        assertTrue(result.fractionOfMatmulRate(head) > 0);
        // Only the head trains: frame_position_embeddings [77, 64] and two blocks of 12·w² + 13·w parameters.
        assertEquals(77 * 64 + 2 * (12 * 64 * 64 + 13 * 64), head.trainableParameters());
        assertTrue(full.trainableParameters() > head.trainableParameters());

        TrainBenchmark.Memory memory = result.memory().orElseThrow();
        assertEquals(2, memory.batch());
        assertEquals(TrainBenchmark.MEMORY_STEPS, memory.steps());
        assertTrue(memory.heapUsedPeakGib() > 0);
        if (!Double.isNaN(memory.rssPeakGib())) {
            assertTrue(memory.rssPeakGib() > 0, memory.toString());
        }
        assertFalse(progress.isEmpty());
    }

    @Test
    void skipsTheMemoryRunWithMemoryBatchZero() throws Exception {
        TrainBenchmark.Settings settings = new TrainBenchmark.Settings(1, 1, 2, 1, 2, 1, 0, 0.05);
        TrainBenchmark.Result result = new TrainBenchmark(settings, line -> {}).run(TINY, "tiny");
        assertTrue(result.memory().isEmpty());
    }

    @Test
    void captionsEndInEotTheLargestIdSoTheTextEncoderReadsIt() {
        TrainingBatch.Pixels batch = TrainBenchmark.pixelBatch(TINY, 16, 1, new SplittableRandom(3));
        long eot = TINY.vocabSize() - 1;
        for (long[] ids : batch.tokenIds()) {
            assertEquals(TINY.maxWords(), ids.length);
            assertEquals(eot - 1, ids[0]);
            int position = 0;
            for (int i = 1; i < ids.length; i++) {
                if (ids[i] > ids[position]) {
                    position = i;
                }
            }
            assertEquals(eot, ids[position]);
            for (int i = position + 1; i < ids.length; i++) {
                assertEquals(0, ids[i]);
            }
        }
    }
}
