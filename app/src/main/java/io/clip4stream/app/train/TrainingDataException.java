package io.clip4stream.app.train;

/** Training data that cannot be used, with the file and line that say why. */
public final class TrainingDataException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** Creates the exception with a reason that names the file and line. */
    public TrainingDataException(String reason) {
        super(reason);
    }

    /** Creates the exception with a reason and its cause. */
    public TrainingDataException(String reason, Throwable cause) {
        super(reason, cause);
    }
}
