package io.clip4stream.encoder;

import io.clip4stream.schemas.avro.ClipBoundary;
import io.clip4stream.schemas.avro.EmbeddingStreamRecord;
import io.clip4stream.schemas.avro.EndOfSource;
import io.clip4stream.schemas.avro.EndReason;
import io.clip4stream.schemas.avro.FrameEmbedding;
import io.clip4stream.schemas.avro.FrameStreamRecord;
import io.clip4stream.schemas.avro.SampledFrame;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.utils.Utils;

/** Frame streams of test sources (frames, a boundary every {@link #CLIP} frames, an end marker), and their identities. */
final class SourceStreams {

    static final int CLIP = 4;

    record Input(String key, FrameStreamRecord value) {}

    private SourceStreams() {}

    /** Deterministic pixels of one frame. */
    static byte[] pixels(String sourceId, long frameIndex, int size) {
        byte[] pixels = new byte[3 * size * size];
        new SplittableRandom(sourceId.hashCode() * 31L + frameIndex).nextBytes(pixels);
        return pixels;
    }

    static SampledFrame frame(String sourceId, long frameIndex, int size) {
        return SampledFrame.newBuilder()
                .setSourceId(sourceId)
                .setClipIndex(frameIndex / CLIP)
                .setFrameIndex(frameIndex)
                .setPresentationTimeMicros(frameIndex * 500_000L)
                .setWidth(size)
                .setHeight(size)
                .setPixels(ByteBuffer.wrap(pixels(sourceId, frameIndex, size)))
                .build();
    }

    /** One source's records: its frames, a boundary after every CLIP frames, then the end marker. */
    static List<Input> source(String sourceId, int frames, int size) {
        List<Input> records = new ArrayList<>();
        for (int i = 0; i < frames; i++) {
            records.add(new Input(sourceId, new FrameStreamRecord(frame(sourceId, i, size))));
            if ((i + 1) % CLIP == 0) {
                long clip = i / CLIP;
                records.add(new Input(
                        sourceId,
                        new FrameStreamRecord(ClipBoundary.newBuilder()
                                .setSourceId(sourceId)
                                .setClipIndex(clip)
                                .setClipId(sourceId + ":" + clip * CLIP)
                                .setFirstFrameIndex(clip * CLIP)
                                .setFrameCount(CLIP)
                                .setStartTimeMicros(clip * CLIP * 500_000L)
                                .setEndTimeMicros((clip + 1) * CLIP * 500_000L)
                                .setThumbnailJpeg(ByteBuffer.wrap(new byte[] {(byte) 0xFF, (byte) 0xD8}))
                                .build())));
            }
        }
        records.add(new Input(
                sourceId,
                new FrameStreamRecord(EndOfSource.newBuilder()
                        .setSourceId(sourceId)
                        .setReason(EndReason.COMPLETED)
                        .setTotalFrames(frames)
                        .setTotalClips(frames / CLIP)
                        .setDurationMicros(frames * 500_000L)
                        .build())));
        return records;
    }

    /** Round-robin over the sources, each source's records staying in order. */
    static List<Input> interleave(List<List<Input>> sources) {
        List<Input> out = new ArrayList<>();
        int longest = sources.stream().mapToInt(List::size).max().orElse(0);
        for (int i = 0; i < longest; i++) {
            for (List<Input> source : sources) {
                if (i < source.size()) {
                    out.add(source.get(i));
                }
            }
        }
        return out;
    }

    /** Source ids such that every one of {@code partitions} partitions holds {@code perPartition} of them. */
    static List<String> keysCoveringPartitions(String prefix, int partitions, int perPartition) {
        Map<Integer, List<String>> byPartition = new LinkedHashMap<>();
        for (int i = 0; byPartition.values().stream().mapToInt(List::size).sum() < partitions * perPartition; i++) {
            String key = prefix + i;
            int partition = Utils.toPositive(Utils.murmur2(key.getBytes(StandardCharsets.UTF_8))) % partitions;
            List<String> keys = byPartition.computeIfAbsent(partition, p -> new ArrayList<>());
            if (keys.size() < perPartition) {
                keys.add(key);
            }
        }
        return byPartition.values().stream().flatMap(List::stream).toList();
    }

    /** The identity an output record must carry for an input payload: frames become embeddings of the same frame. */
    static String identity(Object payload) {
        return switch (payload) {
            case SampledFrame f ->
                "frame " + f.getSourceId() + "#" + f.getFrameIndex() + " clip " + f.getClipIndex() + " t="
                        + f.getPresentationTimeMicros();
            case FrameEmbedding e ->
                "frame " + e.getSourceId() + "#" + e.getFrameIndex() + " clip " + e.getClipIndex() + " t="
                        + e.getPresentationTimeMicros();
            case ClipBoundary b -> "boundary " + b.getClipId() + " " + b.getFirstFrameIndex() + "+" + b.getFrameCount();
            case EndOfSource e -> "end " + e.getSourceId() + " " + e.getTotalFrames();
            default -> throw new IllegalArgumentException("unexpected payload " + payload);
        };
    }

    /** Expected output identities per key, in order. */
    static Map<String, List<String>> expected(List<Input> inputs) {
        return byKey(inputs, Input::key, in -> identity(in.value().getPayload()));
    }

    /** Actual output identities per key, in order. */
    static Map<String, List<String>> actual(List<ConsumerRecord<String, EmbeddingStreamRecord>> records) {
        return byKey(records, ConsumerRecord::key, r -> identity(r.value().getPayload()));
    }

    private static <T> Map<String, List<String>> byKey(
            List<T> items, Function<T, String> key, Function<T, String> identity) {
        Map<String, List<String>> out = new java.util.TreeMap<>();
        items.forEach(item ->
                out.computeIfAbsent(key.apply(item), k -> new ArrayList<>()).add(identity.apply(item)));
        return out;
    }
}
