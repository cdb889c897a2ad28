package io.clip4stream.app.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.clip4stream.kafka.embedded.EmbeddedKafkaCluster;
import io.clip4stream.schemas.avro.ClipVector;
import io.clip4stream.schemas.topic.Topic;
import io.clip4stream.schemas.topic.Topics;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

/**
 * Three embedded brokers (replication factor 3, {@code min.insync.replicas} 2) and two instances of every service,
 * each instance a JVM of its own started as {@code clip4stream <service>-service} (what a container runs), so that any
 * of them can be killed with SIGKILL and started again on its old port and state.
 *
 * <p>A broker cannot be killed that way: the nodes run inside this JVM, which cannot kill a part of itself, so
 * {@link #crash} of a broker is Kafka's controlled shutdown; its clients still lose their connections and partition
 * leaders mid-transaction.
 */
public final class LocalCluster implements AutoCloseable {
    /** Brokers (each also a KRaft controller): a quorum survives one stopped node. */
    public static final int BROKERS = 3;

    /** Prefix of a broker's name in {@link #victims()}, followed by its node id. */
    public static final String BROKER_PREFIX = "broker-";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final Duration HTTP_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration POLL = Duration.ofMillis(200);
    private static final Duration READ_TIMEOUT = Duration.ofSeconds(60);

    private final EmbeddedKafkaCluster kafka;
    private final ClusterLayout layout;
    private final Map<String, ServiceProcess> instances;

    private LocalCluster(EmbeddedKafkaCluster kafka, ClusterLayout layout, Map<String, ServiceProcess> instances) {
        this.kafka = kafka;
        this.layout = layout;
        this.instances = instances;
    }

    /**
     * What to start.
     *
     * @param workDir broker data, instance state and logs go here
     * @param modelDir the model every service loads
     * @param mediaDir sources ingest may read
     * @param partitions partitions of every topic
     * @param frameSize the model's image size
     * @param samplingFps frames per second ingest samples
     * @param window sampled frames per clip
     */
    public record Options(
            Path workDir,
            Path modelDir,
            Path mediaDir,
            int partitions,
            int frameSize,
            double samplingFps,
            int window) {}

    /** Starts the brokers and every instance, and waits until every instance is ready. */
    public static LocalCluster start(Options options, Duration readyTimeout, Consumer<String> progress)
            throws IOException, InterruptedException {
        Path logs = options.workDir().resolve("logs");
        Files.createDirectories(logs);
        progress.accept("starting " + BROKERS + " embedded Kafka brokers");
        EmbeddedKafkaCluster kafka = EmbeddedKafkaCluster.builder()
                .nodes(BROKERS)
                .dataDir(options.workDir().resolve("kafka"))
                .build()
                .start();
        ClusterLayout layout = new ClusterLayout(
                kafka.bootstrapServers(),
                options.partitions(),
                BROKERS,
                options.workDir(),
                options.modelDir(),
                options.mediaDir(),
                options.frameSize(),
                options.samplingFps(),
                options.window(),
                ClusterLayout.freePorts());
        Map<String, ServiceProcess> instances = new LinkedHashMap<>();
        LocalCluster cluster = new LocalCluster(kafka, layout, instances);
        try {
            for (String service : ClusterLayout.SERVICES) {
                for (String instance : ClusterLayout.INSTANCES) {
                    String name = ClusterLayout.instanceName(service, instance);
                    progress.accept("starting " + name);
                    instances.put(
                            name,
                            new ServiceProcess(
                                            name,
                                            service + "-service",
                                            layout.environment(service, instance),
                                            layout.port(service, instance),
                                            logs)
                                    .start());
                }
            }
            cluster.awaitReady(readyTimeout);
            return cluster;
        } catch (InterruptedException | RuntimeException e) {
            cluster.close();
            throw e;
        }
    }

    /** Where each instance listens and keeps its state. */
    public ClusterLayout layout() {
        return layout;
    }

    /** The brokers. */
    public EmbeddedKafkaCluster kafka() {
        return kafka;
    }

    /** Every service instance ({@code ingest-a}, ...) and every broker ({@code broker-<id>}), in a fixed order. */
    public List<String> victims() {
        List<String> names = new ArrayList<>(instances.keySet());
        kafka.nodeIds().forEach(id -> names.add(BROKER_PREFIX + id));
        return List.copyOf(names);
    }

    /** Kills a service instance with SIGKILL, or stops a broker; see the class comment. */
    public void crash(String victim) {
        if (victim.startsWith(BROKER_PREFIX)) {
            kafka.stopNode(nodeId(victim));
        } else {
            instance(victim).kill();
        }
    }

    /** Starts a crashed instance or broker again on its old port and state. */
    public void recover(String victim) {
        if (victim.startsWith(BROKER_PREFIX)) {
            kafka.startNode(nodeId(victim));
        } else {
            instance(victim).start();
        }
    }

