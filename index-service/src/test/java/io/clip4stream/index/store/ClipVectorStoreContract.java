package io.clip4stream.index.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.clip4stream.schemas.avro.ClipVector;
import io.clip4stream.schemas.frames.ClipFrames;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What every clip vector store must do; the Lucene store and the exact-scan reference both extend this. Expected
 * answers are computed here by brute force, never by a store.
 */
public abstract class ClipVectorStoreContract {

    private static final int DIM = 16;
    private static final List<String> SOURCES = List.of("cam-a", "cam-b", "cam-c");
    private static final List<String> TENANTS = List.of("acme", "globex");
    private static final List<String> TAGS = List.of("lobby", "night", "outdoor");

    /** A fresh directory per test. */
    @TempDir
    protected Path dir;

    /** The store under test. */
    protected ClipVectorStore store;

    private final List<ClipVector> clips = new ArrayList<>();

    /** A new, open, empty store keeping its files (if any) under {@code dir}. */
    protected abstract ClipVectorStore openStore(Path dir);

    @BeforeEach
    void open() {
        store = openStore(dir);
    }

    @AfterEach
    void close() {
        store.close();
    }

    private void fill(int count) {
        SplittableRandom random = new SplittableRandom(42);
        for (int i = 0; i < count; i++) {
            String source = SOURCES.get(i % SOURCES.size());
            List<String> tags = new ArrayList<>();
            for (String tag : TAGS) {
                if (random.nextBoolean()) {
                    tags.add(tag);
                }
            }
            long start = i * 1_000_000L;
            ClipVector clip = TestClips.clip(
                    source,
                    i,
                    "v1",
                    TENANTS.get(i % 2),
                    tags,
                    start,
                    start + 2_000_000L,
                    TestClips.unitVector(random, DIM));
            clips.add(clip);
            store.put(clip);
        }
        store.refresh();
    }

    private List<String> bruteForce(float[] query, int k, ClipFilter filter) {
        return clips.stream()
                .filter(clip -> filter.accepts(
                        clip.getModelVersion().toString(),
                        clip.getSourceId().toString(),
                        clip.getTenant().toString(),
                        clip.getStartTimeMicros(),
                        clip.getEndTimeMicros(),
                        clip.getTags().stream().map(CharSequence::toString).toList()))
                .sorted(Comparator.comparingDouble((ClipVector clip) -> -dot(query, clip)))
                .limit(k)
                .map(clip -> clip.getClipId().toString())
                .toList();
    }

    private static double dot(float[] query, ClipVector clip) {
        double sum = 0;
        for (int i = 0; i < query.length; i++) {
            sum += query[i] * clip.getVector().get(i);
        }
        return sum;
    }

    private static List<String> ids(List<ClipHit> hits) {
        return hits.stream().map(hit -> hit.clip().getClipId().toString()).toList();
    }

    @Test
    void shouldReturnTheExactNearestClipsBestFirstOnASmallIndex() {
        fill(300);
        SplittableRandom random = new SplittableRandom(7);
        for (int q = 0; q < 10; q++) {
            float[] query = TestClips.unitVector(random, DIM);
            List<ClipHit> hits = store.nearest(query, 10, ClipFilter.modelVersion("v1"));
            assertEquals(bruteForce(query, 10, ClipFilter.modelVersion("v1")), ids(hits), "query " + q);
            for (int i = 1; i < hits.size(); i++) {
                assertTrue(hits.get(i - 1).score() >= hits.get(i).score(), "best first");
            }
            ClipVector best = hits.getFirst().clip();
            assertEquals(dot(query, best), hits.getFirst().score(), 1e-5, "the score is the dot product");
        }
    }

