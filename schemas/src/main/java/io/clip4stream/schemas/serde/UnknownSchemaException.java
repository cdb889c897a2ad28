package io.clip4stream.schemas.serde;

import java.util.HexFormat;

/** The message names a writer schema, by fingerprint, that this reader neither has nor knows as an older version. */
public final class UnknownSchemaException extends RecordDecodingException {
    private static final long serialVersionUID = 1L;

    private final long fingerprint;

    UnknownSchemaException(String recordType, long fingerprint, int knownSchemas, Throwable cause) {
        super(
                recordType,
                "Cannot decode " + recordType + ": writer schema fingerprint " + hex(fingerprint)
                        + " is unknown to this reader (it knows " + knownSchemas + " schema version(s) of "
                        + recordType + "). The record was written by a newer or unrelated producer; upgrade this"
                        + " service or add the writer schema to the schema history.",
                cause);
        this.fingerprint = fingerprint;
    }

    /** The CRC-64-AVRO fingerprint found in the message header. */
    public long fingerprint() {
        return fingerprint;
    }

    static String hex(long fingerprint) {
        return "0x" + HexFormat.of().toHexDigits(fingerprint);
    }
}
