package io.clip4stream.app;

import io.clip4stream.alert.AlertConfig;
import io.clip4stream.alert.AlertService;
import io.clip4stream.encoder.EncoderConfig;
import io.clip4stream.encoder.EncoderService;
import io.clip4stream.index.IndexConfig;
import io.clip4stream.index.IndexService;
import io.clip4stream.ingest.IngestConfig;
import io.clip4stream.ingest.IngestService;
import io.clip4stream.kafka.embedded.EmbeddedKafkaCluster;
import io.clip4stream.model.Clip4ClipModel;
import io.clip4stream.model.ModelOptions;
import io.clip4stream.model.spec.Preprocessing;
import io.clip4stream.query.QueryConfig;
import io.clip4stream.query.QueryService;
import io.clip4stream.runtime.config.Env;
import io.clip4stream.runtime.lifecycle.BoundedShutdown;
import io.clip4stream.runtime.lifecycle.Service;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Everything in one JVM: an embedded Kafka broker and the four services, each configured as it would be on its own
 * (from an environment map) and still talking only through Kafka and HTTP.
 *
 * <p>The services share one loaded model, which is thread-safe; that is the only thing the all-in-one mode shares
 * that separate deployments would not.
 */
public final class AllInOne implements AutoCloseable {
    private static final long ADVICE_POLL_MILLIS = 200;
    private static final Logger LOG = LoggerFactory.getLogger(AllInOne.class);

    private final Options options;
    private final Map<String, String> environment;
    private final Consumer<String> progress;
    private final List<AutoCloseable> started = new ArrayList<>();
    private EmbeddedKafkaCluster kafka;
    private Clip4ClipModel model;
    private IngestService ingest;
    private IndexService index;
    private EncoderService encoder;
    private QueryService query;
    private AlertService alert;

    /**
     * What to run.
     *
     * @param port port of the page, the search API and {@code /health} (0: any free)
     * @param dataDir where the broker, the index shards, uploads and media live
     * @param modelDir the model directory
     * @param kafkaNodes broker nodes
     * @param partitions partitions of created topics
     */
    public record Options(int port, Path dataDir, Path modelDir, int kafkaNodes, int partitions) {
        /** Validates the options. */
        public Options {
            Objects.requireNonNull(dataDir, "dataDir");
            Objects.requireNonNull(modelDir, "modelDir");
            if (port < 0 || port > 65535 || kafkaNodes < 1 || partitions < 1) {
                throw new IllegalArgumentException("port 0-65535, at least one node and one partition");
            }
        }
    }

    /** An all-in-one run with {@code environment} as the base of every service's settings. */
    public AllInOne(Options options, Map<String, String> environment, Consumer<String> progress) {
        this.options = options;
        this.environment = Map.copyOf(environment);
        this.progress = progress;
    }

