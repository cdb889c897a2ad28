package io.clip4stream.app.train;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The batches of one epoch: the clips in a random order drawn from the run's seed and the epoch number, each with one
 * caption drawn the same way, cut into full batches (the original's training loader drops the last partial batch).
 *
 * <p>A pure function of (seed, epoch, clip count, caption counts, batch size), so a resumed run sees the same batches.
 */
public record EpochPlan(List<int[]> clipBatches, List<int[]> captionBatches) {

    /** Copies the lists. */
    public EpochPlan {
        clipBatches = List.copyOf(clipBatches);
        captionBatches = List.copyOf(captionBatches);
    }

    /** Plans epoch {@code epoch} (from 0) for clips with {@code captionCounts[i]} captions each. */
    public static EpochPlan of(long seed, int epoch, int[] captionCounts, int batchSize) {
        int clips = captionCounts.length;
        if (batchSize < 2) {
            throw new IllegalArgumentException("batch size must be at least 2 (a contrastive loss needs negatives)");
        }
        int size = Math.min(batchSize, clips);
        Random random = new Random(seed * 1_000_003L + epoch);
        int[] order = new int[clips];
        for (int i = 0; i < clips; i++) {
            order[i] = i;
        }
        for (int i = clips - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        List<int[]> clipBatches = new ArrayList<>();
        List<int[]> captionBatches = new ArrayList<>();
        for (int start = 0; start + size <= clips; start += size) {
            int[] batch = new int[size];
            int[] captions = new int[size];
            for (int b = 0; b < size; b++) {
                batch[b] = order[start + b];
                captions[b] = random.nextInt(captionCounts[batch[b]]);
            }
            clipBatches.add(batch);
            captionBatches.add(captions);
        }
        return new EpochPlan(clipBatches, captionBatches);
    }

    /** Returns the number of optimizer steps of an epoch over {@code clips} clips. */
    public static int steps(int clips, int batchSize) {
        int size = Math.min(batchSize, clips);
        return size < 2 ? 0 : clips / size;
    }
}
