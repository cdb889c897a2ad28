package io.clip4stream.index.lucene;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.clip4stream.index.store.ClipFilter;
import io.clip4stream.index.store.ClipHit;
import io.clip4stream.index.store.ClipKey;
import io.clip4stream.index.store.ClipVectorStore;
import io.clip4stream.index.store.ClipVectorStoreContract;
import io.clip4stream.index.store.TestClips;
import io.clip4stream.schemas.avro.ClipVector;
import io.clip4stream.schemas.frames.ClipFrames;
import io.clip4stream.schemas.frames.FrameEncoding;
import io.clip4stream.schemas.serde.AvroSerde;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.errors.ProcessorStateException;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.StoredField;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.util.VectorUtil;
import org.junit.jupiter.api.Test;

/** The Lucene store passes the contract, reopens its committed index with its offsets, and refreshes by itself. */
class LuceneClipStoreTest extends ClipVectorStoreContract {

    private static final TopicPartition CHANGELOG = new TopicPartition("app-clip-index-changelog", 3);

    private static LuceneClipStore newStore() {
        // A long refresh interval, so the contract's explicit refresh() is what makes writes visible.
        return new LuceneClipStore("clip-index", HnswSettings.defaults(), Duration.ofHours(1), Duration.ofHours(1));
    }

    @Override
    protected ClipVectorStore openStore(Path dir) {
        LuceneClipStore lucene = newStore();
        lucene.open(dir.resolve("index"));
        return lucene;
    }

    @Test
    void shouldReopenTheCommittedIndexWithItsChangelogOffset() {
        LuceneClipStore first = (LuceneClipStore) store;
        SplittableRandom random = new SplittableRandom(5);
        float[] vector = TestClips.unitVector(random, 16);
        first.put(TestClips.clip("cam-a", 4, "v1", "acme", List.of("lobby"), 0, 7_000_000, vector));
        first.commit(Map.of(CHANGELOG, 42L));
        assertNull(first.committedOffset(CHANGELOG), "the commit interval has not passed, so no Lucene commit yet");
        first.close();

        LuceneClipStore reopened = newStore();
        reopened.open(first.path());
        try {
            assertEquals(42L, reopened.committedOffset(CHANGELOG), "close commits the last offsets");
            assertEquals(1, reopened.visibleClips());
            assertEquals(Optional.of(7_000_000L), reopened.searchableUpTo("cam-a"));
            assertEquals(7_000_000L, reopened.sourceSpans().iterator().next().newestEndMicros());
            assertEquals(
                    "cam-a:4",
                    reopened.nearest(vector, 1, ClipFilter.modelVersion("v1"))
                            .getFirst()
                            .clip()
                            .getClipId()
                            .toString());
        } finally {
            reopened.close();
        }
    }

