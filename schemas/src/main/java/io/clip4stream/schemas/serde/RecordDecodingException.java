package io.clip4stream.schemas.serde;

import org.apache.kafka.common.errors.SerializationException;

/**
 * A record's bytes could not be turned into a value; subclasses say whether the schema was unknown or the bytes were
 * malformed.
 *
 * <p>It extends Kafka's {@link SerializationException} so that consumers and Kafka Streams' deserialization handlers
 * treat it as a poison record rather than a crash.
 */
public abstract sealed class RecordDecodingException extends SerializationException
        permits UnknownSchemaException, MalformedRecordException {
    private static final long serialVersionUID = 1L;

    private final String recordType;

    RecordDecodingException(String recordType, String message, Throwable cause) {
        super(message, cause);
        this.recordType = recordType;
    }

    /** The full name of the Avro record type the serde expected. */
    public String recordType() {
        return recordType;
    }
}
