package io.clip4stream.encoder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.clip4stream.runtime.config.Env;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The static-scene gate: reuse only below the threshold, only within one source, and only where it is turned on. */
class StaticSceneGateTest {
    private static final int FLOATS = 12;
    private static final double THRESHOLD = 0.05;

    private static float[] frame(float value) {
        float[] pixels = new float[FLOATS];
        Arrays.fill(pixels, value);
        return pixels;
    }

    /** Frames one after another, as the encoder's batch tensor holds them. */
    private static float[] batch(float[]... frames) {
        float[] out = new float[frames.length * FLOATS];
        for (int i = 0; i < frames.length; i++) {
            System.arraycopy(frames[i], 0, out, i * FLOATS, FLOATS);
        }
        return out;
    }

    private static StaticSceneGate.Decision decide(StaticSceneGate gate, String source, float[] pixels) {
        return gate.decide(source, pixels, 0, FLOATS);
    }

    @Test
    void reusesTheLastEncodedFrameOnlyBelowTheThreshold() {
        StaticSceneGate gate = new StaticSceneGate(new StaticSceneGate.Policy(Set.of("cam-1"), THRESHOLD));
        StaticSceneGate.Decision first = decide(gate, "cam-1", frame(0.5f));
        assertFalse(first.reused(), "nothing to compare with yet");
        first.reference().complete(new float[] {1, 2});

        StaticSceneGate.Decision close = decide(gate, "cam-1", frame(0.54f));
        assertTrue(close.reused());
        assertSame(first.reference(), close.reference());
        assertEquals(0.04, close.difference(), 1e-6);
        assertEquals(1, close.reference().embedding()[0]);

        StaticSceneGate.Decision atThreshold = decide(gate, "cam-1", frame(0.55f));
        assertFalse(atThreshold.reused(), "a difference of exactly the threshold is encoded");
        assertNotSame(first.reference(), atThreshold.reference());

        // The reference is now the frame at 0.55: a frame at 0.58 is close to it, though 0.08 from the first.
        assertTrue(decide(gate, "cam-1", frame(0.58f)).reused());
    }

    @Test
    void comparesWithTheLastEncodedFrameSoSlowDriftIsEncodedAgain() {
        StaticSceneGate gate = new StaticSceneGate(new StaticSceneGate.Policy(Set.of("cam-1"), THRESHOLD));
        assertFalse(decide(gate, "cam-1", frame(0f)).reused());
        assertTrue(decide(gate, "cam-1", frame(0.03f)).reused());
        assertTrue(decide(gate, "cam-1", frame(0.045f)).reused());
        assertFalse(
                decide(gate, "cam-1", frame(0.06f)).reused(),
                "0.06 from the encoded frame, though 0.015 from the last");
    }

    @Test
    void neverReusesAcrossSources() {
        StaticSceneGate gate =
                new StaticSceneGate(new StaticSceneGate.Policy(Set.of(StaticSceneGate.Policy.ALL_SOURCES), THRESHOLD));
        StaticSceneGate.Decision a = decide(gate, "cam-a", frame(0.2f));
        StaticSceneGate.Decision b = decide(gate, "cam-b", frame(0.2f));
        assertFalse(b.reused(), "identical pixels of another source are encoded");
        assertNotSame(a.reference(), b.reference());
        // Interleaved: each source reuses its own reference only.
        assertSame(a.reference(), decide(gate, "cam-a", frame(0.2f)).reference());
        assertSame(b.reference(), decide(gate, "cam-b", frame(0.2f)).reference());
        assertEquals(2, gate.sources());
    }

    @Test
    void aSourceThatEndedStartsAfreshWhileOtherSourcesKeepTheirReference() {
        StaticSceneGate gate = new StaticSceneGate(new StaticSceneGate.Policy(Set.of("cam-a", "cam-b"), THRESHOLD));
        decide(gate, "cam-a", frame(0.2f));
        StaticSceneGate.Decision b = decide(gate, "cam-b", frame(0.7f));
        gate.forget("cam-a"); // cam-a's stream ended (its EndOfSource)
        assertFalse(decide(gate, "cam-a", frame(0.2f)).reused(), "a new stream of cam-a reuses nothing of the old");
        assertSame(b.reference(), decide(gate, "cam-b", frame(0.7f)).reference());
        gate.clear();
        assertFalse(decide(gate, "cam-b", frame(0.7f)).reused(), "after a rewind everything is encoded again");
    }

    @Test
    void isOffByDefaultAndForSourcesNotNamed() {
        StaticSceneGate.Policy defaults = EncoderConfig.fromEnv(new Env(Map.of("CLIP4S_ENCODER_INSTANCE_ID", "enc-1")))
                .staticScene();
        assertFalse(defaults.enabled());
        StaticSceneGate off = new StaticSceneGate(defaults);
        assertFalse(decide(off, "cam-1", frame(0.1f)).reused());
        assertFalse(decide(off, "cam-1", frame(0.1f)).reused(), "identical frames are encoded when the gate is off");
        assertEquals(0, off.sources(), "no pixels kept for sources the gate does not apply to");

        StaticSceneGate some = new StaticSceneGate(new StaticSceneGate.Policy(Set.of("cam-2"), THRESHOLD));
        decide(some, "cam-1", frame(0.1f));
        assertFalse(decide(some, "cam-1", frame(0.1f)).reused());
        decide(some, "cam-2", frame(0.1f));
        assertTrue(decide(some, "cam-2", frame(0.1f)).reused());
    }

    @Test
    void readsEachFrameOfABatchTensorAtItsOffset() {
        StaticSceneGate gate = new StaticSceneGate(new StaticSceneGate.Policy(Set.of("cam-1"), THRESHOLD));
        float[] tensor = batch(frame(0.1f), frame(0.9f), frame(0.11f), frame(0.12f));
        assertFalse(gate.decide("cam-1", tensor, 0, FLOATS).reused());
        assertFalse(gate.decide("cam-1", tensor, FLOATS, FLOATS).reused());
        assertFalse(gate.decide("cam-1", tensor, 2 * FLOATS, FLOATS).reused(), "0.11 is far from 0.9");
        assertTrue(gate.decide("cam-1", tensor, 3 * FLOATS, FLOATS).reused(), "0.12 is close to 0.11");
    }

    @Test
    void theSettingsNameTheSourcesAndTheThreshold() {
        EncoderConfig config = EncoderConfig.fromEnv(new Env(Map.of(
                "CLIP4S_ENCODER_INSTANCE_ID", "enc-1",
                "CLIP4S_ENCODER_STATIC_SCENE_SOURCES", " cam-1 , cam-2,",
                "CLIP4S_ENCODER_STATIC_SCENE_THRESHOLD", "0.03")));
        assertEquals(Set.of("cam-1", "cam-2"), config.staticScene().sources());
        assertEquals(0.03, config.staticScene().threshold());
        assertThrows(IllegalArgumentException.class, () -> new StaticSceneGate.Policy(Set.of("x"), 0));
        assertThrows(IllegalStateException.class, () -> new StaticSceneGate.Reference().embedding());
    }
}
