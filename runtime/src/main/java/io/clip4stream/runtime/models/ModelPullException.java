package io.clip4stream.runtime.models;

import java.io.IOException;

/** A model that cannot be pulled or found in the cache; the message says which, from where, and what to do. */
public final class ModelPullException extends IOException {

    private static final long serialVersionUID = 1L;

    /** Creates the exception with a message that names the model or URL. */
    public ModelPullException(String message) {
        super(message);
    }

    /** Creates the exception with a message that names the model or URL, and its cause. */
    public ModelPullException(String message, Throwable cause) {
        super(message, cause);
    }
}
