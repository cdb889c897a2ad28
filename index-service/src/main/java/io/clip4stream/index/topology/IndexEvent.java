package io.clip4stream.index.topology;

import io.clip4stream.schemas.avro.EmbeddingStreamRecord;
import io.clip4stream.schemas.avro.SourceDeletion;
import java.util.Objects;

/** What the clip assembler consumes: a source's embedding stream merged with its deletion requests. */
public sealed interface IndexEvent {

    /** A frame embedding, clip boundary or end-of-source marker. */
    record Embedding(EmbeddingStreamRecord record) implements IndexEvent {
        /** Validates the event. */
        public Embedding {
            Objects.requireNonNull(record, "record");
        }
    }

    /** A request to drop a source and all its clips. */
    record Deletion(SourceDeletion deletion) implements IndexEvent {
        /** Validates the event. */
        public Deletion {
            Objects.requireNonNull(deletion, "deletion");
        }
    }
}
