package io.clip4stream.index.topology;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.clip4stream.index.IndexConfig;
import io.clip4stream.index.IndexService;
import io.clip4stream.index.aggregate.ClipAggregator;
import io.clip4stream.index.rebuild.IndexModels;
import io.clip4stream.index.rebuild.RebuildProgress;
import io.clip4stream.index.rebuild.ShardProgress;
import io.clip4stream.index.rebuild.VersionTarget;
import io.clip4stream.index.store.ClipKey;
import io.clip4stream.index.store.ClipVectorStore;
import io.clip4stream.model.Clip4ClipModel;
import io.clip4stream.model.ModelOptions;
import io.clip4stream.model.spec.SimilarityHead;
import io.clip4stream.model.weights.TinyModelGenerator;
import io.clip4stream.model.weights.TinyModelShape;
import io.clip4stream.runtime.config.Env;
import io.clip4stream.runtime.kafka.ModelCatalog;
import io.clip4stream.runtime.kafka.ModelStatus;
import io.clip4stream.schemas.avro.ClipBoundary;
import io.clip4stream.schemas.avro.ClipVector;
import io.clip4stream.schemas.avro.EmbeddingStreamRecord;
import io.clip4stream.schemas.avro.EndOfSource;
import io.clip4stream.schemas.avro.EndReason;
import io.clip4stream.schemas.avro.FrameEmbedding;
import io.clip4stream.schemas.avro.ModelVersion;
import io.clip4stream.schemas.avro.PipelineError;
import io.clip4stream.schemas.avro.SourceDeletion;
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
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
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

/**
 * A model change to a version of another CLIP visual encoder, on the whole index topology: frames the ingest encoded
 * again from kept media are assembled apart from the sources' own streams, indexed under that version only with its
 * own head, never sent to clip-vectors, and each shard counts the version complete once every source it holds is
 * settled by an end marker.
 */
class ReencodeTopologyTest {

    @TempDir
    static Path ownDir;

    @TempDir
    static Path otherDir;

    private static Clip4ClipModel own;
    private static Clip4ClipModel other;
    private static String ownVersion;
    private static String otherVersion;

    @TempDir
    Path stateDir;

    private TopologyTestDriver driver;
    private IndexModels models;
    private final RebuildProgress progress = new RebuildProgress();
    private TestInputTopic<String, EmbeddingStreamRecord> embeddings;
    private TestInputTopic<String, SourceDeletion> deletions;
    private TestOutputTopic<String, ClipVector> clipVectors;
    private TestOutputTopic<String, PipelineError> errors;

    @BeforeAll
    static void loadModels() throws IOException {
        new TinyModelGenerator(7).generate(ownDir, TinyModelShape.defaults(), "tiny");
        new TinyModelGenerator(8)
                .generate(otherDir, TinyModelShape.defaults().withHead(SimilarityHead.SEQ_TRANSF), "tiny");
        ModelOptions cpu = ModelOptions.defaults().withDevice(ModelOptions.DeviceChoice.CPU);
        own = Clip4ClipModel.load(ownDir, cpu);
        other = Clip4ClipModel.load(otherDir, cpu);
        ownVersion = own.info().modelVersion();
        otherVersion = other.info().modelVersion();
    }

    @AfterAll
    static void closeModels() {
        own.close();
        other.close();
    }

    @AfterEach
    void close() {
        if (driver != null) {
            driver.close();
        }
        if (models != null) {
            models.close();
        }
    }

