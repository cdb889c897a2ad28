package io.clip4stream.model.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The groups of the original's {@code prep_optimizer}, which decides by substrings of the parameter's name. */
class ParameterGroupTest {

    @Test
    void clipLayerNormWeightsDecayBecauseCLIPNamesThemLn() {
        assertEquals(ParameterGroup.CLIP_DECAY, ParameterGroup.of("clip.ln_final.weight"));
        assertEquals(ParameterGroup.CLIP_DECAY, ParameterGroup.of("clip.visual.ln_pre.weight"));
        assertEquals(ParameterGroup.CLIP_DECAY, ParameterGroup.of("clip.visual.transformer.resblocks.3.ln_2.weight"));
    }

    @Test
    void clipBiasesDoNotDecay() {
        assertEquals(
                ParameterGroup.CLIP_NO_DECAY,
                ParameterGroup.of("clip.visual.transformer.resblocks.0.attn.in_proj_bias"));
        assertEquals(ParameterGroup.CLIP_NO_DECAY, ParameterGroup.of("clip.ln_final.bias"));
        assertEquals(ParameterGroup.CLIP_NO_DECAY, ParameterGroup.of("clip.transformer.resblocks.11.mlp.c_fc.bias"));
    }

    @Test
    void clipWeightsEmbeddingsAndTheLogitScaleDecay() {
        assertEquals(ParameterGroup.CLIP_DECAY, ParameterGroup.of("clip.visual.conv1.weight"));
        assertEquals(ParameterGroup.CLIP_DECAY, ParameterGroup.of("clip.visual.proj"));
        assertEquals(ParameterGroup.CLIP_DECAY, ParameterGroup.of("clip.token_embedding.weight"));
        assertEquals(ParameterGroup.CLIP_DECAY, ParameterGroup.of("clip.positional_embedding"));
        assertEquals(ParameterGroup.CLIP_DECAY, ParameterGroup.of("clip.logit_scale"));
        // A DistributedDataParallel model prefixes "module."; "clip." is still in the name.
        assertEquals(ParameterGroup.CLIP_DECAY, ParameterGroup.of("module.clip.text_projection"));
    }

    @Test
    void theHeadIsNotClipEvenWhereItsNameSaysClip() {
        // "transformerClip." holds "Clip." but not "clip.": the seqTransf blocks learn at the head's rate.
        assertEquals(ParameterGroup.HEAD_DECAY, ParameterGroup.of("transformerClip.resblocks.0.ln_1.weight"));
        assertEquals(ParameterGroup.HEAD_NO_DECAY, ParameterGroup.of("transformerClip.resblocks.0.ln_1.bias"));
        assertEquals(ParameterGroup.HEAD_DECAY, ParameterGroup.of("frame_position_embeddings.weight"));
        assertEquals(ParameterGroup.HEAD_DECAY, ParameterGroup.of("cross.pooler.dense.weight"));
        assertEquals(ParameterGroup.HEAD_NO_DECAY, ParameterGroup.of("cross.pooler.dense.bias"));
        assertEquals(ParameterGroup.HEAD_DECAY, ParameterGroup.of("cross.pooler.ln_pool.weight"));
        assertEquals(ParameterGroup.HEAD_DECAY, ParameterGroup.of("similarity_dense.weight"));
        assertEquals(ParameterGroup.HEAD_NO_DECAY, ParameterGroup.of("similarity_dense.bias"));
        assertEquals(ParameterGroup.HEAD_DECAY, ParameterGroup.of("lstm_visual.weight_ih_l0"));
        assertEquals(ParameterGroup.HEAD_NO_DECAY, ParameterGroup.of("lstm_visual.bias_hh_l0"));
    }

    @Test
    void bertStyleLayerNormWeightsDoNotDecay() {
        assertEquals(ParameterGroup.HEAD_NO_DECAY, ParameterGroup.of("encoder.layer.0.output.LayerNorm.weight"));
        assertEquals(ParameterGroup.CLIP_NO_DECAY, ParameterGroup.of("clip.embeddings.LayerNorm.weight"));
    }

    @Test
    void eachGroupReportsItsLearningRateAndDecayClass() {
        assertTrue(ParameterGroup.CLIP_DECAY.clip());
        assertTrue(ParameterGroup.CLIP_DECAY.decay());
        assertFalse(ParameterGroup.HEAD_NO_DECAY.clip());
        assertFalse(ParameterGroup.HEAD_NO_DECAY.decay());
        assertTrue(ParameterGroup.CLIP_NO_DECAY.clip());
        assertFalse(ParameterGroup.CLIP_NO_DECAY.decay());
        assertFalse(ParameterGroup.HEAD_DECAY.clip());
        assertTrue(ParameterGroup.HEAD_DECAY.decay());
    }
}
