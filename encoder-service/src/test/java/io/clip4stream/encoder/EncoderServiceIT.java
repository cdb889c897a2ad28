package io.clip4stream.encoder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.clip4stream.encoder.SourceStreams.Input;
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
import io.clip4stream.runtime.kafka.TopicProvisioner;
import io.clip4stream.schemas.avro.FrameEmbedding;
import io.clip4stream.schemas.avro.FrameStreamRecord;
import io.clip4stream.schemas.avro.PipelineError;
import io.clip4stream.schemas.topic.Topics;
import io.clip4stream.testkit.EmbeddedKafka;
import io.clip4stream.testkit.TopicReader;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The encoder service on a real embedded Kafka broker with a tiny generated model (32x32 frames). */
class EncoderServiceIT {

    @RegisterExtension
    static final EmbeddedKafka KAFKA = EmbeddedKafka.singleNode();

    private static final int SIZE = 32;
    private static final Duration TIMEOUT = Duration.ofSeconds(120);

    @TempDir
    static Path modelDir;

    private static Clip4ClipModel model;

    @BeforeAll
    static void generateModel() throws IOException {
        new TinyModelGenerator(11)
                .generate(
                        modelDir,
                        new TinyModelShape(
                                64, 2, 16, SIZE, 64, 1, 512, 64, 1, 12, 32, SimilarityHead.MEAN_P, LinearPatch.TWO_D),
                        "tiny-encoder-it");
        model = Clip4ClipModel.load(modelDir, new ModelOptions(DeviceChoice.CPU, 1, 8));
    }

    @AfterAll
    static void closeModel() {
        model.close();
    }

    @Test
    void embedsEveryFrameOnceAndForwardsBoundariesAndEndMarkersInOrder() throws Exception {
        EncoderConfig config = config("order.", 2, "a", 8);
        Topics topics = provision(config);
        List<Input> inputs = SourceStreams.interleave(List.of(
                SourceStreams.source("cam-1", 10, SIZE),
                SourceStreams.source("cam-2", 9, SIZE),
                SourceStreams.source("cam-3", 11, SIZE)));
        produce(topics, inputs);

        try (EncoderService service = new EncoderService(config, model)) {
            service.start();
            var out = new TopicReader(KAFKA.bootstrapServers())
                    .readAtLeast(topics.frameEmbeddings(), inputs.size(), TIMEOUT);

            assertEquals(SourceStreams.expected(inputs), SourceStreams.actual(out));
            ClipNormalize normalize = new ClipNormalize();
            for (var record : out) {
                if (record.value().getPayload() instanceof FrameEmbedding embedding) {
                    assertEquals("tiny-encoder-it", embedding.getModelId());
                    assertEquals("tiny-seed-11", embedding.getModelVersion());
                    float[] expected = model.embedFrames(
                                    normalize.normalize(new RgbImage(
                                            SIZE,
                                            SIZE,
                                            SourceStreams.pixels(
                                                    embedding.getSourceId(), embedding.getFrameIndex(), SIZE))),
                                    1)[0];
                    assertEquals(expected.length, embedding.getEmbedding().size());
                    for (int i = 0; i < expected.length; i++) {
                        assertEquals(expected[i], embedding.getEmbedding().get(i), 1e-4, "dimension " + i);
                    }
                }
            }

            eventually(() -> service.metrics().framesEmbedded() == 30, "30 frames counted");
            String metrics = get(service.httpPort(), "/metrics");
            for (String name : List.of(
                    "clip4stream_encoder_batch_frames_bucket",
                    "clip4stream_encoder_frames_per_second",
                    "clip4stream_encoder_frames_embedded_total 30.0",
                    "clip4stream_encoder_consumer_lag_records{partition=\"0\"}",
                    "clip4stream_encoder_pending_frames",
                    "clip4stream_encoder_transactions_total{outcome=\"committed\"}")) {
                assertTrue(metrics.contains(name), name + " missing from\n" + metrics);
            }
            assertTrue(service.isReady());
        }
    }

