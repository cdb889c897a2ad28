package io.clip4stream.index.bench;

import io.clip4stream.index.lucene.HnswSettings;
import io.clip4stream.index.lucene.LuceneClipStore;
import io.clip4stream.runtime.kafka.KafkaClientSettings;
import io.clip4stream.runtime.kafka.TopicProvisioner;
import io.clip4stream.schemas.avro.ClipVector;
import io.clip4stream.schemas.frames.ClipFrames;
import io.clip4stream.schemas.frames.FrameEncoding;
import io.clip4stream.schemas.topic.Topic;
import io.clip4stream.schemas.topic.Topics;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.LogDirDescription;
import org.apache.kafka.clients.admin.ReplicaInfo;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;

/**
 * Bytes per clip where clips are kept: the Lucene index (the real {@link LuceneClipStore}, committed and force-merged to
 * one segment, every file of the directory counted) and the compacted {@code clip-vectors} topic (the log segments the
 * broker holds for one replica, as {@code describeLogDirs} reports them, next to the serialized key and value bytes),
 * for each frame encoding, with the same clips in each.
 */
public final class StorageBenchmark {

    /** Seed of the synthetic embeddings; each clip's frames come from {@code SEED + clip}. */
    private static final long SEED = 20_261_206L;

    /** Sources the clips are spread over, as a handful of cameras would. */
    private static final int SOURCES = 8;

    private static final Duration ADMIN_TIMEOUT = Duration.ofSeconds(30);

    private StorageBenchmark() {}

    /**
     * What to measure.
     *
     * @param clips clips written in each encoding
     * @param dimension width of frame embeddings and clip vectors
     * @param framesPerClip frame embeddings per clip
     * @param thumbnailJpeg the thumbnail every clip carries (as the ingest pipeline makes them)
     * @param encodings the encodings to measure, each in its own index and topic
     * @param bootstrapServers the broker to write the topics to
     * @param workDir where the indexes are written
     */
    public record Options(
            int clips,
            int dimension,
            int framesPerClip,
            byte[] thumbnailJpeg,
            List<FrameEncoding> encodings,
            String bootstrapServers,
            Path workDir) {

        /** Validates the options. */
        public Options {
            if (clips < 1 || dimension < 1 || framesPerClip < 1) {
                throw new IllegalArgumentException("clips, dimension and framesPerClip must be positive; were " + clips
                        + ", " + dimension + ", " + framesPerClip);
            }
            thumbnailJpeg = thumbnailJpeg.clone();
            encodings = List.copyOf(encodings);
            if (encodings.isEmpty()) {
                throw new IllegalArgumentException("at least one encoding is needed");
            }
            Objects.requireNonNull(bootstrapServers, "bootstrapServers");
            Objects.requireNonNull(workDir, "workDir");
        }
    }

    /**
     * The figures of one encoding.
     *
     * @param frameEncoding the encoding's name
     * @param indexBytesPerClip index directory bytes over clips, after a commit and a force-merge to one segment
     * @param topicBytesPerClip the topic's log segment bytes (one replica) over clips
     * @param topicRecordBytesPerClip serialized key and value bytes over clips (without Kafka's batch framing)
     * @param frameBytesPerClip the packed frame embeddings alone (float32: as packed float32, 10 bytes of header)
     */
    public record Figures(
            String frameEncoding,
            double indexBytesPerClip,
            double topicBytesPerClip,
            double topicRecordBytesPerClip,
            double frameBytesPerClip) {}

    /**
     * A run's figures.
     *
     * @param clips clips per encoding
     * @param dimension embedding width
     * @param framesPerClip frames per clip
     * @param thumbnailBytes the thumbnail's size
     * @param encodings one entry per measured encoding, in the order asked
     */
    public record Result(int clips, int dimension, int framesPerClip, int thumbnailBytes, List<Figures> encodings) {

        /** The figures of {@code encoding}. */
        public Figures of(FrameEncoding encoding) {
            return encodings.stream()
                    .filter(f -> f.frameEncoding().equals(encoding.configName()))
                    .findFirst()
                    .orElseThrow(() -> new IllegalArgumentException(encoding.configName() + " was not measured"));
        }
    }

    /** Writes the clips in each encoding and measures them; progress goes to {@code progress}. */
    public static Result run(Options options, PrintWriter progress) {
        KafkaClientSettings kafka = KafkaClientSettings.of(options.bootstrapServers());
        List<Figures> figures = new ArrayList<>();
        for (FrameEncoding encoding : options.encodings()) {
            progress.printf("storage: %d clips as %s...%n", options.clips(), encoding.configName());
            progress.flush();
            Path dir = options.workDir().resolve("index-" + encoding.configName());
            LuceneClipStore store = new LuceneClipStore(
                    "bench-storage-" + encoding.configName(),
                    HnswSettings.defaults(),
                    LuceneClipStore.DEFAULT_REFRESH_INTERVAL,
                    LuceneClipStore.DEFAULT_COMMIT_INTERVAL);
            Topics topics = Topics.withPrefix("bench-storage-" + encoding.configName() + "-", 1);
            Topic<String, ClipVector> topic = topics.clipVectors();
            new TopicProvisioner(kafka, 1, TopicProvisioner.DEFAULT_TIMEOUT).ensure(List.of(topic));
            Map<String, Object> producerConfig = kafka.producer("bench-storage");
            // The index service writes clip-vectors from Kafka Streams, whose producer keeps Kafka's default: no
            // compression (float bytes barely compress anyway).
            producerConfig.put("compression.type", "none");
            long recordBytes = 0;
            long frameBytes = 0;
            store.open(dir);
            try (KafkaProducer<String, ClipVector> producer = new KafkaProducer<>(
                    producerConfig,
                    topic.keySerde().serializer(),
                    topic.valueSerde().serializer())) {
                for (int i = 0; i < options.clips(); i++) {
                    ClipVector clip = clip(options, i, encoding);
                    store.put(clip);
                    String key = clip.getClipId().toString();
                    recordBytes += topic.keySerde().serializer().serialize(topic.name(), key).length
                            + topic.valueSerde().serializer().serialize(topic.name(), clip).length;
                    ByteBuffer packed = ClipFrames.packed(clip);
                    frameBytes += packed != null
                            ? packed.remaining()
                            : io.clip4stream.schemas.frames.PackedFrames.packedBytes(
                                    options.framesPerClip(), options.dimension(), FrameEncoding.FLOAT32);
                    producer.send(new ProducerRecord<>(topic.name(), key, clip));
                }
                producer.flush();
                store.forceMerge(1);
            } finally {
                store.close();
            }
            long indexBytes = directoryBytes(dir);
            long logBytes = logBytes(kafka, new TopicPartition(topic.name(), 0));
            double n = options.clips();
            figures.add(
                    new Figures(encoding.configName(), indexBytes / n, logBytes / n, recordBytes / n, frameBytes / n));
        }
        return new Result(
                options.clips(),
                options.dimension(),
                options.framesPerClip(),
                options.thumbnailJpeg().length,
                List.copyOf(figures));
    }

