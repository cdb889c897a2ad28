package io.clip4stream.runtime.http;

import io.helidon.logging.common.spi.LoggingProvider;

/**
 * Tells Helidon that logging is already configured: its {@code System.Logger} output reaches Log4j through
 * {@code log4j-jpl}, set up by each service's {@code log4j2.xml} (and by {@code run}'s file logging). Without a
 * provider on the class path Helidon prints "There is no Helidon logging implementation on classpath" straight to
 * stderr, in the middle of {@code run}'s start-up line.
 */
public final class HelidonLogging implements LoggingProvider {
    /** Creates the provider (Helidon finds it through {@link java.util.ServiceLoader}). */
    public HelidonLogging() {}

    @Override
    public void initialization() {
        // Log4j configured itself from log4j2.xml before any server started: nothing to add.
    }

    @Override
    public void runTime() {
        // Only called in a native image at run time, which Clip4Stream does not build.
    }
}
