package io.clip4stream.query.search;

/** A search request the service refuses (the HTTP layer answers it with 400 and this code). */
public final class InvalidSearchException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String code;

    /** A refusal with a stable machine-readable code and a message for people. */
    public InvalidSearchException(String code, String message) {
        super(message);
        this.code = code;
    }

    /** The machine-readable code, e.g. {@code invalid_k}. */
    public String code() {
        return code;
    }
}