    @Test
    void shouldMakeNewClipsSearchableOnItsOwnRefreshSchedule() throws InterruptedException {
        store.close();
        LuceneClipStore lucene =
                new LuceneClipStore("clip-index", HnswSettings.defaults(), Duration.ofMillis(20), Duration.ofHours(1));
        lucene.open(dir.resolve("scheduled"));
        store = lucene;
        float[] vector = TestClips.unitVector(new SplittableRandom(9), 16);
        lucene.put(TestClips.clip("cam-a", 0, "v1", "acme", List.of(), 0, 1_000_000, vector));
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (lucene.searchableUpTo("cam-a").isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertEquals(Optional.of(1_000_000L), lucene.searchableUpTo("cam-a"), "published without explicit refresh");
        // "Searchable up to" never runs ahead of what queries see (it may lag by one refresh).
        assertEquals(1, lucene.visibleClips());
        assertEquals(1, lucene.nearest(vector, 1, ClipFilter.modelVersion("v1")).size());
    }

    @Test
    void shouldFailWithAProcessorStateExceptionWhenTheIndexCannotBeOpened() throws IOException {
        Path notADirectory = Files.writeString(dir.resolve("plain-file"), "not an index");
        LuceneClipStore broken = newStore();
        ProcessorStateException failure = assertThrows(ProcessorStateException.class, () -> broken.open(notADirectory));
        assertTrue(failure.getMessage().contains("clip-index"), failure.getMessage());
        assertTrue(failure.getCause() instanceof IOException, String.valueOf(failure.getCause()));
    }

    @Test
    void shouldRankAQuantizedGraphsCandidatesByTheirExactScores() {
        store.close();
        // One-bit vectors misrank close neighbours; with efSearch above the clip count the graph returns every clip
        // as a candidate, so the answer is exact only if every candidate is rescored with the raw floats.
        LuceneClipStore quantized = new LuceneClipStore(
                "clip-index",
                HnswSettings.defaults()
                        .withQuantization(HnswSettings.Quantization.BIT1)
                        .withSearchCandidates(400),
                Duration.ofHours(1),
                Duration.ofHours(1));
        quantized.open(dir.resolve("quantized"));
        store = quantized;
        SplittableRandom random = new SplittableRandom(11);
        List<float[]> vectors = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            float[] vector = TestClips.unitVector(random, 64);
            vectors.add(vector);
            quantized.put(TestClips.clip("cam-" + i % 7, i, "v1", "acme", List.of(), i, i + 1, vector));
        }
        quantized.refresh();
        for (int q = 0; q < 20; q++) {
            float[] query = TestClips.unitVector(random, 64);
            List<ClipHit> hits = quantized.nearest(query, 10, ClipFilter.modelVersion("v1"));
            List<Integer> exact = IntStream.range(0, vectors.size())
                    .boxed()
                    .sorted(Comparator.comparingDouble(i -> -VectorUtil.dotProduct(query, vectors.get(i))))
                    .limit(10)
                    .toList();
            assertEquals(
                    exact,
                    hits.stream().map(hit -> (int) hit.clip().getClipIndex()).toList(),
                    "query " + q);
            for (ClipHit hit : hits) {
                assertEquals(
                        VectorUtil.dotProduct(
                                query, vectors.get((int) hit.clip().getClipIndex())),
                        hit.score(),
                        1e-6f);
            }
        }
    }

    @Test
    void shouldReadClipsStoredBeforeTheFloatsHadTheirOwnField() throws IOException {
        store.close();
        Path old = dir.resolve("old-format");
        float[] vector = TestClips.unitVector(new SplittableRandom(3), 16);
        ClipVector clip = TestClips.clip("cam-a", 1, "v1", "acme", List.of("lobby"), 0, 2_000_000, vector);
        Document document = ClipDocuments.toDocument(clip);
        // The first layout: the whole clip, vector and frames included, in the stored Avro field alone.
        document.removeField(ClipDocuments.FLOAT_VALUES);
        document.removeField(ClipDocuments.CLIP_VALUES);
        document.removeField(ClipDocuments.KEY_VALUES);
        document.add(new StoredField(
                ClipDocuments.CLIP, AvroSerde.of(ClipVector.class).encode(clip)));
        LuceneClipStore reopened = openWith(old, document);
        ClipHit hit = reopened.nearest(vector, 1, ClipFilter.modelVersion("v1")).getFirst();
        assertEquals(clip, hit.clip());
    }

