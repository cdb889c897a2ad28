package io.clip4stream.encoder.bench;

import io.clip4stream.encoder.EncoderClients;
import io.clip4stream.encoder.EncoderConfig;
import io.clip4stream.encoder.EncoderService;
import io.clip4stream.encoder.StaticSceneGate;
import io.clip4stream.model.Clip4ClipModel;
import io.clip4stream.model.ModelInfo;
import io.clip4stream.model.ModelOptions;
import io.clip4stream.model.preprocess.ClipNormalize;
import io.clip4stream.model.preprocess.RgbImage;
import io.clip4stream.runtime.config.TopicSettings;
import io.clip4stream.runtime.kafka.KafkaClientSettings;
import io.clip4stream.runtime.kafka.TopicProvisioner;
import io.clip4stream.schemas.avro.ClipBoundary;
import io.clip4stream.schemas.avro.EmbeddingStreamRecord;
import io.clip4stream.schemas.avro.EndOfSource;
import io.clip4stream.schemas.avro.EndReason;
import io.clip4stream.schemas.avro.FrameEmbedding;
import io.clip4stream.schemas.avro.FrameStreamRecord;
import io.clip4stream.schemas.avro.SampledFrame;
import io.clip4stream.schemas.topic.Topics;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Measures the encoder service's frames per second through a Kafka broker and the model's frames per second alone, at
 * the same batch size and thread count, in one process.
 *
 * <p>The model alone embeds pre-normalised frames in batches of {@code batchSize} (after two warm-up batches). The
 * service reads the same frames from the broker, decodes, normalises, embeds and commits them in transactions; its rate
 * is taken from a read_committed reader of the output: frames committed after the first visible ones, divided by the
 * time between the first visible output and the last.
 */
public final class EncoderServiceBenchmark {

    /** Frames of a clip in the generated streams. */
    private static final int CLIP_FRAMES = 12;

    private static final Duration OUTPUT_TIMEOUT = Duration.ofMinutes(30);

    /**
     * What to run.
     *
     * @param frames frames in total
     * @param batchSize frames per forward pass, for the model alone and for the service
     * @param sources sources the frames are spread over
     * @param partitions partitions of the frame topic
     * @param maxWait the service's batch wait
     * @param commitInterval the service's commit interval
     */
    public record Options(
            int frames, int batchSize, int sources, int partitions, Duration maxWait, Duration commitInterval) {
        /** Validates the options. */
        public Options {
            Objects.requireNonNull(maxWait, "maxWait");
            Objects.requireNonNull(commitInterval, "commitInterval");
            if (frames < 3 * batchSize || batchSize < 1 || sources < 1 || partitions < 1) {
                throw new IllegalArgumentException("need batch size >= 1, frames >= 3 x batch size, sources and"
                        + " partitions >= 1; got frames " + frames + ", batch " + batchSize + ", sources " + sources
                        + ", partitions " + partitions);
            }
        }
    }

    /**
     * What was measured.
     *
     * @param modelId the model's id
     * @param imageSize input frame side
     * @param embedDim embedding dimension
     * @param device where the model ran
     * @param intraOpThreads libtorch intra-op threads
     * @param batchSize frames per forward pass
     * @param frames frames embedded by each of the two runs
     * @param modelFramesPerSecond the model alone
     * @param serviceFramesPerSecond the service through the broker
     * @param ratio service / model
     * @param serviceBatches micro-batches the service embedded
     * @param meanServiceBatch mean frames per service batch
     * @param serviceTransactions transactions the service committed
     */
    public record Result(
            String modelId,
            int imageSize,
            int embedDim,
            String device,
            int intraOpThreads,
            int batchSize,
            int frames,
            double modelFramesPerSecond,
            double serviceFramesPerSecond,
            double ratio,
            long serviceBatches,
            double meanServiceBatch,
            long serviceTransactions) {}

    /**
     * What the static-scene gate saved on a mostly static synthetic camera.
     *
     * @param frames frames encoded by each of the two runs
     * @param threshold the gate's threshold (mean absolute difference of normalised pixels)
     * @param staticShare share of the generated frames that show the unchanged background (with sensor noise)
     * @param reusedFrames frames the gate reused instead of running the model
     * @param skippedShare reusedFrames / frames
     * @param secondsWithoutGate from the service's start to its last frame committed, gate off
     * @param secondsWithGate the same, gate on for every source
     * @param timeSaved 1 - secondsWithGate / secondsWithoutGate
     */
    public record StaticSceneResult(
            int frames,
            double threshold,
            double staticShare,
            long reusedFrames,
            double skippedShare,
            double secondsWithoutGate,
            double secondsWithGate,
            double timeSaved) {}

    /** One pass of the service over a topic set: its committed rate and how long it took in all. */
    private record ServicePass(double framesPerSecond, long totalNanos, long reusedFrames) {}

