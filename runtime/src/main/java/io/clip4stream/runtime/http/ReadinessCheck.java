package io.clip4stream.runtime.http;

/** Tells whether one part of a service (Kafka client, model, index) is ready to do work. */
@FunctionalInterface
public interface ReadinessCheck {
    /** True when the part is ready. */
    boolean ready();
}
