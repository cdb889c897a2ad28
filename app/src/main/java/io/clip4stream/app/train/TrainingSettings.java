package io.clip4stream.app.train;

import io.clip4stream.model.spec.SimilarityHead;
import io.clip4stream.model.train.FreezeRule;
import io.clip4stream.model.train.OptimizerSettings;
import java.util.Objects;

/**
 * What one training run does.
 *
 * @param head the similarity head to train
 * @param epochs passes over the training clips
 * @param batchSize caption–clip pairs per step
 * @param lr the head's learning rate
 * @param coefLr the factor on {@code lr} for CLIP's parameters
 * @param warmup the warm-up proportion of all steps
 * @param freeze which parameters train
 * @param maxFrames T
 * @param maxWords L
 * @param seed the seed of batch order, caption choice and dropout
 * @param checkpointEvery optimizer steps between checkpoints inside an epoch (0: only at epoch ends)
 */
public record TrainingSettings(
        SimilarityHead head,
        int epochs,
        int batchSize,
        double lr,
        double coefLr,
        double warmup,
        FreezeRule freeze,
        int maxFrames,
        int maxWords,
        long seed,
        int checkpointEvery) {

    /** The original's default number of epochs. */
    public static final int DEFAULT_EPOCHS = 5;

    /** A batch that fits a laptop's memory for ViT-B/32 fine-tuning; the paper's is 128 over 8 GPUs. */
    public static final int DEFAULT_BATCH_SIZE = 64;

    /** Validates the settings. */
    public TrainingSettings {
        Objects.requireNonNull(head, "head");
        Objects.requireNonNull(freeze, "freeze");
        if (epochs < 1 || batchSize < 2 || maxFrames < 1 || maxWords < 2 || checkpointEvery < 0) {
            throw new IllegalArgumentException("invalid training settings: epochs " + epochs + ", batch size "
                    + batchSize + " (at least 2), max frames " + maxFrames + ", max words " + maxWords
                    + ", checkpoint every " + checkpointEvery);
        }
        // Validated by the optimizer settings too; checked here so a bad flag fails before any decoding.
        OptimizerSettings.paper(1).withRates(lr, coefLr, warmup);
    }

    /** Returns whether the batches are cached encoder outputs (CLIP frozen: only the head runs). */
    public boolean cachedEmbeddings() {
        return freeze.clipFrozen();
    }
}
