package io.clip4stream.app.train;

import io.clip4stream.encoder.StaticSceneGate;
import java.util.Arrays;
import java.util.Objects;

/**
 * Embeds a clip's frames as the encoder service does with its static-scene gate on: a frame whose normalised pixels
 * differ from its source's last encoded frame by less than the threshold takes that frame's embedding instead of being
 * encoded; counts what it reused, so an evaluation can report the share next to what it cost in retrieval.
 */
public final class GatedFrameEmbedder {

    /** The model's frame encoder: {@code count} frames of normalised pixels, laid end to end, to embeddings. */
    @FunctionalInterface
    public interface FrameEncoder {
        /** Embeds {@code count} frames of {@code pixels}. */
        float[][] embed(float[] pixels, int count);
    }

    private final StaticSceneGate gate;
    private long frames;
    private long reused;

    /** An embedder applying {@code policy}. */
    public GatedFrameEmbedder(StaticSceneGate.Policy policy) {
        this.gate = new StaticSceneGate(Objects.requireNonNull(policy, "policy"));
    }

    /**
     * The embeddings of the {@code count} frames of {@code sourceId} in {@code pixels} (each {@code frameLength} floats,
     * in time order), encoding only the frames the gate does not reuse, in one call of {@code encoder}.
     */
    public float[][] embed(String sourceId, float[] pixels, int count, int frameLength, FrameEncoder encoder) {
        StaticSceneGate.Decision[] decisions = new StaticSceneGate.Decision[count];
        float[] toEncode = new float[count * frameLength];
        int encoded = 0;
        for (int f = 0; f < count; f++) {
            decisions[f] = gate.decide(sourceId, pixels, f * frameLength, frameLength);
            if (!decisions[f].reused()) {
                System.arraycopy(pixels, f * frameLength, toEncode, encoded * frameLength, frameLength);
                encoded++;
            }
        }
        float[][] vectors =
                encoded == 0 ? new float[0][] : encoder.embed(Arrays.copyOf(toEncode, encoded * frameLength), encoded);
        int next = 0;
        float[][] out = new float[count][];
        for (int f = 0; f < count; f++) {
            if (!decisions[f].reused()) {
                decisions[f].reference().complete(vectors[next++]);
            }
            out[f] = decisions[f].reference().embedding();
        }
        frames += count;
        reused += count - encoded;
        return out;
    }

    /** Frames embedded so far. */
    public long frames() {
        return frames;
    }

    /** Of those, frames that took an earlier frame's embedding. */
    public long reused() {
        return reused;
    }
}