    /** In each clip of the synthetic camera, the frames from here on show a moving object. */
    private static final int EVENT_FIRST_FRAME = 5;

    /** Frames per clip that show the moving object. */
    private static final int EVENT_FRAMES = 3;

    private final String bootstrapServers;
    private final Clip4ClipModel model;
    private final Path modelDir;
    private final ModelOptions modelOptions;

    /** A benchmark of {@code model} (loaded from {@code modelDir} with {@code modelOptions}) on a broker. */
    public EncoderServiceBenchmark(
            String bootstrapServers, Clip4ClipModel model, Path modelDir, ModelOptions modelOptions) {
        this.bootstrapServers = Objects.requireNonNull(bootstrapServers, "bootstrapServers");
        this.model = Objects.requireNonNull(model, "model");
        this.modelDir = Objects.requireNonNull(modelDir, "modelDir");
        this.modelOptions = Objects.requireNonNull(modelOptions, "modelOptions");
    }

    /** Runs both measurements. */
    public Result run(Options options) {
        ModelInfo info = model.info();
        int size = info.imageSize();
        String prefix = "bench-" + UUID.randomUUID().toString().substring(0, 8) + ".";
        EncoderConfig config = new EncoderConfig(
                KafkaClientSettings.of(bootstrapServers),
                new TopicSettings(prefix, options.partitions(), 1),
                modelDir,
                modelOptions.device(),
                modelOptions.intraOpThreads(),
                options.batchSize(),
                options.maxWait(),
                2 * options.batchSize(),
                options.commitInterval(),
                prefix + "encoder",
                "bench",
                0);
        Topics topics = config.topics();
        new TopicProvisioner(config.kafka(), 1, TopicProvisioner.DEFAULT_TIMEOUT).ensure(topics.all());
        try (KafkaConsumer<byte[], byte[]> probe = new KafkaConsumer<>(
                KafkaClientSettings.of(bootstrapServers).common(),
                new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            EncoderClients.awaitPartitionLeaders(
                    probe, List.of(topics.frames().name()), TopicProvisioner.DEFAULT_TIMEOUT);
        }

        byte[][] pixels = new byte[options.frames()][];
        SplittableRandom random = new SplittableRandom(20261128);
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = new byte[3 * size * size];
            random.nextBytes(pixels[i]);
        }
        produceFrames(topics, options, size, pixels);

        double modelRate = modelAlone(options, size, pixels);
        double serviceRate;
        long batches;
        long transactions;
        try (EncoderService service = new EncoderService(config, model)) {
            serviceRate = throughService(topics, options.frames(), service).framesPerSecond();
            if (Double.isNaN(serviceRate)) {
                throw new IllegalStateException(
                        "all " + options.frames() + " frames became visible at once; use more frames");
            }
            batches = service.metrics().batchesCommitted();
            transactions = service.metrics().transactionsCommitted();
        }
        return new Result(
                info.modelId(),
                size,
                info.embedDim(),
                info.device(),
                modelOptions.intraOpThreads(),
                options.batchSize(),
                options.frames(),
                modelRate,
                serviceRate,
                serviceRate / modelRate,
                batches,
                batches == 0 ? 0 : (double) options.frames() / batches,
                transactions);
    }

    /**
     * Runs the service twice over the same mostly static synthetic camera (each source a fixed background with
     * ±1-level sensor noise, and in each clip {@value #EVENT_FRAMES} frames with a moving object): once with the
     * static-scene gate off, once on for every source at {@code threshold}.
     */
    public StaticSceneResult runStaticScene(Options options, double threshold) {
        int size = model.info().imageSize();
        byte[][] pixels = staticCamera(options, size);
        long staticFrames = 0;
        for (int i = 0; i < pixels.length; i++) {
            long index = i / options.sources();
            staticFrames += isEvent(index) ? 0 : 1;
        }
        ServicePass off = pass(options, pixels, StaticSceneGate.Policy.OFF);
        ServicePass on = pass(
                options, pixels, new StaticSceneGate.Policy(Set.of(StaticSceneGate.Policy.ALL_SOURCES), threshold));
        if (off.reusedFrames() != 0) {
            throw new IllegalStateException("the gate reused " + off.reusedFrames() + " frames while off");
        }
        return new StaticSceneResult(
                options.frames(),
                threshold,
                (double) staticFrames / options.frames(),
                on.reusedFrames(),
                (double) on.reusedFrames() / options.frames(),
                off.totalNanos() / 1e9,
                on.totalNanos() / 1e9,
                1 - (double) on.totalNanos() / off.totalNanos());
    }

    private static boolean isEvent(long frameOfSource) {
        long inClip = frameOfSource % CLIP_FRAMES;
        return inClip >= EVENT_FIRST_FRAME && inClip < EVENT_FIRST_FRAME + EVENT_FRAMES;
    }

