package io.clip4stream.schemas.serde;

/** The bytes are not an Avro single-object message, or its body does not match the schema its header names. */
public final class MalformedRecordException extends RecordDecodingException {
    private static final long serialVersionUID = 1L;

    MalformedRecordException(String recordType, String message, Throwable cause) {
        super(recordType, "Cannot decode " + recordType + ": " + message, cause);
    }
}
