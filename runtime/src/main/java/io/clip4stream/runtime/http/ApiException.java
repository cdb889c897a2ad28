package io.clip4stream.runtime.http;

/**
 * An error answered to the client as JSON {@code {"error": {"code", "message"}}} with an HTTP status.
 *
 * <p>Handlers throw it for anything the client did wrong (400, 401, 404, 413, 429); the host turns it into the
 * response, so no handler writes error bodies by hand.
 */
public final class ApiException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int status;
    private final String code;

    /** An error with an HTTP status, a stable machine-readable code and a message for people. */
    public ApiException(int status, String code, String message) {
        super(message);
        this.status = status;
        this.code = code;
    }

    /** 400 with code {@code code}. */
    public static ApiException badRequest(String code, String message) {
        return new ApiException(400, code, message);
    }

    /** 404 with code {@code not_found}. */
    public static ApiException notFound(String message) {
        return new ApiException(404, "not_found", message);
    }

    /** The HTTP status. */
    public int status() {
        return status;
    }

    /** The machine-readable error code. */
    public String code() {
        return code;
    }
}
