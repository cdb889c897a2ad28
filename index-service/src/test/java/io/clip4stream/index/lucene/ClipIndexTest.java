package io.clip4stream.index.lucene;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.clip4stream.index.store.ClipFilter;
import io.clip4stream.index.store.ClipHit;
import io.clip4stream.index.store.ClipKey;
import io.clip4stream.index.store.Removal;
import io.clip4stream.index.store.RemovalBudget;
import io.clip4stream.index.store.SourceSpan;
import io.clip4stream.index.store.TestClips;
import io.clip4stream.schemas.avro.ClipVector;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.lucene.index.TieredMergePolicy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Lucene clip index alone, without Kafka: removal passes, their budget, the merge policy, concurrent search. */
class ClipIndexTest {

    @TempDir
    Path dir;

    private ClipIndex index;

    @AfterEach
    void close() {
        if (index != null) {
            index.close();
        }
    }

    /** An index that refreshes only when asked, so the counters count only the refreshes a test makes. */
    private ClipIndex open(ShardSettings shard, AtomicLong clock) {
        index = new ClipIndex("clip-index", HnswSettings.defaults(), shard, clock::get);
        index.open(dir.resolve("index"));
        return index;
    }

    private static ShardSettings manualRefresh(int searchThreads) {
        return new ShardSettings(
                Duration.ofHours(1),
                searchThreads,
                ShardSettings.DEFAULT_MERGE_FLOOR_MB,
                ShardSettings.DEFAULT_SEGMENTS_PER_TIER);
    }

    private static ClipVector clip(String source, long index, long endMicros, SplittableRandom random) {
        return TestClips.clip(
                source, index, "v1", "acme", List.of(), endMicros - 1, endMicros, TestClips.unitVector(random, 4));
    }

    @Test
    void shouldRemoveTheDueClipsOfEverySourceInOnePassWithOneRefresh() {
        ClipIndex clips = open(manualRefresh(1), new AtomicLong());
        SplittableRandom random = new SplittableRandom(1);
        for (int s = 0; s < 50; s++) {
            for (int c = 0; c < 4; c++) {
                clips.put(clip("cam-" + s, c, (c + 1) * 1_000_000L, random));
            }
        }
        IndexCounters before = clips.counters();

        // cam-0 is deleted; cam-1..cam-9 keep clips ending at 3 s and later; the others are not due.
        Map<String, Long> due = new java.util.HashMap<>();
        due.put("cam-0", Long.MAX_VALUE);
        for (int s = 1; s < 10; s++) {
            due.put("cam-" + s, 3_000_000L);
        }
        Removal removal = clips.remove(due, RemovalBudget.UNLIMITED);

        IndexCounters after = clips.counters();
        assertTrue(removal.complete());
        assertEquals(1, after.maintenancePasses() - before.maintenancePasses());
        assertEquals(1, after.refreshes() - before.refreshes(), "one refresh for the whole pass");
        assertEquals(200, after.documentsScanned() - before.documentsScanned(), "every document looked at once");
        Set<ClipKey> expected = new HashSet<>();
        for (int c = 0; c < 4; c++) {
            expected.add(new ClipKey("v1", "cam-0:" + c));
        }
        for (int s = 1; s < 10; s++) {
            expected.add(new ClipKey("v1", "cam-" + s + ":0"));
            expected.add(new ClipKey("v1", "cam-" + s + ":1"));
        }
        assertEquals(expected, Set.copyOf(removal.keys()));
        assertEquals(removal.keys().size(), Set.copyOf(removal.keys()).size(), "no clip reported twice");
        removal.removed().forEach(removed -> assertTrue(removed.key().clipId().startsWith(removed.sourceId() + ":")));
        clips.refresh();
        assertEquals(200 - expected.size(), clips.visibleClips());
        Map<String, SourceSpan> spans = new java.util.HashMap<>();
        clips.sourceSpans().forEach(span -> spans.put(span.sourceId(), span));
        assertFalse(spans.containsKey("cam-0"), "a deleted source has no span");
        assertEquals(new SourceSpan("cam-5", 3_000_000L, 4_000_000L), spans.get("cam-5"));
        assertEquals(new SourceSpan("cam-20", 1_000_000L, 4_000_000L), spans.get("cam-20"));
    }

