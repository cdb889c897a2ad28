package io.clip4stream.alert;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.clip4stream.alert.feed.AlertFeed;
import io.clip4stream.alert.http.AlertRoutes;
import io.clip4stream.alert.http.StandingQueryRoutes;
import io.clip4stream.alert.http.StandingQueryWriter;
import io.clip4stream.alert.match.ScoreSketch;
import io.clip4stream.alert.stream.AlertTopology;
import io.clip4stream.alert.stream.MatchObserver;
import io.clip4stream.alert.stream.ModelTextEncoder;
import io.clip4stream.alert.stream.StandingQueryRegistry;
import io.clip4stream.alert.stream.TextEncoder;
import io.clip4stream.alert.webhook.WebhookDispatcher;
import io.clip4stream.alert.webhook.WebhookSender;
import io.clip4stream.alert.webhook.WebhookTargetGuard;
import io.clip4stream.model.Clip4ClipModel;
import io.clip4stream.model.ModelOptions;
import io.clip4stream.runtime.http.HttpHost;
import io.clip4stream.runtime.kafka.TopicProvisioner;
import io.clip4stream.runtime.lifecycle.Service;
import io.clip4stream.schemas.avro.StandingQuery;
import io.clip4stream.schemas.topic.AlertTopics;
import io.clip4stream.schemas.topic.Topic;
import io.clip4stream.schemas.topic.Topics;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The alert service: the alert topology (exactly-once v2), the standing-query and alert API, the alert feed behind
 * {@code GET /alerts}, and webhook delivery. The model, when given, is the caller's; the service never closes it.
 */
public final class AlertService implements Service {
    private static final Logger LOG = LoggerFactory.getLogger(AlertService.class);
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(30);

    private final AlertConfig config;
    private final TextEncoder givenEncoder;
    private Clip4ClipModel ownedModel;
    private volatile KafkaStreams streams;
    private KafkaProducer<String, StandingQuery> producer;
    private AlertFeed feed;
    private volatile boolean closing;
    private WebhookDispatcher dispatcher;
    private HttpClient http;
    private HttpHost host;

    /** A service that loads the model from {@link AlertConfig#modelDir()} when it starts, and owns it. */
    public AlertService(AlertConfig config) {
        this(config, (TextEncoder) null);
    }

    /** A service encoding standing queries with {@code model} (owned by the caller). */
    public AlertService(AlertConfig config, Clip4ClipModel model) {
        this(config, new ModelTextEncoder(Objects.requireNonNull(model, "model")));
    }

    /** A service encoding standing queries with {@code encoder}. */
    public AlertService(AlertConfig config, TextEncoder encoder) {
        this.config = Objects.requireNonNull(config, "config");
        this.givenEncoder = encoder;
    }

    @Override
    public String name() {
        return "alert-service";
    }

