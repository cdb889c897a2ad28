package io.clip4stream.app.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The batches of an epoch: random ones, and hard-negative groups of near clips. */
class EpochPlanTest {

    /** 40 clips on a line: clip i is near i-1 and i+1, so a group of near clips is a run of close indices. */
    private static int[][] lineNeighbours(int clips) {
        int[][] neighbours = new int[clips][];
        for (int i = 0; i < clips; i++) {
            int self = i;
            neighbours[i] = java.util.stream.IntStream.range(0, clips)
                    .filter(j -> j != self)
                    .boxed()
                    .sorted(java.util.Comparator.comparingInt((Integer j) -> Math.abs(j - self))
                            .thenComparingInt(j -> j))
                    .mapToInt(Integer::intValue)
                    .toArray();
        }
        return neighbours;
    }

    @Test
    void groupedPlanUsesEachClipAtMostOnceInAsManyBatchesAsARandomPlan() {
        int[] captions = new int[43];
        Arrays.fill(captions, 3);
        EpochPlan grouped = EpochPlan.grouped(7, 2, captions, 8, lineNeighbours(43), 4);
        EpochPlan random = EpochPlan.of(7, 2, captions, 8);

        assertEquals(random.clipBatches().size(), grouped.clipBatches().size());
        Set<Integer> seen = new HashSet<>();
        for (int b = 0; b < grouped.clipBatches().size(); b++) {
            assertEquals(8, grouped.clipBatches().get(b).length);
            for (int i = 0; i < 8; i++) {
                assertTrue(seen.add(grouped.clipBatches().get(b)[i]), "clip used twice in an epoch");
                int caption = grouped.captionBatches().get(b)[i];
                assertTrue(caption >= 0 && caption < 3, "caption " + caption);
            }
        }
    }

    @Test
    void groupsHoldNearClipsAndBatchesMixGroups() {
        int[] captions = new int[64];
        Arrays.fill(captions, 1);
        EpochPlan plan = EpochPlan.grouped(11, 0, captions, 16, lineNeighbours(64), 4);

        int nearGroups = 0;
        int groups = 0;
        for (int[] batch : plan.clipBatches()) {
            for (int g = 0; g < batch.length; g += 4) {
                int[] group = Arrays.copyOfRange(batch, g, g + 4);
                int spread = Arrays.stream(group).max().getAsInt()
                        - Arrays.stream(group).min().getAsInt();
                groups++;
                // A clip with its three nearest free neighbours on a line spans a few steps at most, unless most of
                // its neighbourhood was taken by earlier groups (then the group is filled from the random order).
                if (spread <= 6) {
                    nearGroups++;
                }
            }
        }
        assertTrue(nearGroups >= groups * 3 / 4, nearGroups + " of " + groups + " groups are near clips");
        // Random batches of a line rarely hold four clips within six steps.
        EpochPlan random = EpochPlan.of(11, 0, captions, 16);
        int nearRandom = 0;
        for (int[] batch : random.clipBatches()) {
            for (int g = 0; g < batch.length; g += 4) {
                int[] group = Arrays.copyOfRange(batch, g, g + 4);
                if (Arrays.stream(group).max().getAsInt()
                                - Arrays.stream(group).min().getAsInt()
                        <= 6) {
                    nearRandom++;
                }
            }
        }
        assertTrue(nearRandom < nearGroups, nearRandom + " random vs " + nearGroups + " grouped");
    }

    @Test
    void groupedPlanIsAFunctionOfSeedAndEpoch() {
        int[] captions = new int[40];
        Arrays.fill(captions, 5);
        int[][] neighbours = lineNeighbours(40);
        EpochPlan a = EpochPlan.grouped(3, 1, captions, 8, neighbours, 4);
        EpochPlan b = EpochPlan.grouped(3, 1, captions, 8, neighbours, 4);
        EpochPlan other = EpochPlan.grouped(3, 2, captions, 8, neighbours, 4);

        for (int i = 0; i < a.clipBatches().size(); i++) {
            assertArrayEquals(a.clipBatches().get(i), b.clipBatches().get(i));
            assertArrayEquals(a.captionBatches().get(i), b.captionBatches().get(i));
        }
        assertTrue(
                !Arrays.deepEquals(
                        a.clipBatches().toArray(int[][]::new),
                        other.clipBatches().toArray(int[][]::new)),
                "another epoch, another order");
    }

    @Test
    void refusesAGroupThatDoesNotDivideTheBatch() {
        int[] captions = new int[40];
        Arrays.fill(captions, 1);
        assertThrows(IllegalArgumentException.class, () -> EpochPlan.grouped(1, 0, captions, 8, lineNeighbours(40), 3));
        assertThrows(IllegalArgumentException.class, () -> EpochPlan.grouped(1, 0, captions, 8, lineNeighbours(39), 4));
    }
}
