package io.clip4stream.schemas.frames;

import io.clip4stream.schemas.avro.ClipVector;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The one reader and writer of a {@link ClipVector}'s frame embeddings: they are either float32 lists in
 * {@code frameEmbeddings} (every record written before packing existed, and float32 clips) or {@link PackedFrames} in
 * {@code packedFrameEmbeddings}, named by {@code frameEncoding}. Read them only through here, so both forms work.
 */
public final class ClipFrames {

    private ClipFrames() {}

    /**
     * The frame embeddings of {@code clip}, decoded when packed.
     *
     * @throws IllegalArgumentException when the packed bytes are malformed or disagree with {@code frameEncoding}
     */
    public static float[][] of(ClipVector clip) {
        ByteBuffer packed = packed(clip);
        if (packed != null) {
            FrameEncoding named = encoding(clip);
            try {
                FrameEncoding found = PackedFrames.encoding(packed);
                if (found != named) {
                    throw new IllegalArgumentException(
                            "packed as " + found.configName() + " but named " + named.configName());
                }
                return PackedFrames.unpack(packed);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(
                        "clip " + clip.getClipId() + " has malformed packed frame embeddings: " + e.getMessage(), e);
            }
        }
        List<List<Float>> lists = clip.getFrameEmbeddings();
        float[][] frames = new float[lists.size()][];
        for (int f = 0; f < frames.length; f++) {
            List<Float> list = lists.get(f);
            float[] frame = new float[list.size()];
            for (int i = 0; i < frame.length; i++) {
                frame[i] = list.get(i);
            }
            frames[f] = frame;
        }
        return frames;
    }

    /** The frame embeddings of {@code clip} as lists of numbers (for JSON). */
    public static List<List<Float>> lists(ClipVector clip) {
        if (packed(clip) == null) {
            return clip.getFrameEmbeddings();
        }
        float[][] frames = of(clip);
        List<List<Float>> lists = new ArrayList<>(frames.length);
        for (float[] frame : frames) {
            List<Float> list = new ArrayList<>(frame.length);
            for (float v : frame) {
                list.add(v);
            }
            lists.add(list);
        }
        return lists;
    }

    /** How many frame embeddings {@code clip} carries, without decoding them. */
    public static int count(ClipVector clip) {
        ByteBuffer packed = packed(clip);
        return packed != null
                ? PackedFrames.frameCount(packed)
                : clip.getFrameEmbeddings().size();
    }

    /** Whether {@code clip} carries no frame embeddings. */
    public static boolean isEmpty(ClipVector clip) {
        return count(clip) == 0;
    }

    /** The encoding {@code clip} names ({@code float32} for records written before the field existed). */
    public static FrameEncoding encoding(ClipVector clip) {
        CharSequence name = clip.getFrameEncoding();
        return name == null ? FrameEncoding.FLOAT32 : FrameEncoding.fromName(name.toString());
    }

    /**
     * The packed bytes of {@code clip} (a read-only view), or {@code null} when its frames are float32 lists. A caller
     * that stores or sends the compact form copies these instead of re-encoding.
     */
    public static ByteBuffer packed(ClipVector clip) {
        ByteBuffer packed = clip.getPackedFrameEmbeddings();
        return packed == null || !packed.hasRemaining() ? null : packed.asReadOnlyBuffer();
    }

    /**
     * Sets {@code frames} on {@code builder} in {@code encoding}: float32 as lists (what every reader understands,
     * including services that predate packing), float16 and int8 packed with the float list left empty.
     */
    public static ClipVector.Builder set(ClipVector.Builder builder, float[][] frames, FrameEncoding encoding) {
        Objects.requireNonNull(frames, "frames");
        Objects.requireNonNull(encoding, "encoding");
        if (encoding == FrameEncoding.FLOAT32) {
            List<List<Float>> lists = new ArrayList<>(frames.length);
            for (float[] frame : frames) {
                List<Float> list = new ArrayList<>(frame.length);
                for (float v : frame) {
                    list.add(v);
                }
                lists.add(list);
            }
            return builder.setFrameEmbeddings(lists)
                    .setFrameEncoding(encoding.configName())
                    .setPackedFrameEmbeddings(ByteBuffer.allocate(0));
        }
        return setPacked(builder, PackedFrames.pack(frames, encoding));
    }

    /** Sets already packed frames (as {@link PackedFrames#pack} writes them) on {@code builder}, lists left empty. */
    public static ClipVector.Builder setPacked(ClipVector.Builder builder, byte[] packed) {
        FrameEncoding encoding = PackedFrames.encoding(ByteBuffer.wrap(packed));
        return builder.setFrameEmbeddings(List.of())
                .setFrameEncoding(encoding.configName())
                .setPackedFrameEmbeddings(ByteBuffer.wrap(packed));
    }

    /** A copy of {@code clip} with its frame embeddings re-encoded in {@code encoding}. */
    public static ClipVector withEncoding(ClipVector clip, FrameEncoding encoding) {
        return set(ClipVector.newBuilder(clip), of(clip), encoding).build();
    }
}
