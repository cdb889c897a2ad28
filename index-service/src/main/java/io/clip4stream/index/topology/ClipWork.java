package io.clip4stream.index.topology;

import io.clip4stream.schemas.avro.PipelineError;
import java.util.Objects;

/** What the clip assembler hands the clip indexer. */
public sealed interface ClipWork {

    /**
     * Index this clip; a provisional one is a live source's growing clip, which its closed clip will replace under the
     * same key.
     */
    record Index(AssembledClip clip, boolean provisional) implements ClipWork {
        /** Validates the work. */
        public Index {
            Objects.requireNonNull(clip, "clip");
        }

        /** Index this closed clip. */
        public Index(AssembledClip clip) {
            this(clip, false);
        }
    }

    /** Remove every clip of this source. */
    record RemoveSource(String sourceId) implements ClipWork {
        /** Validates the work. */
        public RemoveSource {
            Objects.requireNonNull(sourceId, "sourceId");
        }
    }

    /** A record the assembler could not use; it goes to the errors topic. */
    record Reject(PipelineError error) implements ClipWork {
        /** Validates the work. */
        public Reject {
            Objects.requireNonNull(error, "error");
        }
    }
}
