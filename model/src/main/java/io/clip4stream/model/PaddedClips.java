package io.clip4stream.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/** Clips of 1..T frame embeddings padded to the longest clip, with the valid-prefix mask CLIP4Clip uses. */
record PaddedClips(float[] frames, float[] mask, int clips, int length, int dim) {

    /** Pads {@code clips} (each 1..maxFrames frames of {@code dim} floats). */
    static PaddedClips of(float[][][] clips, int dim, int maxFrames) {
        if (clips.length == 0) {
            throw new IllegalArgumentException("no clips to aggregate");
        }
        int length = 0;
        for (int c = 0; c < clips.length; c++) {
            int frames = clips[c].length;
            if (frames == 0 || frames > maxFrames) {
                throw new IllegalArgumentException("clip " + c + " has " + frames + " frames; need 1.." + maxFrames);
            }
            length = Math.max(length, frames);
        }
        float[] padded = new float[clips.length * length * dim];
        float[] mask = new float[clips.length * length];
        for (int c = 0; c < clips.length; c++) {
            for (int f = 0; f < clips[c].length; f++) {
                if (clips[c][f].length != dim) {
                    throw new IllegalArgumentException(
                            "clip " + c + " frame " + f + " has " + clips[c][f].length + " values, expected " + dim);
                }
                System.arraycopy(clips[c][f], 0, padded, (c * length + f) * dim, dim);
                mask[c * length + f] = 1f;
            }
        }
        return new PaddedClips(padded, mask, clips.length, length, dim);
    }

    NDArray frames(NDManager scope) {
        return scope.create(frames, new Shape(clips, length, dim));
    }

    NDArray validFrames(NDManager scope) {
        return scope.create(mask, new Shape(clips, length));
    }
}
