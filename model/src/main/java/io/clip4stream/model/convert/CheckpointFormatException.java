package io.clip4stream.model.convert;

import java.io.IOException;

/** A checkpoint file that cannot be read as any supported format; the message names the file and the fault. */
public class CheckpointFormatException extends IOException {

    private static final long serialVersionUID = 1L;

    /** Creates an exception describing why a checkpoint cannot be read. */
    public CheckpointFormatException(String message) {
        super(message);
    }

    /** Creates an exception describing why a checkpoint cannot be read, detected through another failure. */
    public CheckpointFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
