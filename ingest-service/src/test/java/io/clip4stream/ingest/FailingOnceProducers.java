package io.clip4stream.ingest;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Real transactional producers, except that the first producer of each planned source fails one commit with a real
 * Kafka exception: it aborts the transaction (as the broker does when a commit times out or a newer owner fences it)
 * and throws. Every later producer of that source works, so a retried run can finish.
 */
final class FailingOnceProducers implements Function<Map<String, Object>, Producer<byte[], byte[]>> {

    /** The {@code commit}-th commit (1 = the run's first, its DECODING status) fails with {@code error}. */
    record Failure(int commit, Supplier<KafkaException> error) {}

    private final Map<String, Failure> plan;
    private final Map<String, AtomicInteger> made = new ConcurrentHashMap<>();

    /** Failures by source id. */
    FailingOnceProducers(Map<String, Failure> plan) {
        this.plan = new ConcurrentHashMap<>(plan);
    }

    /** How many producers (runs) {@code sourceId} got. */
    int producersMade(String sourceId) {
        AtomicInteger n = made.get(sourceId);
        return n == null ? 0 : n.get();
    }

    @Override
    public Producer<byte[], byte[]> apply(Map<String, Object> config) {
        String transactionalId = String.valueOf(config.get("transactional.id"));
        String sourceId = transactionalId.substring(transactionalId.lastIndexOf(".ingest.") + ".ingest.".length());
        made.computeIfAbsent(sourceId, id -> new AtomicInteger()).incrementAndGet();
        Failure failure = plan.remove(sourceId);
        return failure == null
                ? new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer())
                : new FailingProducer(config, failure);
    }

    private static final class FailingProducer extends KafkaProducer<byte[], byte[]> {
        private final Failure failure;
        private int commits;

        FailingProducer(Map<String, Object> config, Failure failure) {
            super(config, new ByteArraySerializer(), new ByteArraySerializer());
            this.failure = failure;
        }

        @Override
        public void commitTransaction() {
            if (++commits == failure.commit()) {
                abortTransaction();
                throw failure.error().get();
            }
            super.commitTransaction();
        }
    }
}
