package io.clip4stream.encoder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.clip4stream.model.Clip4ClipModel;
import io.clip4stream.model.ModelOptions;
import io.clip4stream.model.ModelOptions.DeviceChoice;
import io.clip4stream.model.preprocess.ClipNormalize;
import io.clip4stream.model.preprocess.RgbImage;
import io.clip4stream.model.spec.LinearPatch;
import io.clip4stream.model.spec.SimilarityHead;
import io.clip4stream.model.weights.TinyModelGenerator;
import io.clip4stream.model.weights.TinyModelShape;
import io.clip4stream.runtime.config.TopicSettings;
import io.clip4stream.runtime.kafka.KafkaClientSettings;
import io.clip4stream.runtime.kafka.ModelStatus;
import io.clip4stream.runtime.kafka.ModelVersionLog;
import io.clip4stream.runtime.kafka.ServedModel;
import io.clip4stream.runtime.kafka.TopicProvisioner;
import io.clip4stream.schemas.avro.ClipBoundary;
import io.clip4stream.schemas.avro.EmbeddingStreamRecord;
import io.clip4stream.schemas.avro.EndOfSource;
import io.clip4stream.schemas.avro.EndReason;
import io.clip4stream.schemas.avro.FrameEmbedding;
import io.clip4stream.schemas.avro.FrameStreamRecord;
import io.clip4stream.schemas.avro.ModelVersion;
import io.clip4stream.schemas.avro.PipelineError;
import io.clip4stream.schemas.avro.SampledFrame;
import io.clip4stream.schemas.topic.Topics;
import io.clip4stream.testkit.EmbeddedKafka;
import io.clip4stream.testkit.TopicReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A model change to a version with another CLIP visual encoder, on a real embedded broker: frames ingest decoded again
 * from kept media for the deployed version are encoded with that version's encoder, live frames with the active one,
 * and a frame for a version the encoder cannot serve becomes an error record.
 */
class EncoderReencodeIT {

    @RegisterExtension
    static final EmbeddedKafka KAFKA = EmbeddedKafka.singleNode();

    private static final int SIZE_A = 32;
    private static final int SIZE_B = 48;
    private static final String SOURCE = "cam-r";
    private static final Duration TIMEOUT = Duration.ofSeconds(120);

    @TempDir
    static Path dir;

    private static Path dirA;
    private static Path dirB;
    private static Clip4ClipModel modelA;
    private static Clip4ClipModel modelB;

    @BeforeAll
    static void generateModels() throws IOException {
        dirA = Files.createDirectories(dir.resolve("a"));
        dirB = Files.createDirectories(dir.resolve("b"));
        new TinyModelGenerator(11).generate(dirA, shape(SIZE_A), "tiny-reencode-it");
        new TinyModelGenerator(12).generate(dirB, shape(SIZE_B), "tiny-reencode-it");
        ModelOptions options = new ModelOptions(DeviceChoice.CPU, 1, 8);
        modelA = Clip4ClipModel.load(dirA, options);
        modelB = Clip4ClipModel.load(dirB, options);
    }

    private static TinyModelShape shape(int imageSize) {
        return new TinyModelShape(
                64, 2, 16, imageSize, 64, 1, 512, 64, 1, 12, 32, SimilarityHead.MEAN_P, LinearPatch.TWO_D);
    }

    @AfterAll
    static void closeModels() {
        modelA.close();
        modelB.close();
    }