    /** Starts the broker, loads the model and starts index, encoder, ingest and query, in that order. */
    public synchronized AllInOne start() {
        try {
            progress.accept("starting Kafka");
            kafka = EmbeddedKafkaCluster.builder()
                    .nodes(options.kafkaNodes())
                    .dataDir(options.dataDir().resolve("kafka").toAbsolutePath())
                    .build()
                    .start();
            started.add(kafka);
            progress.accept("loading the model from " + options.modelDir());
            model = Clip4ClipModel.load(options.modelDir(), ModelOptions.defaults());
            started.add(model);

            Map<String, String> env = new HashMap<>(environment);
            env.put("CLIP4S_KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers());
            env.put("CLIP4S_MODEL_DIR", options.modelDir().toString());
            env.putIfAbsent("CLIP4S_TOPIC_PARTITIONS", Integer.toString(options.partitions()));
            env.putIfAbsent("CLIP4S_TOPIC_REPLICATION_FACTOR", Integer.toString(Math.min(3, options.kafkaNodes())));
            env.put("CLIP4S_INDEX_HTTP_PORT", "0");
            env.put("CLIP4S_INDEX_ADVERTISED_HOST", "127.0.0.1");
            env.put("CLIP4S_INDEX_STATE_DIR", options.dataDir().resolve("index").toString());
            env.put("CLIP4S_ENCODER_HTTP_PORT", "0");
            env.put("CLIP4S_INGEST_HTTP_PORT", "0");
            env.put("CLIP4S_INGEST_ROOT", mediaDir().toString());
            env.put(
                    "CLIP4S_INGEST_UPLOAD_DIR",
                    options.dataDir().resolve("uploads").toString());
            env.put(
                    "CLIP4S_INGEST_MEDIA_DIR",
                    options.dataDir().resolve("playback").toString());
            // Ingest resizes and crops; it prepares frames as the model was trained (config.json's preprocessing).
            Preprocessing preparation = model.preprocessing();
            env.put("CLIP4S_INGEST_FRAME_SIZE", Integer.toString(preparation.cropSize()));
            env.put("CLIP4S_INGEST_RESIZE_SIZE", Integer.toString(preparation.resizeSize()));
            env.put("CLIP4S_INGEST_INTERPOLATION", preparation.interpolation());

            progress.accept("starting index-service");
            index = start(new IndexService(IndexConfig.fromEnv(new Env(env)), model, null));
            progress.accept("starting encoder-service");
            encoder = start(new EncoderService(EncoderConfig.fromEnv(new Env(env)), model));
            progress.accept("starting ingest-service");
            ingest = start(new IngestService(IngestConfig.fromEnv(new Env(env))));

            env.put("CLIP4S_ALERT_HTTP_PORT", "0");
            env.put("CLIP4S_ALERT_BIND_ADDRESS", "127.0.0.1");
            env.put("CLIP4S_ALERT_STATE_DIR", options.dataDir().resolve("alert").toString());
            progress.accept("starting alert-service");
            alert = start(new AlertService(AlertConfig.fromEnv(new Env(env)), model));

            env.put("CLIP4S_QUERY_ALERT_URL", alert.uri().toString());
            env.put("CLIP4S_QUERY_HTTP_PORT", Integer.toString(options.port()));
            env.put("CLIP4S_QUERY_BIND_ADDRESS", "127.0.0.1");
            env.put(
                    "CLIP4S_QUERY_INDEX_URLS",
                    "http://127.0.0.1:" + index.http().port());
            env.put("CLIP4S_QUERY_INGEST_URL", ingest.httpUri().toString());
            progress.accept("starting query-service");
            query = start(new QueryService(QueryConfig.fromEnv(new Env(env)), model));
            LOG.info(
                    "Clip4Stream is running: page {}, ingest {}, index {}",
                    pageUri(),
                    ingestUri(),
                    index.http().uri());
            return this;
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    /** The page, search API and health endpoint. */
    public synchronized URI pageUri() {
        return query.uri();
    }

    /** The alert API (standing queries and alerts; the page's port forwards to it too). */
    public synchronized URI alertUri() {
        return alert.uri();
    }

    /** The ingest API. */
    public synchronized URI ingestUri() {
        return ingest.httpUri();
    }

    /** The index-service's HTTP API ({@code /v1/knn} and the rest). */
    public synchronized URI indexUri() {
        return index.http().uri();
    }

    /** The model version the encoder encodes live frames with now (the active one, after a model change). */
    public synchronized String encoderModelVersion() {
        return encoder.models().active().version();
    }

    /** The identity of the loaded model (its embedding width, version). */
    public synchronized io.clip4stream.model.ModelInfo modelInfo() {
        return model.info();
    }

    /** The broker's bootstrap servers. */
    public synchronized String bootstrapServers() {
        return kafka.bootstrapServers();
    }

    /** Where sample and local videos must lie for path ingestion. */
    public Path mediaDir() {
        return options.dataDir().resolve("media").toAbsolutePath();
    }

    /**
     * What to tell the user when the served model version holds no clips while other versions do (a data directory
     * indexed with another model), after waiting up to {@code wait} for the index's shards; empty when all is well.
     */
    public java.util.Optional<String> modelAdvice(java.time.Duration wait) throws InterruptedException {
        IndexService current;
        synchronized (this) {
            current = index;
        }
        if (current == null) {
            return java.util.Optional.empty();
        }
        long deadline = System.nanoTime() + wait.toNanos();
        while (!current.isReady() && System.nanoTime() < deadline) {
            Thread.sleep(ADVICE_POLL_MILLIS);
        }
        return current.emptyActiveVersionAdvice();
    }

    /** Whether every service is ready. */
    public synchronized boolean isReady() {
        return started.stream().allMatch(s -> !(s instanceof Service service) || service.isReady());
    }

    private <S extends Service> S start(S service) {
        started.add(service);
        service.start();
        return service;
    }

    /**
     * Stops the services in reverse order, then the model and the broker, as {@link #close()} does, but within {@code
     * shutdown}'s budget: a part that overruns its share is left behind (see {@link BoundedShutdown}).
     */
    public synchronized BoundedShutdown.Report close(BoundedShutdown shutdown) {
        List<BoundedShutdown.Part> parts = new ArrayList<>();
        for (AutoCloseable closeable : started.reversed()) {
            String name = closeable instanceof Service service
                    ? service.name()
                    : closeable.getClass().getSimpleName();
            parts.add(new BoundedShutdown.Part(name, closeable));
        }
        started.clear();
        return shutdown.close(parts);
    }

    /** Stops the services in reverse order, then the model and the broker. */
    @Override
    public synchronized void close() {
        for (AutoCloseable closeable : started.reversed()) {
            try {
                closeable.close();
            } catch (Exception e) {
                LOG.warn("{} did not stop cleanly", closeable, e);
            }
        }
        started.clear();
    }
}
