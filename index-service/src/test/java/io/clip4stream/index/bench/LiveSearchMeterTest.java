package io.clip4stream.index.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiFunction;
import org.junit.jupiter.api.Test;

/** The live benchmark's recall: scored against exact search over the vectors visible at query time, on small data. */
class LiveSearchMeterTest {

    private static final int K = 10;

    private final float[][] vectors = EmbeddingLikeVectors.synthetic(240, 16, 7);
    private final float[][] queries = EmbeddingLikeVectors.synthetic(20, 16, 8);

    /** A fake index whose visible count the test sets and whose answer the test computes. */
    private static LiveSearchMeter.LiveIndex index(AtomicLong visible, BiFunction<float[], Integer, int[]> answer) {
        return new LiveSearchMeter.LiveIndex() {
            @Override
            public long visible() {
                return visible.get();
            }

            @Override
            public int[] nearest(float[] query, int k, int candidates) {
                return answer.apply(query, k);
            }

            @Override
            public int segments() {
                return 3;
            }
        };
    }

    @Test
    void shouldScoreAnExactAnswerOverTheVisiblePrefixAsFullRecall() {
        AtomicLong visible = new AtomicLong(150);
        LiveSearchMeter meter = new LiveSearchMeter(vectors, K);
        LiveSearchMeter.Tally tally = meter.block(
                index(visible, (query, k) -> KnnBenchmark.exactTopK(vectors, 150, query, k)), queries, 0, 20, 100);
        assertEquals(20, tally.queries());
        assertEquals(20, tally.scored());
        assertEquals(1.0, tally.recall(), 1e-12);
        KnnBenchmark.SearchFigures figures = tally.figures();
        assertEquals(1.0, figures.recall(), 1e-12);
        assertEquals(3, figures.segments());
        assertTrue(figures.qps() > 0 && figures.exactQps() > 0);
    }

    @Test
    void shouldCountWhatTheIndexCouldNotHaveSeenAsMisses() {
        // An answer over all 240 vectors while only 150 are visible: whatever it finds past the prefix is not
        // in the truth, so recall is the overlap with the exact top k of the prefix, computed here independently.
        AtomicLong visible = new AtomicLong(150);
        LiveSearchMeter meter = new LiveSearchMeter(vectors, K);
        LiveSearchMeter.Tally tally = meter.block(
                index(visible, (query, k) -> KnnBenchmark.exactTopK(vectors, query, k)), queries, 0, 20, 100);
        double expected = 0;
        for (float[] query : queries) {
            int[] all = KnnBenchmark.exactTopK(vectors, query, K);
            int[] prefix = KnnBenchmark.exactTopK(vectors, 150, query, K);
            long common = Arrays.stream(all)
                    .filter(id -> Arrays.stream(prefix).anyMatch(p -> p == id))
                    .count();
            expected += (double) common / K;
        }
        expected /= queries.length;
        assertTrue(expected < 1.0, "the fixture must have a neighbour past the prefix");
        assertEquals(expected, tally.recall(), 1e-12);
    }

    @Test
    void shouldNotScoreAQueryThatRacedARefresh() {
        AtomicLong visible = new AtomicLong(100);
        LiveSearchMeter meter = new LiveSearchMeter(vectors, K);
        LiveSearchMeter.Tally tally = meter.block(
                index(visible, (query, k) -> {
                    visible.incrementAndGet(); // a refresh lands during every query
                    return KnnBenchmark.exactTopK(vectors, (int) visible.get(), query, k);
                }),
                queries,
                0,
                20,
                100);
        assertEquals(20, tally.queries());
        assertEquals(0, tally.scored());
        assertTrue(Double.isNaN(tally.recall()));
    }

    @Test
    void shouldNotScoreBeforeKVectorsAreVisible() {
        AtomicLong visible = new AtomicLong(K - 1);
        LiveSearchMeter.Tally tally =
                new LiveSearchMeter(vectors, K).block(index(visible, (query, k) -> new int[0]), queries, 0, 5, 100);
        assertEquals(0, tally.scored());
    }

    @Test
    void shouldLookOnlyAtThePresentPrefixInTheExactSearch() {
        float[][] copy = Arrays.copyOf(vectors, vectors.length);
        float[] query = queries[0];
        copy[200] = query.clone(); // the best possible match, but not yet present
        int[] prefix = KnnBenchmark.exactTopK(copy, 150, query, K);
        assertTrue(Arrays.stream(prefix).allMatch(id -> id < 150));
        assertTrue(Arrays.stream(KnnBenchmark.exactTopK(copy, 201, query, K)).anyMatch(id -> id == 200));
    }

    @Test
    void shouldComputeRecallAsTheShareOfTheTruthFound() {
        assertEquals(0.5, LiveSearchMeter.recall(new int[] {1, 2, 3, 9}, new int[] {1, 2, 4, 5}), 1e-12);
        assertEquals(1.0, LiveSearchMeter.recall(new int[] {5, 4, 2, 1}, new int[] {1, 2, 4, 5}), 1e-12);
        assertEquals(0.0, LiveSearchMeter.recall(new int[0], new int[] {1}), 1e-12);
    }

    @Test
    void shouldFindTheSameNeighboursAsASortedBruteForce() {
        float[] query = queries[1];
        Integer[] ids = new Integer[vectors.length];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = i;
        }
        Arrays.sort(ids, (a, b) -> Float.compare(dot(query, vectors[b]), dot(query, vectors[a])));
        int[] expected =
                Arrays.stream(ids, 0, K).mapToInt(Integer::intValue).sorted().toArray();
        int[] actual = KnnBenchmark.exactTopK(vectors, query, K);
        Arrays.sort(actual);
        assertArrayEquals(expected, actual);
    }

    private static float dot(float[] a, float[] b) {
        float sum = 0;
        for (int i = 0; i < a.length; i++) {
            sum += a[i] * b[i];
        }
        return sum;
    }
}
