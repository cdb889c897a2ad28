package io.clip4stream.query.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The tight head's FLOP count the query benchmark prints, checked against a count by hand. */
class TightFlopsTest {
    @Test
    void oneLayerOnePairByHand() {
        // W = 2, S = 3, one untrimmed block: 3 tokens x 24 x 4 + 4 x 9 x 2 = 360; pooler 2 x 4 + 2 x 2 = 12.
        assertEquals(372e-9, QueryBenchmark.tightGflopPerQuery(1, 3, 2, 1, false), 1e-15);
        // Trimmed: K, V for 3 tokens 3 x 4 x 4 = 48, the text slot's Q, output and MLP 20 x 4 = 80,
        // attention 4 x 3 x 2 = 24; with the pooler 164.
        assertEquals(164e-9, QueryBenchmark.tightGflopPerQuery(1, 3, 2, 1, true), 1e-15);
    }

    @Test
    void theBenchmarkShape() {
        // N = 50, 1 + 12 tokens, width 512, 4 cross layers.
        assertEquals(16.45, QueryBenchmark.tightGflopPerQuery(50, 13, 512, 4, false), 0.01);
        assertEquals(13.29, QueryBenchmark.tightGflopPerQuery(50, 13, 512, 4, true), 0.01);
    }
}
