package io.clip4stream.ingest.kafka;

import io.clip4stream.ingest.source.ResolvedSource;
import io.clip4stream.ingest.source.SourceRejectedException;
import io.clip4stream.ingest.source.SourceResolver;
import io.clip4stream.schemas.avro.IngestRequest;
import io.clip4stream.schemas.avro.IngestState;
import io.clip4stream.schemas.avro.IngestStatus;
import io.clip4stream.schemas.avro.SourceKind;
import java.util.Optional;

/**
 * Decides what happens to a request, whoever sent it (HTTP or a Kafka client): refusals become a FAILED status with
 * the reason, live sources go to the registry, file sources are accepted and run.
 */
public final class Intake {
    private final SourceResolver resolver;
    private final IntakeProducer producer;
    private final StatusView statuses;

    /** Intake over these collaborators. */
    public Intake(SourceResolver resolver, IntakeProducer producer, StatusView statuses) {
        this.resolver = resolver;
        this.producer = producer;
        this.statuses = statuses;
    }

    /** Checks {@code request}; on refusal writes a FAILED status with the reason and rethrows. */
    public ResolvedSource check(IngestRequest request) throws SourceRejectedException {
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

    /** Writes an ACCEPTED status unless the source already has one (so a resumable checkpoint is never reset). */
    public void accept(IngestRequest request) {
        Optional<IngestStatus> known = statuses.get(request.getSourceId());
        if (known.isEmpty()
                || known.get().getState() == IngestState.FAILED && known.get().getClipsEmitted() == 0) {
            writeStatus(request, IngestState.ACCEPTED, null);
        }
    }

    /** Writes a FAILED status with {@code reason} for a request refused outside {@link #check}. */
    public void fail(IngestRequest request, String reason) {
        writeStatus(request, IngestState.FAILED, reason);
    }

    /** Whether a file source with this id was already ingested completely. */
    public boolean alreadyDone(String sourceId) {
        return statuses.get(sourceId)
                .filter(s -> s.getState() == IngestState.DONE && s.getKind() != SourceKind.LIVE)
                .isPresent();
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
