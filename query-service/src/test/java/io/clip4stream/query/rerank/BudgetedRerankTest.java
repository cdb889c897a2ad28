package io.clip4stream.query.rerank;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The re-rank budget, on a clock the test drives: each scored candidate costs a known time. */
class BudgetedRerankTest {
    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

    /** A clock that only the fake scorer moves: {@code nanosPerCandidate} for every candidate it scores. */
    private static final class Scoring implements BudgetedRerank.BatchScorer {
        private final long nanosPerCandidate;
        private final List<int[]> batches = new ArrayList<>();
        private long now;

        Scoring(long nanosPerCandidate) {
            this.nanosPerCandidate = nanosPerCandidate;
        }

        long now() {
            return now;
        }

        @Override
        public void score(int from, int to) {
            batches.add(new int[] {from, to});
            now += (to - from) * nanosPerCandidate;
        }
    }

    @Test
    void reranksTheBestCandidatesThatFitAndStopsBeforeTheBudgetIsExceeded() {
        Scoring scoring = new Scoring(MS);
        BudgetedRerank rerank = new BudgetedRerank(new RerankCost(MS), scoring::now, 4);
        int done = rerank.run(50, 10 * MS, scoring);
        // 4 + 4 fit (8 ms), then only 2 of the next batch of 4 (the batch is cut to what fits), then nothing.
        assertEquals(10, done);
        assertEquals(List.of(List.of(0, 4), List.of(4, 8), List.of(8, 10)), batches(scoring));
        assertTrue(scoring.now() <= 10 * MS, "never past the budget when the estimate holds");
    }

    @Test
    void anAmpleBudgetReranksEveryCandidateAndNoBudgetToo() {
        Scoring scoring = new Scoring(MS);
        BudgetedRerank rerank = new BudgetedRerank(new RerankCost(MS), scoring::now, 16);
        assertEquals(50, rerank.run(50, 1000 * MS, scoring));
        assertEquals(50, rerank.expected(50, 1000 * MS));
        Scoring unlimited = new Scoring(MS);
        assertEquals(50, rerank.run(50, BudgetedRerank.UNLIMITED, unlimited));
        assertEquals(List.of(List.of(0, 16), List.of(16, 32), List.of(32, 48), List.of(48, 50)), batches(unlimited));
    }

    @Test
    void aZeroBudgetReranksNothing() {
        Scoring scoring = new Scoring(MS);
        BudgetedRerank rerank = new BudgetedRerank(new RerankCost(), scoring::now, 16);
        assertEquals(0, rerank.run(50, 0, scoring));
        assertEquals(0, rerank.expected(50, 0));
        assertTrue(scoring.batches.isEmpty());
    }

    @Test
    void anUnknownCostIsLearntFromASmallProbeBatch() {
        Scoring scoring = new Scoring(2 * MS);
        RerankCost cost = new RerankCost();
        BudgetedRerank rerank = new BudgetedRerank(cost, scoring::now, 16);
        assertEquals(50, rerank.expected(50, 20 * MS), "unknown cost: fetch frames for all");
        int done = rerank.run(50, 20 * MS, scoring);
        // The probe (4 candidates, 8 ms) teaches 2 ms each; 12 ms left fit 6 more.
        assertEquals(List.of(List.of(0, BudgetedRerank.PROBE_BATCH), List.of(4, 10)), batches(scoring));
        assertEquals(10, done);
        assertEquals(2.0 * MS, cost.nanosPerCandidate().orElseThrow(), 1e-6);
        assertEquals(10, rerank.expected(50, 20 * MS), "a known cost: fetch frames only for what fits");
    }

    @Test
    void theRunningAverageFollowsTheCostWithoutOneBatchRulingIt() {
        RerankCost cost = new RerankCost(MS);
        cost.record(10, 100 * MS);
        assertEquals(
                (1 - RerankCost.NEWEST_WEIGHT) * MS + RerankCost.NEWEST_WEIGHT * 10 * MS,
                cost.nanosPerCandidate().orElseThrow(),
                1e-6);
    }

    private static List<List<Integer>> batches(Scoring scoring) {
        return scoring.batches.stream().map(b -> List.of(b[0], b[1])).toList();
    }
}
