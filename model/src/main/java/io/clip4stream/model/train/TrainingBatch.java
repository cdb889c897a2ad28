package io.clip4stream.model.train;

import java.util.Arrays;

/** One training batch: B captions and their B clips, caption i describing clip i. */
public sealed interface TrainingBatch {

    /** Returns B, the number of caption–clip pairs. */
    int size();

    /** Returns T, the frames per clip. */
    int frames();

    /** Returns the valid-frame mask {@code [B, T]}, 1 for a real frame and 0 for padding. */
    float[] validFrames();

    /**
     * Pixels and token ids: the encoders run, so CLIP can learn.
     *
     * @param pixels normalised frames {@code [B, T, 3, S, S]}, row-major
     * @param frames T
     * @param imageSize S
     * @param validFrames {@code [B, T]}
     * @param tokenIds {@code [B][L]} CLIP token ids, all of one length L
     */
    record Pixels(float[] pixels, int frames, int imageSize, float[] validFrames, long[][] tokenIds)
            implements TrainingBatch {

        /** Checks that the arrays agree in B, T and S. */
        public Pixels {
            int batch = tokenIds.length;
            if (batch == 0
                    || pixels.length != (long) batch * frames * 3 * imageSize * imageSize
                    || validFrames.length != batch * frames) {
                throw new IllegalArgumentException("inconsistent batch: " + batch + " captions, " + pixels.length
                        + " pixel values and " + validFrames.length + " mask values for T=" + frames + ", S="
                        + imageSize);
            }
            if (Arrays.stream(tokenIds).anyMatch(ids -> ids.length != tokenIds[0].length)) {
                throw new IllegalArgumentException("token sequences of a batch must have one length");
            }
        }

        @Override
        public int size() {
            return tokenIds.length;
        }
    }

    /**
     * Cached encoder outputs: CLIP is frozen, so frame embeddings and caption embeddings are constants and only the
     * head runs.
     *
     * @param frameEmbeddings raw frame embeddings {@code [B, T, D]}
     * @param frames T
     * @param validFrames {@code [B, T]}
     * @param textEmbeddings raw caption (EOT) embeddings {@code [B, D]}
     * @param dim D
     */
    record Embeddings(float[] frameEmbeddings, int frames, float[] validFrames, float[] textEmbeddings, int dim)
            implements TrainingBatch {

        /** Checks that the arrays agree in B, T and D. */
        public Embeddings {
            if (dim <= 0 || textEmbeddings.length == 0 || textEmbeddings.length % dim != 0) {
                throw new IllegalArgumentException("caption embeddings must be [B, " + dim + "]");
            }
            int batch = textEmbeddings.length / dim;
            if (frameEmbeddings.length != (long) batch * frames * dim || validFrames.length != batch * frames) {
                throw new IllegalArgumentException("inconsistent batch: " + batch + " captions, "
                        + frameEmbeddings.length + " frame values and " + validFrames.length + " mask values");
            }
        }

        @Override
        public int size() {
            return textEmbeddings.length / dim;
        }
    }
}
