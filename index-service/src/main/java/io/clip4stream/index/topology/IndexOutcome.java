package io.clip4stream.index.topology;

import io.clip4stream.index.store.ClipKey;
import io.clip4stream.schemas.avro.ClipVector;
import io.clip4stream.schemas.avro.PipelineError;
import java.util.Objects;

/** What the clip indexer reports downstream: to the clip-vectors topic or the errors topic. */
public sealed interface IndexOutcome {

    /** A clip was indexed. */
    record Indexed(ClipVector clip) implements IndexOutcome {
        /** Validates the outcome. */
        public Indexed {
            Objects.requireNonNull(clip, "clip");
        }
    }

    /** A clip was removed (source deletion or retention). */
    record Removed(ClipKey key) implements IndexOutcome {
        /** Validates the outcome. */
        public Removed {
            Objects.requireNonNull(key, "key");
        }
    }

    /** A record could not be indexed. */
    record Failed(PipelineError error) implements IndexOutcome {
        /** Validates the outcome. */
        public Failed {
            Objects.requireNonNull(error, "error");
        }
    }
}
