package io.clip4stream.app.train;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Joins captions to the indexed clips overlapping their time ranges: a caption's training clip is the frames, of every
 * clip of its source, whose sampling slot overlaps the caption's range, in time order. Captions of one source and range
 * share one training clip. Pure: the clips and captions come from the caller (the cluster, or a test).
 */
public final class CaptionJoin {

    private CaptionJoin() {}

    /**
     * An indexed clip with its frame embeddings, as the clip-vectors topic holds it.
     *
     * @param clipId the clip's id
     * @param sourceId its source
     * @param startMicros its start in the source's presentation time
     * @param endMicros its end (exclusive)
     * @param frameEmbeddings its raw frame embeddings in time order, sampled evenly over the clip
     */
    public record IndexedClip(
            String clipId, String sourceId, long startMicros, long endMicros, float[][] frameEmbeddings) {

        /** Checks the range and that there are frames. */
        public IndexedClip {
            Objects.requireNonNull(clipId, "clipId");
            Objects.requireNonNull(sourceId, "sourceId");
            if (endMicros <= startMicros || frameEmbeddings.length == 0) {
                throw new IllegalArgumentException("clip " + clipId + " has range " + startMicros + " to " + endMicros
                        + " µs and " + frameEmbeddings.length + " frame embeddings");
            }
        }

        /** Returns the sampling slot {@code [start, end)} of frame {@code i}: the clip's range cut in equal parts. */
        long[] slot(int i) {
            long length = endMicros - startMicros;
            int n = frameEmbeddings.length;
            return new long[] {startMicros + length * i / n, startMicros + length * (i + 1) / n};
        }
    }

    /**
     * A caption of a time range of a source.
     *
     * @param captionId its id
     * @param sourceId the source
     * @param startMicros the range's start
     * @param endMicros the range's end (exclusive)
     * @param text the caption
     */
    public record CaptionRange(String captionId, String sourceId, long startMicros, long endMicros, String text) {}

    /**
     * A training clip: the frames of one source and range with the captions of that range.
     *
     * @param id {@code source@start-end} in microseconds
     * @param sourceId the source
     * @param startMicros the range's start
     * @param endMicros the range's end
     * @param captions the captions of the range, in caption id order
     * @param frameEmbeddings the frames whose slots overlap the range, in time order
     */
    public record Joined(
            String id,
            String sourceId,
            long startMicros,
            long endMicros,
            List<String> captions,
            float[][] frameEmbeddings) {}

    /**
     * What the join made.
     *
     * @param clips the training clips
     * @param unmatched one line per caption that no indexed frame overlaps, naming it and its range
     */
    public record Result(List<Joined> clips, List<String> unmatched) {

        /** Returns how many captions the training clips hold. */
        public int captionCount() {
            return clips.stream().mapToInt(c -> c.captions().size()).sum();
        }
    }

    /** Joins {@code captions} to {@code clips}; a caption without any overlapping frame is reported, not fatal. */
    public static Result join(Collection<CaptionRange> captions, Collection<IndexedClip> clips) {
        Map<String, List<IndexedClip>> bySource = new LinkedHashMap<>();
        for (IndexedClip clip : clips) {
            bySource.computeIfAbsent(clip.sourceId(), s -> new ArrayList<>()).add(clip);
        }
        bySource.values().forEach(list -> list.sort(Comparator.comparingLong(IndexedClip::startMicros)));
        // Sorted by source and range so the training set (and its batches) do not depend on the topic's order.
        Map<String, List<CaptionRange>> byRange = new TreeMap<>();
        captions.stream()
                .sorted(Comparator.comparing(CaptionRange::captionId))
                .forEach(c -> byRange.computeIfAbsent(rangeId(c), k -> new ArrayList<>())
                        .add(c));
        List<Joined> joined = new ArrayList<>();
        List<String> unmatched = new ArrayList<>();
        for (Map.Entry<String, List<CaptionRange>> range : byRange.entrySet()) {
            CaptionRange first = range.getValue().get(0);
            List<float[]> frames = new ArrayList<>();
            for (IndexedClip clip : bySource.getOrDefault(first.sourceId(), List.of())) {
                for (int i = 0; i < clip.frameEmbeddings().length; i++) {
                    long[] slot = clip.slot(i);
                    if (slot[0] < first.endMicros() && slot[1] > first.startMicros()) {
                        frames.add(clip.frameEmbeddings()[i]);
                    }
                }
            }
            if (frames.isEmpty()) {
                for (CaptionRange caption : range.getValue()) {
                    unmatched.add(caption.captionId() + " (" + caption.sourceId() + " " + seconds(caption.startMicros())
                            + "-" + seconds(caption.endMicros())
                            + " s): no indexed clip of the base model overlaps it");
                }
                continue;
            }
            joined.add(new Joined(
                    range.getKey(),
                    first.sourceId(),
                    first.startMicros(),
                    first.endMicros(),
                    range.getValue().stream().map(CaptionRange::text).toList(),
                    frames.toArray(new float[0][])));
        }
        return new Result(List.copyOf(joined), List.copyOf(unmatched));
    }

    private static String rangeId(CaptionRange caption) {
        return caption.sourceId() + "@" + caption.startMicros() + "-" + caption.endMicros();
    }

    private static String seconds(long micros) {
        return String.format(java.util.Locale.ROOT, "%.3f", micros / 1e6);
    }
}
