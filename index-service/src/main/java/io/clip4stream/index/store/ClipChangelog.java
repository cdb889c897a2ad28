package io.clip4stream.index.store;

import io.clip4stream.schemas.avro.ClipVector;
import io.clip4stream.schemas.serde.AvroSerde;

/**
 * The value format of a clip store's changelog: the Avro clip under its {@link ClipKey} for a put, a tombstone for a
 * removed clip; the topic is compacted, so it holds exactly the store's contents and replaying it rebuilds the store.
 */
public final class ClipChangelog {

    private static final AvroSerde<ClipVector> SERDE = AvroSerde.of(ClipVector.class);

    private ClipChangelog() {}

    /** Decodes a changelog value; the restore path of every store uses it. */
    public static ClipVector decode(byte[] value) {
        return SERDE.decode(value);
    }

    /** Encodes a clip as the changelog holds it. */
    public static byte[] encode(ClipVector clip) {
        return SERDE.encode(clip);
    }
}
