package io.clip4stream.model.nn;

import ai.djl.ndarray.NDArray;

/** Cuts frames into patch tokens: {@code [clips · T, 3, S, S]} to {@code [clips · T, width, grid, grid]}. */
public sealed interface PatchEmbedding permits Conv2dPatchEmbedding, Conv3dPatchEmbedding {

    /**
     * Embeds the patches of {@code frames}, which hold whole clips of {@code framesPerClip} consecutive frames each
     * (only the 3D patch looks across frames).
     */
    NDArray embed(NDArray frames, int framesPerClip);
}