    @Test
    void shouldReadClipsWhoseClipAndFloatsWereStoredFields() throws IOException {
        store.close();
        Path old = dir.resolve("stored-floats");
        float[] vector = TestClips.unitVector(new SplittableRandom(5), 16);
        ClipVector clip = TestClips.clip("cam-a", 2, "v1", "acme", List.of("lobby"), 0, 2_000_000, vector);
        Document document = ClipDocuments.toDocument(clip);
        // The second layout: the clip without its floats, and the floats, as stored fields instead of doc values.
        document.removeField(ClipDocuments.FLOAT_VALUES);
        document.removeField(ClipDocuments.CLIP_VALUES);
        document.removeField(ClipDocuments.KEY_VALUES);
        document.add(new StoredField(ClipDocuments.CLIP, ClipDocuments.encodeWithoutFloats(clip)));
        document.add(new StoredField(ClipDocuments.FLOATS, ClipDocuments.encodeFloats(clip)));
        LuceneClipStore reopened = openWith(old, document);
        // A clip of the current layout beside it: hits of both layouts come back whole from one search.
        ClipVector fresh = TestClips.clip("cam-b", 0, "v1", "acme", List.of(), 0, 1_000_000, vector);
        reopened.put(fresh);
        reopened.refresh();
        List<ClipHit> hits = reopened.nearest(vector, 2, ClipFilter.modelVersion("v1"));
        assertEquals(
                Set.of(clip, fresh), Set.copyOf(hits.stream().map(ClipHit::clip).toList()));
        // Removal reads the key from doc values where the document has them, from the stored field otherwise.
        assertEquals(List.of(ClipKey.of(clip)), reopened.deleteSource("cam-a"));
        assertEquals(List.of(ClipKey.of(fresh)), reopened.deleteSource("cam-b"));
        reopened.refresh();
        assertEquals(0, reopened.visibleClips());
    }

    /** A store opened on a new index in {@code dir} that holds {@code document}, written as an earlier layout did. */
    private LuceneClipStore openWith(Path dir, Document document) throws IOException {
        try (FSDirectory directory = FSDirectory.open(dir);
                IndexWriter writer = new IndexWriter(directory, ClipIndex.writerConfig(HnswSettings.defaults()))) {
            writer.addDocument(document);
            writer.commit();
        }
        LuceneClipStore reopened = newStore();
        reopened.open(dir);
        store = reopened;
        return reopened;
    }

