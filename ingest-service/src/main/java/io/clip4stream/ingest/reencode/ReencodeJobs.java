package io.clip4stream.ingest.reencode;

import io.clip4stream.ingest.kafka.Intake;
import io.clip4stream.ingest.media.MediaStore;
import io.clip4stream.ingest.run.RetryBackoff;
import io.clip4stream.ingest.run.RunListener;
import io.clip4stream.ingest.run.RunSettings;
import io.clip4stream.ingest.run.SourceRun;
import io.clip4stream.ingest.source.ResolvedSource;
import io.clip4stream.ingest.source.SourceRejectedException;
import io.clip4stream.ingest.source.SourceResolver;
import io.clip4stream.model.spec.Preprocessing;
import io.clip4stream.runtime.kafka.KafkaClientSettings;
import io.clip4stream.runtime.kafka.ModelCatalog;
import io.clip4stream.runtime.kafka.ModelCatalogWatcher;
import io.clip4stream.schemas.avro.IngestRequest;
import io.clip4stream.schemas.avro.ModelVersion;
import io.clip4stream.schemas.topic.Topics;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.apache.kafka.clients.producer.Producer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Re-encodes the videos kept here (uploads, and files under the ingest root, each with its request) for every model version that needs it ({@link ModelCatalog#needingReencode()}: a
 * deployed version with another CLIP visual encoder), on one background thread, following the {@code models} topic.
 *
 * <p>For each such version it runs every kept video again from its start with the version's preprocessing (and the
 * source's own sampling, window and stride, so the clip ids are the same), through a {@link ReencodeSink}, then gives
 * every other known source that is not an upload and has no kept video here a STOPPED end marker ({@link StoppedMarkers}). Progress is kept per
 * version in {@link ReencodeProgress}, so a restart resumes and a finished version is never started again. While the
 * version is deployed but not active, sources that finish later are re-encoded too (the kept videos are looked at
 * again every {@link #RECHECK}); once it is activated the started job finishes and is recorded complete; once it is
 * retired the job stops. Failures (a decode error, Kafka unavailable) are logged and the pass tried again after a
 * backoff; they never take the service down.
 */
public final class ReencodeJobs implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ReencodeJobs.class);

    /** How often the kept videos are looked at again while a version is deployed but not active. */
    public static final Duration RECHECK = Duration.ofSeconds(5);

    /** How often a running re-encode checks that its source was not deleted meanwhile. */
    static final Duration DELETION_CHECK = Duration.ofSeconds(1);

    /** A re-encode's transaction spans one clip of a kept file, which decodes far faster than live. */
    static final Duration TRANSACTION_TIMEOUT = Duration.ofSeconds(60);

    /** Runs of one source that fail on its input before the source is given up (its FAILED end marker settles it). */
    static final int MAX_DECODE_ATTEMPTS = 3;

    /** How long {@link #start()} waits for the models topic before going on (the watcher keeps trying). */
    private static final Duration CATALOG_WAIT = Duration.ofSeconds(10);

    /** States a version's job shows on {@code GET /v1/reencode}. */
    public enum State {
        /** Sources are being re-encoded or wait to be (an upload still being ingested). */
        RUNNING,
        /** Every source known so far is re-encoded or marked. */
        DONE,
        /** Stopped: the version was retired, or cannot be re-encoded (its preprocessing or name is invalid). */
        STOPPED
    }

    /**
     * Where one version's job stands.
     *
     * @param state its state
     * @param sourcesTotal sources of the job, done and remaining
     * @param sourcesDone sources re-encoded or marked
     * @param currentSource the source being re-encoded now; null when none
     * @param clipsSent clips sent again (committed) since this instance started
     */
    public record Progress(State state, int sourcesTotal, int sourcesDone, String currentSource, long clipsSent) {
        /** The JSON shape {@code GET /v1/reencode} shows. */
        public Map<String, Object> json() {
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("state", state.name().toLowerCase(java.util.Locale.ROOT));
            json.put("sourcesTotal", sourcesTotal);
            json.put("sourcesDone", sourcesDone);
            json.put("currentSource", currentSource);
            json.put("clipsSent", clipsSent);
            return json;
        }

        /** Sources still to do. */
        public int remaining() {
            return Math.max(0, sourcesTotal - sourcesDone);
        }
    }

    /** What the job works with; the run settings are the service's, the frame preparation is replaced per version. */
    public record Context(
            KafkaClientSettings kafka,
            Topics topics,
            String instanceId,
            RunSettings settings,
            Function<Map<String, Object>, Producer<byte[], byte[]>> producers,
            Intake intake,
            SourceResolver resolver,
            MediaStore media,
            RetryBackoff backoff) {
        /** Checks every part is there. */
        public Context {
            Objects.requireNonNull(kafka, "kafka");
            Objects.requireNonNull(topics, "topics");
            Objects.requireNonNull(instanceId, "instanceId");
            Objects.requireNonNull(settings, "settings");
            Objects.requireNonNull(producers, "producers");
            Objects.requireNonNull(intake, "intake");
            Objects.requireNonNull(resolver, "resolver");
            Objects.requireNonNull(media, "media");
            Objects.requireNonNull(backoff, "backoff");
        }
    }

    private record Running(String version, String sourceId, SourceRun run) {}

    /** A pass that must be tried again after a backoff. */
    private static final class PassFailed extends Exception {
        private static final long serialVersionUID = 1L;

        PassFailed(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private final Context context;
    private final ScheduledExecutorService jobs;
    private final ScheduledExecutorService watch;
    private final Map<String, Progress> progress = new ConcurrentHashMap<>();
    private final Map<String, ReencodeProgress> files = new ConcurrentHashMap<>();
    private final Map<String, Integer> decodeFailures = new ConcurrentHashMap<>();
    private final Set<String> refused = ConcurrentHashMap.newKeySet();
    private volatile ModelCatalog catalog;
    private volatile Running running;
    private volatile boolean closed;
    private ModelCatalogWatcher watcher;
    // Job thread only.
    private int failedPasses;
    private long retryAtNanos;

    /** Jobs working with {@code context}; {@link #start()} follows the models topic. */
    public ReencodeJobs(Context context) {
        this.context = Objects.requireNonNull(context, "context");
        this.jobs = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "ingest-reencode"));
        this.watch = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "ingest-reencode-watch"));
    }

    /** Follows the models topic and looks for work every {@link #RECHECK}. */
    public synchronized ReencodeJobs start() {
        if (watcher != null) {
            throw new IllegalStateException("re-encode jobs already started");
        }
        watcher = new ModelCatalogWatcher(context.kafka(), context.topics().models(), this::onCatalog);
        if (!watcher.start(CATALOG_WAIT)) {
            LOG.warn(
                    "The model versions on {} are not read yet; re-encoding starts once they are",
                    context.topics().models().name());
        }
        jobs.scheduleWithFixedDelay(this::pass, 0, RECHECK.toMillis(), TimeUnit.MILLISECONDS);
        watch.scheduleWithFixedDelay(
                this::checkRunning, DELETION_CHECK.toMillis(), DELETION_CHECK.toMillis(), TimeUnit.MILLISECONDS);
        return this;
    }

    /** Where each version's job stands, by version. */
    public Map<String, Progress> progress() {
        return Map.copyOf(progress);
    }

    /** The {@code GET /v1/reencode} body: every version's progress. */
    public Map<String, Object> json() {
        Map<String, Object> versions = new java.util.TreeMap<>();
        progress.forEach((version, p) -> versions.put(version, p.json()));
        return Map.of("versions", versions);
    }

    /** The sources still to do per version, for the Prometheus gauge. */
    public Map<String, Long> remaining() {
        Map<String, Long> remaining = new LinkedHashMap<>();
        progress.forEach((version, p) -> {
            // A retired or refused version has nothing left to do here: its series goes away.
            if (p.state() != State.STOPPED) {
                remaining.put(version, (long) p.remaining());
            }
        });
        return remaining;
    }

    @Override
    public void close() {
        closed = true;
        Running current = running;
        if (current != null) {
            current.run().stop(false);
        }
        if (watcher != null) {
            watcher.close();
        }
        watch.shutdownNow();
        jobs.shutdownNow();
        try {
            // A run blocked in a native read notices the stop when the read times out.
            jobs.awaitTermination(
                    context.settings().decoder().readTimeout().plusSeconds(10).toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void onCatalog(ModelCatalog next) {
        catalog = next;
        Running current = running;
        if (current != null
                && (next.retired(current.version())
                        || next.record(current.version()).isEmpty())) {
            LOG.info(
                    "Model version {} was retired; stopping its re-encode of {}",
                    current.version(),
                    current.sourceId());
            current.run().stop(false);
        }
        try {
            jobs.execute(this::pass);
        } catch (RejectedExecutionException e) {
            // Closed meanwhile.
        }
    }

    private void checkRunning() {
        Running current = running;
        if (current == null) {
            return;
        }
        if (context.intake().deleted(current.sourceId()) || !keptMedia(current.sourceId())) {
            LOG.info("Source {} was deleted; stopping its re-encode for {}", current.sourceId(), current.version());
            current.run().stop(false);
        }
    }

    /** One pass over every version with work; a failure ends it and the next pass waits for the backoff. */
    private void pass() {
        ModelCatalog known = catalog;
        if (closed || known == null || !context.intake().caughtUp() || System.nanoTime() < retryAtNanos) {
            return;
        }
        try {
            ReencodeVersions versions = versionsWithWork(known);
            for (String version : versions.work()) {
                if (closed) {
                    return;
                }
                work(version, known, versions.finishing().contains(version));
            }
            failedPasses = 0;
        } catch (PassFailed | RuntimeException e) {
            failedPasses++;
            Duration delay = context.backoff().delay(failedPasses);
            retryAtNanos = System.nanoTime() + delay.toNanos();
            LOG.warn("Re-encoding kept videos failed ({} in a row); trying again in {}", failedPasses, delay, e);
        } catch (Error e) {
            LOG.error("Re-encoding kept videos failed", e);
            throw e;
        }
    }

    /** The versions needing a re-encode, then the started, unfinished jobs of versions activated meanwhile. */
    private ReencodeVersions versionsWithWork(ModelCatalog known) {
        ReencodeVersions versions = ReencodeVersions.of(
                known, v -> ReencodeProgress.started(context.media().dir(), v));
        for (String version : versions.retired()) {
            progress.computeIfPresent(version, (v, p) -> withState(p, State.STOPPED, null));
        }
        for (String version : versions.refused()) {
            if (refused.add(version)) {
                LOG.error(
                        "A model version needs a re-encode, but its name '{}' is empty; it is not re-encoded", version);
                progress.put(version, new Progress(State.STOPPED, 0, 0, null, 0));
            }
        }
        return versions;
    }

    private void work(String version, ModelCatalog known, boolean finishing) throws PassFailed {
        ModelVersion record = known.record(version).orElse(null);
        if (record == null) {
            return;
        }
        Preprocessing preparation;
        try {
            preparation = ReencodePlan.framePreparation(record);
        } catch (IllegalArgumentException e) {
            if (refused.add(version)) {
                LOG.error("Model version {} cannot be re-encoded: its record's {}", version, e.getMessage());
            }
            progress.put(version, new Progress(State.STOPPED, 0, 0, null, 0));
            return;
        }
        ReencodeProgress file = progressFile(version);
        if (file.complete()) {
            progress.compute(
                    version,
                    (v, p) -> p == null
                            ? new Progress(
                                    State.DONE,
                                    file.reencoded().size() + file.marked().size(),
                                    file.reencoded().size() + file.marked().size(),
                                    null,
                                    0)
                            : withState(p, State.DONE, null));
            return;
        }
        ReencodePlan plan = plan(file);
        int total = plan.total();
        int done = plan.done();
        show(version, plan.remaining() > 0 ? State.RUNNING : State.DONE, total, done, null);
        for (String id : plan.reencode()) {
            if (closed || !wanted(version)) {
                progress.computeIfPresent(version, (v, p) -> withState(p, closed ? p.state() : State.STOPPED, null));
                return;
            }
            if (context.intake().deleted(id) || !keptMedia(id)) {
                total--;
                continue;
            }
            show(version, State.RUNNING, total, done, id);
            if (reencode(version, preparation, id)) {
                record(file::recordReencoded, id, version);
                done++;
                LOG.info(
                        "Re-encoded kept video {} for model version {} ({} of {} sources done)",
                        id,
                        version,
                        done,
                        total);
            } else if (context.intake().deleted(id) || !keptMedia(id)) {
                total--;
            }
            show(version, State.RUNNING, total, done, null);
        }
        if (!plan.mark().isEmpty() && !closed && wanted(version)) {
            try (StoppedMarkers markers = new StoppedMarkers(
                    context.kafka(), context.topics(), context.instanceId(), version, context.producers())) {
                markers.send(plan.mark());
            } catch (RuntimeException e) {
                throw new PassFailed(
                        "Cannot send the STOPPED markers of model version " + version + " for "
                                + plan.mark().size() + " source(s) without kept media",
                        e);
            }
            for (String id : plan.mark()) {
                record(file::recordMarked, id, version);
            }
            done += plan.mark().size();
            LOG.info(
                    "Model version {}: {} source(s) without kept media got a STOPPED marker",
                    version,
                    plan.mark().size());
        }
        if (closed || !wanted(version)) {
            return;
        }
        if (finishing) {
            // Activated: uploads from now on are the version's own stream, nothing more to re-encode.
            record(i -> file.recordComplete(), version, version);
            show(version, State.DONE, total, done, null);
            LOG.info("Re-encoding for model version {} finished for good ({} sources)", version, done);
        } else {
            // Uploads still being ingested keep it running: they are re-encoded once they finish.
            show(version, done < total ? State.RUNNING : State.DONE, total, done, null);
        }
    }

    /** Whether {@code version} is still to be re-encoded: known and not retired. */
    private boolean wanted(String version) {
        ModelCatalog known = catalog;
        return known != null && known.record(version).isPresent() && !known.retired(version);
    }

    private ReencodePlan plan(ReencodeProgress file) throws PassFailed {
        List<String> kept = new ArrayList<>();
        try {
            // Uploads and files under the root, each with its request (an upload kept before requests were kept
            // beside it cannot be run again: left as if not here).
            kept.addAll(context.media().keptMedia());
        } catch (IOException e) {
            throw new PassFailed(
                    "Cannot list the kept videos in " + context.media().dir(), e);
        }
        return ReencodePlan.of(context.intake().statuses(), kept, file.reencoded(), file.marked());
    }

    /** Runs {@code sourceId}'s kept video again for {@code version}; returns whether it is done for the version. */
    private boolean reencode(String version, Preprocessing preparation, String sourceId) throws PassFailed {
        IngestRequest request;
        ResolvedSource source;
        try {
            Optional<IngestRequest> kept = context.media().keptRequest(sourceId);
            Optional<Path> video = context.media().find(sourceId);
            if (kept.isEmpty() || video.isEmpty()) {
                return false; // deleted meanwhile
            }
            // The media directory may be mounted elsewhere than when the upload came in.
            request = IngestRequest.newBuilder(kept.get())
                    .setUri(video.get().toString())
                    .build();
            source = context.resolver().resolve(request);
        } catch (IOException | SourceRejectedException e) {
            throw new PassFailed("Cannot read the kept video " + sourceId + " to re-encode it for " + version, e);
        }
        RunSettings settings = new RunSettings(
                preparation,
                context.settings().thumbnailSize(),
                context.settings().decoder(),
                context.settings().liveRetry(),
                context.settings().liveCommitEveryFrames());
        SourceRun.Result result;
        try (ReencodeSink sink = ReencodeSink.open(
                context.kafka(),
                context.topics(),
                context.instanceId(),
                version,
                sourceId,
                TRANSACTION_TIMEOUT,
                context.producers(),
                clips -> progress.computeIfPresent(
                        version,
                        (v, p) -> new Progress(
                                p.state(),
                                p.sourcesTotal(),
                                p.sourcesDone(),
                                p.currentSource(),
                                p.clipsSent() + clips)))) {
            // The source's status and metrics are its own run's: a re-encode reports only here.
            SourceRun run = new SourceRun(request, source, sink, settings, RunListener.NONE);
            running = new Running(version, sourceId, run);
            if (closed || !wanted(version)) {
                return false;
            }
            result = run.run();
        } finally {
            running = null;
        }
        String key = version + "/" + sourceId;
        return switch (result.outcome()) {
            case COMPLETED, TRUNCATED -> {
                decodeFailures.remove(key);
                yield true;
            }
            case FAILED -> {
                int failures = decodeFailures.merge(key, 1, Integer::sum);
                if (failures >= MAX_DECODE_ATTEMPTS) {
                    LOG.warn(
                            "Kept video {} failed to re-encode for {} {} times ({}); giving it up, its FAILED end"
                                    + " marker settles it",
                            sourceId,
                            version,
                            failures,
                            result.reason());
                    decodeFailures.remove(key);
                    yield true;
                }
                throw new PassFailed(
                        "Re-encoding kept video " + sourceId + " for " + version + " failed (attempt " + failures
                                + " of " + MAX_DECODE_ATTEMPTS + "): " + result.reason(),
                        null);
            }
            case INTERRUPTED, FENCED ->
                throw new PassFailed(
                        "Re-encoding kept video " + sourceId + " for " + version + " was cut short (" + result.outcome()
                                + "): " + result.reason(),
                        null);
            case STOPPED, DELETED, ALREADY_DONE -> false;
        };
    }

    private ReencodeProgress progressFile(String version) throws PassFailed {
        ReencodeProgress file = files.get(version);
        if (file != null) {
            return file;
        }
        try {
            file = ReencodeProgress.open(context.media().dir(), version);
        } catch (IOException e) {
            throw new PassFailed(
                    "Cannot open the re-encode progress of model version " + version + " in "
                            + context.media().dir().resolve(ReencodeProgress.DIRECTORY),
                    e);
        }
        files.put(version, file);
        return file;
    }

    private interface Step {
        void record(String sourceId) throws IOException;
    }

    private static void record(Step step, String sourceId, String version) throws PassFailed {
        try {
            step.record(sourceId);
        } catch (IOException e) {
            throw new PassFailed(
                    "Cannot record the re-encode progress of " + sourceId + " for model version " + version, e);
        }
    }

    private void show(String version, State state, int total, int done, String current) {
        progress.merge(
                version,
                new Progress(state, total, done, current, 0),
                (old, now) -> new Progress(state, total, done, current, old.clipsSent()));
    }

    private static Progress withState(Progress p, State state, String current) {
        return new Progress(state, p.sourcesTotal(), p.sourcesDone(), current, p.clipsSent());
    }

    private boolean keptMedia(String sourceId) {
        try {
            return context.media().keptMedia(sourceId);
        } catch (IllegalArgumentException | IOException e) {
            return false;
        }
    }

    private static Thread daemon(Runnable body, String name) {
        Thread thread = new Thread(body, name);
        thread.setDaemon(true);
        return thread;
    }
}
