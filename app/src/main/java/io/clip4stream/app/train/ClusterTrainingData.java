package io.clip4stream.app.train;

import io.clip4stream.runtime.kafka.KafkaClientSettings;
import io.clip4stream.schemas.avro.Caption;
import io.clip4stream.schemas.avro.ClipVector;
import io.clip4stream.schemas.frames.ClipFrames;
import io.clip4stream.schemas.topic.Topic;
import io.clip4stream.schemas.topic.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

/**
 * Training data from what the cluster already indexed: the captions topic and the frame embeddings the clip-vectors
 * topic keeps with every clip. Nothing is decoded or re-encoded; each compacted topic is read from the beginning to the
 * end offsets it had when reading began, {@code read_committed}, keeping the latest value of each key.
 */
public final class ClusterTrainingData {

    private ClusterTrainingData() {}

    /**
     * What was read.
     *
     * @param captions every caption
     * @param clips the clips indexed by the requested model version, with their frame embeddings
     * @param clipsPerVersion how many clips each model version has indexed (to explain an empty selection)
     */
    public record Read(
            List<CaptionJoin.CaptionRange> captions,
            List<CaptionJoin.IndexedClip> clips,
            Map<String, Integer> clipsPerVersion) {}

    /** Reads the captions and the clips of {@code modelVersion} from the cluster. */
    public static Read read(
            KafkaClientSettings kafka,
            Topics topics,
            String modelVersion,
            Duration timeout,
            Consumer<String> progress) {
        Map<String, Caption> captions = latest(kafka, topics.captions(), timeout);
        progress.accept("read " + captions.size() + " captions from "
                + topics.captions().name());
        Map<String, ClipVector> vectors = latest(kafka, topics.clipVectors(), timeout);
        Map<String, Integer> perVersion = new TreeMap<>(vectors.values().stream()
                .collect(Collectors.groupingBy(v -> v.getModelVersion().toString(), Collectors.summingInt(v -> 1))));
        List<CaptionJoin.IndexedClip> clips = new ArrayList<>();
        for (ClipVector vector : vectors.values()) {
            // A record without frames or with an empty range cannot be joined; it is skipped, not fatal.
            if (vector.getModelVersion().toString().equals(modelVersion)
                    && !ClipFrames.isEmpty(vector)
                    && vector.getEndTimeMicros() > vector.getStartTimeMicros()) {
                clips.add(indexedClip(vector));
            }
        }
        progress.accept("read " + vectors.size() + " clips from "
                + topics.clipVectors().name() + ", " + clips.size() + " of model version " + modelVersion);
        List<CaptionJoin.CaptionRange> ranges = captions.values().stream()
                .map(ClusterTrainingData::captionRange)
                .toList();
        return new Read(ranges, List.copyOf(clips), perVersion);
    }

    /**
     * Returns the joined clips as captioned clips, in join order; a clip's video names its source and range (no file is
     * read: the frames are already embedded).
     */
    public static List<CaptionedClip> captionedClips(List<CaptionJoin.Joined> joined) {
        return joined.stream()
                .map(j -> new CaptionedClip(
                        j.id(),
                        java.nio.file.Path.of(j.sourceId().replace('/', '_')),
                        j.startMicros() / 1e6,
                        j.endMicros() / 1e6,
                        j.captions()))
                .toList();
    }

    /** Returns a training set of {@code clips} (some of {@code joined}'s) with their frame embeddings from the join. */
    public static TrainingSet trainingSet(
            List<CaptionedClip> clips,
            List<CaptionJoin.Joined> joined,
            io.clip4stream.model.tokenize.ClipTokenizer tokenizer,
            int maxFrames,
            int maxWords) {
        Map<String, float[][]> frames = new java.util.HashMap<>();
        joined.forEach(j -> frames.put(j.id(), j.frameEmbeddings()));
        return TrainingSet.ofFrameEmbeddings(
                clips, clips.stream().map(c -> frames.get(c.id())).toList(), tokenizer, maxFrames, maxWords);
    }

    /** Returns a caption record as the join takes it. */
    public static CaptionJoin.CaptionRange captionRange(Caption caption) {
        return new CaptionJoin.CaptionRange(
                caption.getCaptionId().toString(),
                caption.getSourceId().toString(),
                caption.getStartMicros(),
                caption.getEndMicros(),
                caption.getText().toString());
    }

    /** Returns a clip record as the join takes it. */
    public static CaptionJoin.IndexedClip indexedClip(ClipVector vector) {
        float[][] frames = ClipFrames.of(vector);
        return new CaptionJoin.IndexedClip(
                vector.getClipId().toString(),
                vector.getSourceId().toString(),
                vector.getStartTimeMicros(),
                vector.getEndTimeMicros(),
                frames);
    }

    /** Reads {@code topic} whole as of now and returns the latest value per key (a tombstone removes the key). */
    static <V> Map<String, V> latest(KafkaClientSettings kafka, Topic<String, V> topic, Duration timeout) {
        Map<String, V> latest = new LinkedHashMap<>();
        String id = "clip4stream-train-" + UUID.randomUUID();
        try (KafkaConsumer<String, V> consumer = new KafkaConsumer<>(
                kafka.consumer(id, id),
                topic.keySerde().deserializer(),
                topic.valueSerde().deserializer())) {
            List<TopicPartition> partitions = new ArrayList<>();
            var infos = consumer.partitionsFor(topic.name(), timeout);
            if (infos == null || infos.isEmpty()) {
                throw new TrainingDataException(
                        "topic " + topic.name() + " does not exist on " + kafka.bootstrapServers()
                                + " (is this the cluster that indexed the clips? check --bootstrap and CLIP4S_TOPIC_PREFIX)");
            }
            infos.forEach(p -> partitions.add(new TopicPartition(p.topic(), p.partition())));
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            // The end as of now: records written while training reads belong to the next run.
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, timeout);
            long deadline = System.nanoTime() + timeout.toNanos();
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                if (System.nanoTime() > deadline) {
                    throw new TrainingDataException("reading " + topic.name() + " from " + kafka.bootstrapServers()
                            + " did not reach its end offsets " + end + " within " + timeout);
                }
                for (ConsumerRecord<String, V> record : consumer.poll(Duration.ofMillis(200))) {
                    if (record.offset() >= end.get(new TopicPartition(record.topic(), record.partition()))) {
                        continue;
                    }
                    if (record.value() == null) {
                        latest.remove(record.key());
                    } else {
                        latest.put(record.key(), record.value());
                    }
                }
            }
        }
        return latest;
    }
}