    @Test
    void shouldApplyEveryFilterExactlyAsClipFilterAccepts() {
        fill(300);
        SplittableRandom random = new SplittableRandom(11);
        List<ClipFilter> filters = List.of(
                ClipFilter.modelVersion("v1").withSourceIds(Set.of("cam-b")),
                ClipFilter.modelVersion("v1").withSourceIds(Set.of("cam-a", "cam-c")),
                ClipFilter.modelVersion("v1").withTenant("globex"),
                ClipFilter.modelVersion("v1").withTags(Set.of("lobby", "night")),
                ClipFilter.modelVersion("v1").withTimeRange(Optional.of(50_500_000L), Optional.of(80_000_000L)),
                ClipFilter.modelVersion("v1").withTimeRange(Optional.empty(), Optional.of(10_000_000L)),
                ClipFilter.modelVersion("v1")
                        .withSourceIds(Set.of("cam-a"))
                        .withTenant("acme")
                        .withTags(Set.of("outdoor"))
                        .withTimeRange(Optional.of(100_000_000L), Optional.empty()),
                ClipFilter.modelVersion("v2"));
        for (ClipFilter filter : filters) {
            float[] query = TestClips.unitVector(random, DIM);
            assertEquals(bruteForce(query, 10, filter), ids(store.nearest(query, 10, filter)), filter.toString());
        }
    }

    @Test
    void shouldReturnTheStoredClipWithItsMetadataAndFrameEmbeddings() {
        fill(20);
        ClipVector expected = clips.get(7);
        float[] query = toArray(expected.getVector());
        ClipHit top = store.nearest(query, 1, ClipFilter.modelVersion("v1")).getFirst();
        assertEquals(expected, top.clip());
        assertEquals(2, ClipFrames.count(top.clip()));
    }

    @Test
    void shouldReplaceAClipWithTheSameKeyAndKeepModelVersionsApart() {
        SplittableRandom random = new SplittableRandom(3);
        float[] first = TestClips.unitVector(random, DIM);
        float[] second = TestClips.unitVector(random, DIM);
        store.put(TestClips.clip("cam-a", 0, "v1", "acme", List.of(), 0, 1_000_000, first));
        store.put(TestClips.clip("cam-a", 0, "v1", "acme", List.of(), 0, 1_000_000, second));
        store.put(TestClips.clip("cam-a", 0, "v2", "acme", List.of(), 0, 1_000_000, first));
        store.refresh();
        List<ClipHit> v1 = store.nearest(first, 10, ClipFilter.modelVersion("v1"));
        assertEquals(1, v1.size());
        assertEquals(TestClips.boxed(second), v1.getFirst().clip().getVector());
        List<ClipHit> v2 = store.nearest(first, 10, ClipFilter.modelVersion("v2"));
        assertEquals(1, v2.size());
        assertEquals(TestClips.boxed(first), v2.getFirst().clip().getVector());
        assertEquals(2, store.visibleClips());
    }

    @Test
    void shouldCountTheVisibleClipsOfEachModelVersionLeavingOutDeletedOnes() {
        SplittableRandom random = new SplittableRandom(11);
        assertEquals(Map.of(), store.clipsPerModelVersion());
        for (int i = 0; i < 3; i++) {
            store.put(TestClips.clip(
                    "cam-a", i, "v1", "acme", List.of(), 0, 1_000_000, TestClips.unitVector(random, DIM)));
        }
        store.put(TestClips.clip("cam-a", 0, "v2", "acme", List.of(), 0, 1_000_000, TestClips.unitVector(random, DIM)));
        store.refresh();
        assertEquals(Map.of("v1", 3L, "v2", 1L), store.clipsPerModelVersion());
        store.delete(new ClipKey("v2", "cam-a:0"));
        store.refresh();
        assertEquals(
                Map.of("v1", 3L), store.clipsPerModelVersion(), "a version whose clips are all deleted holds none");
    }

    @Test
    void shouldLookUpEveryModelVersionOfAClipById() {
        SplittableRandom random = new SplittableRandom(5);
        float[] v1 = TestClips.unitVector(random, DIM);
        float[] v2 = TestClips.unitVector(random, DIM);
        store.put(TestClips.clip("cam-a", 7, "v1", "acme", List.of(), 0, 1_000_000, v1));
        store.put(TestClips.clip("cam-a", 7, "v2", "acme", List.of(), 0, 1_000_000, v2));
        // A clip whose id ends like the one looked up must not match: ids are compared whole.
        store.put(TestClips.clip("xcam-a", 7, "v1", "acme", List.of(), 0, 1_000_000, v2));
        store.refresh();
        Map<String, List<Float>> byVersion = store.clipVersions("cam-a:7").stream()
                .collect(Collectors.toMap(c -> c.getModelVersion().toString(), ClipVector::getVector));
        assertEquals(Map.of("v1", TestClips.boxed(v1), "v2", TestClips.boxed(v2)), byVersion);
        assertTrue(store.clipVersions("cam-a:8").isEmpty());
        assertTrue(store.clipVersions("a:7").isEmpty());
    }

