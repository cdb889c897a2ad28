package io.clip4stream.ingest.run;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.clip4stream.schemas.avro.IngestState;
import io.clip4stream.schemas.avro.IngestStatus;
import io.clip4stream.schemas.avro.SourceKind;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Which kept uploads a starting instance runs again. */
class UploadResumeTest {

    private static Optional<IngestStatus> status(IngestState state) {
        return Optional.of(IngestStatus.newBuilder()
                .setSourceId("up-1")
                .setState(state)
                .setKind(SourceKind.UPLOAD)
                .setClipsEmitted(2)
                .setUpdatedAtMillis(1)
                .build());
    }

    @Test
    void onlySourcesWithoutAFinalStateRunAgain() {
        Map<IngestState, UploadResume> expected = new EnumMap<>(IngestState.class);
        expected.put(IngestState.ACCEPTED, UploadResume.RUN);
        expected.put(IngestState.DECODING, UploadResume.RUN);
        expected.put(IngestState.DONE, UploadResume.FINISHED);
        expected.put(IngestState.FAILED, UploadResume.FINISHED);
        expected.put(IngestState.DELETED, UploadResume.FINISHED);
        // Every state is listed, so a new one cannot slip through undecided.
        assertEquals(IngestState.values().length, expected.size());
        expected.forEach(
                (state, decision) -> assertEquals(decision, UploadResume.of(status(state), true), state.name()));
    }

    @Test
    void anUploadWithNoStatusYetRunsAgain() {
        assertEquals(UploadResume.RUN, UploadResume.of(Optional.empty(), true));
    }

    @Test
    void anUnfinishedUploadWithoutItsRequestIsLeftAlone() {
        assertEquals(UploadResume.NO_REQUEST, UploadResume.of(status(IngestState.DECODING), false));
        assertEquals(UploadResume.NO_REQUEST, UploadResume.of(Optional.empty(), false));
        assertEquals(UploadResume.FINISHED, UploadResume.of(status(IngestState.DONE), false));
    }
}
