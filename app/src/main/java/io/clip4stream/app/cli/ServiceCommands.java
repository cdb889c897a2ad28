package io.clip4stream.app.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/**
 * One command per service, each running that service alone against an external Kafka cluster, configured from
 * environment variables exactly like its container image (see README, "Configuration").
 */
final class ServiceCommands {
    private ServiceCommands() {}

    /**
     * Blocks until the JVM shuts down. The service's own main returns once the service is started, and the launcher
     * exits with the command's status as soon as the command returns, which would stop the service at once; its
     * shutdown hook stops it on SIGTERM or Ctrl-C instead.
     */
    private static int untilShutdown() throws InterruptedException {
        Thread.currentThread().join();
        return 0;
    }

    /** {@code clip4stream ingest-service}. */
    @Command(name = "ingest-service", description = "Run the ingest service alone (settings from the environment).")
    static final class Ingest implements Callable<Integer> {
        @Override
        public Integer call() throws Exception {
            io.clip4stream.ingest.Main.main(new String[0]);
            return untilShutdown();
        }
    }

    /** {@code clip4stream encoder-service}. */
    @Command(name = "encoder-service", description = "Run the encoder service alone (settings from the environment).")
    static final class Encoder implements Callable<Integer> {
        @Override
        public Integer call() throws Exception {
            // The encoder's main blocks until its loop stops, and throws when the loop failed.
            io.clip4stream.encoder.Main.main(new String[0]);
            return 0;
        }
    }

    /** {@code clip4stream index-service}. */
    @Command(name = "index-service", description = "Run the index service alone (settings from the environment).")
    static final class Index implements Callable<Integer> {
        @Override
        public Integer call() throws Exception {
            io.clip4stream.index.Main.main(new String[0]);
            return untilShutdown();
        }
    }

    /** {@code clip4stream query-service}. */
    @Command(name = "query-service", description = "Run the query service alone (settings from the environment).")
    static final class Query implements Callable<Integer> {
        @Override
        public Integer call() throws Exception {
            io.clip4stream.query.Main.main(new String[0]);
            return untilShutdown();
        }
    }

    /** {@code clip4stream alert-service}. */
    @Command(name = "alert-service", description = "Run the alert service alone (settings from the environment).")
    static final class Alert implements Callable<Integer> {
        @Override
        public Integer call() throws Exception {
            io.clip4stream.alert.Main.main(new String[0]);
            return untilShutdown();
        }
    }
}
