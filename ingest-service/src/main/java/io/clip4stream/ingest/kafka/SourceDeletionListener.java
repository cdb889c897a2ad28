package io.clip4stream.ingest.kafka;

import io.clip4stream.runtime.kafka.KafkaClientSettings;
import io.clip4stream.schemas.avro.SourceDeletion;
import io.clip4stream.schemas.topic.Topic;
import java.time.Duration;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stops this instance's run of every source deleted from now on, whichever instance took the delete: it reads all
 * partitions of the deletion topic without a consumer group (so every instance sees every deletion), from their end.
 *
 * <p>Deletions from before the start need no stop: a run resumed after a restart is refused by {@link Intake#check}
 * once the source's status is DELETED.
 */
public final class SourceDeletionListener implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SourceDeletionListener.class);

    private final SourceRunner runner;
    private final Duration stopWait;
    private final TopicFollower<SourceDeletion> follower;

    /** A listener on {@code topic} stopping runs of {@code runner}, waiting up to {@code stopWait} for each. */
    public SourceDeletionListener(
            KafkaClientSettings kafka,
            Topic<String, SourceDeletion> topic,
            String clientId,
            SourceRunner runner,
            Duration stopWait) {
        this.runner = runner;
        this.stopWait = stopWait;
        // Should it stop following, deletions still reach the index; only runs on this instance would go on.
        this.follower = new TopicFollower<>(
                "Deletion listener", kafka, topic, clientId, TopicFollower.From.END, this::onDeletion);
    }

    /** Starts following the topic from its current end. */
    public SourceDeletionListener start() {
        follower.start();
        return this;
    }

    /** Whether the listener is positioned on every partition, so any deletion published from now on reaches it. */
    public boolean ready() {
        return follower.following() && follower.caughtUp();
    }

    @Override
    public void close() {
        follower.close();
    }

    private void onDeletion(ConsumerRecord<String, SourceDeletion> record) {
        if (record.key() != null && runner.isRunning(record.key())) {
            LOG.info("Source {} was deleted; stopping its run here", record.key());
            runner.stop(record.key(), true, stopWait);
        }
    }
}
