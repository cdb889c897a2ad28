package io.clip4stream.alert.stream;

import io.clip4stream.alert.match.TightStage;
import io.clip4stream.model.Clip4ClipModel;
import io.clip4stream.model.tokenize.ClipTokenizer;
import io.clip4stream.model.tokenize.TokenizedText;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The text tower of a loaded model, the same tokenization and EOT embedding the search path uses, and its tight head
 * when it was trained and the model records how the query path fuses it with the first stage.
 */
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

    @Override
    public Optional<TightScorer> tightScorer() {
        if (!model.hasTightHead() || !model.info().tightHeadTrained()) {
            return Optional.empty();
        }
        // Without a recorded positive weight the query path orders by the tight logit alone, which has no scale a
        // threshold rule could be calibrated in: such a model matches on the first stage only.
        double weight = model.card().rerankFirstStageWeight().orElse(0);
        if (!(weight > 0)) {
            return Optional.empty();
        }
        TightStage stage = new TightStage(weight, TightStage.DEFAULT_MARGIN);
        return Optional.of(new TightScorer() {
            @Override
            public TightStage stage() {
                return stage;
            }

            @Override
            public float[] logits(List<float[]> rawTexts, float[][] frames) {
                float[] out = new float[rawTexts.size()];
                float[][][] clip = {frames};
                for (int i = 0; i < out.length; i++) {
                    out[i] = model.tightScores(rawTexts.get(i), clip)[0];
                }
                return out;
            }
        });
    }
}