    @Test
    void shouldStopAPassAtItsClipBudgetAndFinishInTheNextPasses() {
        ClipIndex clips = open(manualRefresh(1), new AtomicLong());
        SplittableRandom random = new SplittableRandom(2);
        for (int c = 0; c < 25; c++) {
            clips.put(clip("cam", c, c + 1, random));
        }
        RemovalBudget budget = new RemovalBudget(10, Duration.ofHours(1));
        Set<ClipKey> removed = new HashSet<>();
        List<Boolean> completes = new java.util.ArrayList<>();
        for (int pass = 0; pass < 3; pass++) {
            Removal removal = clips.remove(Map.of("cam", Long.MAX_VALUE), budget);
            assertTrue(removal.removed().size() <= 10);
            removed.addAll(removal.keys());
            completes.add(removal.complete());
        }
        assertEquals(List.of(false, false, true), completes);
        assertEquals(25, removed.size());
        assertEquals(3, clips.counters().maintenanceRefreshes());
        clips.refresh();
        assertEquals(0, clips.visibleClips());
        assertTrue(clips.sourceSpans().isEmpty());
    }

    @Test
    void shouldStopAPassAtItsTimeBudgetReadFromItsClock() {
        // Each reading of the fake clock moves it on by one millisecond: a 5 ms budget allows five clock checks.
        AtomicLong nanos = new AtomicLong();
        ClipIndex clips = index = new ClipIndex(
                "clip-index", HnswSettings.defaults(), manualRefresh(1), () -> nanos.addAndGet(1_000_000L));
        clips.open(dir.resolve("timed"));
        SplittableRandom random = new SplittableRandom(3);
        for (int c = 0; c < 5_000; c++) {
            clips.put(clip("cam-" + c % 7, c, c + 1, random));
        }
        RemovalBudget budget = new RemovalBudget(Integer.MAX_VALUE, Duration.ofMillis(5));
        Set<ClipKey> removed = new HashSet<>();
        Map<String, Long> all = new java.util.HashMap<>();
        for (int s = 0; s < 7; s++) {
            all.put("cam-" + s, Long.MAX_VALUE);
        }
        int passes = 0;
        boolean complete = false;
        while (!complete) {
            long scannedBefore = clips.counters().documentsScanned();
            Removal removal = clips.remove(all, budget);
            long scanned = clips.counters().documentsScanned() - scannedBefore;
            assertTrue(scanned <= 6 * 256, "a pass stops at the first clock check past its budget; scanned " + scanned);
            removed.addAll(removal.keys());
            complete = removal.complete();
            passes++;
            assertTrue(passes < 20, "removal makes progress");
        }
        assertEquals(5_000, removed.size());
        assertTrue(passes >= 4, "5,000 clips at under 1,536 a pass take several passes; took " + passes);
    }

    @Test
    void shouldKeepEveryDocumentThroughMerges() {
        // A tiny floor and two segments per tier make the policy merge at almost every flush.
        ShardSettings mergeHappy = new ShardSettings(Duration.ofHours(1), 1, 0.001, 2);
        TieredMergePolicy policy = ClipIndex.mergePolicy(mergeHappy);
        assertEquals(0.001, policy.getFloorSegmentMB(), 1e-5);
        assertEquals(2, policy.getSegmentsPerTier(), 1e-9);
        ClipIndex clips = open(mergeHappy, new AtomicLong());
        SplittableRandom random = new SplittableRandom(4);
        Set<ClipKey> written = new HashSet<>();
        for (int c = 0; c < 2_000; c++) {
            ClipVector clip = clip("cam-" + c % 13, c, c + 1, random);
            clips.put(clip);
            written.add(ClipKey.of(clip));
            if (c % 100 == 99) {
                clips.refresh(); // one small segment per refresh
            }
        }
        clips.refresh();
        assertEquals(2_000, clips.visibleClips());
        clips.forceMerge(1);
        clips.refresh();
        assertEquals(1, clips.visibleSegments());
        assertEquals(2_000, clips.visibleClips());
        Map<String, Long> all = new java.util.HashMap<>();
        for (int s = 0; s < 13; s++) {
            all.put("cam-" + s, Long.MAX_VALUE);
        }
        assertEquals(
                written, Set.copyOf(clips.remove(all, RemovalBudget.UNLIMITED).keys()));
    }

