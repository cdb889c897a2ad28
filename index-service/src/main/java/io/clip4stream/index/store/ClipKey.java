package io.clip4stream.index.store;

import io.clip4stream.schemas.avro.ClipVector;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * Identifies a stored clip vector: a clip is kept once per model version, so the key is both.
 *
 * @param modelVersion the model version that made the vector
 * @param clipId the clip
 */
public record ClipKey(String modelVersion, String clipId) {

    /** Validates the key. */
    public ClipKey {
        Objects.requireNonNull(modelVersion, "modelVersion");
        Objects.requireNonNull(clipId, "clipId");
    }

    /** The key of {@code clip}. */
    public static ClipKey of(ClipVector clip) {
        return new ClipKey(clip.getModelVersion().toString(), clip.getClipId().toString());
    }

    /** The key as one string (model version, a NUL, clip id): the changelog key and the index's unique term. */
    public String asString() {
        return modelVersion + '\u0000' + clipId;
    }

    /** Parses the bytes written by {@link #toBytes()}. */
    public static ClipKey fromBytes(byte[] bytes) {
        String text = new String(bytes, StandardCharsets.UTF_8);
        int separator = text.indexOf('\u0000');
        if (separator < 0) {
            throw new IllegalArgumentException("not a clip key (no model version separator): " + text);
        }
        return new ClipKey(text.substring(0, separator), text.substring(separator + 1));
    }

    /** The UTF-8 bytes of {@link #asString()}. */
    public byte[] toBytes() {
        return asString().getBytes(StandardCharsets.UTF_8);
    }
}
