package io.clip4stream.model.weights;

import java.io.IOException;

/** Thrown when bytes that should be a safetensors file violate the format; the message names the file and the fault. */
public final class SafetensorsFormatException extends IOException {

    /** Creates an exception describing a format violation. */
    public SafetensorsFormatException(String message) {
        super(message);
    }

    /** Creates an exception describing a format violation detected through another failure. */
    public SafetensorsFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