    @Test
    void shouldSearchSegmentsOnItsSearchThreadsAndStopThemWhenClosed() {
        ClipIndex clips = open(manualRefresh(3), new AtomicLong());
        SplittableRandom random = new SplittableRandom(5);
        List<float[]> vectors = new java.util.ArrayList<>();
        for (int c = 0; c < 300; c++) {
            float[] vector = TestClips.unitVector(random, 16);
            vectors.add(vector);
            clips.put(TestClips.clip("cam", c, "v1", "acme", List.of(), c, c + 1, vector));
            if (c % 100 == 99) {
                clips.refresh();
            }
        }
        assertTrue(clips.visibleSegments() > 1);
        for (int c = 0; c < 300; c += 30) {
            assertEquals(
                    c,
                    clips.nearest(vectors.get(c), 1, ClipFilter.modelVersion("v1"))
                            .getFirst()
                            .clip()
                            .getClipIndex());
        }
        clips.close();
        index = null;
        List<String> searchThreads = Thread.getAllStackTraces().keySet().stream()
                .filter(Thread::isAlive)
                .map(Thread::getName)
                .filter(name -> name.startsWith("index-search-clip-index-"))
                .toList();
        assertEquals(List.of(), searchThreads);
    }

    @Test
    void shouldKeepTheSearchCandidatesAskedForOneSearch() {
        ClipIndex clips = open(manualRefresh(1), new AtomicLong());
        SplittableRandom random = new SplittableRandom(9);
        List<float[]> vectors = new java.util.ArrayList<>();
        for (int c = 0; c < 400; c++) {
            float[] vector = TestClips.unitVector(random, 16);
            vectors.add(vector);
            clips.put(TestClips.clip("cam", c, "v1", "acme", List.of(), c, c + 1, vector));
        }
        clips.refresh();
        ClipFilter filter = ClipFilter.modelVersion("v1");
        float[] query = TestClips.unitVector(random, 16);
        // More candidates than documents makes the graph search exhaustive: the exact top 10, best first.
        List<Long> exact = java.util.stream.IntStream.range(0, vectors.size())
                .boxed()
                .sorted(java.util.Comparator.comparingDouble(
                        (Integer c) -> -org.apache.lucene.util.VectorUtil.dotProduct(query, vectors.get(c))))
                .limit(10)
                .map(Integer::longValue)
                .toList();
        assertEquals(
                exact,
                clips.nearest(query, 10, filter, 1_000).stream()
                        .map(hit -> hit.clip().getClipIndex())
                        .toList());
        // Fewer candidates than k still return k hits: at least k are kept.
        assertEquals(10, clips.nearest(query, 10, filter, 1).size());
        assertThrows(IllegalArgumentException.class, () -> clips.nearest(query, 10, filter, 0));
    }

    @Test
    void shouldFindTheSameHitsWithoutLoadingTheirFloats() {
        ClipIndex clips = open(manualRefresh(1), new AtomicLong());
        SplittableRandom random = new SplittableRandom(11);
        for (int c = 0; c < 200; c++) {
            clips.put(TestClips.clip(
                    "cam-" + c % 3, c, "v1", "acme", List.of("t" + c % 2), c, c + 1, TestClips.unitVector(random, 16)));
            if (c == 99) {
                clips.refresh(); // two segments
            }
        }
        clips.refresh();
        ClipFilter filter = ClipFilter.modelVersion("v1");
        float[] query = TestClips.unitVector(random, 16);
        List<ClipHit> full = clips.nearest(query, 12, filter);
        List<ClipHit> light = clips.nearestWithoutFloats(query, 12, filter);
        assertEquals(12, light.size());
        for (int i = 0; i < full.size(); i++) {
            ClipVector whole = full.get(i).clip();
            ClipVector bare = light.get(i).clip();
            assertEquals(full.get(i).score(), light.get(i).score());
            assertEquals(16, whole.getVector().size());
            assertEquals(2, whole.getFrameEmbeddings().size());
            assertTrue(bare.getVector().isEmpty(), "no vector loaded");
            assertTrue(bare.getFrameEmbeddings().isEmpty(), "no frames loaded");
            // Everything else is the stored clip.
            assertEquals(
                    ClipVector.newBuilder(whole)
                            .setVector(List.of())
                            .setFrameEmbeddings(List.of())
                            .build(),
                    bare);
        }
        // With its own efSearch, as the benchmarks sweep it: the same hits as nearest with that efSearch.
        List<ClipHit> wide = clips.nearest(query, 12, filter, 40);
        List<ClipHit> wideLight = clips.nearestWithoutFloats(query, 12, filter, 40);
        assertEquals(
                wide.stream()
                        .map(hit -> hit.clip().getClipId() + "@" + hit.score())
                        .toList(),
                wideLight.stream()
                        .map(hit -> hit.clip().getClipId() + "@" + hit.score())
                        .toList());
        assertTrue(wideLight.stream().allMatch(hit -> hit.clip().getVector().isEmpty()));
        assertThrows(IllegalArgumentException.class, () -> clips.nearestWithoutFloats(query, 12, filter, 0));
    }

