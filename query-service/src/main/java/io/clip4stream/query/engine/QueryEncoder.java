package io.clip4stream.query.engine;

import io.clip4stream.model.Clip4ClipModel;
import io.clip4stream.model.tokenize.ClipTokenizer;
import io.clip4stream.model.tokenize.TokenizedText;
import java.util.Objects;

/** Turns query text into CLIP4Clip's token layout and its L2-normalised text embedding. */
public final class QueryEncoder {
    private final Clip4ClipModel model;
    private final ClipTokenizer tokenizer;
    private final int maxWords;

    /** An encoder for {@code model}, tokenizing with {@code tokenizer} to the model's {@code max_words}. */
    public QueryEncoder(Clip4ClipModel model, ClipTokenizer tokenizer) {
        this.model = Objects.requireNonNull(model, "model");
        this.tokenizer = Objects.requireNonNull(tokenizer, "tokenizer");
        this.maxWords = model.info().maxWords();
    }

    /**
     * One encoded query.
     *
     * @param tokens the caption as the model sees it (kept for the tight head)
     * @param vector the unit-length text embedding
     */
    public record Encoded(TokenizedText tokens, float[] vector) {}

    /** Tokenizes and encodes {@code text}. */
    public Encoded encode(String text) {
        TokenizedText tokens = tokenizer.tokenize(text, maxWords);
        return new Encoded(tokens, model.encodeText(tokens.inputIds(), tokens.inputMask()));
    }
}
