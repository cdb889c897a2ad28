package io.clip4stream.model.spec;

import java.util.Objects;

/**
 * Everything needed to build a CLIP4Clip network: encoder shapes derived from the checkpoint plus the run-time settings
 * of config.json.
 *
 * @param config the model directory's config.json
 * @param vision the frame encoder
 * @param text the caption encoder
 * @param heads the similarity heads the checkpoint supports
 */
public record ModelSpec(ModelConfig config, VisionSpec vision, TextSpec text, HeadSpec heads) {

    /** Validates that the pieces fit together. */
    public ModelSpec {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(vision, "vision");
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(heads, "heads");
        if (vision.embedDim() != text.embedDim()) {
            throw new IllegalArgumentException(
                    "vision embed dim " + vision.embedDim() + " differs from text embed dim " + text.embedDim());
        }
    }

    /** Returns the joint embedding dimension D shared by frames, clips and captions. */
    public int embedDim() {
        return vision.embedDim();
    }
}
