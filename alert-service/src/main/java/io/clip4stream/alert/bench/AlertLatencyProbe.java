package io.clip4stream.alert.bench;

import io.clip4stream.alert.AlertConfig;
import io.clip4stream.alert.AlertService;
import io.clip4stream.alert.stream.TextEncoder;
import io.clip4stream.runtime.config.Env;
import io.clip4stream.schemas.avro.Alert;
import io.clip4stream.schemas.topic.AlertTopics;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;

/**
 * {@code bench alert-latency}'s alert side: runs the alert service on a pipeline's topics with one standing query that
 * every clip matches, reads the {@code alerts} topic as a read-committed consumer (an alert counts once its
 * transaction committed, as every downstream reader sees it), and measures, clip by clip, the time from the clip's
 * boundary being sent to the alert record its clip opened or extended arriving.
 *
 * <p>The driver (the freshness benchmark, which sends the boundaries and measures indexing freshness in the same run)
 * calls {@link #start} once the index service runs, {@link #boundaryProduced} per clip, and closes the probe after the
 * last clip, which waits up to {@link #DRAIN} for the alerts still on their way.
 */
public final class AlertLatencyProbe implements AutoCloseable {
    /** Id of the standing query the probe registers. */
    public static final String QUERY_ID = "bench-alert-latency";

    private static final Duration DRAIN = Duration.ofSeconds(30);
    private static final Duration STARTUP = Duration.ofMinutes(2);
    private static final Duration POLL = Duration.ofMillis(20);
    // The consumer's fetch wait: the default 500 ms would be most of what is measured.
    private static final int FETCH_MAX_WAIT_MS = 5;
    // Every clip matches: the measured path is the full one (score, moment step, alert record) for every clip.
    private static final double MATCH_EVERYTHING = -1.0;
    // Consecutive clips of a source stay one moment, so each clip extends it and writes one alert record.
    private static final int GAP_SECONDS = 3_600;

    private final Map<String, Long> produced = new ConcurrentHashMap<>();
    private final Map<String, Long> arrived = new ConcurrentHashMap<>();
    private final LongSupplier nanoTime;
    private AlertService service;
    private KafkaConsumer<String, Alert> consumer;
    private Thread reader;
    private volatile boolean running;

    /**
     * The figures.
     *
     * @param alerts clips whose alert record arrived
     * @param p50Millis median time from boundary sent to alert record read
     * @param p95Millis 95th percentile
     * @param maxMillis slowest
     */
    public record Result(int alerts, double p50Millis, double p95Millis, double maxMillis) {}

    /** A probe timing with {@link System#nanoTime}. */
    public AlertLatencyProbe() {
        this(System::nanoTime);
    }

    AlertLatencyProbe(LongSupplier nanoTime) {
        this.nanoTime = Objects.requireNonNull(nanoTime, "nanoTime");
    }

