package io.clip4stream.index.topology;

import io.clip4stream.schemas.avro.PipelineError;
import java.util.Objects;

/** What the clip assembler hands the clip indexer. */
public sealed interface ClipWork {

    /**
     * Index this clip; a provisional one is a live source's growing clip, which its closed clip will replace under the
     * same key.
     */
    record Index(AssembledClip clip, boolean provisional, String reencodeFor) implements ClipWork {
        /** Validates the work; {@code reencodeFor} is null for a source's own stream. */
        public Index {
            Objects.requireNonNull(clip, "clip");
        }

        /** Index this clip of a source's own stream. */
        public Index(AssembledClip clip, boolean provisional) {
            this(clip, provisional, null);
        }

        /** Index this closed clip of a source's own stream. */
        public Index(AssembledClip clip) {
            this(clip, false, null);
        }
    }

    /**
     * A re-encoding of a source's kept media for model version {@code modelVersion} ended: {@code completed} when every
     * clip was sent again, otherwise the source has no kept media and its clips stay under the versions that hold them.
     */
    record Reencoded(String sourceId, String modelVersion, boolean completed) implements ClipWork {
        /** Validates the work. */
        public Reencoded {
            Objects.requireNonNull(sourceId, "sourceId");
            Objects.requireNonNull(modelVersion, "modelVersion");
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
