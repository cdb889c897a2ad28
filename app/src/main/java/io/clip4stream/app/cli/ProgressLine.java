package io.clip4stream.app.cli;

import io.clip4stream.schemas.avro.IngestState;
import io.clip4stream.schemas.avro.IngestStatus;
import java.util.Optional;

/** The one console line {@code run} prints when a source changes state, in words a user reads at a glance. */
final class ProgressLine {
    private ProgressLine() {}

    /** The line for {@code now} after {@code before} (null: first seen), or empty when nothing worth a line changed. */
    static Optional<String> of(IngestState before, IngestStatus now) {
        IngestState state = now.getState();
        if (state == before) {
            return Optional.empty();
        }
        String id = now.getSourceId();
        String reason = now.getReason();
        return switch (state) {
            case ACCEPTED -> Optional.empty();
            case DECODING -> Optional.of(id + ": ingesting…");
            case DONE ->
                Optional.of(
                        reason == null || reason.isBlank()
                                ? id + ": done, " + clips(now.getClipsEmitted()) + " searchable"
                                : id + ": done with a warning, " + clips(now.getClipsEmitted()) + " searchable: "
                                        + reason);
            case FAILED -> Optional.of(id + ": failed: " + (reason == null ? "no reason given" : reason));
            case DELETED -> Optional.of(id + ": deleted");
        };
    }

    private static String clips(long n) {
        return n == 1 ? "1 clip" : n + " clips";
    }
}
