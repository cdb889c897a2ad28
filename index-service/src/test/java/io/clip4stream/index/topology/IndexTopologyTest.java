package io.clip4stream.index.topology;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.clip4stream.index.IndexConfig;
import io.clip4stream.index.aggregate.ClipAggregator;
import io.clip4stream.index.store.ClipChangelog;
import io.clip4stream.index.store.ClipFilter;
import io.clip4stream.index.store.ClipHit;
import io.clip4stream.index.store.ClipKey;
import io.clip4stream.index.store.ClipVectorStore;
import io.clip4stream.model.Clip4ClipModel;
import io.clip4stream.model.ModelOptions;
import io.clip4stream.model.spec.SimilarityHead;
import io.clip4stream.model.weights.TinyModelGenerator;
import io.clip4stream.model.weights.TinyModelShape;
import io.clip4stream.runtime.config.Env;
import io.clip4stream.schemas.avro.ClipBoundary;
import io.clip4stream.schemas.avro.ClipVector;
import io.clip4stream.schemas.avro.EmbeddingStreamRecord;
import io.clip4stream.schemas.avro.EndOfSource;
import io.clip4stream.schemas.avro.EndReason;
import io.clip4stream.schemas.avro.FrameEmbedding;
import io.clip4stream.schemas.avro.PipelineError;
import io.clip4stream.schemas.avro.SourceDeletion;
import io.clip4stream.schemas.frames.ClipFrames;
import io.clip4stream.schemas.frames.FrameEncoding;
import io.clip4stream.schemas.topic.Topics;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The whole index topology on the TopologyTestDriver, with a real (tiny, seqTransf) model head. */
class IndexTopologyTest {

    private static final String VERSION = "tiny-seed-7";

    @TempDir
    static Path modelDir;

    private static Clip4ClipModel model;
    private static ClipAggregator aggregator;

    @TempDir
    Path stateDir;

    private TopologyTestDriver driver;
    private TestInputTopic<String, EmbeddingStreamRecord> embeddings;
    private TestInputTopic<String, SourceDeletion> deletions;
    private TestOutputTopic<String, ClipVector> clipVectors;
    private TestOutputTopic<String, PipelineError> errors;

    @BeforeAll
    static void loadModel() throws IOException {
        new TinyModelGenerator(7)
                .generate(modelDir, TinyModelShape.defaults().withHead(SimilarityHead.SEQ_TRANSF), "tiny");
        model = Clip4ClipModel.load(modelDir, ModelOptions.defaults().withDevice(ModelOptions.DeviceChoice.CPU));
        aggregator = new ClipAggregator(model);
    }

    @AfterAll
    static void closeModel() {
        model.close();
    }

    @AfterEach
    void closeDriver() {
        if (driver != null) {
            driver.close();
        }
    }

    private void start(Map<String, String> settings) {
        start(settings, aggregator);
    }

    private void start(Map<String, String> settings, ClipAggregator aggregator) {
        Map<String, String> env = new HashMap<>(settings);
        env.put("CLIP4S_INDEX_STATE_DIR", stateDir.toString());
        IndexConfig config = IndexConfig.fromEnv(new Env(env));
        StreamsBuilder builder = new StreamsBuilder();
        IndexTopology.build(builder, config, aggregator);
        Properties properties = new Properties();
        properties.put(StreamsConfig.APPLICATION_ID_CONFIG, "index-test");
        properties.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        properties.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        properties.put(
                StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG,
                ErrorTopicDeserializationHandler.class.getName());
        properties.put(
                ErrorTopicDeserializationHandler.ERRORS_TOPIC_CONFIG,
                config.topics().errors().name());
        driver = new TopologyTestDriver(builder.build(), properties);
        Topics topics = config.topics();
        embeddings = driver.createInputTopic(
                topics.frameEmbeddings().name(),
                new StringSerializer(),
                topics.frameEmbeddings().valueSerde().serializer());
        deletions = driver.createInputTopic(
                topics.sourceDeletions().name(),
                new StringSerializer(),
                topics.sourceDeletions().valueSerde().serializer());
        clipVectors = driver.createOutputTopic(
                topics.clipVectors().name(),
                new StringDeserializer(),
                topics.clipVectors().valueSerde().deserializer());
        errors = driver.createOutputTopic(
                topics.errors().name(),
                new StringDeserializer(),
                topics.errors().valueSerde().deserializer());
    }

