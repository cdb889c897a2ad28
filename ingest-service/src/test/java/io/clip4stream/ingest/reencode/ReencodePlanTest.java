package io.clip4stream.ingest.reencode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.clip4stream.model.spec.Preprocessing;
import io.clip4stream.schemas.avro.IngestState;
import io.clip4stream.schemas.avro.IngestStatus;
import io.clip4stream.schemas.avro.ModelVersion;
import io.clip4stream.schemas.avro.SourceKind;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Which sources a version's pass re-encodes, waits for, and gives a STOPPED marker. */
class ReencodePlanTest {

    private static IngestStatus status(String id, SourceKind kind, IngestState state) {
        return IngestStatus.newBuilder()
                .setSourceId(id)
                .setKind(kind)
                .setState(state)
                .setUpdatedAtMillis(1)
                .build();
    }

    private static final List<IngestStatus> STATUSES = List.of(
            status("up-done", SourceKind.UPLOAD, IngestState.DONE),
            status("up-failed", SourceKind.UPLOAD, IngestState.FAILED),
            status("up-busy", SourceKind.UPLOAD, IngestState.DECODING),
            status("up-deleted", SourceKind.UPLOAD, IngestState.DELETED),
            status("up-elsewhere", SourceKind.UPLOAD, IngestState.DONE),
            status("path-1", SourceKind.URL, IngestState.DONE),
            status("url-busy", SourceKind.URL, IngestState.DECODING),
            status("cam-1", SourceKind.LIVE, IngestState.DECODING),
            status("url-deleted", SourceKind.URL, IngestState.DELETED));

    @Test
    void keptFinishedUploadsAreReEncodedAndEveryOtherLiveOrUrlSourceIsMarked() {
        ReencodePlan plan = ReencodePlan.of(
                STATUSES, List.of("up-failed", "up-done", "up-busy", "up-deleted", "up-unknown"), Set.of(), Set.of());
        assertEquals(List.of("up-done", "up-failed"), plan.reencode());
        // Still being ingested, or not yet accepted: re-encoded once finished.
        assertEquals(List.of("up-busy", "up-unknown"), plan.waiting());
        // Never an upload (up-elsewhere may be kept by another instance), never a deleted source.
        assertEquals(List.of("cam-1", "path-1", "url-busy"), plan.mark());
        assertEquals(0, plan.done());
        assertEquals(7, plan.remaining());
        assertEquals(7, plan.total());
    }

    @Test
    void whatTheProgressFileRecordsIsDoneAndNotPlannedAgain() {
        ReencodePlan plan = ReencodePlan.of(
                STATUSES, List.of("up-done", "up-failed"), Set.of("up-done"), Set.of("cam-1", "path-1"));
        assertEquals(List.of("up-failed"), plan.reencode());
        assertEquals(List.of("url-busy"), plan.mark());
        assertEquals(3, plan.done());
        assertEquals(2, plan.remaining());
        assertEquals(5, plan.total());
    }

    @Test
    void aSourceWhoseUploadIsKeptHereIsNeverMarkedWhateverItsKind() {
        ReencodePlan plan = ReencodePlan.of(
                List.of(status("odd", SourceKind.URL, IngestState.DONE)), List.of("odd"), Set.of(), Set.of());
        assertEquals(List.of("odd"), plan.reencode());
        assertEquals(List.of(), plan.mark());
    }

    @Test
    void framesArePreparedTheVersionsWay() {
        ModelVersion record = ModelVersion.newBuilder()
                .setModelVersion("v2")
                .setModelId("clip4clip-b16")
                .setEmbedDim(512)
                .setResizeSize(256)
                .setInterpolation("bilinear")
                .setCropSize(224)
                .setNormalize("clip")
                .setHead("meanP")
                .setRecordedBy("cli")
                .setRecordedAtMillis(1)
                .build();
        assertEquals(new Preprocessing(256, "bilinear", 224, "clip"), ReencodePlan.framePreparation(record));
        ModelVersion broken = ModelVersion.newBuilder(record).setCropSize(300).build();
        assertThrows(IllegalArgumentException.class, () -> ReencodePlan.framePreparation(broken));
    }
}
