package io.clip4stream.index.http;

import io.clip4stream.schemas.avro.ClipVector;
import io.clip4stream.schemas.frames.ClipFrames;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * The body answering {@code POST /v1/frames}.
 *
 * @param instance the answering instance's {@code host:port}
 * @param modelVersion the model version whose clips were looked up
 * @param partitions this instance's active shards
 * @param clips the clips asked for that this instance holds in that version, in request order
 */
public record FramesResponse(String instance, String modelVersion, List<Integer> partitions, List<Clip> clips) {

    /**
     * One clip's frame embeddings.
     *
     * @param clipId the clip
     * @param modelVersion the model version of its embeddings
     * @param frameEmbeddings as JSON numbers (null when sent as {@code frameEmbeddingsF32le})
     * @param frameEmbeddingsF32le as base64 of little-endian float32, frame after frame (null when sent as numbers)
     * @param frameEmbeddingDim values per frame in {@code frameEmbeddingsF32le} (null when that is absent)
     * @param frameEmbeddingsPacked as base64 packed frames in the clip's stored encoding (null unless asked for)
     */
    public record Clip(
            String clipId,
            String modelVersion,
            List<List<Float>> frameEmbeddings,
            String frameEmbeddingsF32le,
            Integer frameEmbeddingDim,
            String frameEmbeddingsPacked) {

        /** The frames of {@code clip}, as numbers or as base64 float32 when {@code binary}. */
        public static Clip of(ClipVector clip, boolean binary) {
            return of(clip, binary ? KnnRequest.FrameWire.F32LE_BASE64 : KnnRequest.FrameWire.FLOATS);
        }

        /** The frames of {@code clip}, sent as {@code wire} says. */
        public static Clip of(ClipVector clip, KnnRequest.FrameWire wire) {
            String clipId = clip.getClipId().toString();
            String version = clip.getModelVersion().toString();
            return switch (wire) {
                case FLOATS -> new Clip(clipId, version, ClipFrames.lists(clip), null, null, null);
                case F32LE_BASE64 -> {
                    float[][] frames = ClipFrames.of(clip);
                    yield new Clip(
                            clipId,
                            version,
                            null,
                            KnnResponse.Hit.float32Base64(frames),
                            KnnResponse.Hit.dim(frames),
                            null);
                }
                case PACKED_BASE64 -> new Clip(clipId, version, null, null, null, KnnResponse.Hit.packedBase64(clip));
            };
        }
    }

    /**
     * The clips of {@code clipIds} in {@code modelVersion} that {@code versions} (a clip id to its stored versions)
     * finds; a clip held only in other versions is left out, as a clip not held at all.
     */
    public static List<Clip> select(
            List<String> clipIds, String modelVersion, Function<String, List<ClipVector>> versions, boolean binary) {
        return select(
                clipIds,
                modelVersion,
                versions,
                binary ? KnnRequest.FrameWire.F32LE_BASE64 : KnnRequest.FrameWire.FLOATS);
    }

    /** As {@link #select(List, String, Function, boolean)}, the frames sent as {@code wire} says. */
    public static List<Clip> select(
            List<String> clipIds,
            String modelVersion,
            Function<String, List<ClipVector>> versions,
            KnnRequest.FrameWire wire) {
        List<Clip> found = new ArrayList<>();
        for (String clipId : clipIds) {
            Optional<ClipVector> clip = versions.apply(clipId).stream()
                    .filter(v -> v.getModelVersion().toString().equals(modelVersion))
                    .findFirst();
            clip.ifPresent(c -> found.add(Clip.of(c, wire)));
        }
        return found;
    }
}
