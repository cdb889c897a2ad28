package io.clip4stream.encoder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The open transaction's bookkeeping, on a clock the test moves. */
class TransactionLedgerTest {

    @Test
    void shouldCommitTheOffsetAfterTheHighestRecordConsumedPerLane() {
        TransactionLedger<String> ledger = new TransactionLedger<>(100);
        ledger.opened(0);
        ledger.consumed("p0", 5);
        ledger.consumed("p0", 3);
        ledger.consumed("p1", 0);
        assertEquals(Map.of("p0", 6L, "p1", 1L), ledger.nextOffsets());
    }

    @Test
    void shouldBeDueOnceTheCommitIntervalHasPassedSinceItOpened() {
        TransactionLedger<String> ledger = new TransactionLedger<>(100);
        assertFalse(ledger.due(1_000), "nothing open");
        assertEquals(40, ledger.nanosUntilDue(1_000, 40), "nothing open: the caller's wait");
        ledger.opened(1_000);
        assertFalse(ledger.due(1_099));
        assertEquals(30, ledger.nanosUntilDue(1_070, 200));
        assertEquals(10, ledger.nanosUntilDue(1_070, 10));
        assertTrue(ledger.due(1_100));
        assertEquals(0, ledger.nanosUntilDue(1_500, 200));
    }

    @Test
    void shouldForgetEverythingWhenCleared() {
        TransactionLedger<String> ledger = new TransactionLedger<>(100);
        ledger.opened(0);
        ledger.consumed("p0", 1);
        TransactionLedger.Produced batch = new TransactionLedger.Produced(8, 1, 5_000, List.of("EmptyRecord"));
        ledger.produced(batch);
        assertEquals(List.of(batch), ledger.batches());
        ledger.clear();
        assertFalse(ledger.isOpen());
        assertEquals(Map.of(), ledger.nextOffsets());
        assertEquals(List.of(), ledger.batches());
        assertFalse(ledger.due(1_000));
    }
}
