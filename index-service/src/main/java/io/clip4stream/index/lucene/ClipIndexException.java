package io.clip4stream.index.lucene;

/** A {@link ClipIndex} operation failed; the message names the index, its directory and the operation. */
public final class ClipIndexException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** A failure of an index operation with its cause. */
    public ClipIndexException(String message, Throwable cause) {
        super(message, cause);
    }

    /** A failure of an index operation without an underlying cause. */
    public ClipIndexException(String message) {
        super(message);
    }
}