    @Test
    void shouldNameTheIndexWhenItCannotBeOpened() throws Exception {
        Path notADirectory = java.nio.file.Files.writeString(dir.resolve("plain-file"), "not an index");
        ClipIndex broken = new ClipIndex("clip-index", HnswSettings.defaults(), manualRefresh(1));
        ClipIndexException failure = assertThrows(ClipIndexException.class, () -> broken.open(notADirectory));
        assertTrue(failure.getMessage().contains("clip-index"), failure.getMessage());
        assertInstanceOf(java.io.IOException.class, failure.getCause());
    }

    @Test
    void shouldMergeDownToFewSegmentsOnceIngestIsIdleAndKeepEveryDocument() {
        AtomicLong clock = new AtomicLong();
        ShardSettings idle = manualRefresh(1).withIdleMerge(Duration.ofSeconds(10), 1);
        ClipIndex clips = open(idle, clock);
        SplittableRandom random = new SplittableRandom(6);
        Set<ClipKey> written = new HashSet<>();
        for (int c = 0; c < 500; c++) {
            ClipVector clip = clip("cam-" + c % 7, c, c + 1, random);
            clips.put(clip);
            written.add(ClipKey.of(clip));
            if (c % 100 == 99) {
                clips.refresh(); // five small segments, too few for the tiered policy to merge
            }
        }
        assertEquals(5, clips.visibleSegments());

        clock.addAndGet(Duration.ofSeconds(9).toNanos());
        assertFalse(clips.mergeWhenIdle(), "not idle long enough yet");
        clock.addAndGet(Duration.ofSeconds(1).toNanos());
        assertTrue(clips.mergeWhenIdle());
        clips.awaitMerges();
        clips.refresh();
        assertEquals(1, clips.visibleSegments());
        assertEquals(500, clips.visibleClips());
        assertEquals(1, clips.mergeCounters().idleMerges());
        assertTrue(clips.mergeCounters().merges() >= 1);
        clock.addAndGet(Duration.ofMinutes(5).toNanos());
        assertFalse(clips.mergeWhenIdle(), "once per idle period");

        ClipVector late = clip("cam-late", 0, 1, random);
        clips.put(late);
        written.add(ClipKey.of(late));
        clips.refresh();
        assertEquals(2, clips.visibleSegments());
        assertFalse(clips.mergeWhenIdle(), "a write starts a new idle period");
        clock.addAndGet(Duration.ofSeconds(10).toNanos());
        assertTrue(clips.mergeWhenIdle());
        clips.awaitMerges();
        clips.refresh();
        assertEquals(1, clips.visibleSegments());
        Map<String, Long> all = new java.util.HashMap<>();
        for (int s = 0; s < 7; s++) {
            all.put("cam-" + s, Long.MAX_VALUE);
        }
        all.put("cam-late", Long.MAX_VALUE);
        assertEquals(
                written, Set.copyOf(clips.remove(all, RemovalBudget.UNLIMITED).keys()));
    }

    @Test
    void shouldNotMergeWhenTheIdleMergeIsOff() {
        AtomicLong clock = new AtomicLong();
        ClipIndex clips = open(manualRefresh(1).withIdleMerge(Duration.ZERO, 1), clock);
        SplittableRandom random = new SplittableRandom(8);
        for (int c = 0; c < 200; c++) {
            clips.put(clip("cam", c, c + 1, random));
            if (c % 100 == 99) {
                clips.refresh();
            }
        }
        clock.addAndGet(Duration.ofHours(1).toNanos());
        assertFalse(clips.mergeWhenIdle());
        assertEquals(2, clips.visibleSegments());
    }
}
