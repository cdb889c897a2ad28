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

    /**
     * Plans epoch {@code epoch} with hard negatives: each batch is made of groups of {@code groupSize} clips that are
     * near each other, a clip drawn in the epoch's random order and the nearest of its {@code neighbours} not yet used
     * this epoch (filled from the random order when those run out), so that a clip's in-batch negatives include the
     * near misses a re-ranker must tell apart, while the other groups of the batch keep easy ones.
     *
     * <p>Every clip appears at most once per epoch and the number of batches is that of {@link #of}; a pure function of
     * its arguments like {@link #of}.
     *
     * @param neighbours per clip, other clips ordered from nearest (each a valid clip index)
     * @param groupSize clips per group, between 2 and the batch size, dividing it
     */
    public static EpochPlan grouped(
            long seed, int epoch, int[] captionCounts, int batchSize, int[][] neighbours, int groupSize) {
        int clips = captionCounts.length;
        if (neighbours.length != clips) {
            throw new IllegalArgumentException(
                    "neighbour lists for " + neighbours.length + " clips, but " + clips + " clips");
        }
        int size = Math.min(batchSize, clips);
        if (size < 2 || groupSize < 2 || groupSize > size || size % groupSize != 0) {
            throw new IllegalArgumentException("group size " + groupSize + " must be at least 2 and divide the batch"
                    + " size " + size + " (a contrastive loss needs negatives)");
        }
        Random draw = new Random(seed * 1_000_033L + epoch);
        int[] order = new int[clips];
        for (int i = 0; i < clips; i++) {
            order[i] = i;
        }
        for (int i = clips - 1; i > 0; i--) {
            int j = draw.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        boolean[] used = new boolean[clips];
        int[] grouped = new int[clips];
        int filled = 0;
        int next = 0;
        while (filled < clips) {
            while (used[order[next]]) {
                next++;
            }
            int anchor = order[next];
            used[anchor] = true;
            grouped[filled++] = anchor;
            int inGroup = 1;
            for (int k = 0; k < neighbours[anchor].length && inGroup < groupSize && filled < clips; k++) {
                int near = neighbours[anchor][k];
                if (!used[near]) {
                    used[near] = true;
                    grouped[filled++] = near;
                    inGroup++;
                }
            }
            for (int scan = next; inGroup < groupSize && filled < clips && scan < clips; scan++) {
                if (!used[order[scan]]) {
                    used[order[scan]] = true;
                    grouped[filled++] = order[scan];
                    inGroup++;
                }
            }
        }
        // Groups are whole within the clip order, so cutting it into batches keeps each group in one batch.
        List<int[]> clipBatches = new ArrayList<>();
        List<int[]> captionBatches = new ArrayList<>();
        for (int b = 0; b < clips / size; b++) {
            int[] batch = new int[size];
            int[] captions = new int[size];
            for (int i = 0; i < size; i++) {
                batch[i] = grouped[b * size + i];
                captions[i] = draw.nextInt(captionCounts[batch[i]]);
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
