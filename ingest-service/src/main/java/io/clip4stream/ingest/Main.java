package io.clip4stream.ingest;

import io.clip4stream.runtime.config.Env;

/** Runs the ingest service alone, configured from the environment, until the JVM is stopped. */
public final class Main {
    private Main() {}

    /** Starts the service and stops it on shutdown. */
    public static void main(String[] args) {
        IngestService service = new IngestService(IngestConfig.fromEnv(new Env(System.getenv())));
        Runtime.getRuntime().addShutdownHook(new Thread(service::close, "ingest-shutdown"));
        service.start();
    }
}
