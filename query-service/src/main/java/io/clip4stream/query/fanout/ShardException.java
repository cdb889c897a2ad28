package io.clip4stream.query.fanout;

/** An index instance could not be asked or gave an answer that cannot be used. */
public final class ShardException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** A failure with its context. */
    public ShardException(String message) {
        super(message);
    }

    /** A failure with its context and cause. */
    public ShardException(String message, Throwable cause) {
        super(message, cause);
    }
}
