package io.clip4stream.model.train;

import io.clip4stream.model.spec.LinearPatch;

/**
 * Which parameters train: the original's {@code freeze_layer_num} rule over CLIP's parameters, or every {@code clip.*}
 * parameter frozen (head-only training). The head's own parameters always train.
 *
 * @param freezeLayerNum CLIP blocks below this index stay frozen, together with the embeddings; -1 freezes nothing
 * @param clipFrozen whether every {@code clip.*} parameter is frozen (then {@code freezeLayerNum} is ignored)
 */
public record FreezeRule(int freezeLayerNum, boolean clipFrozen) {

    /** The original's default, {@code freeze_layer_num = 0}: CLIP's embeddings, {@code conv1} and {@code ln_pre}. */
    public static final int DEFAULT_FREEZE_LAYER_NUM = 0;

    private static final String CLIP_PREFIX = "clip.";

    /** Validates the layer number. */
    public FreezeRule {
        if (freezeLayerNum < -1) {
            throw new IllegalArgumentException(
                    "freeze layer number must be -1 (nothing frozen) or more, got " + freezeLayerNum);
        }
    }

    /** Returns the rule {@code freeze_layer_num = n}. */
    public static FreezeRule layers(int n) {
        return new FreezeRule(n, false);
    }

    /** Returns the rule that freezes all of CLIP, so that only the head learns. */
    public static FreezeRule clip() {
        return new FreezeRule(DEFAULT_FREEZE_LAYER_NUM, true);
    }

    /**
     * Returns whether the parameter called {@code name} (a CLIP4Clip state-dict name) trains.
     *
     * <p>This is {@code main_task_retrieval.py}'s loop over {@code model.clip.named_parameters()}, including its
     * 3D-patch branch, which keeps every CLIP parameter trainable because it tests {@code name.find("conv2.")} for
     * truth (-1, "not found", is true in Python): reproduced as written so that a 3D model trains as the original's.
     */
    public boolean isTrainable(String name, LinearPatch patch) {
        if (!name.startsWith(CLIP_PREFIX)) {
            return true;
        }
        if (clipFrozen) {
            return false;
        }
        if (freezeLayerNum == -1) {
            return true;
        }
        String local = name.substring(CLIP_PREFIX.length());
        if (local.startsWith("ln_final.")
                || local.startsWith("text_projection")
                || local.startsWith("logit_scale")
                || local.startsWith("visual.ln_post.")
                || local.startsWith("visual.proj")) {
            return true;
        }
        if (local.startsWith("visual.transformer.resblocks.") || local.startsWith("transformer.resblocks.")) {
            String rest = local.substring(local.indexOf(".resblocks.") + ".resblocks.".length());
            int layer = Integer.parseInt(rest.substring(0, rest.indexOf('.')));
            if (layer >= freezeLayerNum) {
                return true;
            }
        }
        // The original's `name.find("conv2.")` is truthy unless the local name starts with "conv2.", which none does.
        return patch == LinearPatch.THREE_D && !local.startsWith("conv2.");
    }
}