    /** Waits until every broker runs and every instance answers {@code /ready}; fails with the logs of those not. */
    public void awaitReady(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            List<ServiceProcess> waiting =
                    instances.values().stream().filter(p -> !p.ready()).toList();
            boolean brokers = kafka.nodeIds().stream().allMatch(kafka::isRunning);
            if (waiting.isEmpty() && brokers) {
                return;
            }
            if (System.nanoTime() > deadline) {
                StringBuilder logs = new StringBuilder();
                waiting.forEach(p -> logs.append("\n---- ")
                        .append(p.name())
                        .append(" ----\n")
                        .append(p.logTail()));
                throw new IllegalStateException("Not ready after " + timeout + ": "
                        + waiting.stream().map(ServiceProcess::name).toList() + (brokers ? "" : " and a broker")
                        + logs);
            }
            Thread.sleep(POLL.toMillis());
        }
    }

    /** Registers {@code file} as source {@code sourceId} at the first running ingest instance. */
    public void submit(String sourceId, Path file) throws IOException, InterruptedException {
        ServiceProcess ingest = instances.values().stream()
                .filter(p -> p.name().startsWith("ingest-") && p.isAlive())
                .findFirst()
                .orElseThrow(() -> new IllegalStateException("No ingest instance runs to take " + sourceId));
        String body = JSON.writeValueAsString(Map.of("sourceId", sourceId, "uri", file.toString()));
        HttpResponse<String> response = HTTP.send(
                HttpRequest.newBuilder(ingest.uri().resolve("/sources"))
                        .timeout(HTTP_TIMEOUT)
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 202) {
            throw new IOException(
                    ingest.name() + " refused " + sourceId + ": HTTP " + response.statusCode() + " " + response.body());
        }
    }

    /**
     * Every clip index committed to {@code clip-vectors} by source, read from the beginning up to the last stable
     * offset with {@code read_committed}, as the index sees the topic; a clip committed twice appears twice.
     */
    public Map<String, List<Long>> committedClipIndexes() {
        Topic<String, ClipVector> topic = Topics.defaults().clipVectors();
        Map<String, Object> config = Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                kafka.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG,
                "chaos-count-" + UUID.randomUUID(),
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
                false,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG,
                "read_committed");
        Map<String, List<Long>> indexes = new TreeMap<>();
        try (KafkaConsumer<String, ClipVector> consumer = new KafkaConsumer<>(
                config, topic.keySerde().deserializer(), topic.valueSerde().deserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic.name(), READ_TIMEOUT).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition()))
                    .toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            // With read_committed, end offsets are the last stable offsets: everything committed now.
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, READ_TIMEOUT);
            long deadline = System.nanoTime() + READ_TIMEOUT.toNanos();
            while (partitions.stream().anyMatch(p -> consumer.position(p, READ_TIMEOUT) < end.get(p))) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("clip-vectors not read to " + end + " within " + READ_TIMEOUT);
                }
                consumer.poll(POLL).forEach(record -> {
                    if (record.value() != null) {
                        indexes.computeIfAbsent(record.value().getSourceId(), s -> new ArrayList<>())
                                .add(record.value().getClipIndex());
                    }
                });
            }
        }
        return indexes;
    }

    /**
     * What index instance {@code instance} ({@code a} or {@code b}) holds: the partitions it serves and, by source,
     * the clip indexes of up to {@code k} clips nearest to {@code vector} over them.
     */
    public IndexView indexView(String instance, float[] vector, int k) throws IOException, InterruptedException {
        URI uri = instance(ClusterLayout.instanceName("index", instance)).uri();
        String body = JSON.writeValueAsString(
                Map.of("vector", vector, "k", k, "includeFrameEmbeddings", false, "includeThumbnails", false));
        HttpResponse<String> response = HTTP.send(
                HttpRequest.newBuilder(uri.resolve("/v1/knn"))
                        .timeout(HTTP_TIMEOUT)
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IOException(
                    "index-" + instance + " /v1/knn: HTTP " + response.statusCode() + " " + response.body());
        }
        JsonNode answer = JSON.readTree(response.body());
        List<Integer> partitions = new ArrayList<>();
        answer.get("partitions").forEach(p -> partitions.add(p.asInt()));
        Map<String, List<Long>> hits = new TreeMap<>();
        answer.get("hits")
                .forEach(hit -> hits.computeIfAbsent(hit.get("sourceId").asText(), s -> new ArrayList<>())
                        .add(hit.get("clipIndex").asLong()));
        return new IndexView(partitions, hits);
    }

    /**
     * One index instance's answer.
     *
     * @param partitions the partitions it serves
     * @param clipIndexes clip indexes it returned, by source
     */
    public record IndexView(List<Integer> partitions, Map<String, List<Long>> clipIndexes) {}

    /** The last lines of every instance's log, for failure messages. */
    public String logTails() {
        StringBuilder logs = new StringBuilder();
        instances
                .values()
                .forEach(p -> logs.append("\n---- ")
                        .append(p.name())
                        .append(" ----\n")
                        .append(p.logTail()));
        return logs.toString();
    }

    private ServiceProcess instance(String name) {
        ServiceProcess process = instances.get(name);
        if (process == null) {
            throw new IllegalArgumentException("No instance " + name + "; known: " + instances.keySet());
        }
        return process;
    }

    private int nodeId(String broker) {
        try {
            return Integer.parseInt(broker.substring(BROKER_PREFIX.length()));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("Not a broker name: " + broker, e);
        }
    }

    /**
     * Kills every instance (a clean stop would only cost time) and stops the brokers. After a broker was stopped and
     * started again, the brokers' stop has been seen to wait minutes (a broker's controlled shutdown waiting for a
     * controller quorum that was stopping too); it is not cut short: when it was, the test JVM exited with status 1
     * right after the test, probably Kafka halting as the data of a broker still stopping was deleted.
     */
    @Override
    public void close() {
        instances.values().forEach(ServiceProcess::close);
        kafka.close();
    }
}