    private ClipVectorStore store() {
        ClipVectorStore store = (ClipVectorStore) driver.getStateStore(IndexTopology.CLIP_STORE);
        store.refresh();
        return store;
    }

    private static float[] embedding(long frameIndex) {
        float[] values = new float[64];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) Math.sin(frameIndex * 0.7 + i * 0.13);
        }
        return values;
    }

    private static List<Float> boxed(float[] values) {
        List<Float> list = new ArrayList<>();
        for (float value : values) {
            list.add(value);
        }
        return list;
    }

    private static EmbeddingStreamRecord frame(String source, long clipIndex, long frameIndex, float[] values) {
        return new EmbeddingStreamRecord(FrameEmbedding.newBuilder()
                .setSourceId(source)
                .setClipIndex(clipIndex)
                .setFrameIndex(frameIndex)
                .setPresentationTimeMicros(frameIndex * 500_000L)
                .setModelId("tiny")
                .setModelVersion(VERSION)
                .setEmbedding(boxed(values))
                .build());
    }

    private static EmbeddingStreamRecord frame(String source, long clipIndex, long frameIndex) {
        return frame(source, clipIndex, frameIndex, embedding(frameIndex));
    }

    private static EmbeddingStreamRecord boundary(String source, long clipIndex, long first, int count) {
        return new EmbeddingStreamRecord(ClipBoundary.newBuilder()
                .setSourceId(source)
                .setClipIndex(clipIndex)
                .setClipId(source + ":" + first)
                .setFirstFrameIndex(first)
                .setFrameCount(count)
                .setStartTimeMicros(first * 500_000L)
                .setEndTimeMicros((first + count) * 500_000L)
                .setThumbnailJpeg(ByteBuffer.wrap(new byte[] {(byte) 0xFF, (byte) 0xD8, (byte) clipIndex}))
                .setTenant("acme")
                .setTags(List.of("lobby", "night"))
                .build());
    }

    private static EmbeddingStreamRecord end(String source) {
        return new EmbeddingStreamRecord(EndOfSource.newBuilder()
                .setSourceId(source)
                .setReason(EndReason.COMPLETED)
                .setTotalFrames(0)
                .setTotalClips(0)
                .setDurationMicros(0)
                .build());
    }

    private static float[] unboxed(List<Float> values) {
        float[] array = new float[values.size()];
        for (int i = 0; i < array.length; i++) {
            array[i] = values.get(i);
        }
        return array;
    }

    private static float[] expectedVector(long... frameIndexes) {
        List<float[]> frames = new ArrayList<>();
        for (long index : frameIndexes) {
            frames.add(embedding(index));
        }
        return aggregator.aggregate(frames);
    }

    @Test
    void shouldAssembleOutOfOrderAndDuplicateFramesIntoOneClipAggregatedByTheHead() {
        start(Map.of());
        float[] stale = embedding(99);
        embeddings.pipeInput("cam", frame("cam", 0, 2, stale));
        embeddings.pipeInput("cam", frame("cam", 0, 0));
        embeddings.pipeInput("cam", frame("cam", 0, 3));
        embeddings.pipeInput("cam", frame("cam", 0, 1));
        embeddings.pipeInput("cam", frame("cam", 0, 2));
        embeddings.pipeInput("cam", boundary("cam", 0, 0, 4));

        List<KeyValue<String, ClipVector>> out = clipVectors.readKeyValuesToList();
        assertEquals(1, out.size());
        ClipVector clip = out.getFirst().value;
        assertEquals("cam:0", out.getFirst().key);
        assertArrayEquals(expectedVector(0, 1, 2, 3), unboxed(clip.getVector()), 1e-6f);
        assertEquals(
                List.of(boxed(embedding(0)), boxed(embedding(1)), boxed(embedding(2)), boxed(embedding(3))),
                clip.getFrameEmbeddings());
        assertEquals("seqTransf", clip.getAggregation().toString());
        assertEquals(VERSION, clip.getModelVersion().toString());
        assertEquals("acme", clip.getTenant().toString());
        assertEquals(
                List.of("lobby", "night"),
                clip.getTags().stream().map(Object::toString).toList());
        assertEquals(0, clip.getStartTimeMicros());
        assertEquals(2_000_000L, clip.getEndTimeMicros());

        ClipVectorStore store = store();
        List<ClipHit> hits = store.nearest(unboxed(clip.getVector()), 5, ClipFilter.modelVersion(VERSION));
        assertEquals(1, hits.size());
        assertEquals(clip.getClipId(), hits.getFirst().clip().getClipId());
        assertEquals(2_000_000L, store.searchableUpTo("cam").orElseThrow());
        assertTrue(errors.isEmpty());
    }

    @Test
    void shouldShareFramesBetweenOverlappingWindows() {
        start(Map.of());
        for (long f = 0; f < 4; f++) {
            embeddings.pipeInput("cam", frame("cam", f < 2 ? 0 : 1, f));
        }
        embeddings.pipeInput("cam", boundary("cam", 0, 0, 4));
        for (long f = 4; f < 6; f++) {
            embeddings.pipeInput("cam", frame("cam", 1, f));
        }
        embeddings.pipeInput("cam", boundary("cam", 1, 2, 4));

        List<ClipVector> out = clipVectors.readValuesToList();
        assertEquals(2, out.size());
        assertArrayEquals(expectedVector(0, 1, 2, 3), unboxed(out.get(0).getVector()), 1e-6f);
        assertArrayEquals(expectedVector(2, 3, 4, 5), unboxed(out.get(1).getVector()), 1e-6f);
        assertEquals(2, store().visibleClips());
    }

    @Test
    void shouldCloseAClipWhoseBoundaryNeverComesAfterTheTimeout() {
        start(Map.of("CLIP4S_INDEX_CLIP_TIMEOUT_MS", "5000"));
        for (long f = 0; f < 3; f++) {
            embeddings.pipeInput("cam", frame("cam", 0, f));
        }
        embeddings.pipeInput("cam", boundary("cam", 0, 0, 3));
        for (long f = 3; f < 5; f++) {
            embeddings.pipeInput("cam", frame("cam", 1, f));
        }
        assertEquals(1, clipVectors.readValuesToList().size());

        driver.advanceWallClockTime(Duration.ofSeconds(2));
        assertTrue(clipVectors.isEmpty(), "not yet timed out");
        driver.advanceWallClockTime(Duration.ofSeconds(4));

        List<KeyValue<String, ClipVector>> out = clipVectors.readKeyValuesToList();
        assertEquals(1, out.size());
        ClipVector timedOut = out.getFirst().value;
        assertEquals("cam:3", timedOut.getClipId().toString(), "named by its first frame, as a boundary names clips");
        assertArrayEquals(expectedVector(3, 4), unboxed(timedOut.getVector()), 1e-6f);
        assertEquals("acme", timedOut.getTenant().toString(), "tenant of the source's last boundary");
        assertEquals(1_500_000L, timedOut.getStartTimeMicros());
        assertEquals(2_000_000L, timedOut.getEndTimeMicros());
        driver.advanceWallClockTime(Duration.ofSeconds(10));
        assertTrue(clipVectors.isEmpty(), "a closed clip is not closed twice");
    }

    @Test
    void shouldCloseTheOpenClipAtTheEndOfTheSource() {
        start(Map.of());
        embeddings.pipeInput("cam", frame("cam", 0, 0));
        embeddings.pipeInput("cam", frame("cam", 0, 1));
        embeddings.pipeInput("cam", end("cam"));
        List<ClipVector> out = clipVectors.readValuesToList();
        assertEquals(1, out.size());
        assertArrayEquals(expectedVector(0, 1), unboxed(out.getFirst().getVector()), 1e-6f);
        assertEquals("default", out.getFirst().getTenant().toString(), "no boundary was ever seen");
    }

    @Test
    void shouldRemoveEveryClipOfADeletedSource() {
        start(Map.of());
        for (String source : List.of("cam-a", "cam-b")) {
            for (long clip = 0; clip < 3; clip++) {
                embeddings.pipeInput(source, frame(source, clip, clip * 2));
                embeddings.pipeInput(source, frame(source, clip, clip * 2 + 1));
                embeddings.pipeInput(source, boundary(source, clip, clip * 2, 2));
            }
        }
        embeddings.pipeInput("cam-a", frame("cam-a", 3, 6));
        assertEquals(6, clipVectors.readValuesToList().size());

        deletions.pipeInput(
                "cam-a",
                SourceDeletion.newBuilder()
                        .setSourceId("cam-a")
                        .setRequestedAtMillis(1L)
                        .build());
        assertTrue(clipVectors.isEmpty(), "a deletion is carried out by the next maintenance tick, not inline");
        driver.advanceWallClockTime(Duration.ofSeconds(1));

        List<KeyValue<String, ClipVector>> out = clipVectors.readKeyValuesToList();
        assertEquals(
                Set.of("cam-a:0", "cam-a:2", "cam-a:4"),
                out.stream().map(kv -> kv.key).collect(Collectors.toSet()));
        out.forEach(kv -> assertNull(kv.value, "a tombstone"));
        ClipVectorStore store = store();
        assertEquals(3, store.visibleClips());
        assertTrue(store.searchableUpTo("cam-a").isEmpty());
        driver.advanceWallClockTime(Duration.ofMinutes(5));
        assertTrue(clipVectors.isEmpty(), "the deleted source's buffered frame was dropped, not closed by timeout");
    }

    @Test
    void shouldNotResurrectADeletedSourceFromFramesStillInFlight() {
        start(Map.of());
        for (String source : List.of("cam-a", "cam-b")) {
            embeddings.pipeInput(source, frame(source, 0, 0));
            embeddings.pipeInput(source, boundary(source, 0, 0, 1));
        }
        assertEquals(2, clipVectors.readValuesToList().size());

        deletions.pipeInput(
                "cam-a",
                SourceDeletion.newBuilder()
                        .setSourceId("cam-a")
                        .setRequestedAtMillis(1L)
                        .build());
        driver.advanceWallClockTime(Duration.ofSeconds(1));
        assertEquals(1, clipVectors.readKeyValuesToList().size(), "the tombstone of cam-a:0");
        // Encoded before the run stopped, consumed after the deletion: a closed clip, an open one and the end marker.
        embeddings.pipeInput("cam-a", frame("cam-a", 1, 1));
        embeddings.pipeInput("cam-a", boundary("cam-a", 1, 1, 1));
        embeddings.pipeInput("cam-a", frame("cam-a", 2, 2));
        embeddings.pipeInput("cam-a", end("cam-a"));
        embeddings.pipeInput("cam-b", frame("cam-b", 1, 1));
        embeddings.pipeInput("cam-b", boundary("cam-b", 1, 1, 1));
        driver.advanceWallClockTime(Duration.ofMinutes(5));

        List<KeyValue<String, ClipVector>> out = clipVectors.readKeyValuesToList();
        assertEquals(List.of("cam-b:1"), out.stream().map(kv -> kv.key).toList(), "only the other source indexes");
        assertTrue(store().searchableUpTo("cam-a").isEmpty());
        assertTrue(errors.isEmpty(), "late events of a deleted source are dropped quietly, not errors");
    }

    @Test
    void shouldExpireClipsOlderThanTheRetentionOfTheirSource() {
        start(Map.of("CLIP4S_INDEX_RETENTION_MS", "4000", "CLIP4S_INDEX_RETENTION_CHECK_MS", "1000"));
        for (long clip = 0; clip < 6; clip++) {
            embeddings.pipeInput("cam", frame("cam", clip, clip * 2));
            embeddings.pipeInput("cam", frame("cam", clip, clip * 2 + 1));
            embeddings.pipeInput("cam", boundary("cam", clip, clip * 2, 2));
        }
        embeddings.pipeInput("other", frame("other", 0, 0));
        embeddings.pipeInput("other", boundary("other", 0, 0, 1));
        assertEquals(7, clipVectors.readValuesToList().size());

        driver.advanceWallClockTime(Duration.ofSeconds(2));

        // cam's clips end at 1, 2, ..., 6 s; the newest ends at 6 s, so those ending before 2 s expire.
        List<KeyValue<String, ClipVector>> out = clipVectors.readKeyValuesToList();
        assertEquals(List.of("cam:0"), out.stream().map(kv -> kv.key).toList());
        assertNull(out.getFirst().value);
        assertEquals(6, store().visibleClips());
    }

    @Test
    void shouldSendUnusableRecordsToTheErrorsTopicAndKeepGoing() {
        start(Map.of());
        embeddings.pipeInput("cam", boundary("cam", 0, 0, 4));
        embeddings.pipeInput("cam", frame("cam", 1, 4, new float[32]));
        embeddings.pipeInput("cam", boundary("cam", 1, 4, 1));
        driver.createInputTopic(embeddingsTopicName(), new StringSerializer(), new ByteArraySerializer())
                .pipeInput("cam", new byte[] {1, 2, 3});
        embeddings.pipeInput("cam", frame("cam", 2, 5));
        embeddings.pipeInput("cam", boundary("cam", 2, 5, 1));

        List<PipelineError> failures = errors.readValuesToList();
        assertEquals(
                List.of("ClipWithoutFrames", "AggregationFailed", "MalformedRecordException"),
                failures.stream().map(e -> e.getErrorType().toString()).toList());
        failures.forEach(e -> assertEquals("index", e.getStage().toString()));
        assertEquals(
                List.of("cam:5"),
                clipVectors.readKeyValuesToList().stream().map(kv -> kv.key).toList());
    }

    private List<ClipVector> stored(String source) {
        float[] probe = new float[64];
        probe[0] = 1;
        return store().nearest(probe, 100, ClipFilter.modelVersion(VERSION).withSourceIds(Set.of(source))).stream()
                .map(ClipHit::clip)
                .toList();
    }

    @Test
    void shouldIndexTheGrowingClipProvisionallyEveryKFramesAndReplaceItWhenItCloses() {
        start(Map.of("CLIP4S_INDEX_PROVISIONAL_EVERY_FRAMES", "2"));
        embeddings.pipeInput("cam", frame("cam", 0, 0));
        assertEquals(List.of(), stored("cam"), "one frame: not yet");

        embeddings.pipeInput("cam", frame("cam", 0, 1));
        ClipVector growing = stored("cam").getFirst();
        assertEquals(1, stored("cam").size());
        assertEquals("cam:0", growing.getClipId().toString(), "the id its boundary will give it");
        assertTrue(growing.getProvisional());
        assertArrayEquals(expectedVector(0, 1), unboxed(growing.getVector()), 1e-6f);
        assertEquals(2, growing.getFrameEmbeddings().size());
        assertEquals(0, growing.getStartTimeMicros());
        assertEquals(500_000L, growing.getEndTimeMicros());
        assertEquals(500_000L, store().searchableUpTo("cam").orElseThrow(), "searchable up to its newest frame");

        driver.advanceWallClockTime(ClipAssembler.PROVISIONAL_MIN_INTERVAL); // a live source's frames come slowly
        embeddings.pipeInput("cam", frame("cam", 0, 2));
        assertEquals(2, stored("cam").getFirst().getFrameEmbeddings().size(), "three frames: not a multiple of 2");
        embeddings.pipeInput("cam", frame("cam", 0, 3));
        assertEquals(1, stored("cam").size(), "replaced, not added");
        assertArrayEquals(
                expectedVector(0, 1, 2, 3), unboxed(stored("cam").getFirst().getVector()), 1e-6f);
        assertTrue(clipVectors.isEmpty(), "provisional clips never reach clip-vectors");

        embeddings.pipeInput("cam", boundary("cam", 0, 0, 4));
        List<KeyValue<String, ClipVector>> out = clipVectors.readKeyValuesToList();
        assertEquals(List.of("cam:0"), out.stream().map(kv -> kv.key).toList(), "the closed clip, once");
        assertEquals(false, out.getFirst().value.getProvisional());
        List<ClipVector> held = stored("cam");
        assertEquals(1, held.size(), "the closed clip replaced the provisional one under the same key");
        assertEquals(false, held.getFirst().getProvisional());
        assertEquals(4, held.getFirst().getFrameEmbeddings().size());
        assertEquals(3, held.getFirst().getThumbnailJpeg().remaining(), "the boundary's thumbnail");
        assertEquals(2_000_000L, store().searchableUpTo("cam").orElseThrow());
        assertEquals(1, store().visibleClips());

        // The next clip grows under its own id beside the closed one.
        driver.advanceWallClockTime(ClipAssembler.PROVISIONAL_MIN_INTERVAL);
        embeddings.pipeInput("cam", frame("cam", 1, 4));
        embeddings.pipeInput("cam", frame("cam", 1, 5));
        assertEquals(2, store().visibleClips());
        assertTrue(
                stored("cam").stream().anyMatch(c -> c.getClipId().toString().equals("cam:4") && c.getProvisional()));
        assertTrue(clipVectors.isEmpty());
        assertTrue(errors.isEmpty());
    }

    @Test
    void shouldHandOnAtMostOneProvisionalClipPerSourceAndIntervalWhenFramesComeFast() {
        start(Map.of("CLIP4S_INDEX_PROVISIONAL_EVERY_FRAMES", "2"));
        TestOutputTopic<byte[], byte[]> changelog = driver.createOutputTopic(
                "index-test-" + IndexTopology.CLIP_STORE + "-changelog",
                new ByteArrayDeserializer(),
                new ByteArrayDeserializer());
        // A file decoded faster than real time: 8 frames and the boundary with no wall-clock time between them.
        for (long f = 0; f < 8; f++) {
            embeddings.pipeInput("cam", frame("cam", 0, f));
        }
        embeddings.pipeInput("cam", boundary("cam", 0, 0, 8));
        assertEquals(2, changelog.readKeyValuesToList().size(), "one provisional version, then the closed clip");
        assertEquals(1, store().visibleClips());
        assertEquals(false, stored("cam").getFirst().getProvisional());
    }

    @Test
    void shouldIndexNothingProvisionallyWhenTurnedOff() {
        start(Map.of("CLIP4S_INDEX_PROVISIONAL_EVERY_FRAMES", "0"));
        for (long f = 0; f < 3; f++) {
            embeddings.pipeInput("cam", frame("cam", 0, f));
        }
        assertEquals(0, store().visibleClips());
        embeddings.pipeInput("cam", boundary("cam", 0, 0, 3));
        assertEquals(1, store().visibleClips());
        assertEquals(false, stored("cam").getFirst().getProvisional());
    }

    @Test
    void shouldCloseAProvisionalClipByTimeoutUnderTheSameKey() {
        start(Map.of("CLIP4S_INDEX_CLIP_TIMEOUT_MS", "5000", "CLIP4S_INDEX_PROVISIONAL_EVERY_FRAMES", "2"));
        for (long f = 0; f < 2; f++) {
            embeddings.pipeInput("cam", frame("cam", 0, f));
        }
        assertTrue(stored("cam").getFirst().getProvisional());
        // The source stops: no boundary ever comes.
        driver.advanceWallClockTime(Duration.ofSeconds(6));

        List<KeyValue<String, ClipVector>> out = clipVectors.readKeyValuesToList();
        assertEquals(List.of("cam:0"), out.stream().map(kv -> kv.key).toList());
        assertEquals(false, out.getFirst().value.getProvisional());
        assertEquals(1, store().visibleClips(), "the timed-out clip replaced the provisional one");
        assertEquals(false, stored("cam").getFirst().getProvisional());
    }

    @Test
    void shouldRemoveAProvisionalClipWithItsSource() {
        start(Map.of("CLIP4S_INDEX_PROVISIONAL_EVERY_FRAMES", "2"));
        for (long f = 0; f < 2; f++) {
            embeddings.pipeInput("cam-a", frame("cam-a", 0, f));
            embeddings.pipeInput("cam-b", frame("cam-b", 0, f));
        }
        assertEquals(2, store().visibleClips());

        deletions.pipeInput(
                "cam-a",
                SourceDeletion.newBuilder()
                        .setSourceId("cam-a")
                        .setRequestedAtMillis(1L)
                        .build());
        driver.advanceWallClockTime(Duration.ofSeconds(1));

        assertEquals(List.of(), stored("cam-a"));
        assertTrue(store().searchableUpTo("cam-a").isEmpty());
        assertEquals(1, store().visibleClips(), "the other source's growing clip stays");
        // A removed provisional clip yields a tombstone for a key clip-vectors never carried: a no-op for readers.
        List<KeyValue<String, ClipVector>> out = clipVectors.readKeyValuesToList();
        assertEquals(List.of("cam-a:0"), out.stream().map(kv -> kv.key).toList());
        assertNull(out.getFirst().value);
        // Late frames of the deleted source grow nothing.
        embeddings.pipeInput("cam-a", frame("cam-a", 0, 2));
        embeddings.pipeInput("cam-a", frame("cam-a", 0, 3));
        assertEquals(List.of(), stored("cam-a"));
    }

    @Test
    void shouldLogTheProvisionalClipToTheStoreChangelogUnderTheKeyOfTheClosedClip() {
        start(Map.of("CLIP4S_INDEX_PROVISIONAL_EVERY_FRAMES", "2"));
        TestOutputTopic<byte[], byte[]> changelog = driver.createOutputTopic(
                "index-test-" + IndexTopology.CLIP_STORE + "-changelog",
                new ByteArrayDeserializer(),
                new ByteArrayDeserializer());
        for (long f = 0; f < 2; f++) {
            embeddings.pipeInput("cam", frame("cam", 0, f));
        }
        // What a restart restores: the provisional clip, flag included, so a crash before the boundary keeps it.
        List<KeyValue<byte[], byte[]>> logged = changelog.readKeyValuesToList();
        assertEquals(1, logged.size());
        ClipKey key = new ClipKey(VERSION, "cam:0");
        assertArrayEquals(key.toBytes(), logged.getFirst().key);
        assertTrue(ClipChangelog.decode(logged.getFirst().value).getProvisional());

        driver.advanceWallClockTime(ClipAssembler.PROVISIONAL_MIN_INTERVAL);
        for (long f = 2; f < 4; f++) {
            embeddings.pipeInput("cam", frame("cam", 0, f));
        }
        embeddings.pipeInput("cam", boundary("cam", 0, 0, 4));
        logged = changelog.readKeyValuesToList();
        assertEquals(2, logged.size(), "one more provisional version, then the closed clip");
        logged.forEach(record -> assertArrayEquals(key.toBytes(), record.key, "every version under one key"));
        ClipVector last = ClipChangelog.decode(logged.getLast().value);
        assertEquals(false, last.getProvisional(), "compaction and restore keep the closed clip");
        assertEquals(4, last.getFrameEmbeddings().size());
    }

    private static String embeddingsTopicName() {
        return Topics.defaults().frameEmbeddings().name();
    }

    @ParameterizedTest
    @EnumSource(
            value = FrameEncoding.class,
            names = {"INT8", "INT10"})
    void aModelThatNamesAPackedEncodingStoresAndSendsPackedFramesButAggregatesTheExactOnes(
            FrameEncoding encoding, @TempDir Path packedDir) throws IOException {
        try (var files = java.nio.file.Files.list(modelDir)) {
            for (Path file : files.toList()) {
                java.nio.file.Files.copy(file, packedDir.resolve(file.getFileName()));
            }
        }
        Path config = packedDir.resolve("config.json");
        String json = java.nio.file.Files.readString(config);
        java.nio.file.Files.writeString(
                config, json.replaceFirst("\\{", "{\"frame_encoding\": \"" + encoding.configName() + "\", "));
        try (Clip4ClipModel packedModel =
                Clip4ClipModel.load(packedDir, ModelOptions.defaults().withDevice(ModelOptions.DeviceChoice.CPU))) {
            ClipAggregator packed = new ClipAggregator(packedModel);
            assertEquals(encoding, packed.frameEncoding());
            start(Map.of(), packed);
            embeddings.pipeInput("cam", frame("cam", 0, 0));
            embeddings.pipeInput("cam", frame("cam", 0, 1));
            embeddings.pipeInput("cam", boundary("cam", 0, 0, 2));

            ClipVector sent = clipVectors.readValue();
            assertEquals(encoding, ClipFrames.encoding(sent));
            assertTrue(sent.getFrameEmbeddings().isEmpty(), "packed frames leave the float list empty");
            assertArrayEquals(expectedVector(0, 1), unboxed(sent.getVector()), 1e-6f);
            float[][] frames = ClipFrames.of(sent);
            assertArrayEquals(embedding(0), frames[0], 0.02f);
            assertArrayEquals(embedding(1), frames[1], 0.02f);
            ClipVector stored =
                    store().clipVersions(sent.getClipId().toString()).getFirst();
            assertEquals(sent.getPackedFrameEmbeddings(), stored.getPackedFrameEmbeddings());
        }
    }
}
