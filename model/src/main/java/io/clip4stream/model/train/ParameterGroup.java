package io.clip4stream.model.train;

import java.util.List;

/**
 * The four optimizer groups of the original's {@code prep_optimizer}: CLIP or head, with or without weight decay.
 *
 * <p>No decay is decided by NAME, as the original does: a name containing {@code bias}, {@code LayerNorm.bias} or
 * {@code LayerNorm.weight}. CLIP's LayerNorms are named {@code ln_*}, so their weights DO decay, as in the original.
 * CLIP's parameters are those whose name contains {@code clip.}; they learn at {@code lr × coef_lr}.
 */
public enum ParameterGroup {
    /** {@code clip.*} with weight decay. */
    CLIP_DECAY(true, true),
    /** The head with weight decay. */
    HEAD_DECAY(false, true),
    /** {@code clip.*} without weight decay. */
    CLIP_NO_DECAY(true, false),
    /** The head without weight decay. */
    HEAD_NO_DECAY(false, false);

    private static final List<String> NO_DECAY = List.of("bias", "LayerNorm.bias", "LayerNorm.weight");

    private final boolean clip;
    private final boolean decay;

    ParameterGroup(boolean clip, boolean decay) {
        this.clip = clip;
        this.decay = decay;
    }

    /** Returns the group of the parameter called {@code name}. */
    public static ParameterGroup of(String name) {
        boolean decay = NO_DECAY.stream().noneMatch(name::contains);
        boolean clip = name.contains("clip.");
        if (clip) {
            return decay ? CLIP_DECAY : CLIP_NO_DECAY;
        }
        return decay ? HEAD_DECAY : HEAD_NO_DECAY;
    }

    /** Returns whether the group holds CLIP's parameters (learning rate {@code lr × coef_lr}). */
    public boolean clip() {
        return clip;
    }

    /** Returns whether the group's parameters decay. */
    public boolean decay() {
        return decay;
    }
}
