package io.clip4stream.kafka.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real Apache Kafka cluster in KRaft mode whose nodes each run broker and controller in this JVM.
 *
 * <p>This is the broker of the all-in-one mode and of the integration tests: the same code Kafka's own scripts run
 * ({@code StorageTool} to format, {@code KafkaRaftServer} to serve), on loopback ports, with a data directory that
 * survives restarts when the caller provides one. Usage:
 *
 * <pre>{@code
 * try (EmbeddedKafkaCluster kafka = EmbeddedKafkaCluster.builder().nodes(3).build().start()) {
 *     String bootstrap = kafka.bootstrapServers();
 * }
 * }</pre>
 */
public final class EmbeddedKafkaCluster implements AutoCloseable {
    /** Nodes of a cluster unless told otherwise. */
    public static final int DEFAULT_NODES = 1;

    /** How long {@link #start()} waits for every broker to register. */
    public static final Duration DEFAULT_START_TIMEOUT = Duration.ofSeconds(60);

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafkaCluster.class);

    /** Longest wait for a broker's controlled shutdown when the cluster closes (Kafka's own default is 5 minutes). */
    static final Duration BROKER_STOP_TIMEOUT = Duration.ofSeconds(30);

    private final List<KafkaNode> nodes;
    private final Path dataDir;
    private final boolean ownsDataDir;
    private final String clusterId;
    private final Duration startTimeout;

    private EmbeddedKafkaCluster(Builder builder) {
        try {
            this.ownsDataDir = builder.dataDir == null;
            this.dataDir = ownsDataDir ? Files.createTempDirectory("clip4stream-kafka-") : builder.dataDir;
            Files.createDirectories(dataDir);
        } catch (IOException e) {
            throw new EmbeddedKafkaException("Cannot create the Kafka data directory", e);
        }
        this.clusterId = readOrCreateClusterId(dataDir);
        this.startTimeout = builder.startTimeout;
        int count = builder.nodes;
        int[] brokerPorts = new int[count];
        int[] controllerPorts = new int[count];
        for (int i = 0; i < count; i++) {
            brokerPorts[i] = i == 0 && builder.brokerPort > 0 ? builder.brokerPort : freePort();
            controllerPorts[i] = freePort();
        }
        String voters = java.util.stream.IntStream.range(0, count)
                .mapToObj(i -> (i + 1) + "@127.0.0.1:" + controllerPorts[i])
                .collect(Collectors.joining(","));
        List<KafkaNode> built = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int nodeId = i + 1;
            Path nodeDir = dataDir.resolve("node-" + nodeId);
            Properties props = nodeProperties(nodeId, brokerPorts[i], controllerPorts[i], voters, nodeDir, count);
            builder.overrides.forEach(props::setProperty);
            built.add(new KafkaNode(nodeId, brokerPorts[i], controllerPorts[i], nodeDir, props));
        }
        this.nodes = List.copyOf(built);
    }

    /** A builder for a cluster; one node, a temporary data directory and random loopback ports by default. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Formats (first time only) and starts every node, then waits until all brokers are registered.
     *
     * @return this cluster, started
     */
    public EmbeddedKafkaCluster start() {
        long began = System.nanoTime();
        nodes.forEach(node -> node.formatIfNeeded(clusterId));
        // Nodes of a multi-node quorum wait for each other's votes, so they must start concurrently.
        List<CompletableFuture<Void>> starts = nodes.stream()
                .map(node -> CompletableFuture.runAsync(
                        node::start,
                        runnable -> Thread.ofPlatform()
                                .name("kafka-node-" + node.nodeId() + "-start")
                                .start(runnable)))
                .toList();
        try {
            CompletableFuture.allOf(starts.toArray(CompletableFuture[]::new))
                    .get(startTimeout.toMillis(), TimeUnit.MILLISECONDS);
            awaitBrokers(nodes.size());
        } catch (ExecutionException e) {
            close();
            throw new EmbeddedKafkaException("Kafka failed to start in " + dataDir + ": " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            close();
            throw new EmbeddedKafkaException("Kafka did not start within " + startTimeout + " in " + dataDir, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            close();
            throw new EmbeddedKafkaException("Interrupted while starting Kafka", e);
        }
        LOG.info(
                "Embedded Kafka started: {} node(s), bootstrap {}, cluster {}, data {}, in {} ms",
                nodes.size(),
                bootstrapServers(),
                clusterId,
                dataDir,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began));
        return this;
    }

    /** The {@code bootstrap.servers} value for clients: every node's broker listener. */
    public String bootstrapServers() {
        return nodes.stream().map(n -> "127.0.0.1:" + n.brokerPort()).collect(Collectors.joining(","));
    }

    /** Number of nodes. */
    public int size() {
        return nodes.size();
    }

    /** Node ids, 1-based as Kafka's {@code node.id}. */
    public List<Integer> nodeIds() {
        return nodes.stream().map(KafkaNode::nodeId).toList();
    }

    /** Whether node {@code nodeId} is serving. */
    public boolean isRunning(int nodeId) {
        return node(nodeId).isRunning();
    }

    /** Stops one node (broker and controller), as a failing machine would; its data stays for a restart. */
    public void stopNode(int nodeId) {
        long began = System.nanoTime();
        node(nodeId).stop();
        LOG.info("Kafka node {} stopped in {} ms", nodeId, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began));
    }

    /** Starts a stopped node again on its old ports and data. */
    public void startNode(int nodeId) {
        long began = System.nanoTime();
        node(nodeId).start();
        LOG.info("Kafka node {} restarted in {} ms", nodeId, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began));
    }

    /** The cluster id written into every node's {@code meta.properties}. */
    public String clusterId() {
        return clusterId;
    }

    /** Where the nodes keep their logs and metadata. */
    public Path dataDir() {
        return dataDir;
    }

    /** Stops every node; a temporary data directory is deleted, a caller-provided one is kept. */
    @Override
    public void close() {
        // First every broker, at once, while all controllers still run to approve their controlled shutdowns; then
        // every node (its controller; its broker is already down), at once. Stopped one by one, or nodes whole, the
        // last brokers waited up to Kafka's 5 minutes for a controller quorum that no longer existed.
        inParallel("broker-stop", node -> node.stopBroker(BROKER_STOP_TIMEOUT));
        inParallel("stop", KafkaNode::stop);
        if (ownsDataDir) {
            deleteRecursively(dataDir);
        }
    }

    private void inParallel(String what, java.util.function.Consumer<KafkaNode> action) {
        List<CompletableFuture<Void>> stops = nodes.stream()
                .map(node -> CompletableFuture.runAsync(
                                () -> action.accept(node),
                                runnable -> Thread.ofPlatform()
                                        .name("kafka-node-" + node.nodeId() + "-" + what)
                                        .start(runnable))
                        .exceptionally(e -> {
                            LOG.warn("Kafka node {} did not stop cleanly ({})", node.nodeId(), what, e);
                            return null;
                        }))
                .toList();
        CompletableFuture.allOf(stops.toArray(CompletableFuture[]::new)).join();
    }

    private KafkaNode node(int nodeId) {
        return nodes.stream()
                .filter(n -> n.nodeId() == nodeId)
                .findFirst()
                .orElseThrow(
                        () -> new IllegalArgumentException("No Kafka node " + nodeId + "; nodes are " + nodeIds()));
    }

    private void awaitBrokers(int expected) throws InterruptedException, ExecutionException, TimeoutException {
        Map<String, Object> config = Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        long deadline = System.nanoTime() + startTimeout.toNanos();
        try (Admin admin = Admin.create(config)) {
            while (true) {
                int registered = admin.describeCluster()
                        .nodes()
                        .get(startTimeout.toMillis(), TimeUnit.MILLISECONDS)
                        .size();
                if (registered >= expected) {
                    return;
                }
                if (System.nanoTime() > deadline) {
                    throw new TimeoutException(registered + " of " + expected + " brokers registered");
                }
                Thread.sleep(50);
            }
        }
    }

    private static Properties nodeProperties(
            int nodeId, int brokerPort, int controllerPort, String voters, Path nodeDir, int clusterSize) {
        int replication = Math.min(3, clusterSize);
        int minIsr = Math.min(2, clusterSize);
        Map<String, String> p = new LinkedHashMap<>();
        p.put("process.roles", "broker,controller");
        p.put("node.id", Integer.toString(nodeId));
        p.put("controller.quorum.voters", voters);
        p.put("listeners", "PLAINTEXT://127.0.0.1:" + brokerPort + ",CONTROLLER://127.0.0.1:" + controllerPort);
        p.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + brokerPort);
        p.put("controller.listener.names", "CONTROLLER");
        p.put("inter.broker.listener.name", "PLAINTEXT");
        p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        p.put("log.dirs", nodeDir.resolve("data").toString());
        p.put("num.partitions", "1");
        p.put("default.replication.factor", Integer.toString(replication));
        p.put("min.insync.replicas", Integer.toString(minIsr));
        // Internal topics must fit the cluster, or transactions and consumer groups hang on a single node.
        p.put("offsets.topic.replication.factor", Integer.toString(replication));
        p.put("offsets.topic.num.partitions", "10");
        p.put("transaction.state.log.replication.factor", Integer.toString(replication));
        p.put("transaction.state.log.min.isr", Integer.toString(minIsr));
        p.put("transaction.state.log.num.partitions", "10");
        p.put("share.coordinator.state.topic.replication.factor", Integer.toString(replication));
        p.put("share.coordinator.state.topic.min.isr", Integer.toString(minIsr));
        p.put("group.initial.rebalance.delay.ms", "0");
        p.put("auto.create.topics.enable", "false");
        p.put("message.max.bytes", Integer.toString(8 * 1024 * 1024));
        p.put("replica.fetch.max.bytes", Integer.toString(8 * 1024 * 1024));
        p.put("log.segment.bytes", Integer.toString(64 * 1024 * 1024));
        Properties props = new Properties();
        p.forEach(props::setProperty);
        return props;
    }

    private static String readOrCreateClusterId(Path dataDir) {
        Path file = dataDir.resolve("cluster-id");
        try {
            if (Files.exists(file)) {
                return Files.readString(file).strip();
            }
            String id = Uuid.randomUuid().toString();
            Files.writeString(file, id);
            return id;
        } catch (IOException e) {
            throw new EmbeddedKafkaException("Cannot read or write the cluster id in " + file, e);
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 0, java.net.InetAddress.getLoopbackAddress())) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("No free loopback port", e);
        }
    }

    private static void deleteRecursively(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.deleteIfExists(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path dir, IOException exc) throws IOException {
                    Files.deleteIfExists(dir);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            LOG.warn("Could not delete the temporary Kafka directory {}", root, e);
        }
    }

    /** Builds an {@link EmbeddedKafkaCluster}; every setting is optional. */
    public static final class Builder {
        private int nodes = DEFAULT_NODES;
        private Path dataDir;
        private int brokerPort;
        private Duration startTimeout = DEFAULT_START_TIMEOUT;
        private final Map<String, String> overrides = new LinkedHashMap<>();

        private Builder() {}

        /** Number of combined broker-and-controller nodes, 1 to 9. */
        public Builder nodes(int count) {
            if (count < 1 || count > 9) {
                throw new IllegalArgumentException("An embedded cluster has 1 to 9 nodes; was " + count);
            }
            this.nodes = count;
            return this;
        }

        /** Keeps the cluster's data in {@code dir}, so a restart finds its topics again; not deleted on close. */
        public Builder dataDir(Path dir) {
            this.dataDir = dir;
            return this;
        }

        /** Serves the first node's broker on {@code port} instead of a random free port. */
        public Builder brokerPort(int port) {
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("Broker port must be 1-65535; was " + port);
            }
            this.brokerPort = port;
            return this;
        }

        /** How long start-up may take. */
        public Builder startTimeout(Duration timeout) {
            this.startTimeout = timeout;
            return this;
        }

        /** Sets a broker property on every node, overriding the defaults. */
        public Builder brokerProperty(String key, String value) {
            overrides.put(key, value);
            return this;
        }

        /** The configured cluster, not yet started. */
        public EmbeddedKafkaCluster build() {
            return new EmbeddedKafkaCluster(this);
        }
    }

    @Override
    public String toString() {
        return "EmbeddedKafkaCluster[" + nodes.size() + " node(s), " + Optional.ofNullable(dataDir) + "]";
    }
}
