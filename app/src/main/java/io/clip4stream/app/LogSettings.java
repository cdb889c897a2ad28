package io.clip4stream.app;

import io.clip4stream.runtime.config.Setting;

/**
 * Logging settings. Log4j reads them from the environment itself ({@code log4j2.xml}); they are declared here so that
 * they are documented, and checked in deployment files, like every other setting.
 */
public final class LogSettings {
    /** {@code text} (default) or {@code json}: one ECS JSON object per line. */
    public static final Setting<String> FORMAT =
            Setting.string("CLIP4S_LOG_FORMAT", "text", "Log format: text, or json (one ECS object per line).");

    /** Level of Clip4Stream's own loggers. */
    public static final Setting<String> LEVEL =
            Setting.string("CLIP4S_LOG_LEVEL", "INFO", "Level of Clip4Stream's loggers (TRACE..ERROR).");

    /** Level of the Kafka client and embedded broker loggers. */
    public static final Setting<String> KAFKA_LEVEL =
            Setting.string("CLIP4S_KAFKA_LOG_LEVEL", "WARN", "Level of Kafka's loggers.");

    private LogSettings() {}
}
