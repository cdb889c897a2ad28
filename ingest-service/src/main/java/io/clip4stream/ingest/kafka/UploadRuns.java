package io.clip4stream.ingest.kafka;

import io.clip4stream.ingest.media.MediaStore;
import io.clip4stream.ingest.run.RetryBackoff;
import io.clip4stream.ingest.run.RunVerdict;
import io.clip4stream.ingest.run.UploadResume;
import io.clip4stream.ingest.source.ResolvedSource;
import io.clip4stream.ingest.source.SourceRejectedException;
import io.clip4stream.ingest.source.SourceResolver;
import io.clip4stream.schemas.avro.IngestRequest;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.KafkaException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs HTTP uploads, which do not pass through the request topic and so have no consumer offset to fall back on: a run
 * cut short by Kafka is run again after a backoff (resuming after its last committed clip), and at start-up the
 * uploads kept in the media store whose source never reached a final state are run again. A run stopped by shutdown
 * or taken over by another instance is left to whoever starts next.
 */
public final class UploadRuns implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(UploadRuns.class);

    /** How often start-up resumption looks whether the status view has caught up. */
    static final Duration CATCH_UP_POLL = Duration.ofMillis(50);

    private final SourceRunner runner;
    private final Intake intake;
    private final SourceResolver resolver;
    private final MediaStore media;
    private final RetryBackoff backoff;
    private final ScheduledExecutorService scheduler;
    // Sources with a run or a scheduled re-run owned here: one chain of runs per source.
    private final Set<String> owned = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    /** Upload runs on {@code runner}, re-run after {@code backoff} when Kafka cut them short. */
    public UploadRuns(
            SourceRunner runner, Intake intake, SourceResolver resolver, MediaStore media, RetryBackoff backoff) {
        this.runner = Objects.requireNonNull(runner, "runner");
        this.intake = Objects.requireNonNull(intake, "intake");
        this.resolver = Objects.requireNonNull(resolver, "resolver");
        this.media = Objects.requireNonNull(media, "media");
        this.backoff = Objects.requireNonNull(backoff, "backoff");
        this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "ingest-upload-runs");
            t.setDaemon(true);
            return t;
        });
    }

    /** Whether a run of {@code sourceId} is going or scheduled to run again here. */
    public boolean active(String sourceId) {
        return owned.contains(sourceId) || runner.isRunning(sourceId);
    }

    /**
     * Claims {@code sourceId} for an upload about to be received; false when a run of it is going, scheduled or claimed
     * here. Claiming before the body is read keeps two concurrent uploads of one id from replacing each other's video.
     */
    public boolean claim(String sourceId) {
        return !closed && !runner.isRunning(sourceId) && owned.add(sourceId);
    }

    /** Gives up the claim of an upload that was refused before it ran. */
    public void release(String sourceId) {
        owned.remove(sourceId);
    }

    /** Runs the accepted upload {@code request}, whose source was claimed with {@link #claim}. */
    public void startClaimed(IngestRequest request, ResolvedSource source) {
        if (!owned.contains(request.getSourceId())) {
            throw new IllegalStateException("upload " + request.getSourceId() + " was not claimed before it ran");
        }
        run(request, source, 1, null);
    }

    /**
     * Once the status view has caught up (before that an unfinished source would look unknown), runs again every kept
     * upload whose source has no final status.
     */
    public UploadRuns resumeKept() {
        schedule(this::resumeWhenCaughtUp, Duration.ZERO);
        return this;
    }

    @Override
    public void close() {
        closed = true;
        scheduler.shutdownNow();
        try {
            scheduler.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void resumeWhenCaughtUp() {
        if (!intake.caughtUp()) {
            schedule(this::resumeWhenCaughtUp, CATCH_UP_POLL);
            return;
        }
        try {
            for (String id : media.uploads()) {
                resumeKept(id);
            }
        } catch (IOException e) {
            LOG.error("Cannot list the kept uploads in {}; unfinished uploads are not resumed", media.dir(), e);
        }
    }

    private void resumeKept(String id) {
        if (closed) {
            return;
        }
        Optional<IngestRequest> kept;
        try {
            kept = media.keptRequest(id);
        } catch (IOException e) {
            LOG.warn("Cannot read the kept request of upload {}; it is not resumed", id, e);
            return;
        }
        switch (UploadResume.of(intake.status(id), kept.isPresent())) {
            case FINISHED -> {}
            case NO_REQUEST ->
                LOG.warn(
                        "Upload {} is unfinished but its request was not kept beside it; upload it again to ingest it",
                        id);
            case RUN -> {
                if (!owned.add(id)) {
                    return; // uploaded again since start-up, and running
                }
                Optional<Resumable> resumable = resolve(kept.get());
                if (resumable.isEmpty()) {
                    owned.remove(id);
                    return;
                }
                LOG.info("Resuming upload {} left unfinished by an earlier instance", id);
                try {
                    intake.accept(resumable.get().request());
                } catch (KafkaException e) {
                    settle(resumable.get(), 1, new RunVerdict(RunVerdict.Action.RETRY, "intake: " + e.getMessage()));
                    return;
                }
                run(resumable.get().request(), resumable.get().source(), 1, "resumed after the instance stopped");
            }
        }
    }

    /** A kept request pointed at where its upload lies now, and the source it resolves to. */
    private record Resumable(IngestRequest request, ResolvedSource source) {}

    private Optional<Resumable> resolve(IngestRequest kept) {
        String id = kept.getSourceId();
        try {
            Optional<Path> file = media.find(id);
            if (file.isEmpty()) {
                return Optional.empty(); // deleted meanwhile
            }
            // The media directory may be mounted elsewhere than when the upload came in.
            IngestRequest request =
                    IngestRequest.newBuilder(kept).setUri(file.get().toString()).build();
            return Optional.of(new Resumable(request, resolver.resolve(request)));
        } catch (IOException | SourceRejectedException e) {
            LOG.warn("Kept upload {} cannot be run again", id, e);
            return Optional.empty();
        }
    }

    private void run(IngestRequest request, ResolvedSource source, int attempt, String note) {
        if (closed) {
            owned.remove(request.getSourceId());
            return;
        }
        Resumable upload = new Resumable(request, source);
        CompletableFuture<io.clip4stream.ingest.run.SourceRun.Result> result;
        try {
            result = runner.start(request, source, note);
        } catch (KafkaException e) {
            settle(upload, attempt, new RunVerdict(RunVerdict.Action.RETRY, "cannot start the run: " + e.getMessage()));
            return;
        }
        result.whenComplete((r, error) -> settle(upload, attempt, RunVerdict.of(r, error)));
    }

    private void settle(Resumable upload, int attempt, RunVerdict verdict) {
        String id = upload.request().getSourceId();
        switch (verdict.action()) {
            case COMMIT -> {
                owned.remove(id);
                if (verdict.reason() != null) {
                    LOG.info("Run of upload {} finished: {}", id, verdict.reason());
                }
            }
            case YIELD -> {
                // Stopped for shutdown (the next start-up resumes it) or fenced by a run elsewhere that carries on.
                owned.remove(id);
                LOG.info("Run of upload {} ended without finishing: {}", id, verdict.reason());
            }
            case RETRY -> {
                Duration delay = backoff.delay(attempt);
                LOG.warn(
                        "Run of upload {} cut short ({}); running it again in {} (attempt {})",
                        id,
                        verdict.reason(),
                        delay,
                        attempt + 1);
                String note = "resumed after " + attempt + " interrupted run(s); last: " + verdict.reason();
                if (!schedule(() -> retry(upload, attempt + 1, note), delay)) {
                    owned.remove(id);
                }
            }
        }
    }

    private void retry(Resumable upload, int attempt, String note) {
        String id = upload.request().getSourceId();
        // Deleted (or otherwise finished) while waiting: nothing left to run.
        boolean kept;
        try {
            kept = media.find(id).isPresent();
        } catch (IOException e) {
            kept = false;
            LOG.warn("Cannot look for the kept upload {}; not running it again", id, e);
        }
        if (!kept || UploadResume.of(intake.status(id), true) == UploadResume.FINISHED) {
            owned.remove(id);
            return;
        }
        run(upload.request(), upload.source(), attempt, note);
    }

    private boolean schedule(Runnable task, Duration delay) {
        if (closed) {
            return false;
        }
        try {
            scheduler.schedule(task, delay.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (RejectedExecutionException e) {
            return false; // closed meanwhile
        }
    }
}
