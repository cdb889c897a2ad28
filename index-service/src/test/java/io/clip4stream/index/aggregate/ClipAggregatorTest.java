package io.clip4stream.index.aggregate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.clip4stream.model.Clip4ClipModel;
import io.clip4stream.model.ModelOptions;
import io.clip4stream.model.spec.SimilarityHead;
import io.clip4stream.model.weights.TinyModelGenerator;
import io.clip4stream.model.weights.TinyModelShape;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The aggregator hands frames to the model's head unchanged and checks their shape. */
class ClipAggregatorTest {

    @TempDir
    Path temp;

    private Clip4ClipModel load(SimilarityHead head) throws IOException {
        Path dir = temp.resolve(head.configName());
        new TinyModelGenerator(7).generate(dir, TinyModelShape.defaults().withHead(head), "tiny");
        return Clip4ClipModel.load(dir, ModelOptions.defaults().withDevice(ModelOptions.DeviceChoice.CPU));
    }

    private static List<float[]> frames(int count, int dimension) {
        SplittableRandom random = new SplittableRandom(1);
        List<float[]> frames = new ArrayList<>();
        for (int f = 0; f < count; f++) {
            float[] frame = new float[dimension];
            for (int i = 0; i < dimension; i++) {
                frame[i] = (float) random.nextGaussian();
            }
            frames.add(frame);
        }
        return frames;
    }

    @Test
    void shouldGiveTheModelHeadsUnitVectorForEachLooseHead() throws IOException {
        for (SimilarityHead head : List.of(SimilarityHead.MEAN_P, SimilarityHead.SEQ_LSTM, SimilarityHead.SEQ_TRANSF)) {
            try (Clip4ClipModel model = load(head)) {
                ClipAggregator aggregator = new ClipAggregator(model);
                List<float[]> frames = frames(5, aggregator.dimension());
                float[] vector = aggregator.aggregate(frames);
                assertArrayEquals(model.aggregateClip(frames.toArray(float[][]::new)), vector, 0f, head.name());
                double norm = 0;
                for (float value : vector) {
                    norm += value * value;
                }
                assertEquals(1.0, norm, 1e-4, head.name());
                assertEquals(head.configName(), aggregator.aggregation());
            }
        }
    }

    @Test
    void shouldDependOnFrameOrderWithASequenceHead() throws IOException {
        try (Clip4ClipModel model = load(SimilarityHead.SEQ_TRANSF)) {
            ClipAggregator aggregator = new ClipAggregator(model);
            List<float[]> frames = frames(4, aggregator.dimension());
            List<float[]> reversed = new ArrayList<>(frames.reversed());
            assertNotEquals(aggregator.aggregate(frames)[0], aggregator.aggregate(reversed)[0]);
        }
    }

    @Test
    void shouldUseMeanPoolingForATightTransformerModel() throws IOException {
        try (Clip4ClipModel model = load(SimilarityHead.TIGHT_TRANSF)) {
            assertEquals("meanP", new ClipAggregator(model).aggregation());
        }
    }

    @Test
    void shouldRejectMissingOrMisshapenFrames() throws IOException {
        try (Clip4ClipModel model = load(SimilarityHead.MEAN_P)) {
            ClipAggregator aggregator = new ClipAggregator(model);
            assertThrows(IllegalArgumentException.class, () -> aggregator.aggregate(List.of()));
            IllegalArgumentException wrong = assertThrows(
                    IllegalArgumentException.class, () -> aggregator.aggregate(frames(2, aggregator.dimension() + 1)));
            assertEquals("frame 0 has dimension 65, but model tiny tiny-seed-7 expects 64", wrong.getMessage());
        }
    }
}
