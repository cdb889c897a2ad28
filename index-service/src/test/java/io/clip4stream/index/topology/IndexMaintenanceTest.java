package io.clip4stream.index.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.clip4stream.index.lucene.HnswSettings;
import io.clip4stream.index.lucene.IndexCounters;
import io.clip4stream.index.lucene.LuceneClipStore;
import io.clip4stream.index.store.ClipKey;
import io.clip4stream.index.store.ExactScanClipStore;
import io.clip4stream.index.store.RemovalBudget;
import io.clip4stream.index.store.SourceSpan;
import io.clip4stream.index.store.TestClips;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Maintenance at scale, counted not timed: thousands of sources all due at once are handled by one removal pass per
 * tick (one refresh each), each tick within its budget, and the right clips go.
 */
class IndexMaintenanceTest {

    private static final int SOURCES = 5_000;
    private static final int CLIPS_PER_SOURCE = 3;
    private static final int DELETED_SOURCES = 200;
    private static final Duration RETENTION = Duration.ofMillis(1_500);
    private static final Duration CHECK = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    private LuceneClipStore store;

    @AfterEach
    void close() {
        if (store != null) {
            store.close();
        }
    }

    /** Clips ending at 1, 2 and 3 s per source, so with 1.5 s retention the first clip of every source expires. */
    private LuceneClipStore filledStore() {
        // Refreshing once an hour: every refresh the counters see is one the maintenance made.
        store = new LuceneClipStore("clip-index", HnswSettings.defaults(), Duration.ofHours(1), Duration.ofHours(1));
        store.open(dir.resolve("index"));
        SplittableRandom random = new SplittableRandom(17);
        for (int s = 0; s < SOURCES; s++) {
            for (int c = 0; c < CLIPS_PER_SOURCE; c++) {
                store.put(TestClips.clip(
                        "cam-" + s,
                        c,
                        "v1",
                        "acme",
                        List.of(),
                        c * 1_000_000L,
                        (c + 1) * 1_000_000L,
                        TestClips.unitVector(random, 4)));
            }
        }
        return store;
    }

    @Test
    void shouldRemoveWhatIsDueForThousandsOfSourcesInOnePassPerTickWithinItsBudget() {
        LuceneClipStore lucene = filledStore();
        RemovalBudget budget = new RemovalBudget(2_000, Duration.ofHours(1));
        IndexMaintenance maintenance = new IndexMaintenance(lucene, RETENTION, CHECK, budget, 0);
        for (int s = 0; s < DELETED_SOURCES; s++) {
            maintenance.deleteSource("cam-" + s);
        }
        Set<ClipKey> expected = new HashSet<>();
        for (int s = 0; s < SOURCES; s++) {
            int gone = s < DELETED_SOURCES ? CLIPS_PER_SOURCE : 1;
            for (int c = 0; c < gone; c++) {
                expected.add(new ClipKey("v1", "cam-" + s + ":" + c));
            }
        }

        List<ClipKey> removed = new ArrayList<>();
        List<Boolean> completes = new ArrayList<>();
        long now = CHECK.toMillis(); // retention is due at the first tick
        for (int tick = 0; tick < 10 && (completes.isEmpty() || !completes.getLast()); tick++) {
            IndexCounters before = lucene.counters();
            IndexMaintenance.Tick done = maintenance.tick(now);
            IndexCounters after = lucene.counters();
            assertEquals(SOURCES, done.dueSources(), "every source is due in every pass of the round");
            assertEquals(1, after.maintenancePasses() - before.maintenancePasses(), "one pass per tick");
            assertEquals(1, after.refreshes() - before.refreshes(), "one refresh per tick");
            assertTrue(done.removal().removed().size() <= budget.maxClips(), "at most the budget per tick");
            removed.addAll(done.removal().keys());
            completes.add(done.removal().complete());
            now += 500;
        }

        // 200 sources x 3 clips + 4,800 sources x 1 clip = 5,400 clips at 2,000 a tick: three ticks.
        assertEquals(List.of(false, false, true), completes);
        assertEquals(expected.size(), removed.size(), "no clip reported twice");
        assertEquals(expected, Set.copyOf(removed));
        assertEquals(Set.of(), maintenance.pendingDeletions());
        lucene.refresh();
        assertEquals((long) SOURCES * CLIPS_PER_SOURCE - expected.size(), lucene.visibleClips());
        Map<String, SourceSpan> spans = new HashMap<>();
        lucene.sourceSpans().forEach(span -> spans.put(span.sourceId(), span));
        assertEquals(SOURCES - DELETED_SOURCES, spans.size());
        assertFalse(spans.containsKey("cam-0"));
        assertEquals(new SourceSpan("cam-4999", 2_000_000L, 3_000_000L), spans.get("cam-4999"));
        long scanned = lucene.counters().documentsScanned();
        // Each tick went on where the last stopped: every clip looked at once in the round, plus the clip each
        // incomplete pass stopped at (looked at again by the next).
        assertTrue(
                scanned >= (long) SOURCES * CLIPS_PER_SOURCE && scanned <= (long) SOURCES * CLIPS_PER_SOURCE + 2,
                "documents scanned: " + scanned);

        IndexCounters before = lucene.counters();
        IndexMaintenance.Tick idle = maintenance.tick(now);
        assertEquals(0, idle.dueSources());
        assertEquals(before, lucene.counters(), "nothing due: no pass and no refresh");
    }

    @Test
    void shouldLetDeletionsThatArriveDuringARoundWaitForTheNextRound() {
        ExactScanClipStore exact = new ExactScanClipStore("exact");
        SplittableRandom random = new SplittableRandom(3);
        for (int s = 0; s < 3; s++) {
            for (int c = 0; c < 4; c++) {
                exact.put(TestClips.clip(
                        "cam-" + s, c, "v1", "acme", List.of(), c, c + 1, TestClips.unitVector(random, 4)));
            }
        }
        IndexMaintenance maintenance =
                new IndexMaintenance(exact, Duration.ZERO, CHECK, new RemovalBudget(3, Duration.ofHours(1)), 0);
        maintenance.deleteSource("cam-0");
        maintenance.deleteSource("cam-1");

        IndexMaintenance.Tick first = maintenance.tick(0);
        maintenance.deleteSource("cam-2");
        List<IndexMaintenance.Tick> ticks = new ArrayList<>(List.of(first));
        while (!ticks.getLast().removal().complete()) {
            ticks.add(maintenance.tick(0));
            assertEquals(2, ticks.getLast().dueSources(), "the round keeps its two sources");
        }
        assertEquals(Set.of("cam-2"), maintenance.pendingDeletions());
        IndexMaintenance.Tick next = maintenance.tick(0);
        assertEquals(1, next.dueSources());
        assertEquals(3, next.removal().removed().size(), "the budget");
        assertFalse(next.removal().complete());
        IndexMaintenance.Tick last = maintenance.tick(0);
        assertEquals(List.of(new ClipKey("v1", "cam-2:3")), last.removal().keys());
        assertTrue(last.removal().complete());
        assertEquals(0, exact.visibleClips());
        assertEquals(Set.of(), maintenance.pendingDeletions());
    }
}
