package io.clip4stream.ingest;

import io.clip4stream.ingest.decode.VideoDecoder;
import io.clip4stream.ingest.kafka.Intake;
import io.clip4stream.ingest.kafka.IntakeProducer;
import io.clip4stream.ingest.kafka.KafkaFrameSink;
import io.clip4stream.ingest.kafka.LiveSources;
import io.clip4stream.ingest.kafka.RequestWorker;
import io.clip4stream.ingest.kafka.SourceDeletionListener;
import io.clip4stream.ingest.kafka.SourceRunner;
import io.clip4stream.ingest.kafka.StatusView;
import io.clip4stream.ingest.kafka.UploadRuns;
import io.clip4stream.ingest.media.MediaStore;
import io.clip4stream.ingest.reencode.ReencodeJobs;
import io.clip4stream.ingest.run.RetryBackoff;
import io.clip4stream.ingest.run.RunSettings;
import io.clip4stream.ingest.source.HttpVideoFetcher;
import io.clip4stream.ingest.source.SourceResolver;
import io.clip4stream.runtime.http.HttpHost;
import io.clip4stream.runtime.kafka.TopicProvisioner;
import io.clip4stream.runtime.lifecycle.Service;
import io.clip4stream.runtime.net.AddressGuard;
import io.clip4stream.schemas.topic.Topics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import org.apache.kafka.clients.producer.Producer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ingest service: HTTP API, request worker, live-source coordinator, deletion listener and the runs that turn
 * videos into sampled frames and clips on Kafka.
 */
public final class IngestService implements Service {
    private static final Logger LOG = LoggerFactory.getLogger(IngestService.class);

    private final IngestConfig config;
    private final PrometheusRegistry registry;
    private final Function<Map<String, Object>, Producer<byte[], byte[]>> producers;
    private final Deque<AutoCloseable> started = new ArrayDeque<>();
    private volatile StatusView statuses;
    private volatile RequestWorker requests;
    private volatile LiveSources live;
    private volatile SourceDeletionListener deletions;
    private volatile HttpHost http;
    private volatile SourceRunner runner;

    /** A service with its own metrics registry. */
    public IngestService(IngestConfig config) {
        this(config, new PrometheusRegistry());
    }

    /** A service registering its metrics on {@code registry}, e.g. one a test or an embedding application reads. */
    public IngestService(IngestConfig config, PrometheusRegistry registry) {
        this(config, registry, KafkaFrameSink.KAFKA_PRODUCERS);
    }

    /** A service whose runs write through producers made by {@code producers} (tests inject Kafka failures here). */
    public IngestService(
            IngestConfig config,
            PrometheusRegistry registry,
            Function<Map<String, Object>, Producer<byte[], byte[]>> producers) {
        this.config = Objects.requireNonNull(config, "config");
        this.registry = Objects.requireNonNull(registry, "registry");
        this.producers = Objects.requireNonNull(producers, "producers");
    }

    @Override
    public String name() {
        return "ingest-service";
    }

    @Override
    public synchronized void start() {
        try {
            Files.createDirectories(config.uploadDir());
            Files.createDirectories(config.mediaDir());
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "Cannot create the upload directory " + config.uploadDir() + " or media directory "
                            + config.mediaDir(),
                    e);
        }
        Topics topics = config.topics();
        new TopicProvisioner(
                        config.kafka(), config.topicSettings().replicationFactor(), TopicProvisioner.DEFAULT_TIMEOUT)
                .ensure(topics.all());
        String instance = config.instanceId();
        IngestMetrics metrics = new IngestMetrics(registry);
        AddressGuard guard = new AddressGuard(config.allowPrivateUrls(), IngestConfig.ALLOW_PRIVATE_URLS.name());
        SourceResolver resolver = new SourceResolver(
                config.root(),
                // Uploads are decoded where they are kept for playback.
                config.mediaDir(),
                guard,
                new HttpVideoFetcher(guard, config.readTimeout(), config.maxUrlBytes()));
        statuses = track(new StatusView(config.kafka(), topics.ingestStatus(), instance + "-status").start());
        metrics.sourcesByState(statuses::countByState);
        IntakeProducer producer = track(new IntakeProducer(config.kafka(), topics, instance + "-intake"));
        RunSettings settings = new RunSettings(
                config.framePreparation(),
                config.thumbnailSize(),
                new VideoDecoder.Options(config.skipNonReference(), config.readTimeout()),
                config.liveRetry(),
                config.liveCommitEveryFrames());
        runner = track(new SourceRunner(
                config.kafka(), topics, instance, settings, metrics, config.maxConcurrentFiles(), producers));
        MediaStore media = new MediaStore(config.mediaDir(), config.root());
        Intake intake = new Intake(resolver, producer, statuses, media);
        RetryBackoff backoff = new RetryBackoff(config.retryBackoff(), config.retryBackoffMax());
        requests = track(new RequestWorker(
                        config.kafka(),
                        topics.ingestRequests(),
                        config.groupId(),
                        instance + "-requests",
                        intake,
                        runner,
                        backoff)
                .start());
        // Closed before the runner (the stack closes in reverse), so nothing is run again after shutdown began.
        UploadRuns uploads = track(new UploadRuns(runner, intake, resolver, media, backoff).resumeKept());
        // Started after the runner and closed before it; it runs its re-encodes itself, one at a time.
        ReencodeJobs reencode = track(new ReencodeJobs(new ReencodeJobs.Context(
                        config.kafka(), topics, instance, settings, producers, intake, resolver, media, backoff))
                .start());
        metrics.reencodeRemaining(reencode::remaining);
        live = track(new LiveSources(
                        config.kafka(),
                        topics.sources(),
                        config.groupId() + "-live",
                        instance + "-live",
                        resolver,
                        runner,
                        config.readTimeout().plusSeconds(5))
                .start());
        // Closed before the runner (started after it), so no stop arrives at a closed runner.
        deletions = track(new SourceDeletionListener(
                        config.kafka(),
                        topics.sourceDeletions(),
                        instance + "-deletions",
                        runner,
                        config.readTimeout().plusSeconds(5))
                .start());
        HttpHost.Builder builder = HttpHost.builder(name())
                .port(config.httpPort())
                // Uploads are the largest bodies; the headroom covers the multipart-free raw upload's framing.
                .limits(config.http().withMaxBodyBytes(config.maxUploadBytes() + 64 * 1024))
                .registry(registry)
                .apiKeys(new HashSet<>(config.apiKeys()))
                .readiness("status-view", statuses::caughtUp)
                .readiness("request-worker", requests::ready)
                .readiness("live-sources", live::ready)
                .readiness("deletion-listener", deletions::ready);
        http = track(IngestRoutes.register(builder, config, intake, resolver, runner, media, uploads, reencode)
                .build()
                .start());
        LOG.info("ingest-service {} started; API at {}", instance, http.uri());
    }

    @Override
    public boolean isReady() {
        HttpHost host = http;
        return host != null && host.isReady();
    }

    /** The base URI of the HTTP API (after {@link #start()}). */
    public URI httpUri() {
        return http.uri();
    }

    /** Whether this instance is running {@code sourceId} right now. */
    public boolean isRunning(String sourceId) {
        SourceRunner r = runner;
        return r != null && r.isRunning(sourceId);
    }

    @Override
    public synchronized void close() {
        while (!started.isEmpty()) {
            AutoCloseable part = started.pop();
            try {
                part.close();
            } catch (Exception e) {
                LOG.warn("Closing {} failed", part, e);
            }
        }
    }

    private <T extends AutoCloseable> T track(T part) {
        started.push(part);
        return part;
    }
}
