package io.clip4stream.alert.stream;

/** Encodes standing-query text with one model version; thread-safe. */
public interface TextEncoder {

    /** Id of the model, as clip vectors name it. */
    String modelId();

    /** Version of the model, as clip vectors name it. */
    String modelVersion();

    /** The raw (not normalised) text embedding of {@code text}. */
    float[] encodeRaw(String text);

    /** The model's trained tight head with its fusion weight, when it has both; empty: first-stage matching only. */
    default java.util.Optional<TightScorer> tightScorer() {
        return java.util.Optional.empty();
    }
}
