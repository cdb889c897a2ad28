package io.clip4stream.alert.stream;

import io.clip4stream.alert.match.TightStage;
import java.util.List;

/** The model's trained tight head, scoring standing queries against one clip's frames; thread-safe. */
public interface TightScorer {

    /** How candidates are chosen and tight logits fused with first-stage scores. */
    TightStage stage();

    /**
     * The tight logit of each query against the clip, in order.
     *
     * @param rawTexts raw (not normalised) text embeddings, as {@link TextEncoder#encodeRaw} returns them
     * @param frames the clip's frame embeddings (non-empty)
     */
    float[] logits(List<float[]> rawTexts, float[][] frames);
}
