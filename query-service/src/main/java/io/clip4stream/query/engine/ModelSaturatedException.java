package io.clip4stream.query.engine;

/** Model work was refused because every model worker is busy and the wait queue is full; retry shortly. */
public final class ModelSaturatedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** How long a client should wait before retrying, in seconds. */
    public static final int RETRY_AFTER_SECONDS = 1;

    /** Refused with {@code workers} busy and {@code queue} tasks already waiting. */
    public ModelSaturatedException(int workers, int queue, Throwable cause) {
        super(
                "The model is saturated: " + workers + " workers busy and " + queue
                        + " searches waiting (CLIP4S_QUERY_MODEL_WORKERS, CLIP4S_QUERY_MODEL_QUEUE); retry in "
                        + RETRY_AFTER_SECONDS + " s",
                cause);
    }
}
