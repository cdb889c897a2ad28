package io.clip4stream.model;

/** A model directory that cannot be loaded (unreadable files, engine failure); the cause says why. */
public final class ModelLoadException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** Creates the exception with its cause. */
    public ModelLoadException(String message, Throwable cause) {
        super(message, cause);
    }
}
