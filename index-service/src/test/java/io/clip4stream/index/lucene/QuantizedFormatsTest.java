package io.clip4stream.index.lucene;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.clip4stream.index.bench.EmbeddingLikeVectors;
import io.clip4stream.index.store.ClipFilter;
import io.clip4stream.index.store.TestClips;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;
import org.apache.lucene.util.VectorUtil;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Every vector format, quantized ones with their candidates rescored from the raw floats, returns the exact top 10 in
 * exact order on a small easy fixture (embedding-like vectors, the default efSearch: 16 candidates rescored per hit).
 */
class QuantizedFormatsTest {

    private static final int COUNT = 1_000;
    private static final int DIMENSION = 128;
    private static final int K = 10;

    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(HnswSettings.Quantization.class)
    void shouldReturnTheExactTopTen(HnswSettings.Quantization quantization) {
        float[][] vectors = EmbeddingLikeVectors.synthetic(COUNT + 20, DIMENSION, 11);
        HnswSettings settings = HnswSettings.defaults().withQuantization(quantization);
        try (ClipIndex index = new ClipIndex("formats", settings, ShardSettings.of(Duration.ofHours(1)))) {
            index.open(dir.resolve(quantization.name()));
            for (int i = 0; i < COUNT; i++) {
                index.put(TestClips.clip("cam", i, "v1", "acme", List.of(), i, i + 1, vectors[i]));
            }
            index.forceMerge(1);
            index.refresh();
            for (int q = COUNT; q < vectors.length; q++) {
                float[] query = vectors[q];
                List<Long> expected = IntStream.range(0, COUNT)
                        .boxed()
                        .sorted(Comparator.comparingDouble(i -> -VectorUtil.dotProduct(query, vectors[i])))
                        .limit(K)
                        .map(Integer::longValue)
                        .toList();
                List<Long> actual = index.nearest(query, K, ClipFilter.modelVersion("v1")).stream()
                        .map(hit -> hit.clip().getClipIndex())
                        .toList();
                assertEquals(expected, actual, quantization + ", query " + q + " " + Arrays.toString(query));
            }
        }
    }
}