    @Test
    void reencodeFramesUseTheirVersionsEncoderAndLiveFramesTheActiveOne() throws Exception {
        String a = modelA.info().modelVersion();
        String b = modelB.info().modelVersion();
        assertNotEquals(modelA.visualFingerprint(), modelB.visualFingerprint(), "two visual encoders");
        EncoderConfig config = config();
        Topics topics = config.topics();
        new TopicProvisioner(config.kafka(), 1, TIMEOUT).ensure(topics.all());
        ModelVersionLog models = new ModelVersionLog(config.kafka(), topics.models(), TIMEOUT, Clock.systemUTC());
        models.publish("index-service", served(modelA).toRecord("index-service", 1));
        models.publish("model-cli", withStatus(modelB, ModelStatus.DEPLOYED, 2));

        // The source's own stream and a re-encoding of its kept media for b, interleaved in one partition, and one
        // frame for a version nobody deployed.
        List<FrameStreamRecord> inputs = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            inputs.add(new FrameStreamRecord(frame(i, SIZE_A, null)));
            inputs.add(new FrameStreamRecord(frame(i, SIZE_B, b)));
        }
        inputs.add(new FrameStreamRecord(boundary(null)));
        inputs.add(new FrameStreamRecord(boundary(b)));
        inputs.add(new FrameStreamRecord(frame(99, SIZE_A, "tiny-seed-99")));
        inputs.add(new FrameStreamRecord(end(b)));
        produce(topics, inputs);

        List<ConsumerRecord<String, EmbeddingStreamRecord>> out;
        try (EncoderService service = new EncoderService(config, modelA)) {
            service.start();
            TopicReader reader = new TopicReader(KAFKA.bootstrapServers());
            out = reader.readAtLeast(topics.frameEmbeddings(), 11, TIMEOUT);
            assertEquals(11, out.size(), "8 frames, 2 boundaries, 1 end marker");
            for (int i = 0; i < 8; i++) {
                FrameEmbedding embedding = (FrameEmbedding) out.get(i).value().getPayload();
                boolean reencode = i % 2 == 1;
                assertEquals(i / 2, embedding.getFrameIndex());
                assertEquals(reencode ? b : a, embedding.getModelVersion());
                assertEquals(reencode ? b : null, string(embedding.getReencodeFor()));
                assertEncodedBy(reencode ? modelB : modelA, reencode ? SIZE_B : SIZE_A, embedding);
            }
            assertEquals(null, string(((ClipBoundary) out.get(8).value().getPayload()).getReencodeFor()));
            assertEquals(b, string(((ClipBoundary) out.get(9).value().getPayload()).getReencodeFor()));
            assertEquals(b, string(((EndOfSource) out.get(10).value().getPayload()).getReencodeFor()));

            List<ConsumerRecord<String, PipelineError>> errors = reader.readAtLeast(topics.errors(), 1, TIMEOUT);
            assertEquals(1, errors.size());
            PipelineError error = errors.getFirst().value();
            assertEquals(RecordClassifier.UNKNOWN_MODEL_VERSION, error.getErrorType());
            assertTrue(error.getMessage().contains("tiny-seed-99"), error.getMessage());
            eventually(() -> service.metrics().framesReencoded(b) == 4, "4 frames counted as re-encoded for " + b);
            assertTrue(service.isReady(), "a frame for an unknown version stops nothing");

            // Activating b: live frames from the switch on are b's (ingest prepares them at b's size).
            models.publish("model-cli", withStatus(modelB, ModelStatus.ACTIVE, 3));
            eventually(() -> service.models().active().version().equals(b), "the encoder follows the activation");
            produce(topics, List.of(new FrameStreamRecord(frame(10, SIZE_B, null))));
            out = reader.readAtLeast(topics.frameEmbeddings(), 12, TIMEOUT);
            assertLiveFrameOfB(out, 12, 10);
        }

