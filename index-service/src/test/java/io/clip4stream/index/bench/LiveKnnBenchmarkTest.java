package io.clip4stream.index.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.clip4stream.index.lucene.HnswSettings;
import io.clip4stream.index.lucene.ShardSettings;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The live benchmark end to end on a small index: its states, figures and idle merge; no timings asserted. */
class LiveKnnBenchmarkTest {

    @TempDir
    Path work;

    @Test
    void shouldStreamEveryVectorInAndScoreEachStateAgainstExactSearch() throws Exception {
        // efSearch above the vector count makes every search exhaustive, so recall must be exactly 1.
        HnswSettings settings = HnswSettings.defaults().withSearchCandidates(1_000);
        ShardSettings shard =
                new ShardSettings(Duration.ofMillis(20), 2, 0.001, 50).withIdleMerge(Duration.ofMillis(100), 1);
        LiveKnnBenchmark.Result result = LiveKnnBenchmark.run(
                new LiveKnnBenchmark.Options(
                        600,
                        8,
                        30,
                        10,
                        2_000,
                        40,
                        work,
                        settings,
                        shard,
                        5,
                        Duration.ofMinutes(2),
                        List.of(700, 1_000)),
                new PrintWriter(new StringWriter()));
        assertEquals(600, result.vectors());
        assertEquals(1.0, result.afterIngest().recall(), 1e-12);
        assertNotNull(result.idleMerged(), "the idle merge ran");
        assertEquals(1, result.idleMerged().segments());
        assertEquals(1.0, result.idleMerged().recall(), 1e-12);
        if (result.live() != null) {
            assertEquals(1.0, result.live().recall(), 1e-12);
        }
        // The sweep repeats the configured value once: only 700 is measured besides it, live and idle-merged.
        assertEquals(
                List.of(700),
                result.idleMergedSweep().stream()
                        .map(point -> point.searchCandidates())
                        .toList());
        assertEquals(1.0, result.idleMergedSweep().getFirst().figures().recall(), 1e-12);
        result.liveSweep().forEach(point -> {
            assertEquals(700, point.searchCandidates());
            assertEquals(1.0, point.figures().recall(), 1e-12);
        });
        assertTrue(
                result.best().stream().anyMatch(point -> point.state().equals("idleMerged")),
                "every exhaustive search reaches the recall target");
        assertTrue(result.scoredQueries() <= result.queries());
        assertFalse(result.segmentsOverTime().isEmpty());
        StringWriter table = new StringWriter();
        LiveKnnBenchmark.printTable(result, new PrintWriter(table));
        assertTrue(table.toString().contains("idle-merged, efSearch 700"), table.toString());
        assertTrue(table.toString().contains("best idleMerged at recall >= 0.95"), table.toString());
        try (var left = Files.list(work)) {
            assertEquals(0, left.count(), "the index directory is deleted");
        }
    }

    @Test
    void shouldMeasureEveryEfSearchOverTheLastTenthOfIngest() throws Exception {
        // 600 vectors at 200/s: the last tenth takes 0.3 s, time for many blocks of 10 queries on 8-d vectors.
        HnswSettings settings = HnswSettings.defaults().withSearchCandidates(1_000);
        ShardSettings shard = new ShardSettings(Duration.ofMillis(20), 2, 0.001, 50);
        LiveKnnBenchmark.Result result = LiveKnnBenchmark.run(
                new LiveKnnBenchmark.Options(
                        600, 8, 30, 10, 200, 20, work, settings, shard, 7, Duration.ofSeconds(5), List.of(700)),
                new PrintWriter(new StringWriter()));
        assertEquals(
                List.of(1_000, 700),
                result.lastWindowSweep().stream()
                        .map(point -> point.searchCandidates())
                        .toList(),
                "the configured efSearch first, then the sweep's");
        for (var point : result.lastWindowSweep()) {
            // Exhaustive searches: exact, whatever the segments.
            assertEquals(1.0, point.figures().recall(), 1e-12, "efSearch " + point.searchCandidates());
        }
        assertTrue(
                result.best().stream().anyMatch(point -> point.state().equals("liveLastWindow")),
                result.best().toString());
        StringWriter table = new StringWriter();
        LiveKnnBenchmark.printTable(result, new PrintWriter(table));
        assertTrue(table.toString().contains("live last tenth, ef 700"), table.toString());
    }
}
