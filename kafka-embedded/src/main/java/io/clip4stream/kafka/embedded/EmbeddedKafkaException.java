package io.clip4stream.kafka.embedded;

/** The embedded cluster could not be formatted, started or stopped. */
public final class EmbeddedKafkaException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    EmbeddedKafkaException(String message, Throwable cause) {
        super(message, cause);
    }

    EmbeddedKafkaException(String message) {
        super(message);
    }
}
