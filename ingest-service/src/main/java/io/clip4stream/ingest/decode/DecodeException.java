package io.clip4stream.ingest.decode;

/** A video cannot be opened or decoded; the message is a reason a user can act on, the cause is FFmpeg's error. */
public final class DecodeException extends Exception {
    private static final long serialVersionUID = 1L;

    /** A decoding failure with a readable reason. */
    public DecodeException(String reason) {
        super(reason);
    }

    /** A decoding failure with a readable reason and the underlying error. */
    public DecodeException(String reason, Throwable cause) {
        super(reason, cause);
    }
}
