package io.clip4stream.encoder;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.clip4stream.model.preprocess.ClipNormalize;
import io.clip4stream.model.preprocess.RgbImage;
import io.clip4stream.schemas.avro.FrameEmbedding;
import io.clip4stream.schemas.avro.SampledFrame;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Frames into the model's tensor and vectors into records, without a model or a broker. */
class FrameEncodingTest {

    private final FrameEncoding encoding = new FrameEncoding(RecordClassifierTest.MODEL);

    @Test
    void shouldNormaliseEveryFrameIntoItsSliceOfTheTensorInOrder() {
        List<SampledFrame> frames = List.of(
                RecordClassifierTest.frame(0, 2, 2),
                RecordClassifierTest.frame(1, 2, 2),
                RecordClassifierTest.frame(2, 2, 2));
        float[] tensor = encoding.tensor(frames);
        assertEquals(3 * 3 * 2 * 2, tensor.length);
        ClipNormalize normalize = new ClipNormalize();
        for (int i = 0; i < frames.size(); i++) {
            byte[] pixels = new byte[12];
            frames.get(i).getPixels().duplicate().get(pixels);
            float[] expected = normalize.normalize(new RgbImage(2, 2, pixels));
            assertArrayEquals(expected, Arrays.copyOfRange(tensor, i * 12, (i + 1) * 12), "frame " + i);
        }
        assertEquals(0, frames.getFirst().getPixels().position(), "the frame's buffer is left as it was");
    }

    @Test
    void shouldMakeTheEmbeddingRecordOfAFrameWithTheModelsIdAndVersion() {
        SampledFrame frame = RecordClassifierTest.frame(14, 2, 2);
        FrameEmbedding embedding = encoding.embedding(frame, new float[] {0.5f, -0.5f, 0.25f, 0f});
        assertEquals("cam", embedding.getSourceId());
        assertEquals(1, embedding.getClipIndex());
        assertEquals(14, embedding.getFrameIndex());
        assertEquals(14_000_000L, embedding.getPresentationTimeMicros());
        assertEquals("tiny", embedding.getModelId());
        assertEquals("v1", embedding.getModelVersion());
        assertEquals(List.of(0.5f, -0.5f, 0.25f, 0f), embedding.getEmbedding());
    }
}
