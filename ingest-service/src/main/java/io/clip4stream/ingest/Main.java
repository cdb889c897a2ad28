package io.clip4stream.ingest;

import io.clip4stream.model.convert.CheckpointConverter;
import io.clip4stream.runtime.config.Env;
import io.clip4stream.runtime.config.ModelSettings;
import io.clip4stream.runtime.http.VirtualThreadCarriers;
import io.clip4stream.runtime.lifecycle.BoundedShutdown;
import java.util.List;

/** Runs the ingest service alone, configured from the environment, until the JVM is stopped. */
public final class Main {
    private Main() {}

    /** Starts the service and stops it on shutdown. */
    public static void main(String[] args) {
        VirtualThreadCarriers.configure();
        // The model is only read for the preprocessing its config.json records; CLIP4S_MODEL pulls it first.
        IngestService service = new IngestService(IngestConfig.fromEnv(
                ModelSettings.withPulledModel(new Env(System.getenv()), CheckpointConverter::install)));
        // A stalled live stream may hold a native read for up to the read timeout: the budget bounds the stop anyway.
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> BoundedShutdown.withDefaultBudget()
                                .close(List.of(new BoundedShutdown.Part(service.name(), service))),
                        "ingest-shutdown"));
        service.start();
    }
}