    @Test
    void shouldMergeGraphsOnSeveralThreadsAndStopThemWhenClosed() throws IOException {
        LuceneClipStore lucene = (LuceneClipStore) store;
        SplittableRandom random = new SplittableRandom(11);
        List<float[]> vectors = new ArrayList<>();
        // Three segments of more vectors than Lucene's threshold for building a graph at all.
        for (int i = 0; i < 450; i++) {
            float[] vector = TestClips.unitVector(random, 16);
            vectors.add(vector);
            lucene.put(TestClips.clip("cam-" + (i % 3), i, "v1", "acme", List.of(), i, i + 1, vector));
            if (i % 150 == 149) {
                lucene.flush();
            }
        }
        lucene.forceMerge(1);
        assertEquals(1, lucene.visibleSegments());
        for (int i = 0; i < vectors.size(); i += 50) {
            ClipHit best = lucene.nearest(vectors.get(i), 1, ClipFilter.modelVersion("v1"))
                    .getFirst();
            assertEquals(i, best.clip().getClipIndex(), "nearest clip of clip " + i + "'s own vector");
        }
        lucene.close();
        List<String> mergeThreads = Thread.getAllStackTraces().keySet().stream()
                .filter(Thread::isAlive)
                .map(Thread::getName)
                .filter(name -> name.startsWith("hnsw-merge-clip-index-"))
                .toList();
        assertEquals(List.of(), mergeThreads);
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.EnumSource(FrameEncoding.class)
    void framesRoundTripInEachEncodingAndPackedOnesStayPacked(FrameEncoding encoding) {
        SplittableRandom random = new SplittableRandom(11);
        float[] vector = TestClips.unitVector(random, 16);
        ClipVector written = ClipFrames.withEncoding(
                TestClips.clip("cam-a", 1, "v1", "acme", List.of(), 0, 2_000_000, vector), encoding);
        store.put(written);
        store.refresh();

        ClipVector read = store.nearest(vector, 1, ClipFilter.modelVersion("v1"))
                .getFirst()
                .clip();

        assertEquals(written, read, "the record comes back as it was written, packed bytes included");
        assertEquals(encoding, ClipFrames.encoding(read));
        assertEquals(encoding != FrameEncoding.FLOAT32, ClipFrames.packed(read) != null);
        float[][] frames = ClipFrames.of(read);
        assertEquals(2, frames.length);
        // Float16, int10 and int8 frames of a unit vector err by far less than 1e-2 (see PackedFramesTest for the
        // bounds).
        org.junit.jupiter.api.Assertions.assertArrayEquals(vector, frames[1], 1e-2f);
        assertEquals(TestClips.boxed(vector), read.getVector(), "the clip vector itself is never compacted");
    }

    @Test
    void packedFramesTakeLessOfTheBlob() {
        float[] vector = TestClips.unitVector(new SplittableRandom(3), 512);
        ClipVector clip = TestClips.clip("cam-a", 1, "v1", "acme", List.of(), 0, 2_000_000, vector);

        int float32 = ClipDocuments.encodeFloats(clip).length;
        int float16 = ClipDocuments.encodeFloats(ClipFrames.withEncoding(clip, FrameEncoding.FLOAT16)).length;
        int int8 = ClipDocuments.encodeFloats(ClipFrames.withEncoding(clip, FrameEncoding.INT8)).length;
        int int10 = ClipDocuments.encodeFloats(ClipFrames.withEncoding(clip, FrameEncoding.INT10)).length;

        // Float32 lists keep today's blob: four ints, the vector and the frames. Packed frames leave the vector to
        // the vector field: two ints and the packed frames (10 bytes of header, 2 x 512 x 2 float16, 2 x 516 int8,
        // 2 x (4 + 640) int10).
        assertEquals(4 * (2 + 2) + 4 * (512 + 2 * 512), float32);
        assertEquals(8 + 10 + 2 * 2 * 512, float16);
        assertEquals(8 + 10 + 2 * (4 + 512), int8);
        assertEquals(8 + 10 + 2 * (4 + 640), int10);
    }

    @Test
    void packedClipsReadTheirVectorFromTheVectorFieldAcrossSegmentsWidthsAndQuantizedGraphs() {
        LuceneClipStore int7 = new LuceneClipStore(
                "clip-index-int7",
                HnswSettings.defaults().withQuantization(HnswSettings.Quantization.INT7),
                Duration.ofHours(1),
                Duration.ofHours(1));
        int7.open(dir.resolve("int7"));
        try {
            SplittableRandom random = new SplittableRandom(13);
            List<ClipVector> written = new ArrayList<>();
            FrameEncoding[] encodings = FrameEncoding.values();
            for (int i = 0; i < 24; i++) {
                // Two model versions of different widths, every encoding, a refresh now and then: several segments.
                boolean wide = i % 2 == 0;
                ClipVector clip = ClipFrames.withEncoding(
                        TestClips.clip(
                                "cam-" + (i % 3),
                                i,
                                wide ? "wide" : "narrow",
                                "acme",
                                List.of(),
                                i * 1_000_000L,
                                i * 1_000_000L + 500_000,
                                TestClips.unitVector(random, wide ? 32 : 16)),
                        encodings[i % encodings.length]);
                written.add(clip);
                int7.put(clip);
                if (i % 5 == 4) {
                    int7.refresh();
                }
            }
            int7.refresh();
            assertTrue(int7.visibleSegments() > 1, "several segments: " + int7.visibleSegments());

            for (String version : List.of("wide", "narrow")) {
                List<ClipVector> read = int7.clips(ClipFilter.modelVersion(version), 100);
                List<ClipVector> expected = written.stream()
                        .filter(c -> c.getModelVersion().toString().equals(version))
                        .toList();
                assertEquals(expected.size(), read.size());
                for (ClipVector clip : read) {
                    ClipVector original = expected.stream()
                            .filter(c -> c.getClipId().equals(clip.getClipId()))
                            .findFirst()
                            .orElseThrow();
                    assertEquals(original, clip, "the exact float32 vector and the packed frames come back");
                }
            }
        } finally {
            int7.close();
        }
    }
}
