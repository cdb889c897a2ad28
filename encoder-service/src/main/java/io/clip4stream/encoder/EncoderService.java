package io.clip4stream.encoder;

import io.clip4stream.model.Clip4ClipModel;
import io.clip4stream.model.ModelInfo;
import io.clip4stream.model.ModelOptions;
import io.clip4stream.model.spec.LinearPatch;
import io.clip4stream.runtime.http.HttpHost;
import io.clip4stream.runtime.kafka.ModelCatalogWatcher;
import io.clip4stream.runtime.kafka.ModelVersionLog;
import io.clip4stream.runtime.kafka.ServedModel;
import io.clip4stream.runtime.kafka.TopicProvisioner;
import io.clip4stream.runtime.lifecycle.Service;
import io.clip4stream.schemas.topic.Topics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The encoder service: reads sampled frames, embeds them with the model's visual encoder in micro-batches across
 * sources, and writes frame embeddings (with clip boundaries and end markers, in order) exactly once.
 *
 * <p>Instances sharing {@link EncoderConfig#groupId()} split the frame topic's partitions between them. The configured
 * model is a collaborator: the caller loads it (see {@link Main}) and closes it after the service. The versions of a
 * model change with another CLIP visual encoder are loaded by the service from their weights location as the
 * {@code models} topic names them ({@link EncoderModels}), and closed with it: live frames are encoded with the active
 * version, frames re-encoded from kept media for a version with that version.
 */
public final class EncoderService implements Service {

    private static final Logger LOG = LoggerFactory.getLogger(EncoderService.class);
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(60);

    private final EncoderConfig config;
    private final Clip4ClipModel model;
    private final ModelVersionLog versions;
    private final EncoderModels models;
    private final PrometheusRegistry registry;
    private final EncoderMetrics metrics;
    private ModelCatalogWatcher catalogWatcher;
    private EncodeLoop loop;
    private Thread loopThread;
    private HttpHost http;

    /**
     * Creates the service, loading the versions of a model change with {@code config}'s model options; nothing runs
     * until {@link #start()}.
     */
    public EncoderService(EncoderConfig config, Clip4ClipModel model) {
        this(config, model, loader(config.modelOptions()));
    }

    /** Creates the service, loading the versions of a model change with {@code loader}; nothing runs until started. */
    public EncoderService(EncoderConfig config, Clip4ClipModel model, EncoderModels.ModelLoader loader) {
        this.config = Objects.requireNonNull(config, "config");
        this.model = Objects.requireNonNull(model, "model");
        this.versions = new ModelVersionLog(
                config.kafka(), config.topics().models(), TopicProvisioner.DEFAULT_TIMEOUT, Clock.systemUTC());
        this.models = EncoderModels.of(model, loader, versions::readCatalog);
        this.registry = new PrometheusRegistry();
        this.metrics = new EncoderMetrics(registry);
    }

    @Override
    public String name() {
        return "encoder-service";
    }

    /** Checks the model, creates missing topics, starts the loop and the HTTP endpoints. */
    @Override
    public synchronized void start() {
        if (loop != null) {
            throw new IllegalStateException(name() + " was already started");
        }
        ModelInfo info = model.info();
        if (info.linearPatch() == LinearPatch.THREE_D) {
            throw new IllegalStateException("model " + info.modelId() + " uses the 3D patch, whose frame embeddings"
                    + " depend on their clip neighbours; the encoder batches frames across sources and needs a 2D"
                    + " patch model");
        }
        new TopicProvisioner(
                        config.kafka(), config.topicSettings().replicationFactor(), TopicProvisioner.DEFAULT_TIMEOUT)
                .ensure(config.topics().all());
        // Frame embeddings of a model that does not fit the vectors stored under the deployment's versions would
        // poison the index: refuse it, naming both.
        versions.checkAndRecord(name(), servedModel(model));
        // Before the loop: a restart after an activation encodes live frames with the active version from its first
        // frame, and re-encode frames already waiting find their version loaded.
        models.update(versions.readCatalog());
        catalogWatcher = new ModelCatalogWatcher(config.kafka(), config.topics().models(), models::update);
        catalogWatcher.start(Duration.ZERO);
        KafkaConsumer<byte[], byte[]> consumer = EncoderClients.consumer(config);
        KafkaProducer<byte[], byte[]> producer;
        try {
            Topics topics = config.topics();
            EncoderClients.awaitPartitionLeaders(
                    consumer,
                    List.of(
                            topics.frames().name(),
                            topics.frameEmbeddings().name(),
                            topics.errors().name()),
                    START_TIMEOUT);
            producer = EncoderClients.producer(config);
        } catch (RuntimeException e) {
            consumer.close();
            throw e;
        }
        loop = new EncodeLoop(config, models, consumer, producer, metrics, InstantSource.system());
        loopThread =
                Thread.ofPlatform().name("encoder-loop-" + config.instanceId()).start(loop);
        try {
            if (!loop.awaitStarted(START_TIMEOUT)) {
                Throwable cause = loop.failure();
                close();
                throw new IllegalStateException(
                        name() + " could not start against Kafka at "
                                + config.kafka().bootstrapServers() + " within " + START_TIMEOUT,
                        cause);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            close();
            throw new IllegalStateException("interrupted while starting " + name(), e);
        }
        http = HttpHost.builder(name())
                .port(config.httpPort())
                .limits(config.http())
                .registry(registry)
                .readiness("encode-loop", loop::isRunning)
                .build()
                .start();
        EncoderModel active = models.active();
        LOG.info(
                "{} {} started: model {} {} on {}, {} intra-op threads, batches <= {} frames, wait <= {} ms",
                name(),
                config.instanceId(),
                active.encoding().modelId(),
                active.version(),
                active.info().device(),
                config.intraOpThreads(),
                config.maxBatchFrames(),
                config.maxWait().toMillis());
    }

    @Override
    public boolean isReady() {
        EncodeLoop current = loop;
        return current != null && current.isRunning();
    }

    /** The input partitions this instance currently owns. */
    public Set<TopicPartition> assignedPartitions() {
        EncodeLoop current = loop;
        return current == null ? Set.of() : current.assignedPartitions();
    }

    /** The metrics, also served on {@code /metrics}. */
    public EncoderMetrics metrics() {
        return metrics;
    }

    /** The Prometheus registry behind {@code /metrics}. */
    public PrometheusRegistry registry() {
        return registry;
    }

    /** The HTTP port actually bound, once started. */
    public int httpPort() {
        return http == null ? -1 : http.port();
    }

    /** The error that stopped the loop, if it stopped on its own. */
    public Optional<Throwable> failure() {
        EncodeLoop current = loop;
        return current == null ? Optional.empty() : Optional.ofNullable(current.failure());
    }

    /** Blocks until the loop ends (after {@link #close()} or a fatal error). */
    public void awaitTermination() throws InterruptedException {
        Thread thread = loopThread;
        if (thread != null) {
            thread.join();
        }
    }

    /** The models the loop encodes with. */
    public EncoderModels models() {
        return models;
    }

    /**
     * Finishes the batch being embedded, commits it, and stops, then closes the versions it loaded; safe to call more
     * than once.
     */
    @Override
    public synchronized void close() {
        if (catalogWatcher != null) {
            catalogWatcher.close(); // no version is loaded after this
            catalogWatcher = null;
        }
        if (loop != null) {
            loop.stop();
            try {
                if (!loop.awaitStopped(STOP_TIMEOUT)) {
                    LOG.warn("{}: the loop did not stop within {}", name(), STOP_TIMEOUT);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (http != null) {
            http.close();
            http = null;
        }
        if (loop == null || !loop.isRunning()) {
            models.close();
        }
    }

    /** Loads a version's model directory as {@link Main} loads the configured one. */
    static EncoderModels.ModelLoader loader(ModelOptions options) {
        return location -> EncoderModels.of(Clip4ClipModel.load(Path.of(location), options));
    }

    /** What the deployment's model record says about {@code model}: version, width, frame preparation, heads. */
    private static ServedModel servedModel(Clip4ClipModel model) {
        ModelInfo info = model.info();
        var frames = model.preprocessing();
        return new ServedModel(
                info.modelId(),
                info.modelVersion(),
                info.embedDim(),
                frames.resizeSize(),
                frames.interpolation(),
                frames.cropSize(),
                frames.normalize(),
                info.head().configName(),
                model.card().trainedHeads(),
                model.visualFingerprint());
    }
}
