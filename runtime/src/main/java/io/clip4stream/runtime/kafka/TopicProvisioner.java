package io.clip4stream.runtime.kafka;

import io.clip4stream.schemas.topic.Topic;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates the catalog's topics that do not exist yet; safe to run at every start of every instance.
 *
 * <p>Existing topics are left as they are (an operator may have tuned them); one with fewer partitions than the catalog
 * asks for is reported, since it caps the parallelism of the services reading it.
 */
public final class TopicProvisioner {
    /** How long provisioning may take before start-up fails with an unreachable-broker error. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

    private static final Logger LOG = LoggerFactory.getLogger(TopicProvisioner.class);

    private final KafkaClientSettings kafka;
    private final short replicationFactor;
    private final Duration timeout;

    /** A provisioner creating topics with {@code replicationFactor} replicas. */
    public TopicProvisioner(KafkaClientSettings kafka, int replicationFactor, Duration timeout) {
        if (replicationFactor < 1 || replicationFactor > Short.MAX_VALUE) {
            throw new IllegalArgumentException("Replication factor must be >= 1; was " + replicationFactor);
        }
        this.kafka = kafka;
        this.replicationFactor = (short) replicationFactor;
        this.timeout = timeout;
    }

    /** What provisioning did. */
    public record Outcome(List<String> created, List<String> existing, List<String> underPartitioned) {}

    /** Ensures every topic exists; throws {@link KafkaUnavailableException} when the cluster cannot be reached. */
    public Outcome ensure(Collection<? extends Topic<?, ?>> topics) {
        try (Admin admin = Admin.create(kafka.admin("clip4stream-provisioner"))) {
            Set<String> present = admin.listTopics().names().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            List<String> created = new ArrayList<>();
            List<String> existing = new ArrayList<>();
            List<NewTopic> missing = new ArrayList<>();
            for (Topic<?, ?> topic : topics) {
                if (present.contains(topic.name())) {
                    existing.add(topic.name());
                } else {
                    missing.add(
                            new NewTopic(topic.name(), topic.partitions(), replicationFactor).configs(topic.configs()));
                }
            }
            var results = admin.createTopics(missing).values();
            for (var entry : results.entrySet()) {
                try {
                    entry.getValue().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
                    created.add(entry.getKey());
                } catch (ExecutionException e) {
                    if (e.getCause() instanceof TopicExistsException) {
                        existing.add(entry.getKey()); // another instance created it first
                    } else {
                        throw e;
                    }
                }
            }
            List<String> underPartitioned = underPartitioned(admin, topics, existing);
            if (!created.isEmpty()) {
                awaitLeaders(admin, created);
                LOG.info("Created topics {}", created);
            }
            underPartitioned.forEach(name -> LOG.warn(
                    "Topic {} has fewer partitions than configured; it limits how many instances can share it", name));
            return new Outcome(List.copyOf(created), List.copyOf(existing), underPartitioned);
        } catch (ExecutionException e) {
            throw new KafkaUnavailableException(
                    "Cannot create topics on " + kafka.bootstrapServers() + ": "
                            + e.getCause().getMessage(),
                    e.getCause());
        } catch (TimeoutException e) {
            throw new KafkaUnavailableException(
                    "Kafka at " + kafka.bootstrapServers() + " did not answer within " + timeout
                            + "; is the broker running and reachable (CLIP4S_KAFKA_BOOTSTRAP_SERVERS)?",
                    e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KafkaUnavailableException("Interrupted while provisioning topics", e);
        }
    }

    /**
     * Waits until every partition of the just-created {@code names} has a leader: a producer that writes to a
     * partition whose leader is not elected yet gets NOT_LEADER_OR_FOLLOWER, and on a loaded broker the retries can end
     * in out-of-order sequence errors that drop records.
     */
    private void awaitLeaders(Admin admin, List<String> names)
            throws InterruptedException, ExecutionException, TimeoutException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Map<String, TopicDescription> descriptions;
            try {
                descriptions =
                        admin.describeTopics(names).allTopicNames().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof org.apache.kafka.common.errors.UnknownTopicOrPartitionException)) {
                    throw e;
                }
                // Created, but not yet in the metadata of the broker that answered: ask again.
                descriptions = Map.of();
            }
            boolean led = !descriptions.isEmpty()
                    && descriptions.values().stream()
                            .flatMap(d -> d.partitions().stream())
                            .allMatch(p -> p.leader() != null && p.leader().id() >= 0);
            if (led) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new TimeoutException("no leader for every partition of " + names + " within " + timeout);
            }
            Thread.sleep(50);
        }
    }

    private List<String> underPartitioned(Admin admin, Collection<? extends Topic<?, ?>> topics, List<String> existing)
            throws InterruptedException, ExecutionException, TimeoutException {
        if (existing.isEmpty()) {
            return List.of();
        }
        Map<String, TopicDescription> descriptions =
                admin.describeTopics(existing).allTopicNames().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        Map<String, Integer> wanted =
                topics.stream().collect(Collectors.toMap(Topic::name, Topic::partitions, (a, b) -> a));
        return descriptions.values().stream()
                .filter(d -> d.partitions().size() < wanted.getOrDefault(d.name(), 0))
                .map(TopicDescription::name)
                .sorted()
                .toList();
    }
}
