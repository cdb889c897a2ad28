package io.clip4stream.encoder;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.metrics.KafkaMetric;

/**
 * A fake producer: a real Kafka producer that "dies" at its Nth commit, after the batch's records reached the broker
 * and before the commit; it closes at once without committing or aborting, as a killed process would leave it.
 */
final class CrashingProducer<K, V> implements Producer<K, V> {

    /** Thrown instead of committing; an {@link Error}, so the loop cannot handle it like a Kafka failure. */
    static final class SimulatedCrash extends Error {
        SimulatedCrash(int commit) {
            super("simulated crash before commit #" + commit);
        }
    }

    private final Producer<K, V> delegate;
    private final int crashAtCommit;
    private int commits;
    private volatile boolean crashed;

    CrashingProducer(Producer<K, V> delegate, int crashAtCommit) {
        this.delegate = delegate;
        this.crashAtCommit = crashAtCommit;
    }

    boolean crashed() {
        return crashed;
    }

    @Override
    public void commitTransaction() {
        commits++;
        if (commits == crashAtCommit) {
            delegate.flush(); // the batch's outputs are in the log, inside the open transaction
            delegate.close(Duration.ZERO);
            crashed = true;
            throw new SimulatedCrash(commits);
        }
        delegate.commitTransaction();
    }

    @Override
    public void initTransactions() {
        delegate.initTransactions();
    }

    @Override
    public void beginTransaction() {
        delegate.beginTransaction();
    }

    @Override
    public void sendOffsetsToTransaction(
            Map<TopicPartition, OffsetAndMetadata> offsets, ConsumerGroupMetadata groupMetadata) {
        delegate.sendOffsetsToTransaction(offsets, groupMetadata);
    }

    @Override
    public void abortTransaction() {
        delegate.abortTransaction();
    }

    @Override
    public void registerMetricForSubscription(KafkaMetric metric) {
        delegate.registerMetricForSubscription(metric);
    }

    @Override
    public void unregisterMetricFromSubscription(KafkaMetric metric) {
        delegate.unregisterMetricFromSubscription(metric);
    }

    @Override
    public Future<RecordMetadata> send(ProducerRecord<K, V> record) {
        return delegate.send(record);
    }

    @Override
    public Future<RecordMetadata> send(ProducerRecord<K, V> record, Callback callback) {
        return delegate.send(record, callback);
    }

    @Override
    public void flush() {
        delegate.flush();
    }

    @Override
    public List<PartitionInfo> partitionsFor(String topic) {
        return delegate.partitionsFor(topic);
    }

    @Override
    public Map<MetricName, ? extends Metric> metrics() {
        return delegate.metrics();
    }

    @Override
    public Uuid clientInstanceId(Duration timeout) {
        return delegate.clientInstanceId(timeout);
    }

    @Override
    public void close() {
        delegate.close();
    }

    @Override
    public void close(Duration timeout) {
        delegate.close(timeout);
    }
}