    @Test
    void shouldLookUpClipsByTheirExactKeys() {
        SplittableRandom random = new SplittableRandom(6);
        float[] v1 = TestClips.unitVector(random, DIM);
        float[] v2 = TestClips.unitVector(random, DIM);
        store.put(TestClips.clip("cam-a", 7, "v1", "acme", List.of(), 0, 1_000_000, v1));
        store.put(TestClips.clip("cam-a", 7, "v2", "acme", List.of(), 0, 1_000_000, v2));
        store.put(TestClips.clip("cam-a", 8, "v1", "acme", List.of(), 0, 1_000_000, v2));
        store.put(TestClips.clip("xcam-a", 7, "v1", "acme", List.of(), 0, 1_000_000, v2));
        store.refresh();
        List<ClipVector> found = store.clipsByKey(List.of(
                new ClipKey("v1", "cam-a:7"),
                new ClipKey("v1", "cam-a:8"),
                new ClipKey("v1", "cam-a:9"),
                new ClipKey("v3", "cam-a:7")));
        Map<String, List<Float>> byId = found.stream()
                .collect(Collectors.toMap(c -> c.getModelVersion() + "/" + c.getClipId(), ClipVector::getVector));
        assertEquals(Map.of("v1/cam-a:7", TestClips.boxed(v1), "v1/cam-a:8", TestClips.boxed(v2)), byId);
        assertTrue(store.clipsByKey(List.of()).isEmpty());
    }

    @Test
    void shouldListTheClipsOfASourceInATimeRangeInPlaybackOrder() {
        fill(30);
        ClipFilter filter = ClipFilter.modelVersion("v1")
                .withSourceIds(Set.of("cam-b"))
                .withTimeRange(Optional.of(5_000_000L), Optional.of(20_000_000L));
        List<String> expected = clips.stream()
                .filter(c -> filter.accepts(
                        c.getModelVersion().toString(),
                        c.getSourceId().toString(),
                        c.getTenant().toString(),
                        c.getStartTimeMicros(),
                        c.getEndTimeMicros(),
                        c.getTags().stream().map(CharSequence::toString).toList()))
                .sorted(Comparator.comparingLong(ClipVector::getStartTimeMicros))
                .map(c -> c.getClipId().toString())
                .toList();
        assertFalse(expected.isEmpty());
        assertEquals(
                expected,
                store.clips(filter, 100).stream()
                        .map(c -> c.getClipId().toString())
                        .toList());
        assertEquals(2, store.clips(filter, 2).size());
        assertTrue(store.clips(filter.withSourceIds(Set.of("nobody")), 5).isEmpty());
        assertThrows(IllegalArgumentException.class, () -> store.clips(filter, 0));
    }

    @Test
    void shouldDeleteEverySourceClipAndReportTheirKeys() {
        fill(30);
        List<ClipKey> removed = store.deleteSource("cam-b");
        store.refresh();
        Set<ClipKey> expected = clips.stream()
                .filter(clip -> clip.getSourceId().toString().equals("cam-b"))
                .map(ClipKey::of)
                .collect(Collectors.toSet());
        assertEquals(expected, Set.copyOf(removed));
        assertEquals(20, store.visibleClips());
        float[] query = toArray(clips.get(1).getVector());
        assertTrue(store.nearest(query, 30, ClipFilter.modelVersion("v1")).stream()
                .noneMatch(hit -> hit.clip().getSourceId().toString().equals("cam-b")));
        assertFalse(store.searchableUpTo("cam-b").isPresent());
        assertTrue(
                store.sourceSpans().stream().noneMatch(span -> span.sourceId().equals("cam-b")));
    }