        // A restart after the activation encodes live frames with b from its first frame.
        produce(topics, List.of(new FrameStreamRecord(frame(11, SIZE_B, null))));
        try (EncoderService restarted = new EncoderService(config, modelA)) {
            restarted.start();
            out = new TopicReader(KAFKA.bootstrapServers()).readAtLeast(topics.frameEmbeddings(), 13, TIMEOUT);
            assertLiveFrameOfB(out, 13, 11);
        }
    }

    private static void assertLiveFrameOfB(
            List<ConsumerRecord<String, EmbeddingStreamRecord>> out, int expected, long frameIndex) {
        assertEquals(expected, out.size(), "exactly one more record");
        FrameEmbedding live = (FrameEmbedding) out.getLast().value().getPayload();
        assertEquals(frameIndex, live.getFrameIndex());
        assertEquals(modelB.info().modelVersion(), live.getModelVersion());
        assertEquals(null, live.getReencodeFor());
        assertEncodedBy(modelB, SIZE_B, live);
    }

    private static String string(CharSequence value) {
        return value == null ? null : value.toString();
    }

    /** The embedding is {@code model}'s own {@code embedFrames} of the frame's pixels. */
    private static void assertEncodedBy(Clip4ClipModel model, int size, FrameEmbedding embedding) {
        float[] expected = model.embedFrames(
                        new ClipNormalize()
                                .normalize(new RgbImage(
                                        size, size, SourceStreams.pixels(SOURCE, embedding.getFrameIndex(), size))),
                        1)[0];
        assertEquals(expected.length, embedding.getEmbedding().size());
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], embedding.getEmbedding().get(i), 1e-4, "dimension " + i);
        }
    }

    private static ServedModel served(Clip4ClipModel model) {
        var frames = model.preprocessing();
        return new ServedModel(
                model.info().modelId(),
                model.info().modelVersion(),
                model.info().embedDim(),
                frames.resizeSize(),
                frames.interpolation(),
                frames.cropSize(),
                frames.normalize(),
                model.info().head().configName(),
                model.card().trainedHeads(),
                model.visualFingerprint());
    }

    /** The record {@code model deploy} / {@code activate} writes for b. */
    private static ModelVersion withStatus(Clip4ClipModel model, ModelStatus status, long atMillis) {
        return ModelVersion.newBuilder(served(model).toRecord("model-cli", atMillis))
                .setStatus(status.wireName())
                .setWeightsLocation(dirB.toString())
                .build();
    }

    private static SampledFrame frame(long index, int size, String reencodeFor) {
        return SampledFrame.newBuilder(SourceStreams.frame(SOURCE, index, size))
                .setReencodeFor(reencodeFor)
                .build();
    }

    private static ClipBoundary boundary(String reencodeFor) {
        return ClipBoundary.newBuilder()
                .setSourceId(SOURCE)
                .setClipIndex(0)
                .setClipId(SOURCE + ":0")
                .setFirstFrameIndex(0)
                .setFrameCount(4)
                .setStartTimeMicros(0)
                .setEndTimeMicros(2_000_000L)
                .setThumbnailJpeg(java.nio.ByteBuffer.wrap(new byte[] {(byte) 0xFF, (byte) 0xD8}))
                .setReencodeFor(reencodeFor)
                .build();
    }

    private static EndOfSource end(String reencodeFor) {
        return EndOfSource.newBuilder()
                .setSourceId(SOURCE)
                .setReason(EndReason.COMPLETED)
                .setTotalFrames(4)
                .setTotalClips(1)
                .setDurationMicros(2_000_000L)
                .setReencodeFor(reencodeFor)
                .build();
    }

    private EncoderConfig config() {
        return new EncoderConfig(
                KafkaClientSettings.of(KAFKA.bootstrapServers()),
                new TopicSettings("reencode.", 1, 1),
                dirA,
                DeviceChoice.CPU,
                1,
                8,
                Duration.ofMillis(20),
                16,
                Duration.ofMillis(100),
                "encoder-reencode",
                "a",
                0);
    }

    private static void produce(Topics topics, List<FrameStreamRecord> values) {
        Serializer<FrameStreamRecord> serializer = topics.frames().valueSerde().serializer();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(
                KafkaClientSettings.of(KAFKA.bootstrapServers()).producer("it-producer"),
                new ByteArraySerializer(),
                new ByteArraySerializer())) {
            List<java.util.concurrent.Future<?>> sent = new ArrayList<>();
            for (FrameStreamRecord value : values) {
                sent.add(producer.send(new ProducerRecord<>(
                        topics.frames().name(),
                        SOURCE.getBytes(StandardCharsets.UTF_8),
                        serializer.serialize(topics.frames().name(), value))));
            }
            for (java.util.concurrent.Future<?> future : sent) {
                future.get(TIMEOUT.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
            }
        } catch (Exception e) {
            throw new IllegalStateException("an input record was not written", e);
        }
    }

    private static void eventually(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("timed out waiting until " + what);
            }
            Thread.sleep(20);
        }
    }
}
