package io.clip4stream.ingest.run;

import io.clip4stream.schemas.avro.IngestStatus;
import java.util.Optional;

/** Whether a kept upload still needs a run: its source has no final status (done, failed or deleted). */
public enum UploadResume {
    /** The source never reached a final state: run the kept upload again (it resumes after its last committed clip). */
    RUN,
    /** The source ended (done, failed or deleted): nothing to do. */
    FINISHED,
    /** The upload is unfinished but its request was not kept beside it (uploaded before requests were): left alone. */
    NO_REQUEST;

    /** The decision for an upload whose source has {@code status} and whose request was kept or not. */
    public static UploadResume of(Optional<IngestStatus> status, boolean requestKept) {
        if (status.isPresent() && isFinal(status.get())) {
            return FINISHED;
        }
        // No status at all: the instance stopped between keeping the upload and accepting it; the upload still counts.
        return requestKept ? RUN : NO_REQUEST;
    }

    /** Whether {@code status} is one a source does not leave by itself. */
    public static boolean isFinal(IngestStatus status) {
        return switch (status.getState()) {
            case DONE, FAILED, DELETED -> true;
            case ACCEPTED, DECODING -> false;
        };
    }
}
