package io.clip4stream.query.caption;

/** A caption that cannot be stored, with the reason the client is told. */
public final class CaptionRejected extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** Creates the rejection with its reason. */
    public CaptionRejected(String reason) {
        super(reason);
    }
}
