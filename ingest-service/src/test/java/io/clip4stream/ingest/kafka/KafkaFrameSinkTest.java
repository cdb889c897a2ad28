package io.clip4stream.ingest.kafka;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.clip4stream.ingest.run.SinkFailedException;
import io.clip4stream.ingest.run.SourceFencedException;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.InvalidTxnStateException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.TransactionAbortedException;
import org.junit.jupiter.api.Test;

/** How Kafka's errors reach a run: fencing as a take-over, everything else as a sink failure, never as bad input. */
class KafkaFrameSinkTest {

    @Test
    void fencingIsATakeOver() {
        assertInstanceOf(
                SourceFencedException.class,
                KafkaFrameSink.translate("s", "commit", new ProducerFencedException("newer epoch")));
        assertInstanceOf(
                SourceFencedException.class,
                KafkaFrameSink.translate("s", "send", new InvalidProducerEpochException("epoch bumped")));
        assertInstanceOf(
                SourceFencedException.class,
                KafkaFrameSink.translate(
                        "s", "commit", new KafkaException("error state", new ProducerFencedException("fenced"))));
    }

    @Test
    void everyOtherKafkaErrorIsASinkFailureWithItsCause() {
        for (KafkaException e : new KafkaException[] {
            new TimeoutException("Topic frames not present in metadata after 60000 ms"),
            new InvalidTxnStateException("The producer attempted a transactional operation in an invalid state"),
            new TransactionAbortedException("Failing batch since transaction was aborted"),
            new KafkaException("Cannot execute transactional method because we are in an error state")
        }) {
            RuntimeException translated = KafkaFrameSink.translate("cam-1", "commit a transaction", e);
            SinkFailedException failed = assertInstanceOf(SinkFailedException.class, translated);
            assertSame(e, failed.getCause());
            assertTrue(failed.getMessage().contains("cam-1"), failed.getMessage());
            assertTrue(failed.getMessage().contains("commit a transaction"), failed.getMessage());
        }
    }
}
