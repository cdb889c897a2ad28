package io.clip4stream.query.search;

/**
 * An example (image or clip) a search by example cannot use: the HTTP layer answers with {@link #status()} (400 for
 * malformed input, 404 for an unknown clip, 413 for an image over the limits, 415 for a format this runtime cannot
 * decode) and the code.
 */
public final class RejectedExampleException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int status;
    private final String code;

    /** A refusal with an HTTP status, a stable machine-readable code and a message for people. */
    public RejectedExampleException(int status, String code, String message) {
        super(message);
        this.status = status;
        this.code = code;
    }

    /** A refusal caused by {@code cause}. */
    public RejectedExampleException(int status, String code, String message, Throwable cause) {
        super(message, cause);
        this.status = status;
        this.code = code;
    }

    /** The HTTP status to answer with. */
    public int status() {
        return status;
    }

    /** The machine-readable code, e.g. {@code not_an_image}. */
    public String code() {
        return code;
    }
}
