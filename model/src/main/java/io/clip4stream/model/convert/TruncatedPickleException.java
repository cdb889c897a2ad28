package io.clip4stream.model.convert;

/** A pickle whose bytes end before its STOP opcode: the file is truncated, or a caller read too short a prefix. */
public class TruncatedPickleException extends CheckpointFormatException {

    private static final long serialVersionUID = 1L;

    /** Creates an exception naming the pickle and where its bytes ran out. */
    public TruncatedPickleException(String message) {
        super(message);
    }
}