    @Test
    void shouldExpireOnlyTheOldClipsOfOneSource() {
        fill(30);
        // cam-a holds clips 0, 3, ..., 27, ending at (i + 2) s.
        List<ClipKey> removed = store.expire("cam-a", 14_000_000L);
        store.refresh();
        Set<String> expected = Set.of("cam-a:0", "cam-a:3", "cam-a:6", "cam-a:9");
        assertEquals(expected, removed.stream().map(ClipKey::clipId).collect(Collectors.toSet()));
        assertEquals(26, store.visibleClips());
        SourceSpan span = store.sourceSpans().stream()
                .filter(s -> s.sourceId().equals("cam-a"))
                .findFirst()
                .orElseThrow();
        assertEquals(14_000_000L, span.oldestEndMicros());
        assertEquals(29_000_000L, span.newestEndMicros());
    }

    @Test
    void shouldRemoveWhatIsDueForSeveralSourcesAcrossBudgetedPasses() {
        fill(30);
        // cam-b goes entirely; cam-a (ends 2, 5, ..., 29 s) keeps what ends at 14 s or later; cam-c is not due.
        Map<String, Long> due = Map.of("cam-b", Long.MAX_VALUE, "cam-a", 14_000_000L);
        RemovalBudget budget = new RemovalBudget(4, java.time.Duration.ofHours(1));
        List<Removal.Removed> removed = new ArrayList<>();
        boolean complete = false;
        for (int pass = 0; pass < 10 && !complete; pass++) {
            Removal removal = store.remove(due, budget);
            assertTrue(removal.removed().size() <= 4, "at most the budget per pass");
            removed.addAll(removal.removed());
            complete = removal.complete();
        }
        assertTrue(complete);
        store.refresh();
        Set<Removal.Removed> expected = clips.stream()
                .filter(clip -> clip.getSourceId().toString().equals("cam-b")
                        || (clip.getSourceId().toString().equals("cam-a") && clip.getEndTimeMicros() < 14_000_000L))
                .map(clip -> new Removal.Removed(clip.getSourceId().toString(), ClipKey.of(clip)))
                .collect(Collectors.toSet());
        assertEquals(14, expected.size());
        assertEquals(expected.size(), removed.size(), "no clip removed twice");
        assertEquals(expected, Set.copyOf(removed));
        assertEquals(16, store.visibleClips());
        assertFalse(store.searchableUpTo("cam-b").isPresent());
        SourceSpan span = store.sourceSpans().stream()
                .filter(s -> s.sourceId().equals("cam-a"))
                .findFirst()
                .orElseThrow();
        assertEquals(14_000_000L, span.oldestEndMicros());
    }

    @Test
    void shouldTellPerSourceHowFarQueriesCanSee() {
        fill(9);
        Map<String, Long> upTo = store.searchableUpTo();
        assertEquals(Map.of("cam-a", 8_000_000L, "cam-b", 9_000_000L, "cam-c", 10_000_000L), upTo);
        assertEquals(Optional.of(9_000_000L), store.searchableUpTo("cam-b"));
        assertEquals(Optional.empty(), store.searchableUpTo("cam-z"));
    }

    @Test
    void shouldRejectAnInvalidQuery() {
        fill(3);
        assertThrows(
                IllegalArgumentException.class, () -> store.nearest(new float[DIM], 0, ClipFilter.modelVersion("v1")));
        assertThrows(
                IllegalArgumentException.class, () -> store.nearest(new float[0], 5, ClipFilter.modelVersion("v1")));
    }

    @Test
    void shouldReturnNothingForAVectorOfAnotherDimension() {
        fill(5);
        assertEquals(List.of(), store.nearest(new float[DIM * 2], 5, ClipFilter.modelVersion("v1")));
    }

    private static float[] toArray(List<Float> values) {
        float[] array = new float[values.size()];
        for (int i = 0; i < array.length; i++) {
            array[i] = values.get(i);
        }
        return array;
    }
}
