package io.clip4stream.encoder;

import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The static-scene gate: for the sources its {@link Policy} names, a frame whose preprocessed (normalised) pixels differ
 * from the last <em>encoded</em> frame of the same source by less than the threshold (mean absolute difference over
 * the model's input tensor) is not run through the model; it reuses that frame's embedding. Comparing with the last
 * encoded frame, not the last frame, bounds the drift: a slowly changing scene is encoded again once it has moved by
 * the threshold.
 *
 * <p>State is kept per source id and never shared: a frame is only ever compared with, and given the embedding of, a
 * frame of its own source. {@link #forget} drops a source (its stream ended), {@link #clear} every source (the encoder
 * re-reads from committed offsets, so references to frames it will encode again must not survive). Pure logic, no
 * Kafka; one thread (the encode loop's) uses it.
 */
public final class StaticSceneGate {

    /**
     * Which sources the gate applies to, and how close a frame must be to reuse.
     *
     * @param sources the source ids gated; {@link #ALL_SOURCES} among them gates every source; empty: the gate is off
     * @param threshold largest mean absolute difference of normalised pixels (CLIP-normalised units: one 8-bit level is
     *     about 0.015) below which a frame reuses the reference's embedding
     */
    public record Policy(Set<String> sources, double threshold) {
        /** The source list entry that gates every source. */
        public static final String ALL_SOURCES = "*";

        /** The default threshold: about 1.3 8-bit levels of mean absolute difference, below sensor noise. */
        public static final double DEFAULT_THRESHOLD = 0.02;

        /** The gate off: every frame is encoded. */
        public static final Policy OFF = new Policy(Set.of(), DEFAULT_THRESHOLD);

        /** Copies the sources; requires a positive, finite threshold. */
        public Policy {
            sources = Set.copyOf(sources);
            if (!(threshold > 0) || Double.isInfinite(threshold)) {
                throw new IllegalArgumentException("the static-scene threshold must be positive; was " + threshold);
            }
        }

        /** Whether the gate applies to any source. */
        public boolean enabled() {
            return !sources.isEmpty();
        }

        /** Whether the gate applies to {@code sourceId}. */
        public boolean appliesTo(String sourceId) {
            return sources.contains(ALL_SOURCES) || sources.contains(sourceId);
        }
    }

    /** The embedding of an encoded frame, set once the model has produced it. */
    public static final class Reference {
        private float[] embedding;

        /** Records the model's embedding of the frame. */
        public void complete(float[] vector) {
            embedding = Objects.requireNonNull(vector, "vector");
        }

        /** The embedding; fails when the frame has not been embedded yet (a bug in the order of work). */
        public float[] embedding() {
            if (embedding == null) {
                throw new IllegalStateException("the reference frame has not been embedded yet");
            }
            return embedding;
        }
    }

    /**
     * What to do with one frame.
     *
     * @param reused true: take {@code reference}'s embedding; false: encode the frame and complete {@code reference}
     * @param reference the reference frame's embedding slot (this frame's own when it is encoded)
     * @param difference the mean absolute difference from the reference ({@code NaN} when there was none)
     */
    public record Decision(boolean reused, Reference reference, double difference) {}

    private record Last(String modelVersion, float[] pixels, Reference reference) {}

    private final Policy policy;
    private final Map<String, Last> lastEncoded = new HashMap<>();

    /** A gate applying {@code policy}. */
    public StaticSceneGate(Policy policy) {
        this.policy = Objects.requireNonNull(policy, "policy");
    }

    /** The policy. */
    public Policy policy() {
        return policy;
    }

    /**
     * Decides for the frame of {@code sourceId} whose normalised pixels are {@code tensor[offset, offset + length)}:
     * reuse when the source is gated and the last encoded frame of the same source is closer than the threshold,
     * else encode (and the frame becomes the source's reference).
     */
    public Decision decide(String sourceId, float[] tensor, int offset, int length) {
        return decide(sourceId, "", tensor, offset, length);
    }

    /**
     * As {@link #decide(String, float[], int, int)} for a frame that {@code modelVersion} encodes: a reference encoded
     * by another model (the active version changed) is never reused, its vector being of another encoder.
     */
    public Decision decide(String sourceId, String modelVersion, float[] tensor, int offset, int length) {
        Last last = lastEncoded.get(sourceId);
        double difference = Double.NaN;
        if (policy.appliesTo(sourceId)
                && last != null
                && last.pixels().length == length
                && last.modelVersion().equals(modelVersion)) {
            difference = meanAbsoluteDifference(last.pixels(), tensor, offset, length);
            if (difference < policy.threshold()) {
                return new Decision(true, last.reference(), difference);
            }
        }
        Reference own = new Reference();
        if (policy.appliesTo(sourceId)) {
            float[] pixels = new float[length];
            System.arraycopy(tensor, offset, pixels, 0, length);
            lastEncoded.put(sourceId, new Last(modelVersion, pixels, own));
        }
        return new Decision(false, own, difference);
    }

    /** Forgets {@code sourceId}'s reference (its stream ended): its next frame is encoded. */
    public void forget(String sourceId) {
        lastEncoded.remove(sourceId);
    }

    /** Forgets every reference. */
    public void clear() {
        lastEncoded.clear();
    }

    /** Sources holding a reference (for tests and metrics). */
    public int sources() {
        return lastEncoded.size();
    }

    /** The mean of {@code |reference[i] - tensor[offset + i]|} over {@code length} values. */
    static double meanAbsoluteDifference(float[] reference, float[] tensor, int offset, int length) {
        double sum = 0;
        for (int i = 0; i < length; i++) {
            sum += Math.abs(reference[i] - tensor[offset + i]);
        }
        return sum / length;
    }
}