    /** Frames in production order (round robin over the sources), as {@link #produceFrames} sends them. */
    private static byte[][] staticCamera(Options options, int size) {
        SplittableRandom random = new SplittableRandom(20261206);
        byte[][] backgrounds = new byte[options.sources()][3 * size * size];
        for (byte[] background : backgrounds) {
            random.nextBytes(background);
        }
        byte[][] pixels = new byte[options.frames()][];
        int side = Math.max(1, size / 2);
        for (int i = 0; i < pixels.length; i++) {
            int s = i % options.sources();
            long index = i / options.sources();
            byte[] frame = backgrounds[s].clone();
            for (int p = 0; p < frame.length; p++) {
                int value = (frame[p] & 0xFF) + random.nextInt(3) - 1; // sensor noise of ±1 level
                frame[p] = (byte) Math.max(0, Math.min(255, value));
            }
            if (isEvent(index)) {
                // A bright square that moves from frame to frame across the background.
                int offset = (int)
                        ((index % CLIP_FRAMES - EVENT_FIRST_FRAME) * (size - side) / Math.max(1, EVENT_FRAMES - 1));
                for (int y = 0; y < side; y++) {
                    for (int x = offset; x < Math.min(size, offset + side); x++) {
                        int at = 3 * (y * size + x);
                        frame[at] = (byte) 250;
                        frame[at + 1] = (byte) 240;
                        frame[at + 2] = (byte) 20;
                    }
                }
            }
            pixels[i] = frame;
        }
        return pixels;
    }

