package io.clip4stream.runtime.config;

/** A setting is missing or malformed; the message names the variable and the offending value. */
public final class ConfigException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** A configuration error with its explanation. */
    public ConfigException(String message) {
        super(message);
    }

    /** A configuration error caused by a parse failure. */
    public ConfigException(String message, Throwable cause) {
        super(message, cause);
    }
}
