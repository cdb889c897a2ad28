package io.clip4stream.ingest.source;

import io.clip4stream.runtime.net.AddressGuard;

/** A source is refused before any decoding (bad path, forbidden URL target, bad parameters); maps to an HTTP 4xx. */
public final class SourceRejectedException extends Exception {
    private static final long serialVersionUID = 1L;

    private final int httpStatus;
    private final String code;

    /** A refusal with the HTTP status and machine-readable code it maps to, and a readable reason. */
    public SourceRejectedException(int httpStatus, String code, String reason) {
        super(reason);
        this.httpStatus = httpStatus;
        this.code = code;
    }

    /** A refusal caused by another error. */
    public SourceRejectedException(int httpStatus, String code, String reason, Throwable cause) {
        super(reason, cause);
        this.httpStatus = httpStatus;
        this.code = code;
    }

    /** The refusal of {@code refusal}'s host: 403 {@code forbidden_target} when it is internal, else a 400. */
    public static SourceRejectedException refused(AddressGuard.Refusal refusal) {
        return switch (refusal.reason()) {
            case NO_HOST -> new SourceRejectedException(400, "bad_uri", refusal.message());
            case UNRESOLVABLE ->
                new SourceRejectedException(
                        400,
                        "unresolvable_host",
                        refusal.message(),
                        refusal.cause().orElse(null));
            case FORBIDDEN -> new SourceRejectedException(403, "forbidden_target", refusal.message());
        };
    }

    /** The HTTP status (400, 403, 404, 413, ...). */
    public int httpStatus() {
        return httpStatus;
    }

    /** A stable machine-readable code, e.g. {@code forbidden_target}. */
    public String code() {
        return code;
    }
}
