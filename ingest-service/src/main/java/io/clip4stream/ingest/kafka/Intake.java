package io.clip4stream.ingest.kafka;

import io.clip4stream.ingest.media.MediaStore;
import io.clip4stream.ingest.source.ResolvedSource;
import io.clip4stream.ingest.source.SourceRejectedException;
import io.clip4stream.ingest.source.SourceResolver;
import io.clip4stream.schemas.avro.IngestRequest;
import io.clip4stream.schemas.avro.IngestState;
import io.clip4stream.schemas.avro.IngestStatus;
import io.clip4stream.schemas.avro.SourceKind;
import java.io.IOException;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides what happens to a request, whoever sent it (HTTP or a Kafka client): refusals become a FAILED status with
 * the reason, live sources go to the registry, file sources are accepted and run.
 */
public final class Intake {
    private static final Logger LOG = LoggerFactory.getLogger(Intake.class);

    private final SourceResolver resolver;
    private final IntakeProducer producer;
    private final StatusView statuses;
    private final MediaStore media;

    /** Intake over these collaborators; {@code media} learns which local file each path source plays. */
    public Intake(SourceResolver resolver, IntakeProducer producer, StatusView statuses, MediaStore media) {
        this.resolver = resolver;
        this.producer = producer;
        this.statuses = statuses;
        this.media = media;
    }

    /**
     * Remembers the file a path source (a file under the ingest root) reads, so playback can serve it; URL and live
     * sources are not stored, so there is nothing to remember for them.
     */
    public void rememberMedia(IngestRequest request, ResolvedSource source) {
        if (request.getKind() == SourceKind.URL && source instanceof ResolvedSource.LocalFile file && !file.live()) {
            try {
                media.refer(request.getSourceId(), file.path());
                // With its sampling, the file can be decoded again into the same clips (a model change).
                media.keepRequest(request);
            } catch (IOException e) {
                // Playback is a convenience on top of indexing: the source is still ingested, only not playable.
                LOG.warn("Cannot record the media file of {}; it will not be playable", request.getSourceId(), e);
            }
        }
    }

    /**
     * Checks {@code request}; on refusal writes a FAILED status with the reason and rethrows. The id of a deleted
     * source is refused (409) without a status, so its DELETED status stays: the index drops every late event of a
     * deleted id for good, so a new ingest under it would never become searchable.
     */
    public ResolvedSource check(IngestRequest request) throws SourceRejectedException {
        if (request.getSourceId() != null && deleted(request.getSourceId().toString())) {
            throw deletedRefusal(request.getSourceId().toString());
        }
        try {
            return resolver.resolve(request);
        } catch (SourceRejectedException e) {
            if (request.getSourceId() != null
                    && SourceResolver.SOURCE_ID.matcher(request.getSourceId()).matches()) {
                writeStatus(request, IngestState.FAILED, e.getMessage());
            }
            throw e;
        }
    }

    /** Resolves a request like {@link #check} but records nothing when it is refused: the caller answers the refusal. */
    public ResolvedSource screen(IngestRequest request) throws SourceRejectedException {
        if (request.getSourceId() != null && deleted(request.getSourceId().toString())) {
            throw deletedRefusal(request.getSourceId().toString());
        }
        return resolver.resolve(request);
    }

    /** Writes an ACCEPTED status unless the source already has one (so a resumable checkpoint is never reset). */
    public void accept(IngestRequest request) {
        Optional<IngestStatus> known = statuses.get(request.getSourceId());
        if (known.isEmpty()
                || known.get().getState() == IngestState.FAILED && known.get().getClipsEmitted() == 0) {
            writeStatus(request, IngestState.ACCEPTED, null);
        }
    }

    /** The latest status of every source, by source id. */
    public java.util.List<IngestStatus> statuses() {
        return statuses.all();
    }

    /** Whether a file source with this id was already ingested completely. */
    public boolean alreadyDone(String sourceId) {
        return statuses.get(sourceId)
                .filter(s -> s.getState() == IngestState.DONE && s.getKind() != SourceKind.LIVE)
                .isPresent();
    }

    /** Whether the source was deleted (its latest status is DELETED); its id cannot be reused. */
    public boolean deleted(String sourceId) {
        return statuses.get(sourceId)
                .filter(s -> s.getState() == IngestState.DELETED)
                .isPresent();
    }

    /** The refusal of a request that reuses the id of a deleted source. */
    public static SourceRejectedException deletedRefusal(String sourceId) {
        return new SourceRejectedException(
                409,
                "source_deleted",
                "Source " + sourceId + " was deleted; its id cannot be reused, use another source id");
    }

    /**
     * Writes a DELETED status for {@code known}'s source (keeping its counts), unless its latest status already is
     * DELETED (written by the run that the delete stopped).
     */
    public void markDeleted(IngestStatus known) {
        if (deleted(known.getSourceId().toString())) {
            return;
        }
        IngestStatus status = IngestStatus.newBuilder(known)
                .setState(IngestState.DELETED)
                .setReason(null)
                .setUpdatedAtMillis(System.currentTimeMillis())
                .build();
        producer.status(status);
        statuses.put(status);
    }

    /** Whether the status view has read the status topic up to where it was at start-up. */
    public boolean caughtUp() {
        return statuses.caughtUp();
    }

    /** The latest known status. */
    public Optional<IngestStatus> status(String sourceId) {
        return statuses.get(sourceId);
    }

    /** The producer intake writes with. */
    public IntakeProducer producer() {
        return producer;
    }

    private void writeStatus(IngestRequest request, IngestState state, String reason) {
        IngestStatus previous = statuses.get(request.getSourceId()).orElse(null);
        IngestStatus status = IngestStatus.newBuilder()
                .setSourceId(request.getSourceId())
                .setState(state)
                .setKind(request.getKind())
                .setReason(reason)
                // Carry the committed position forward: the status doubles as the resume checkpoint.
                .setFramesSampled(previous == null ? 0 : previous.getFramesSampled())
                .setClipsEmitted(previous == null ? 0 : previous.getClipsEmitted())
                .setLastClipEndMicros(previous == null ? 0 : previous.getLastClipEndMicros())
                .setUpdatedAtMillis(System.currentTimeMillis())
                .build();
        producer.status(status);
        statuses.put(status);
    }
}