    /**
     * Clip {@code index}: embedding-like frames ({@link EmbeddingLikeVectors}), the vector their normalised mean (as
     * meanP makes it), frames stored in {@code encoding}.
     */
    static ClipVector clip(Options options, int index, FrameEncoding encoding) {
        float[][] frames = EmbeddingLikeVectors.synthetic(options.framesPerClip(), options.dimension(), SEED + index);
        float[] mean = new float[options.dimension()];
        for (float[] frame : frames) {
            for (int d = 0; d < mean.length; d++) {
                mean[d] += frame[d];
            }
        }
        double norm = 0;
        for (float v : mean) {
            norm += v * v;
        }
        List<Float> vector = new ArrayList<>(mean.length);
        for (float v : mean) {
            vector.add((float) (v / Math.sqrt(norm)));
        }
        String source = "cam-" + (index % SOURCES);
        long clipIndex = index / SOURCES;
        long start = clipIndex * options.framesPerClip() * 1_000_000L;
        ClipVector.Builder builder = ClipVector.newBuilder()
                .setClipId(source + ":" + clipIndex * options.framesPerClip())
                .setSourceId(source)
                .setClipIndex(clipIndex)
                .setStartTimeMicros(start)
                .setEndTimeMicros(start + options.framesPerClip() * 1_000_000L)
                .setTenant("default")
                .setTags(List.of())
                .setThumbnailJpeg(ByteBuffer.wrap(options.thumbnailJpeg()))
                .setModelId("bench-storage")
                .setModelVersion("1")
                .setAggregation("meanP")
                .setVector(vector)
                .setIndexedAtMillis(1_700_000_000_000L + index);
        return ClipFrames.set(builder, frames, encoding).build();
    }

    private static long directoryBytes(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile)
                    .filter(f -> !f.getFileName().toString().equals("write.lock"))
                    .mapToLong(f -> {
                        try {
                            return Files.size(f);
                        } catch (IOException e) {
                            throw new UncheckedIOException("cannot size " + f, e);
                        }
                    })
                    .sum();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir, e);
        }
    }

    /** The bytes of {@code partition}'s log on its replicas, over the replica count: one replica's share. */
    private static long logBytes(KafkaClientSettings kafka, TopicPartition partition) {
        try (Admin admin = Admin.create(kafka.admin("bench-storage-admin"))) {
            List<Integer> brokers =
                    admin.describeCluster().nodes().get().stream().map(Node::id).toList();
            Map<Integer, Map<String, LogDirDescription>> dirs =
                    admin.describeLogDirs(brokers).allDescriptions().get();
            long bytes = 0;
            int replicas = 0;
            for (Map<String, LogDirDescription> byDir : dirs.values()) {
                for (LogDirDescription description : byDir.values()) {
                    ReplicaInfo info = description.replicaInfos().get(partition);
                    if (info != null) {
                        bytes += info.size();
                        replicas++;
                    }
                }
            }
            if (replicas == 0) {
                throw new IllegalStateException("no broker reports a log of " + partition);
            }
            return bytes / replicas;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while sizing " + partition, e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot size the log of " + partition, e.getCause());
        }
    }

    /** Prints the figures as a table, float32 first as the baseline. */
    public static void printTable(Result result, String chosen, PrintWriter out) {
        out.printf(
                "storage: %d clips, width %d, %d frames a clip, %d-byte thumbnail (index: committed, force-merged to"
                        + " one segment; topic: log segment bytes of one replica)%n",
                result.clips(), result.dimension(), result.framesPerClip(), result.thumbnailBytes());
        out.printf(
                "%-9s %14s %14s %16s %14s%n",
                "encoding", "index B/clip", "topic B/clip", "record B/clip", "frames B/clip");
        for (Figures f : result.encodings()) {
            out.printf(
                    "%-9s %14.0f %14.0f %16.0f %14.0f%s%n",
                    f.frameEncoding(),
                    f.indexBytesPerClip(),
                    f.topicBytesPerClip(),
                    f.topicRecordBytesPerClip(),
                    f.frameBytesPerClip(),
                    f.frameEncoding().equals(chosen) ? "  <- chosen" : "");
        }
        out.flush();
    }
}
