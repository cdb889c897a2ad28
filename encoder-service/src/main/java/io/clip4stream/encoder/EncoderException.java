package io.clip4stream.encoder;

/** The encoder cannot go on: the model failed on a batch, or this instance was fenced or refused by Kafka. */
public final class EncoderException extends RuntimeException {

    /** Creates the exception with its context and cause. */
    public EncoderException(String message, Throwable cause) {
        super(message, cause);
    }
}