    @Override
    public synchronized void start() {
        if (host != null) {
            throw new IllegalStateException("alert-service is already started");
        }
        try {
            startAll();
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    private void startAll() {
        TextEncoder encoder = givenEncoder;
        if (encoder == null) {
            ownedModel = Clip4ClipModel.load(config.modelDir(), ModelOptions.defaults());
            encoder = new ModelTextEncoder(ownedModel);
        }
        Topics topics = config.topics();
        AlertTopics alertTopics = config.alertTopics();
        List<Topic<String, ?>> all = new ArrayList<>(topics.all());
        all.addAll(alertTopics.all());
        new TopicProvisioner(config.kafka(), config.replicationFactor(), TopicProvisioner.DEFAULT_TIMEOUT).ensure(all);

        PrometheusRegistry registry = new PrometheusRegistry();
        Histogram scoring = Histogram.builder()
                .name("clip4stream_alert_scoring_seconds")
                .help("Time to score one clip against every standing query, calibrate and merge")
                .register(registry);
        Counter matches = Counter.builder()
                .name("clip4stream_alert_matching_clips_total")
                .help("Clip and standing-query pairs at or above threshold, or extending an open moment")
                .register(registry);
        MatchObserver observer = (queries, matched, nanos) -> {
            scoring.observe(nanos / 1e9);
            matches.inc(matched);
        };

        StandingQueryRegistry queries = new StandingQueryRegistry(encoder);
        producer = new KafkaProducer<>(
                config.kafka().producer("alert-standing-queries"),
                alertTopics.standingQueries().keySerde().serializer(),
                alertTopics.standingQueries().valueSerde().serializer());
        feed = new AlertFeed(config.kafka(), alertTopics.alerts(), topics.ingestStatus(), config.recentAlerts())
                .start();
        http = HttpClient.newBuilder()
                .connectTimeout(config.webhookTimeout())
                .version(HttpClient.Version.HTTP_1_1)
                .build();
        WebhookTargetGuard guard = new WebhookTargetGuard(config.allowPrivateWebhooks());
        dispatcher = new WebhookDispatcher(
                        config.kafka(),
                        config.applicationId() + "-webhooks",
                        alertTopics,
                        queries,
                        new WebhookSender(
                                http,
                                config.webhookAttempts(),
                                config.webhookBackoff(),
                                config.webhookTimeout(),
                                duration -> Thread.sleep(duration)),
                        guard,
                        new ObjectMapper(),
                        System::currentTimeMillis)
                .start();

        StreamsBuilder builder = new StreamsBuilder();
        AlertTopology.build(
                builder, topics, alertTopics, queries, config.calibrationFlush(), System::currentTimeMillis, observer);
        KafkaStreams created = new KafkaStreams(builder.build(), streamsProperties());
        streams = created;
        created.start();

        HttpHost.Builder hostBuilder = HttpHost.builder(name())
                .port(config.httpPort())
                .limits(config.http())
                .bindAddress(config.bindAddress())
                .registry(registry)
                .apiKeys(config.apiKeys())
                .readiness("streams", () -> streams != null && streams.state() == KafkaStreams.State.RUNNING);
        StandingQueryRoutes standing = new StandingQueryRoutes(
                queries,
                encoder,
                new KafkaQueryWriter(producer, alertTopics.standingQueries().name()),
                this::sketches,
                feed::sourceKnown,
                feed::fired,
                guard,
                System::currentTimeMillis);
        hostBuilder
                .route(StandingQueryRoutes.PATH, standing::handle)
                .route(AlertRoutes.PATH, new AlertRoutes(feed, () -> closing)::handle);
        host = hostBuilder.build().start();
        LOG.info("alert-service started on {} with model version {}", host.uri(), encoder.modelVersion());
    }

    private List<ScoreSketch> sketches(String queryId) {
        KafkaStreams current = streams;
        if (current == null) {
            return List.of();
        }
        List<ScoreSketch> found = new ArrayList<>();
        for (int partition = 0; partition < config.partitions(); partition++) {
            try {
                ReadOnlyKeyValueStore<String, byte[]> store = current.store(StoreQueryParameters.fromNameAndType(
                                AlertTopology.CALIBRATION_STORE, QueryableStoreTypes.<String, byte[]>keyValueStore())
                        .withPartition(partition));
                byte[] bytes = store.get(queryId);
                if (bytes != null) {
                    found.add(ScoreSketch.fromBytes(bytes));
                }
            } catch (InvalidStateStoreException e) {
                // Not a local task (another instance's, or rebalancing): its calibration is shown there.
            }
        }
        return found;
    }

    private Properties streamsProperties() {
        Map<String, Object> settings = config.kafka().streams(config.applicationId());
        settings.put(
                StreamsConfig.STATE_DIR_CONFIG,
                config.stateDir().toAbsolutePath().toString());
        settings.put(
                StreamsConfig.COMMIT_INTERVAL_MS_CONFIG,
                config.streamsCommitInterval().toMillis());
        settings.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, 0);
        settings.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, config.replicationFactor());
        Properties properties = new Properties();
        properties.putAll(settings);
        return properties;
    }

    /** The base URI of the API (after {@link #start()}). */
    public synchronized URI uri() {
        if (host == null) {
            throw new IllegalStateException("alert-service is not started");
        }
        return host.uri();
    }

    @Override
    public synchronized boolean isReady() {
        return host != null && host.isReady();
    }

    @Override
    public synchronized void close() {
        // Open alert streams end first, so the host's drain does not wait for them.
        closing = true;
        if (host != null) {
            host.close();
            host = null;
        }
        KafkaStreams current = streams;
        if (current != null) {
            current.close(CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP)
                    .withTimeout(CLOSE_TIMEOUT));
            streams = null;
        }
        if (dispatcher != null) {
            dispatcher.close();
            dispatcher = null;
        }
        if (feed != null) {
            feed.close();
            feed = null;
        }
        if (producer != null) {
            producer.close(CLOSE_TIMEOUT);
            producer = null;
        }
        if (http != null) {
            http.close();
            http = null;
        }
        if (ownedModel != null) {
            ownedModel.close();
            ownedModel = null;
        }
    }

    /** Writes standing queries with an idempotent producer, waiting for each acknowledgement. */
    private record KafkaQueryWriter(KafkaProducer<String, StandingQuery> producer, String topic)
            implements StandingQueryWriter {
        @Override
        public void write(StandingQuery query) {
            send(new ProducerRecord<>(topic, query.getQueryId(), query));
        }

        @Override
        public void delete(String queryId) {
            send(new ProducerRecord<>(topic, queryId, null));
        }

        private void send(ProducerRecord<String, StandingQuery> record) {
            try {
                producer.send(record).get();
            } catch (ExecutionException e) {
                throw new IllegalStateException("cannot write standing query " + record.key() + " to " + topic, e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted writing standing query " + record.key(), e);
            }
        }
    }
}
