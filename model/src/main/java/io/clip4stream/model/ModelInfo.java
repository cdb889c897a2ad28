package io.clip4stream.model;

import io.clip4stream.model.spec.LinearPatch;
import io.clip4stream.model.spec.SimilarityHead;

/**
 * What services need to know about a loaded model.
 *
 * @param modelId the config's model id
 * @param modelVersion the config's model version
 * @param embedDim dimension D of frame, clip and text embeddings
 * @param imageSize side S of the square, normalised input frames
 * @param maxFrames frames per clip T
 * @param maxWords caption length L
 * @param head the configured similarity head
 * @param linearPatch the patch embedding
 * @param tightHead whether {@link Clip4ClipModel#tightScores} is available (the weights are there)
 * @param tightHeadTrained whether those weights were trained (config.json's {@code trained_heads}; a directory that
 *     does not record it counts them as trained)
 * @param logitScale {@code clip.logit_scale}; loose similarity = exp(logitScale) x cosine
 * @param device the device the network runs on
 */
public record ModelInfo(
        String modelId,
        String modelVersion,
        int embedDim,
        int imageSize,
        int maxFrames,
        int maxWords,
        SimilarityHead head,
        LinearPatch linearPatch,
        boolean tightHead,
        boolean tightHeadTrained,
        float logitScale,
        String device) {}
