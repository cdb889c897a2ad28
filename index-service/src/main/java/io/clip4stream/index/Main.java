package io.clip4stream.index;

import io.clip4stream.model.convert.CheckpointConverter;
import io.clip4stream.runtime.config.Env;
import io.clip4stream.runtime.config.ModelSettings;
import io.clip4stream.runtime.http.VirtualThreadCarriers;
import io.clip4stream.runtime.lifecycle.BoundedShutdown;
import java.util.List;

/** Runs the index service until the JVM is asked to stop. */
public final class Main {

    private Main() {}

    /** Reads the settings from the environment, starts the service and stops it at shutdown. */
    public static void main(String[] args) {
        VirtualThreadCarriers.configure();
        IndexService service = new IndexService(IndexConfig.fromEnv(
                ModelSettings.withPulledModel(new Env(System.getenv()), CheckpointConverter::install)));
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> BoundedShutdown.withDefaultBudget()
                                .close(List.of(new BoundedShutdown.Part(service.name(), service))),
                        "index-service-shutdown"));
        service.start();
    }
}
