package io.clip4stream.app;

import io.clip4stream.runtime.config.Env;
import java.nio.file.Path;
import java.util.Objects;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.Filter;
import org.apache.logging.log4j.core.config.Configurator;
import org.apache.logging.log4j.core.config.builder.api.AppenderComponentBuilder;
import org.apache.logging.log4j.core.config.builder.api.ConfigurationBuilder;
import org.apache.logging.log4j.core.config.builder.api.ConfigurationBuilderFactory;
import org.apache.logging.log4j.core.config.builder.api.LayoutComponentBuilder;
import org.apache.logging.log4j.core.config.builder.impl.BuiltConfiguration;
import org.slf4j.LoggerFactory;

/**
 * Where {@code clip4stream run} logs: everything to a rotated file under the data directory, so that the console holds
 * only what a user acts on (the URL, progress, errors in plain sentences); {@code --verbose} shows the log as well.
 *
 * @param file the log file ({@code <data-dir>/logs/clip4stream.log})
 * @param verbose whether the console also shows every log line
 * @param level level of Clip4Stream's own loggers
 * @param kafkaLevel level of Kafka's loggers
 * @param json whether the file holds one ECS JSON object per line
 */
public record RunLogging(Path file, boolean verbose, String level, String kafkaLevel, boolean json) {
    /** Pattern of the file and of {@code --verbose}: the source id appears where a line is about one source. */
    static final String PATTERN =
            "%d{yyyy-MM-dd HH:mm:ss.SSS} %-5level [%t] %c{1}%notEmpty{ [%X{sourceId}]} - %msg%n%throwable";

    /** Validates the settings. */
    public RunLogging {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(level, "level");
        Objects.requireNonNull(kafkaLevel, "kafkaLevel");
    }

    /** The logging of a run in {@code dataDir}, with levels and format from the environment ({@link LogSettings}). */
    public static RunLogging of(Path dataDir, boolean verbose, Env env) {
        return new RunLogging(
                dataDir.resolve("logs").resolve("clip4stream.log"),
                verbose,
                env.get(LogSettings.LEVEL),
                env.get(LogSettings.KAFKA_LEVEL),
                "json".equalsIgnoreCase(env.get(LogSettings.FORMAT)));
    }

    /** Replaces the logging configuration of this JVM with this one and routes java.util.logging into it. */
    public void apply() {
        Configurator.reconfigure(configuration());
        // Lucene and a few native-library wrappers log through java.util.logging, which prints to stderr by default.
        java.util.logging.LogManager.getLogManager().reset();
        java.util.logging.Logger root = java.util.logging.Logger.getLogger("");
        root.setLevel(java.util.logging.Level.INFO);
        root.addHandler(new JavaLoggingBridge());
    }

    /** Flushes and closes the log file; call last, after everything that logs has stopped. */
    public static void stop() {
        LogManager.shutdown();
    }

    BuiltConfiguration configuration() {
        ConfigurationBuilder<BuiltConfiguration> builder = ConfigurationBuilderFactory.newConfigurationBuilder();
        builder.setConfigurationName("clip4stream-run");
        builder.setStatusLevel(Level.ERROR);
        // The run's shutdown hook stops the services, which log while they stop; it stops logging itself last.
        builder.setShutdownHook("disable");
        LayoutComponentBuilder layout = json
                ? builder.newLayout("JsonTemplateLayout").addAttribute("eventTemplateUri", "classpath:EcsLayout.json")
                : builder.newLayout("PatternLayout").addAttribute("pattern", PATTERN);
        AppenderComponentBuilder rolling = builder.newAppender("file", "RollingFile")
                .addAttribute("fileName", file.toString())
                .addAttribute(
                        "filePattern",
                        file.resolveSibling("clip4stream-%i.log.gz").toString())
                .add(layout)
                .addComponent(builder.newComponent("SizeBasedTriggeringPolicy").addAttribute("size", "10 MB"))
                .addComponent(builder.newComponent("DefaultRolloverStrategy").addAttribute("max", "5"));
        builder.add(rolling);
        AppenderComponentBuilder console =
                builder.newAppender("console", "Console").addAttribute("target", "SYSTEM_ERR");
        if (verbose) {
            console.add(builder.newLayout("PatternLayout").addAttribute("pattern", PATTERN));
        } else {
            // Errors of our own code only, one plain line each: the file has the details and the stack trace.
            console.add(builder.newLayout("PatternLayout")
                            .addAttribute("pattern", "error: %msg (details: " + file + ")%n")
                            .addAttribute("alwaysWriteExceptions", false))
                    .add(builder.newFilter("ThresholdFilter", Filter.Result.NEUTRAL, Filter.Result.DENY)
                            .addAttribute("level", Level.ERROR));
        }
        builder.add(console);
        builder.add(builder.newLogger("org.apache.kafka", kafkaLevel));
        builder.add(builder.newLogger("kafka", kafkaLevel));
        builder.add(builder.newLogger("state.change.logger", Level.WARN));
        // The embedded broker logs a retriable OutOfOrderSequence at ERROR whenever a transactions-v2 producer
        // pipelines the first batches of a transaction (KAFKA-18202); the client retries and nothing is lost.
        builder.add(builder.newLogger("kafka.server.ReplicaManager", Level.WARN)
                .add(builder.newFilter("RegexFilter", Filter.Result.DENY, Filter.Result.NEUTRAL)
                        .addAttribute("regex", ".*Error processing append operation on partition.*")
                        .addAttribute("useRawMsg", true)));
        builder.add(builder.newLogger("ai.djl", Level.WARN));
        builder.add(builder.newLogger("io.clip4stream", level));
        builder.add(builder.newRootLogger(Level.WARN)
                .add(builder.newAppenderRef("file"))
                .add(builder.newAppenderRef("console")));
        return builder.build(false);
    }

    /** Hands java.util.logging records to SLF4J under the same logger name. */
    private static final class JavaLoggingBridge extends Handler {
        @Override
        public void publish(LogRecord record) {
            var logger = LoggerFactory.getLogger(record.getLoggerName() == null ? "jul" : record.getLoggerName());
            String message = getFormatter() == null
                    ? new java.util.logging.SimpleFormatter().formatMessage(record)
                    : getFormatter().formatMessage(record);
            int level = record.getLevel().intValue();
            if (level >= java.util.logging.Level.SEVERE.intValue()) {
                logger.error(message, record.getThrown());
            } else if (level >= java.util.logging.Level.WARNING.intValue()) {
                logger.warn(message, record.getThrown());
            } else if (level >= java.util.logging.Level.INFO.intValue()) {
                logger.info(message, record.getThrown());
            } else {
                logger.debug(message, record.getThrown());
            }
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
    }
}