    private ServicePass pass(Options options, byte[][] pixels, StaticSceneGate.Policy policy) {
        String prefix = "bench-" + UUID.randomUUID().toString().substring(0, 8) + ".";
        EncoderConfig config = new EncoderConfig(
                        KafkaClientSettings.of(bootstrapServers),
                        new TopicSettings(prefix, options.partitions(), 1),
                        modelDir,
                        modelOptions.device(),
                        modelOptions.intraOpThreads(),
                        options.batchSize(),
                        options.maxWait(),
                        2 * options.batchSize(),
                        options.commitInterval(),
                        prefix + "encoder",
                        "bench",
                        0)
                .withStaticScene(policy);
        Topics topics = config.topics();
        new TopicProvisioner(config.kafka(), 1, TopicProvisioner.DEFAULT_TIMEOUT).ensure(topics.all());
        try (KafkaConsumer<byte[], byte[]> probe = new KafkaConsumer<>(
                KafkaClientSettings.of(bootstrapServers).common(),
                new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            EncoderClients.awaitPartitionLeaders(
                    probe, List.of(topics.frames().name()), TopicProvisioner.DEFAULT_TIMEOUT);
        }
        produceFrames(topics, options, model.info().imageSize(), pixels);
        try (EncoderService service = new EncoderService(config, model)) {
            return throughService(topics, options.frames(), service);
        }
    }

    private double modelAlone(Options options, int size, byte[][] pixels) {
        int batch = options.batchSize();
        int frameFloats = 3 * size * size;
        ClipNormalize normalize = new ClipNormalize();
        int batches = pixels.length / batch;
        float[][] tensors = new float[batches][batch * frameFloats];
        for (int b = 0; b < batches; b++) {
            for (int i = 0; i < batch; i++) {
                normalize.normalizeInto(new RgbImage(size, size, pixels[b * batch + i]), tensors[b], i * frameFloats);
            }
        }
        model.embedFrames(tensors[0], batch); // warm-up
        model.embedFrames(tensors[1], batch);
        long start = System.nanoTime();
        for (float[] tensor : tensors) {
            model.embedFrames(tensor, batch);
        }
        return (double) batches * batch * 1e9 / (System.nanoTime() - start);
    }

    private ServicePass throughService(Topics topics, int frames, EncoderService service) {
        Map<String, Object> props =
                new HashMap<>(KafkaClientSettings.of(bootstrapServers).common());
        props.put("group.id", "bench-reader-" + UUID.randomUUID());
        props.put("auto.offset.reset", "earliest");
        props.put("enable.auto.commit", false);
        props.put("isolation.level", "read_committed");
        try (KafkaConsumer<String, EmbeddingStreamRecord> reader = new KafkaConsumer<>(
                props,
                new StringDeserializer(),
                topics.frameEmbeddings().valueSerde().deserializer())) {
            reader.subscribe(List.of(topics.frameEmbeddings().name()));
            // The reader joins its group before the service starts, so it sees the first commit when it happens.
            long joinDeadline = System.nanoTime() + OUTPUT_TIMEOUT.toNanos();
            while (reader.assignment().isEmpty()) {
                if (System.nanoTime() > joinDeadline) {
                    throw new IllegalStateException("the benchmark's reader got no partitions of "
                            + topics.frameEmbeddings().name() + " within " + OUTPUT_TIMEOUT);
                }
                reader.poll(Duration.ofMillis(50));
            }
            long started = System.nanoTime();
            service.start();
            long reused = 0;
            int seen = 0;
            int firstSeen = 0;
            long first = 0;
            long last = 0;
            long deadline = System.nanoTime() + OUTPUT_TIMEOUT.toNanos();
            while (seen < frames) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the service committed only " + seen + " of " + frames
                            + " frame embeddings within " + OUTPUT_TIMEOUT);
                }
                int embeddings = 0;
                for (ConsumerRecord<String, EmbeddingStreamRecord> record : reader.poll(Duration.ofMillis(10))) {
                    if (record.value().getPayload() instanceof FrameEmbedding embedding) {
                        embeddings++;
                        reused += embedding.getReused() ? 1 : 0;
                    }
                }
                if (embeddings == 0) {
                    continue;
                }
                long now = System.nanoTime();
                if (seen == 0) {
                    first = now;
                    firstSeen = embeddings;
                }
                seen += embeddings;
                last = now;
            }
            // All frames visible at once leave no window to time a rate (NaN); the total time still counts.
            double rate = last == first ? Double.NaN : (seen - firstSeen) * 1e9 / (last - first);
            return new ServicePass(rate, last - started, reused);
        }
    }

    private void produceFrames(Topics topics, Options options, int size, byte[][] pixels) {
        Serializer<FrameStreamRecord> values = topics.frames().valueSerde().serializer();
        String topic = topics.frames().name();
        Map<String, Object> props = KafkaClientSettings.of(bootstrapServers).producer("bench-ingest");
        props.put("max.request.size", Topics.MAX_MESSAGE_BYTES);
        long[] perSource = new long[options.sources()];
        AtomicReference<Exception> failure = new AtomicReference<>();
        Callback onFailure = (metadata, e) -> {
            if (e != null) {
                failure.compareAndSet(null, e);
            }
        };
        try (KafkaProducer<byte[], byte[]> producer =
                new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
            for (int i = 0; i < pixels.length; i++) {
                int s = i % options.sources();
                String sourceId = "bench-source-" + s;
                long index = perSource[s]++;
                SampledFrame frame = SampledFrame.newBuilder()
                        .setSourceId(sourceId)
                        .setClipIndex(index / CLIP_FRAMES)
                        .setFrameIndex(index)
                        .setPresentationTimeMicros(index * 1_000_000L)
                        .setWidth(size)
                        .setHeight(size)
                        .setPixels(ByteBuffer.wrap(pixels[i]))
                        .build();
                send(producer, topic, sourceId, values.serialize(topic, new FrameStreamRecord(frame)), onFailure);
                if ((index + 1) % CLIP_FRAMES == 0) {
                    long clip = index / CLIP_FRAMES;
                    ClipBoundary boundary = ClipBoundary.newBuilder()
                            .setSourceId(sourceId)
                            .setClipIndex(clip)
                            .setClipId(sourceId + ":" + clip * CLIP_FRAMES)
                            .setFirstFrameIndex(clip * CLIP_FRAMES)
                            .setFrameCount(CLIP_FRAMES)
                            .setStartTimeMicros(clip * CLIP_FRAMES * 1_000_000L)
                            .setEndTimeMicros((clip + 1) * CLIP_FRAMES * 1_000_000L)
                            .setThumbnailJpeg(ByteBuffer.allocate(0))
                            .build();
                    send(
                            producer,
                            topic,
                            sourceId,
                            values.serialize(topic, new FrameStreamRecord(boundary)),
                            onFailure);
                }
            }
            for (int s = 0; s < options.sources(); s++) {
                String sourceId = "bench-source-" + s;
                EndOfSource end = EndOfSource.newBuilder()
                        .setSourceId(sourceId)
                        .setReason(EndReason.COMPLETED)
                        .setTotalFrames(perSource[s])
                        .setTotalClips(perSource[s] / CLIP_FRAMES)
                        .setDurationMicros(perSource[s] * 1_000_000L)
                        .build();
                send(producer, topic, sourceId, values.serialize(topic, new FrameStreamRecord(end)), onFailure);
            }
            producer.flush();
        }
        if (failure.get() != null) {
            throw new IllegalStateException(
                    "cannot write the benchmark's frames to " + topic + ": "
                            + failure.get().getMessage(),
                    failure.get());
        }
    }

    private static void send(
            KafkaProducer<byte[], byte[]> producer, String topic, String key, byte[] value, Callback callback) {
        producer.send(new ProducerRecord<>(topic, key.getBytes(StandardCharsets.UTF_8), value), callback);
    }
}
