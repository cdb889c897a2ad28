package io.clip4stream.kafka.embedded;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.common.utils.Time;

/** One combined broker-and-controller node: its settings, its data directory and, while running, its server. */
final class KafkaNode {
    private final int nodeId;
    private final int brokerPort;
    private final int controllerPort;
    private final Path dataDir;
    private final Properties properties;
    private KafkaRaftServer server;

    KafkaNode(int nodeId, int brokerPort, int controllerPort, Path dataDir, Properties properties) {
        this.nodeId = nodeId;
        this.brokerPort = brokerPort;
        this.controllerPort = controllerPort;
        this.dataDir = dataDir;
        this.properties = properties;
    }

    int nodeId() {
        return nodeId;
    }

    int brokerPort() {
        return brokerPort;
    }

    int controllerPort() {
        return controllerPort;
    }

    synchronized boolean isRunning() {
        return server != null;
    }

    /** Formats the log directory once, as {@code kafka-storage.sh format} does; a formatted directory is reused. */
    void formatIfNeeded(String clusterId) {
        Path logDir = dataDir.resolve("data");
        if (Files.exists(logDir.resolve("meta.properties"))) {
            return;
        }
        try {
            Files.createDirectories(dataDir);
            Path config = dataDir.resolve("server.properties");
            try (var out = Files.newBufferedWriter(config)) {
                properties.store(out, "Clip4Stream embedded Kafka node " + nodeId);
            }
            ByteArrayOutputStream log = new ByteArrayOutputStream();
            int rc;
            try (PrintStream print = new PrintStream(log, true, StandardCharsets.UTF_8)) {
                rc = StorageTool.execute(
                        new String[] {"format", "-t", clusterId, "-c", config.toString(), "--ignore-formatted"}, print);
            }
            if (rc != 0) {
                throw new EmbeddedKafkaException("Formatting Kafka node " + nodeId + " in " + logDir + " failed (rc "
                        + rc + "): " + log.toString(StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            throw new EmbeddedKafkaException("Cannot prepare the data directory " + dataDir + " of node " + nodeId, e);
        }
    }

    /** Starts the node; returns once its broker serves requests (in a multi-node quorum, once a leader exists). */
    void start() {
        KafkaRaftServer started = new KafkaRaftServer(KafkaConfig.fromProps(properties, false), Time.SYSTEM);
        started.startup();
        synchronized (this) {
            server = started;
        }
    }

    /**
     * Stops only the node's broker, with a controlled shutdown bounded by {@code timeout}, leaving its controller
     * running: a cluster stops all brokers this way first, while every controller can still approve a controlled
     * shutdown, and then the nodes. (Stopped together, a broker slower than the others waited up to Kafka's 5 minutes
     * for a quorum whose controllers had already gone.) Does nothing when the server's broker cannot be reached.
     */
    void stopBroker(java.time.Duration timeout) {
        KafkaRaftServer running;
        synchronized (this) {
            running = server;
        }
        if (running == null) {
            return;
        }
        Object broker;
        try {
            // KafkaRaftServer keeps its BrokerServer in a private Scala Option; no public accessor exists.
            java.lang.reflect.Field field = KafkaRaftServer.class.getDeclaredField("broker");
            field.setAccessible(true);
            broker = field.get(running);
        } catch (ReflectiveOperationException | RuntimeException e) {
            // A Kafka version without the field: the node's own shutdown stops the broker, as before.
            return;
        }
        if (broker instanceof scala.Option<?> option
                && option.isDefined()
                && option.get() instanceof kafka.server.BrokerServer brokerServer) {
            brokerServer.shutdown(timeout);
        }
    }

    /** Stops the node with a controlled shutdown and waits until it is down; a stopped node may be started again. */
    void stop() {
        KafkaRaftServer running;
        synchronized (this) {
            running = server;
            server = null;
        }
        if (running != null) {
            running.shutdown();
            running.awaitShutdown();
        }
    }
}
