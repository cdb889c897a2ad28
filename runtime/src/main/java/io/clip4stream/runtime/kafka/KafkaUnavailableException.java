package io.clip4stream.runtime.kafka;

/** The Kafka cluster could not be reached or refused a request needed to start. */
public final class KafkaUnavailableException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** An unreachable-broker error with its cause. */
    public KafkaUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
