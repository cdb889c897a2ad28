package io.clip4stream.alert.stream;

import io.clip4stream.model.Clip4ClipModel;
import io.clip4stream.model.tokenize.ClipTokenizer;
import io.clip4stream.model.tokenize.TokenizedText;
import java.util.Arrays;
import java.util.Objects;

/** The text tower of a loaded model, the same tokenization and EOT embedding the search path uses. */
public final class ModelTextEncoder implements TextEncoder {
    private final Clip4ClipModel model;
    private final ClipTokenizer tokenizer;

    /** An encoder over {@code model} (owned by the caller) with the bundled vocabulary. */
    public ModelTextEncoder(Clip4ClipModel model) {
        this.model = Objects.requireNonNull(model, "model");
        this.tokenizer = ClipTokenizer.withBundledVocabulary();
    }

    @Override
    public String modelId() {
        return model.info().modelId();
    }

    @Override
    public String modelVersion() {
        return model.info().modelVersion();
    }

    @Override
    public float[] encodeRaw(String text) {
        TokenizedText tokens = tokenizer.tokenize(text, model.info().maxWords());
        // The text tower's mask is causal: encoding only the real tokens gives the same EOT embedding.
        int length = tokens.length();
        return model.encodeTextRaw(Arrays.copyOf(tokens.inputIds(), length), Arrays.copyOf(tokens.inputMask(), length));
    }
}