    @Test
    void poisonRecordsGoToTheErrorsTopicAndTheServiceKeepsRunning() throws Exception {
        EncoderConfig config = config("poison.", 1, "a", 4);
        Topics topics = provision(config);
        Serializer<FrameStreamRecord> values = topics.frames().valueSerde().serializer();
        String frames = topics.frames().name();
        List<Input> valid = SourceStreams.source("cam-p", 4, SIZE);
        byte[] unknownSchema = new byte[] {(byte) 0xC3, 0x01, 1, 2, 3, 4, 5, 6, 7, 8, 2, 4, 6};
        byte[] wrongSize = values.serialize(frames, new FrameStreamRecord(SourceStreams.frame("cam-p", 99, 16)));
        List<byte[]> sequence = new ArrayList<>();
        sequence.add(values.serialize(frames, valid.get(0).value()));
        sequence.add("definitely not avro".getBytes(StandardCharsets.UTF_8));
        sequence.add(unknownSchema);
        sequence.add(wrongSize);
        sequence.add(null);
        valid.subList(1, valid.size()).forEach(in -> sequence.add(values.serialize(frames, in.value())));
        produceRaw(frames, "cam-p", sequence);

        try (EncoderService service = new EncoderService(config, model)) {
            service.start();
            TopicReader reader = new TopicReader(KAFKA.bootstrapServers());
            var errors = reader.readAtLeast(topics.errors(), 4, TIMEOUT);
            var out = reader.readAtLeast(topics.frameEmbeddings(), valid.size(), TIMEOUT);

            assertEquals(SourceStreams.expected(valid), SourceStreams.actual(out));
            Map<Long, String> typeByOffset = new HashMap<>();
            for (ConsumerRecord<String, PipelineError> record : errors) {
                PipelineError error = record.value();
                assertEquals("cam-p", record.key());
                assertEquals(EncodeLoop.STAGE, error.getStage());
                assertEquals(frames, error.getTopic());
                assertEquals(0, error.getPartition());
                assertEquals(
                        "cam-p", StandardCharsets.UTF_8.decode(error.getKey()).toString());
                assertTrue(!error.getMessage().isBlank());
                typeByOffset.put(error.getOffset(), error.getErrorType());
            }
            assertEquals(
                    Map.of(
                            1L, "MalformedRecordException",
                            2L, "UnknownSchemaException",
                            3L, "FrameSizeMismatch",
                            4L, "EmptyRecord"),
                    typeByOffset);
            assertTrue(service.isReady(), "the service keeps running after poison records");
        }
    }

    @Test
    void aCrashMidBatchThenARestartLosesAndDuplicatesNothing() throws Exception {
        // A commit interval of 1 ms commits about every batch, so the third commit comes well before the end.
        EncoderConfig config = config("crash.", 2, "worker-1", 8, Duration.ofMillis(1));
        Topics topics = provision(config);
        List<Input> inputs = SourceStreams.interleave(IntStream.range(0, 4)
                .mapToObj(i -> SourceStreams.source("src-" + i, 16, SIZE))
                .toList());
        produce(topics, inputs);

        // First life: dies at its third commit, after that batch's embeddings reached the broker.
        CrashingProducer<byte[], byte[]> crashing = new CrashingProducer<>(EncoderClients.producer(config), 3);
        EncodeLoop doomed = new EncodeLoop(
                config,
                model,
                EncoderClients.consumer(config),
                crashing,
                new EncoderMetrics(new PrometheusRegistry()),
                InstantSource.system());
        Thread life = Thread.ofPlatform().start(() -> {
            try {
                doomed.run();
            } catch (CrashingProducer.SimulatedCrash expected) {
                // the process "died" here
            }
        });
        life.join(TIMEOUT.toMillis());
        assertTrue(crashing.crashed(), "the first life must crash mid-batch");
        assertInstanceOf(CrashingProducer.SimulatedCrash.class, doomed.failure());

        // Second life: same instance id, so its producer fences the dead one and aborts its open transaction.
        try (EncoderService restarted = new EncoderService(config, model)) {
            restarted.start();
            var committed = new TopicReader(KAFKA.bootstrapServers())
                    .readAtLeast(topics.frameEmbeddings(), inputs.size(), TIMEOUT);
            assertEquals(SourceStreams.expected(inputs), SourceStreams.actual(committed));

            int physical = readUncommitted(topics.frameEmbeddings().name());
            assertTrue(
                    physical > committed.size(),
                    "the crashed batch's records are in the log but aborted: " + physical + " physical vs "
                            + committed.size() + " committed");
        }
    }

    @Test
    void twoInstancesSplitThePartitionsAndRebalancesMidStreamLoseNothing() throws Exception {
        EncoderConfig configA = config("scale.", 4, "a", 8);
        EncoderConfig configB = configA.withInstanceId("b");
        Topics topics = provision(configA);
        List<List<Input>> sources = SourceStreams.keysCoveringPartitions("cam-", 4, 2).stream()
                .map(key -> SourceStreams.source(key, 40, SIZE))
                .toList();
        List<Input> all = sources.stream().flatMap(List::stream).toList();
        List<List<Input>> phases = IntStream.range(0, 4)
                .mapToObj(p -> SourceStreams.interleave(sources.stream()
                        .map(s -> s.subList(p * s.size() / 4, (p + 1) * s.size() / 4))
                        .toList()))
                .toList();

        produce(topics, phases.get(0));
        EncoderService a = new EncoderService(configA, model);
        EncoderService b = new EncoderService(configB, model);
        try {
            a.start();
            eventually(() -> a.metrics().framesEmbedded() >= 8, "instance a embeds alone");

            b.start(); // first rebalance, mid-stream
            eventually(
                    () -> !a.assignedPartitions().isEmpty()
                            && !b.assignedPartitions().isEmpty()
                            && a.assignedPartitions().size()
                                            + b.assignedPartitions().size()
                                    == 4,
                    "both instances own partitions");
            Set<TopicPartition> union = new HashSet<>(a.assignedPartitions());
            union.addAll(b.assignedPartitions());
            assertEquals(4, union.size(), "disjoint split: " + a.assignedPartitions() + " / " + b.assignedPartitions());

            produce(topics, phases.get(1));
            eventually(() -> b.metrics().framesEmbedded() > 0, "instance b embeds its share");
            produce(topics, phases.get(2));
            a.close(); // second rebalance, mid-stream: b takes every partition
            eventually(() -> b.assignedPartitions().size() == 4, "b owns every partition");
            produce(topics, phases.get(3));

            var out = new TopicReader(KAFKA.bootstrapServers())
                    .readAtLeast(topics.frameEmbeddings(), all.size(), TIMEOUT);
            assertEquals(SourceStreams.expected(all), SourceStreams.actual(out));
            eventually(
                    () -> a.metrics().framesEmbedded() + b.metrics().framesEmbedded() == 8 * 40,
                    "each frame committed by exactly one instance");
        } finally {
            a.close();
            b.close();
        }
    }

