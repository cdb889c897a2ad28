package io.clip4stream.testkit;

import io.clip4stream.kafka.embedded.EmbeddedKafkaCluster;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * JUnit extension that starts one real embedded Kafka cluster per test class and injects it as a parameter.
 *
 * <pre>{@code
 * @RegisterExtension static final EmbeddedKafka KAFKA = EmbeddedKafka.singleNode();
 * @Test void test(EmbeddedKafkaCluster kafka) { ... kafka.bootstrapServers() ... }
 * }</pre>
 */
public final class EmbeddedKafka implements BeforeAllCallback, AfterAllCallback, ParameterResolver {
    private final int nodes;
    private EmbeddedKafkaCluster cluster;

    private EmbeddedKafka(int nodes) {
        this.nodes = nodes;
    }

    /** A one-node cluster. */
    public static EmbeddedKafka singleNode() {
        return new EmbeddedKafka(1);
    }

    /** A cluster of {@code nodes} combined nodes. */
    public static EmbeddedKafka nodes(int nodes) {
        return new EmbeddedKafka(nodes);
    }

    /** The running cluster (only between beforeAll and afterAll). */
    public EmbeddedKafkaCluster cluster() {
        if (cluster == null) {
            throw new IllegalStateException(
                    "The embedded Kafka cluster is not running; register the extension" + " as a static field");
        }
        return cluster;
    }

    /** Bootstrap servers of the running cluster. */
    public String bootstrapServers() {
        return cluster().bootstrapServers();
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        cluster = EmbeddedKafkaCluster.builder().nodes(nodes).build().start();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (cluster != null) {
            cluster.close();
            cluster = null;
        }
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext extension) {
        return parameter.getParameter().getType() == EmbeddedKafkaCluster.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext extension) {
        return cluster();
    }
}