    /**
     * Starts the alert service on the topics under {@code topicPrefix}, registers the standing query and starts reading
     * alerts.
     *
     * @param bootstrapServers the broker
     * @param topicPrefix the pipeline's topic prefix
     * @param stateDir the alert service's stream state
     * @param encoder encodes the standing query (the pipeline's model)
     */
    public synchronized void start(String bootstrapServers, String topicPrefix, Path stateDir, TextEncoder encoder)
            throws Exception {
        Map<String, String> env = new HashMap<>();
        env.put("CLIP4S_KAFKA_BOOTSTRAP_SERVERS", bootstrapServers);
        env.put("CLIP4S_TOPIC_PREFIX", topicPrefix);
        env.put("CLIP4S_TOPIC_PARTITIONS", "2");
        env.put("CLIP4S_ALERT_APPLICATION_ID", topicPrefix + "alert");
        env.put("CLIP4S_ALERT_STATE_DIR", stateDir.toString());
        env.put("CLIP4S_ALERT_HTTP_PORT", "0");
        env.put("CLIP4S_ALERT_BIND_ADDRESS", "127.0.0.1");
        AlertConfig config = AlertConfig.fromEnv(new Env(env));
        service = new AlertService(config, encoder);
        service.start();
        awaitReady();
        register(service.uri());

        AlertTopics topics = config.alertTopics();
        Map<String, Object> settings = config.kafka().consumer("alert-latency", topicPrefix + "alert-latency");
        settings.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        settings.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, FETCH_MAX_WAIT_MS);
        settings.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        consumer = new KafkaConsumer<>(
                settings,
                topics.alerts().keySerde().deserializer(),
                topics.alerts().valueSerde().deserializer());
        consumer.subscribe(List.of(topics.alerts().name()));
        running = true;
        reader = Thread.ofPlatform().name("alert-latency-reader").start(this::read);
    }

    private void awaitReady() throws InterruptedException {
        long deadline = System.nanoTime() + STARTUP.toNanos();
        while (!service.isReady()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the alert service was not ready within " + STARTUP);
            }
            Thread.sleep(POLL.toMillis());
        }
    }

    private static void register(URI api) throws Exception {
        String body = "{\"id\":\"" + QUERY_ID + "\",\"text\":\"anything at all\",\"minScore\":" + MATCH_EVERYTHING
                + ",\"gapSeconds\":" + GAP_SECONDS + "}";
        try (HttpClient http = HttpClient.newHttpClient()) {
            HttpResponse<String> answer = http.send(
                    HttpRequest.newBuilder(api.resolve("/standing-queries"))
                            .header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString(body))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            if (answer.statusCode() / 100 != 2) {
                throw new IllegalStateException("registering the benchmark's standing query failed: "
                        + answer.statusCode() + " " + answer.body());
            }
        }
    }

    private void read() {
        while (running) {
            for (ConsumerRecord<String, Alert> record : consumer.poll(POLL)) {
                Alert alert = record.value();
                if (alert != null) {
                    arrived.putIfAbsent(key(alert.getSourceId(), alert.getEndTimeMicros()), nanoTime.getAsLong());
                }
            }
        }
    }

    /** Records that the boundary of {@code sourceId}'s clip ending at {@code endMicros} was sent at {@code nanos}. */
    public void boundaryProduced(String sourceId, long endMicros, long nanos) {
        produced.put(key(sourceId, endMicros), nanos);
    }

    private static String key(String sourceId, long endMicros) {
        return sourceId + '@' + endMicros;
    }

    /** Waits up to {@link #DRAIN} for an alert record of every clip sent, then stops the reader and the service. */
    @Override
    public synchronized void close() throws InterruptedException {
        long deadline = System.nanoTime() + DRAIN.toNanos();
        while (running && !arrived.keySet().containsAll(produced.keySet()) && System.nanoTime() < deadline) {
            Thread.sleep(POLL.toMillis());
        }
        running = false;
        if (reader != null) {
            reader.join();
            consumer.close();
        }
        if (service != null) {
            service.close();
        }
    }

    /** The latencies of the clips whose alert arrived (after {@link #close}). */
    public Result result() {
        return summarise(produced, arrived);
    }

    /** Latency figures of every key in both maps: arrival minus production, in milliseconds. */
    static Result summarise(Map<String, Long> produced, Map<String, Long> arrived) {
        List<Long> nanos = new ArrayList<>();
        produced.forEach((key, sent) -> {
            Long at = arrived.get(key);
            if (at != null) {
                nanos.add(Math.max(0, at - sent));
            }
        });
        if (nanos.isEmpty()) {
            return new Result(0, 0, 0, 0);
        }
        long[] sorted = nanos.stream().mapToLong(Long::longValue).toArray();
        Arrays.sort(sorted);
        return new Result(sorted.length, at(sorted, 0.5), at(sorted, 0.95), sorted[sorted.length - 1] / 1e6);
    }

    private static double at(long[] sorted, double fraction) {
        return sorted[Math.min(sorted.length - 1, (int) Math.floor(fraction * sorted.length))] / 1e6;
    }
}