    @Test
    void refusesAModelOfAnotherWidthThanTheDeploymentRecordedNamingBoth() {
        EncoderConfig config = config("models.", 1, "a", 4);
        io.clip4stream.runtime.kafka.KafkaClientSettings kafka =
                io.clip4stream.runtime.kafka.KafkaClientSettings.of(KAFKA.bootstrapServers());
        new io.clip4stream.runtime.kafka.TopicProvisioner(
                        kafka, 1, io.clip4stream.runtime.kafka.TopicProvisioner.DEFAULT_TIMEOUT)
                .ensure(List.of(config.topics().models()));
        io.clip4stream.runtime.kafka.ModelVersionLog log = new io.clip4stream.runtime.kafka.ModelVersionLog(
                kafka, config.topics().models(), TIMEOUT, java.time.Clock.systemUTC());
        int width = model.info().embedDim();
        log.checkAndRecord(
                "index-service",
                new io.clip4stream.runtime.kafka.ServedModel(
                        "openai/ViT-L-14", "9", width + 1, 224, "bicubic", 224, "clip", "meanP", List.of()));
        EncoderService service = new EncoderService(config, model);
        IllegalStateException refused =
                org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class, service::start);
        service.close();
        assertTrue(
                refused.getMessage().startsWith("encoder-service refuses to start")
                        && refused.getMessage().contains("openai/ViT-L-14 9 (width " + (width + 1))
                        && refused.getMessage().contains("(width " + width),
                refused.getMessage());
    }

    private EncoderConfig config(String prefix, int partitions, String instance, int maxBatch) {
        return config(prefix, partitions, instance, maxBatch, Duration.ofMillis(100));
    }

    private EncoderConfig config(
            String prefix, int partitions, String instance, int maxBatch, Duration commitInterval) {
        return new EncoderConfig(
                KafkaClientSettings.of(KAFKA.bootstrapServers()),
                new TopicSettings(prefix, partitions, 1),
                modelDir,
                DeviceChoice.CPU,
                1,
                maxBatch,
                Duration.ofMillis(20),
                2 * maxBatch,
                commitInterval,
                "encoder-" + prefix.replace(".", ""),
                instance,
                0);
    }

    private static Topics provision(EncoderConfig config) {
        new TopicProvisioner(config.kafka(), 1, Duration.ofSeconds(30))
                .ensure(config.topics().all());
        return config.topics();
    }

    private static void produce(Topics topics, List<Input> inputs) {
        Serializer<FrameStreamRecord> values = topics.frames().valueSerde().serializer();
        List<byte[]> bytes = new ArrayList<>();
        for (Input in : inputs) {
            bytes.add(values.serialize(topics.frames().name(), in.value()));
        }
        try (KafkaProducer<byte[], byte[]> producer = producer()) {
            for (int i = 0; i < inputs.size(); i++) {
                producer.send(new ProducerRecord<>(
                        topics.frames().name(), inputs.get(i).key().getBytes(StandardCharsets.UTF_8), bytes.get(i)));
            }
        }
    }

    private static void produceRaw(String topic, String key, List<byte[]> values) {
        try (KafkaProducer<byte[], byte[]> producer = producer()) {
            for (byte[] value : values) {
                producer.send(new ProducerRecord<>(topic, key.getBytes(StandardCharsets.UTF_8), value));
            }
        }
    }

    private static KafkaProducer<byte[], byte[]> producer() {
        return new KafkaProducer<>(
                KafkaClientSettings.of(KAFKA.bootstrapServers()).producer("it-producer"),
                new ByteArraySerializer(),
                new ByteArraySerializer());
    }

    /** Counts every record physically in the topic, aborted transactions included. */
    private static int readUncommitted(String topic) {
        Map<String, Object> props =
                new HashMap<>(KafkaClientSettings.of(KAFKA.bootstrapServers()).common());
        props.put("isolation.level", "read_uncommitted");
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition()))
                    .toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            int count = 0;
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                if (System.nanoTime() > deadline) {
                    fail("could not read " + topic + " to its end offsets " + end);
                }
                count += consumer.poll(Duration.ofMillis(200)).count();
            }
            return count;
        }
    }

    private static String get(int port, String path) throws IOException, InterruptedException {
        try (HttpClient client = HttpClient.newHttpClient()) {
            HttpResponse<String> response = client.send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, response.statusCode(), path);
            return response.body();
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
