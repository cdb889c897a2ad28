package io.clip4stream.app.cluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Where every instance of a two-instances-per-service cluster listens and keeps its state, and the environment each
 * is started with: the settings a container of that service would get, so one layout serves the in-JVM and the
 * child-process instances alike.
 *
 * @param bootstrapServers the Kafka cluster
 * @param partitions partitions of every topic
 * @param replicationFactor replication factor of every topic
 * @param workDir where instances keep state and uploads
 * @param modelDir the model every service loads
 * @param mediaDir the directory ingest may read sources from
 * @param frameSize the model's image size, which ingest resizes frames to
 * @param samplingFps frames per second ingest samples
 * @param window sampled frames per clip
 * @param ports each instance's HTTP port by name ({@code index-a}, ...)
 */
public record ClusterLayout(
        String bootstrapServers,
        int partitions,
        int replicationFactor,
        Path workDir,
        Path modelDir,
        Path mediaDir,
        int frameSize,
        double samplingFps,
        int window,
        Map<String, Integer> ports) {
    /** The services, in the order they start: consumers before the stages that feed them. */
    public static final List<String> SERVICES = List.of("index", "encoder", "ingest", "query");

    /** The two instances of each service. */
    public static final List<String> INSTANCES = List.of("a", "b");

    /**
     * A killed member's partitions move after the session timeout; Kafka's default 45 s would dominate every crash
     * trial, and the broker's minimum is 6 s.
     */
    public static final int SESSION_TIMEOUT_MS = 10_000;

    private static final int HEARTBEAT_INTERVAL_MS = 1_000;

    /** Copies the port map. */
    public ClusterLayout {
        ports = Map.copyOf(ports);
    }

    /** A free loopback port for every instance of every service, no two alike. */
    public static Map<String, Integer> freePorts() {
        Map<String, Integer> ports = new LinkedHashMap<>();
        List<ServerSocket> held = new ArrayList<>();
        try {
            for (String service : SERVICES) {
                for (String instance : INSTANCES) {
                    // Each socket stays open until all are drawn, so the system cannot hand out one port twice.
                    ServerSocket socket = new ServerSocket(0, 0, InetAddress.getLoopbackAddress());
                    held.add(socket);
                    ports.put(instanceName(service, instance), socket.getLocalPort());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("No free loopback port", e);
        } finally {
            for (ServerSocket socket : held) {
                try {
                    socket.close();
                } catch (IOException e) {
                    // Closing a listening socket that never accepted fails only if already closed.
                }
            }
        }
        return ports;
    }

    /** {@code service-instance}, e.g. {@code index-b}: the name of an instance, its port key and its log file. */
    public static String instanceName(String service, String instance) {
        return service + "-" + instance;
    }

    /** The HTTP port of {@code service}'s {@code instance}. */
    public int port(String service, String instance) {
        Integer port = ports.get(instanceName(service, instance));
        if (port == null) {
            throw new IllegalArgumentException("No port for " + instanceName(service, instance) + " in " + ports);
        }
        return port;
    }

    /** The settings of {@code service}'s {@code instance}, as {@code CLIP4S_*} environment variables. */
    public Map<String, String> environment(String service, String instance) {
        Map<String, String> env = new HashMap<>();
        env.put("CLIP4S_KAFKA_BOOTSTRAP_SERVERS", bootstrapServers);
        env.put("CLIP4S_TOPIC_PARTITIONS", Integer.toString(partitions));
        env.put("CLIP4S_TOPIC_REPLICATION_FACTOR", Integer.toString(replicationFactor));
        env.put("CLIP4S_KAFKA_PROP_SESSION_TIMEOUT_MS", Integer.toString(SESSION_TIMEOUT_MS));
        env.put("CLIP4S_KAFKA_PROP_HEARTBEAT_INTERVAL_MS", Integer.toString(HEARTBEAT_INTERVAL_MS));
        env.put("CLIP4S_MODEL_DIR", modelDir.toString());
        String port = Integer.toString(port(service, instance));
        String name = instanceName(service, instance);
        switch (service) {
            case "ingest" -> {
                env.put("CLIP4S_INGEST_HTTP_PORT", port);
                env.put("CLIP4S_INGEST_INSTANCE_ID", name);
                env.put("CLIP4S_INGEST_ROOT", mediaDir.toString());
                env.put(
                        "CLIP4S_INGEST_UPLOAD_DIR",
                        workDir.resolve("uploads-" + instance).toString());
                env.put("CLIP4S_INGEST_FRAME_SIZE", Integer.toString(frameSize));
                env.put("CLIP4S_INGEST_FPS", Double.toString(samplingFps));
                env.put("CLIP4S_INGEST_CLIP_WINDOW", Integer.toString(window));
                // One source at a time per instance keeps both instances busy for longer.
                env.put("CLIP4S_INGEST_MAX_CONCURRENT", "1");
            }
            case "encoder" -> {
                env.put("CLIP4S_ENCODER_HTTP_PORT", port);
                env.put("CLIP4S_ENCODER_INSTANCE_ID", name);
                env.put("CLIP4S_ENCODER_THREADS", "1");
            }
            case "index" -> {
                env.put("CLIP4S_INDEX_HTTP_PORT", port);
                env.put("CLIP4S_INDEX_ADVERTISED_HOST", "127.0.0.1");
                env.put(
                        "CLIP4S_INDEX_STATE_DIR",
                        workDir.resolve("index-state-" + instance).toString());
            }
            case "query" -> {
                env.put("CLIP4S_QUERY_HTTP_PORT", port);
                env.put("CLIP4S_QUERY_BIND_ADDRESS", "127.0.0.1");
                env.put("CLIP4S_QUERY_MODEL_THREADS", "1");
                env.put(
                        "CLIP4S_QUERY_INDEX_URLS",
                        "http://127.0.0.1:" + port("index", "a") + ",http://127.0.0.1:" + port("index", "b"));
                env.put("CLIP4S_QUERY_INGEST_URL", "http://127.0.0.1:" + port("ingest", "a"));
            }
            default -> throw new IllegalArgumentException("Unknown service " + service + "; known: " + SERVICES);
        }
        return env;
    }
}
