package io.clip4stream.app.train;

import io.clip4stream.model.preprocess.ClipNormalize;
import io.clip4stream.model.preprocess.RgbImage;
import io.clip4stream.model.sampling.FrameSelection;
import io.clip4stream.model.sampling.SlicePosition;
import io.clip4stream.model.tokenize.ClipTokenizer;
import io.clip4stream.model.train.TrainingBatch;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Captioned clips ready to be batched, captions tokenised as the query service tokenises them, and either their frames
 * decoded (and cached) and normalised as the encoder service normalises them, or their frame embeddings already
 * computed (what the index holds: head-only training needs no pixels).
 */
public final class TrainingSet {

    private final List<CaptionedClip> clips;
    private final ClipFrameReader reader;
    private final ClipTokenizer tokenizer;
    private final int maxFrames;
    private final int maxWords;
    private final Optional<FrameEmbeddings> frameEmbeddings;
    private final ClipNormalize normalize = new ClipNormalize();

    private TrainingSet(
            List<CaptionedClip> clips,
            ClipFrameReader reader,
            ClipTokenizer tokenizer,
            int maxFrames,
            int maxWords,
            Optional<FrameEmbeddings> frameEmbeddings) {
        this.clips = List.copyOf(clips);
        this.reader = reader;
        this.tokenizer = tokenizer;
        this.maxFrames = maxFrames;
        this.maxWords = maxWords;
        this.frameEmbeddings = frameEmbeddings;
    }

    /**
     * Raw frame embeddings of every clip of a set, padded to T.
     *
     * @param values {@code [N, T, D]} row-major, zeros where a clip has fewer than T frames
     * @param masks {@code [N, T]}, 1 for a real frame
     * @param dim D
     */
    public record FrameEmbeddings(float[] values, float[] masks, int dim) {}

    /**
     * A set of clips whose frame embeddings are given ({@code frames.get(i)} of clip i, in time order; more than T are
     * cut to T uniformly as the model's aggregation does): only a frozen-CLIP run can train on it.
     */
    public static TrainingSet ofFrameEmbeddings(
            List<CaptionedClip> clips, List<float[][]> frames, ClipTokenizer tokenizer, int maxFrames, int maxWords) {
        if (clips.isEmpty() || clips.size() != frames.size()) {
            throw new TrainingDataException(
                    "frame embeddings of " + frames.size() + " clips for " + clips.size() + " captioned clips");
        }
        int dim = frames.get(0)[0].length;
        float[] values = new float[clips.size() * maxFrames * dim];
        float[] masks = new float[clips.size() * maxFrames];
        FrameSelection selection = new FrameSelection(maxFrames, SlicePosition.UNIFORM);
        for (int c = 0; c < clips.size(); c++) {
            float[][] clip = frames.get(c);
            int[] kept = clip.length > maxFrames ? selection.keptPositions(clip.length) : range(clip.length);
            for (int f = 0; f < kept.length; f++) {
                float[] frame = clip[kept[f]];
                if (frame.length != dim) {
                    throw new TrainingDataException("clip " + clips.get(c).id() + " has a frame embedding of "
                            + frame.length + " values; the others have " + dim);
                }
                System.arraycopy(frame, 0, values, (c * maxFrames + f) * dim, dim);
                masks[c * maxFrames + f] = 1f;
            }
        }
        return new TrainingSet(
                clips, null, tokenizer, maxFrames, maxWords, Optional.of(new FrameEmbeddings(values, masks, dim)));
    }

    /** Returns the clips' frame embeddings when the set was made of them rather than of videos. */
    public Optional<FrameEmbeddings> frameEmbeddings() {
        return frameEmbeddings;
    }

    private static int[] range(int n) {
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            out[i] = i;
        }
        return out;
    }

    /**
     * Decodes every clip once (filling the frame cache) and keeps those with at least one frame; {@code what} names
     * the data in messages. Throws when no clip is left.
     */
    public static TrainingSet prepare(
            String what,
            List<CaptionedClip> all,
            ClipFrameReader reader,
            ClipTokenizer tokenizer,
            int maxFrames,
            int maxWords,
            Consumer<String> progress) {
        List<CaptionedClip> kept = new ArrayList<>();
        List<String> empty = new ArrayList<>();
        for (int i = 0; i < all.size(); i++) {
            CaptionedClip clip = all.get(i);
            if (reader.frames(clip).isEmpty()) {
                empty.add(clip.id());
            } else {
                kept.add(clip);
            }
            if ((i + 1) % 50 == 0 || i + 1 == all.size()) {
                progress.accept(what + ": decoded " + (i + 1) + "/" + all.size() + " clips");
            }
        }
        if (!empty.isEmpty()) {
            progress.accept(what + ": " + empty.size() + " clips hold no frame in their time range and are left out"
                    + " (first: " + empty.get(0) + ")");
        }
        if (kept.isEmpty()) {
            throw new TrainingDataException(
                    what + ": zero clips left after leaving out " + empty.size() + " clips without frames");
        }
        return new TrainingSet(kept, reader, tokenizer, maxFrames, maxWords, Optional.empty());
    }

    /** Returns the clips. */
    public List<CaptionedClip> clips() {
        return clips;
    }

    /** Returns the number of clips. */
    public int size() {
        return clips.size();
    }

    /** Returns T. */
    public int maxFrames() {
        return maxFrames;
    }

    /** Returns the token ids of {@code caption}, padded to L. */
    public long[] tokens(String caption) {
        int[] ids = tokenizer.tokenize(caption, maxWords).inputIds();
        long[] out = new long[ids.length];
        for (int i = 0; i < ids.length; i++) {
            out[i] = ids[i];
        }
        return out;
    }

    /** Returns the normalised frames {@code [T, 3, S, S]} of clip {@code index} and its mask {@code [T]}. */
    public void pixelsInto(int index, float[] pixels, int pixelOffset, float[] mask, int maskOffset) {
        if (reader == null) {
            throw new IllegalStateException("this set holds frame embeddings, not frames: train it with CLIP frozen");
        }
        List<RgbImage> frames = reader.frames(clips.get(index));
        int frameLength = 3 * reader.imageSize() * reader.imageSize();
        for (int f = 0; f < frames.size() && f < maxFrames; f++) {
            normalize.normalizeInto(frames.get(f), pixels, pixelOffset + f * frameLength);
            mask[maskOffset + f] = 1f;
        }
    }

    /** Returns the batch of clips {@code clipIndices}, clip i with its caption {@code captionIndices[i]}. */
    public TrainingBatch.Pixels batch(int[] clipIndices, int[] captionIndices) {
        if (reader == null) {
            throw new IllegalStateException("this set holds frame embeddings, not frames: train it with CLIP frozen");
        }
        int size = clipIndices.length;
        int s = reader.imageSize();
        int clipLength = maxFrames * 3 * s * s;
        float[] pixels = new float[size * clipLength];
        float[] mask = new float[size * maxFrames];
        long[][] ids = new long[size][];
        for (int b = 0; b < size; b++) {
            pixelsInto(clipIndices[b], pixels, b * clipLength, mask, b * maxFrames);
            CaptionedClip clip = clips.get(clipIndices[b]);
            ids[b] = tokens(clip.captions().get(captionIndices[b]));
        }
        return new TrainingBatch.Pixels(pixels, maxFrames, s, mask, ids);
    }
}
