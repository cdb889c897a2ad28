package io.clip4stream.alert.stream;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/** A text encoder that maps known phrases to fixed vectors and counts how often it was asked. */
final class FakeTextEncoder implements TextEncoder {
    private final String version;
    private final Map<String, float[]> vectors;
    private final AtomicInteger calls = new AtomicInteger();
    private final Optional<TightScorer> tight;

    FakeTextEncoder(String version, Map<String, float[]> vectors) {
        this(version, vectors, Optional.empty());
    }

    FakeTextEncoder(String version, Map<String, float[]> vectors, Optional<TightScorer> tight) {
        this.version = version;
        this.vectors = Map.copyOf(vectors);
        this.tight = tight;
    }

    @Override
    public Optional<TightScorer> tightScorer() {
        return tight;
    }

    @Override
    public String modelId() {
        return "fake";
    }

    @Override
    public String modelVersion() {
        return version;
    }

    @Override
    public float[] encodeRaw(String text) {
        calls.incrementAndGet();
        float[] vector = vectors.get(text);
        if (vector == null) {
            throw new IllegalArgumentException("the fake encoder does not know '" + text + "'");
        }
        return vector.clone();
    }

    int calls() {
        return calls.get();
    }
}