    private void start() {
        ClipAggregator ownHead = new ClipAggregator(own);
        models = new IndexModels(
                new VersionTarget(ownVersion, ownHead),
                own.visualFingerprint(),
                location -> Clip4ClipModel.load(
                        Path.of(location), ModelOptions.defaults().withDevice(ModelOptions.DeviceChoice.CPU)));
        models.update(catalog(ModelStatus.DEPLOYED));
        Map<String, String> env = new HashMap<>();
        env.put("CLIP4S_INDEX_STATE_DIR", stateDir.toString());
        env.put("CLIP4S_INDEX_MAINTENANCE_MS", "100");
        env.put("CLIP4S_INDEX_PROVISIONAL_EVERY_FRAMES", "0");
        IndexConfig config = IndexConfig.fromEnv(new Env(env));
        StreamsBuilder builder = new StreamsBuilder();
        IndexTopology.build(builder, config, models, progress, outcome -> {}, report -> {});
        Properties properties = new Properties();
        properties.put(StreamsConfig.APPLICATION_ID_CONFIG, "index-reencode-test");
        properties.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        properties.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
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

    /** The own version as served, and the other one with {@code status}. */
    private static ModelCatalog catalog(ModelStatus status) {
        ModelVersion served = IndexService.servedModel(own).toRecord("test", 1);
        ModelVersion deployed = ModelVersion.newBuilder(
                        IndexService.servedModel(other).toRecord("test", 2))
                .setStatus(status.wireName())
                .setWeightsLocation(otherDir.toString())
                .build();
        return ModelCatalog.EMPTY.with(served).with(deployed);
    }

    private ClipVectorStore store() {
        ClipVectorStore store = (ClipVectorStore) driver.getStateStore(IndexTopology.CLIP_STORE);
        store.refresh();
        return store;
    }

    private static float[] embedding(long frameIndex, double phase) {
        float[] values = new float[64];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) Math.sin(frameIndex * 0.7 + i * 0.13 + phase);
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

    /** A frame of {@code source}'s own stream (phase 0) or, with {@code reencodeFor}, of its re-encoding (phase 1). */
    private static EmbeddingStreamRecord frame(String source, long frameIndex, String version, String reencodeFor) {
        return new EmbeddingStreamRecord(FrameEmbedding.newBuilder()
                .setSourceId(source)
                .setClipIndex(frameIndex / 4)
                .setFrameIndex(frameIndex)
                .setPresentationTimeMicros(frameIndex * 1_000_000L)
                .setModelId("tiny")
                .setModelVersion(version)
                .setEmbedding(boxed(embedding(frameIndex, reencodeFor == null ? 0 : 1)))
                .setReencodeFor(reencodeFor)
                .build());
    }

    private static EmbeddingStreamRecord boundary(String source, long clipIndex, String reencodeFor) {
        long first = clipIndex * 4;
        return new EmbeddingStreamRecord(ClipBoundary.newBuilder()
                .setSourceId(source)
                .setClipIndex(clipIndex)
                .setClipId(source + ":" + first)
                .setFirstFrameIndex(first)
                .setFrameCount(4)
                .setStartTimeMicros(first * 1_000_000L)
                .setEndTimeMicros((first + 4) * 1_000_000L)
                .setThumbnailJpeg(ByteBuffer.wrap(new byte[] {(byte) 0xFF, (byte) 0xD8}))
                .setReencodeFor(reencodeFor)
                .build());
    }

    private static EmbeddingStreamRecord end(String source, EndReason reason, String reencodeFor) {
        return new EmbeddingStreamRecord(EndOfSource.newBuilder()
                .setSourceId(source)
                .setReason(reason)
                .setTotalFrames(0)
                .setTotalClips(0)
                .setDurationMicros(0)
                .setReencodeFor(reencodeFor)
                .build());
    }

    /** One clip [0, 4) of {@code source}'s own stream, closed. */
    private void ownClip(String source) {
        for (long f = 0; f < 4; f++) {
            embeddings.pipeInput(source, frame(source, f, ownVersion, null));
        }
        embeddings.pipeInput(source, boundary(source, 0, null));
    }

    private static float[] expected(Clip4ClipModel model, double phase) {
        List<float[]> frames = new ArrayList<>();
        for (long f = 0; f < 4; f++) {
            frames.add(embedding(f, phase));
        }
        return new ClipAggregator(model).aggregate(frames);
    }

    private static float[] unboxed(List<Float> values) {
        float[] array = new float[values.size()];
        for (int i = 0; i < array.length; i++) {
            array[i] = values.get(i);
        }
        return array;
    }

    private ClipVector stored(String version, String clipId) {
        List<ClipVector> found = store().clipsByKey(List.of(new ClipKey(version, clipId)));
        assertEquals(1, found.size(), clipId + " under " + version);
        return found.getFirst();
    }

    private ShardProgress shardProgress() {
        // What the shard's searcher sees is what is counted: make every write visible first.
        store();
        driver.advanceWallClockTime(Duration.ofSeconds(3));
        return progress.byVersion().get(otherVersion).get(0);
    }

    @Test
    void shouldIndexAReencodingApartFromTheOwnStreamAndCountTheShardCompleteOnceEverySourceIsSettled() {
        start();
        assertNotEquals(own.visualFingerprint(), other.visualFingerprint(), "two CLIP visual encoders");
        ownClip("upload");
        ownClip("camera");
        clipVectors.readValuesToList();
        assertEquals(new ShardProgress(0, 2), shardProgress(), "two clips, no source settled");

        // The re-encoding of "upload" interleaves with more of its own stream (the same frame indices): two lanes.
        for (long f = 0; f < 4; f++) {
            embeddings.pipeInput("upload", frame("upload", f, otherVersion, otherVersion));
            embeddings.pipeInput("upload", frame("upload", 4 + f, ownVersion, null));
        }
        embeddings.pipeInput("upload", boundary("upload", 0, otherVersion));

        ClipVector reencoded = stored(otherVersion, "upload:0");
        assertArrayEquals(expected(other, 1), unboxed(reencoded.getVector()), 1e-5f, "the other version's head");
        assertArrayEquals(
                expected(own, 0), unboxed(stored(ownVersion, "upload:0").getVector()), 1e-5f);
        assertTrue(clipVectors.isEmpty(), "a re-encoded clip is not sent to clip-vectors");
        assertEquals(
                new ShardProgress(1, 3),
                shardProgress(),
                "upload:0 held; upload's end marker counts as one more to come, camera:0 as another");

        embeddings.pipeInput("upload", end("upload", EndReason.COMPLETED, otherVersion));
        assertEquals(new ShardProgress(1, 2), shardProgress(), "camera is not settled");
        embeddings.pipeInput("camera", end("camera", EndReason.STOPPED, otherVersion));
        ShardProgress done = shardProgress();
        assertEquals(new ShardProgress(1, 1), done, "camera has no kept media: it stays under the own version only");
        assertTrue(done.complete());

        // A source said re-encoded counts until its clips are held, whatever another ingest instance, which does not
        // keep its video, says of it.
        ownClip("second");
        embeddings.pipeInput("second", end("second", EndReason.COMPLETED, otherVersion));
        embeddings.pipeInput("second", end("second", EndReason.STOPPED, otherVersion));
        assertEquals(new ShardProgress(1, 2), shardProgress(), "second:0 is still to come");

        // The own stream of "upload" went on in its own lane: its clip [4, 8) is the own version's.
        embeddings.pipeInput("upload", boundary("upload", 1, null));
        assertEquals(
                ownVersion,
                clipVectors.readValuesToList().getLast().getModelVersion().toString());
        assertTrue(errors.isEmpty(), () -> errors.readValuesToList().toString());
    }

    @Test
    void shouldSwitchALiveSourceToTheActivatedVersionMidClipAndReportAReencodingNobodyKeeps() {
        start();
        models.update(catalog(ModelStatus.ACTIVE));
        // The encoder switched between frames 1 and 2: the clip holds the activated version's frames only.
        embeddings.pipeInput("camera", frame("camera", 0, ownVersion, null));
        embeddings.pipeInput("camera", frame("camera", 1, ownVersion, null));
        embeddings.pipeInput("camera", frame("camera", 2, otherVersion, null));
        embeddings.pipeInput("camera", frame("camera", 3, otherVersion, null));
        embeddings.pipeInput("camera", boundary("camera", 0, null));

        ClipVector clip = stored(otherVersion, "camera:0");
        List<float[]> frames = List.of(embedding(2, 0), embedding(3, 0));
        assertArrayEquals(new ClipAggregator(other).aggregate(frames), unboxed(clip.getVector()), 1e-5f);
        assertEquals(2_000_000L, clip.getStartTimeMicros());
        assertEquals(
                otherVersion,
                clipVectors.readValuesToList().getFirst().getModelVersion().toString(),
                "live clips of the activated version are sent on");
        assertTrue(
                store().clipsByKey(List.of(new ClipKey(ownVersion, "camera:0"))).isEmpty());

        for (long f = 0; f < 4; f++) {
            embeddings.pipeInput("upload", frame("upload", f, "unknown-version", "unknown-version"));
        }
        embeddings.pipeInput("upload", boundary("upload", 0, "unknown-version"));
        PipelineError error = errors.readValue();
        assertEquals("UnbuildableModelVersion", error.getErrorType().toString());
        assertTrue(
                error.getMessage().toString().contains("unknown-version"),
                error.getMessage().toString());
    }

    @Test
    void shouldDropAReencodingLaneWithItsSource() {
        start();
        ownClip("upload");
        embeddings.pipeInput("upload", frame("upload", 0, otherVersion, otherVersion));
        deletions.pipeInput(
                "upload",
                SourceDeletion.newBuilder()
                        .setSourceId("upload")
                        .setRequestedAtMillis(1)
                        .build());
        driver.advanceWallClockTime(Duration.ofSeconds(5));
        var frames = driver.getKeyValueStore(IndexTopology.FRAME_STORE);
        try (var all = frames.all()) {
            assertFalse(all.hasNext(), "no buffered frame of any lane is left");
        }
    }
}
