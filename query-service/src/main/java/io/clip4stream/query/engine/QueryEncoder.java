package io.clip4stream.query.engine;

import io.clip4stream.model.Clip4ClipModel;
import io.clip4stream.model.tokenize.ClipTokenizer;
import io.clip4stream.model.tokenize.TokenizedText;
import java.util.Arrays;
import java.util.Objects;

/**
 * Turns query text into CLIP4Clip's token layout and runs the text tower once: the raw embedding feeds the tight
 * head, its L2-normalised form is the first-stage query vector.
 */
public final class QueryEncoder {
    private final Clip4ClipModel model;
    private final ClipTokenizer tokenizer;
    private final int maxWords;
    private final TextEncodingCache cache;

    /**
     * An encoder for {@code model}, tokenizing with {@code tokenizer} to the model's {@code max_words}, keeping the
     * last {@value TextEncodingCache#DEFAULT_CAPACITY} encodings.
     */
    public QueryEncoder(Clip4ClipModel model, ClipTokenizer tokenizer) {
        this(model, tokenizer, new TextEncodingCache(TextEncodingCache.DEFAULT_CAPACITY));
    }

    /** An encoder for {@code model} that keeps its encodings in {@code cache}. */
    public QueryEncoder(Clip4ClipModel model, ClipTokenizer tokenizer, TextEncodingCache cache) {
        this.model = Objects.requireNonNull(model, "model");
        this.tokenizer = Objects.requireNonNull(tokenizer, "tokenizer");
        this.cache = Objects.requireNonNull(cache, "cache");
        this.maxWords = model.info().maxWords();
    }

    /** Returns the cache of recent encodings (for its hit ratio in {@code /metrics}). */
    public TextEncodingCache cache() {
        return cache;
    }

    /**
     * One encoded query.
     *
     * @param tokens the caption as the model sees it
     * @param raw the raw (not normalised) text embedding, the tight head's input
     * @param vector the unit-length text embedding, the first-stage query vector
     */
    public record Encoded(TokenizedText tokens, float[] raw, float[] vector) {
        /** Returns a copy whose arrays the caller may change without touching a cached encoding. */
        Encoded copy() {
            return new Encoded(tokens, raw.clone(), vector.clone());
        }
    }

    /** Tokenizes and encodes {@code text}, or returns a copy of its cached encoding. */
    public Encoded encode(String text) {
        return cache.get(model.info().modelVersion(), text, this::encodeNow).copy();
    }

    private Encoded encodeNow(String text) {
        TokenizedText tokens = tokenizer.tokenize(text, maxWords);
        // The text tower's mask is causal, so the EOT output does not depend on the zero padding after it: encoding
        // only the real tokens gives the same embedding for a fraction of the work on short queries.
        int length = tokens.length();
        float[] raw = model.encodeTextRaw(
                Arrays.copyOf(tokens.inputIds(), length), Arrays.copyOf(tokens.inputMask(), length));
        return new Encoded(tokens, raw, unit(raw));
    }

    private static float[] unit(float[] raw) {
        double norm = 0;
        for (float v : raw) {
            norm += (double) v * v;
        }
        double scale = norm > 0 ? 1 / Math.sqrt(norm) : 0;
        float[] unit = new float[raw.length];
        for (int d = 0; d < raw.length; d++) {
            unit[d] = (float) (raw[d] * scale);
        }
        return unit;
    }
}
