package io.clip4stream.model.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.clip4stream.model.spec.LinearPatch;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The original's loop over {@code model.clip.named_parameters()} in {@code main_task_retrieval.py}, name by name: the
 * expected sets are written out from that loop, not computed.
 */
class FreezeRuleTest {

    /** The embeddings and stems, which only {@code freeze_layer_num = -1} trains. */
    private static final List<String> EMBEDDINGS = List.of(
            "clip.visual.conv1.weight",
            "clip.visual.class_embedding",
            "clip.visual.positional_embedding",
            "clip.visual.ln_pre.weight",
            "clip.visual.ln_pre.bias",
            "clip.token_embedding.weight",
            "clip.positional_embedding");

    /** Blocks 0, 1, 2 and 11 of both towers. */
    private static final List<String> BLOCKS = List.of(
            "clip.visual.transformer.resblocks.0.attn.in_proj_weight",
            "clip.visual.transformer.resblocks.1.ln_1.weight",
            "clip.visual.transformer.resblocks.2.mlp.c_fc.bias",
            "clip.visual.transformer.resblocks.11.ln_2.bias",
            "clip.transformer.resblocks.0.attn.out_proj.weight",
            "clip.transformer.resblocks.1.mlp.c_proj.weight",
            "clip.transformer.resblocks.2.ln_1.bias",
            "clip.transformer.resblocks.11.attn.in_proj_bias");

    /** The top of both towers, which always trains. */
    private static final List<String> TOP = List.of(
            "clip.ln_final.weight",
            "clip.ln_final.bias",
            "clip.text_projection",
            "clip.logit_scale",
            "clip.visual.ln_post.weight",
            "clip.visual.ln_post.bias",
            "clip.visual.proj");

    private static final List<String> HEAD = List.of(
            "frame_position_embeddings.weight",
            "transformerClip.resblocks.0.attn.in_proj_weight",
            "lstm_visual.weight_ih_l0",
            "cross.embeddings.position_embeddings.weight",
            "cross.transformer.resblocks.0.ln_1.weight",
            "cross.pooler.dense.weight",
            "similarity_dense.bias");

    private static final String CONV2 = "clip.visual.conv2.weight";

    private static Set<String> frozen(FreezeRule rule, LinearPatch patch) {
        Set<String> frozen = new TreeSet<>();
        for (List<String> names : List.of(EMBEDDINGS, BLOCKS, TOP, HEAD, List.of(CONV2))) {
            for (String name : names) {
                if (!rule.isTrainable(name, patch)) {
                    frozen.add(name);
                }
            }
        }
        return frozen;
    }

    private static Set<String> setOf(List<String> first, String... more) {
        Set<String> set = new TreeSet<>(first);
        set.addAll(List.of(more));
        return set;
    }

    @Test
    void freezeZeroFreezesTheEmbeddingsAndStemsOnly() {
        // conv2 exists only in a 3D model; in 2D the loop would freeze it like conv1.
        assertEquals(setOf(EMBEDDINGS, CONV2), frozen(FreezeRule.layers(0), LinearPatch.TWO_D));
        assertEquals(
                frozen(FreezeRule.layers(0), LinearPatch.TWO_D), frozen(new FreezeRule(0, false), LinearPatch.TWO_D));
    }

    @Test
    void freezeTwoAlsoFreezesBlocksZeroAndOneOfBothTowers() {
        assertEquals(
                setOf(
                        EMBEDDINGS,
                        CONV2,
                        "clip.visual.transformer.resblocks.0.attn.in_proj_weight",
                        "clip.visual.transformer.resblocks.1.ln_1.weight",
                        "clip.transformer.resblocks.0.attn.out_proj.weight",
                        "clip.transformer.resblocks.1.mlp.c_proj.weight"),
                frozen(FreezeRule.layers(2), LinearPatch.TWO_D));
    }

    @Test
    void freezeMinusOneTrainsEverything() {
        assertEquals(Set.of(), frozen(FreezeRule.layers(-1), LinearPatch.TWO_D));
        assertEquals(Set.of(), frozen(FreezeRule.layers(-1), LinearPatch.THREE_D));
    }

    @Test
    void theThreeDPatchTrainsEveryClipParameterBecauseTheOriginalTestsFindForTruth() {
        // `name.find("conv2.")` is -1 (true) or 7 for visual.conv2.weight (true): the loop `continue`s for every name.
        assertEquals(Set.of(), frozen(FreezeRule.layers(0), LinearPatch.THREE_D));
        assertEquals(Set.of(), frozen(FreezeRule.layers(12), LinearPatch.THREE_D));
    }

    @Test
    void clipFrozenFreezesEveryClipParameterWhateverThePatchAndTrainsTheHead() {
        Set<String> clip = new TreeSet<>();
        clip.addAll(EMBEDDINGS);
        clip.addAll(BLOCKS);
        clip.addAll(TOP);
        clip.add(CONV2);

        assertEquals(clip, frozen(FreezeRule.clip(), LinearPatch.TWO_D));
        assertEquals(clip, frozen(FreezeRule.clip(), LinearPatch.THREE_D));
    }

    @Test
    void aLayerNumberBelowMinusOneIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> FreezeRule.layers(-2));
    }
}
