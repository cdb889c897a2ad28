package io.clip4stream.alert;

import io.clip4stream.model.convert.CheckpointConverter;
import io.clip4stream.runtime.config.Env;
import io.clip4stream.runtime.config.ModelSettings;
import io.clip4stream.runtime.http.VirtualThreadCarriers;

/** Runs the alert service until the JVM is asked to stop. */
public final class Main {

    private Main() {}

    /** Reads the settings from the environment, starts the service and stops it at shutdown. */
    public static void main(String[] args) {
        VirtualThreadCarriers.configure();
        AlertService service = new AlertService(AlertConfig.fromEnv(
                ModelSettings.withPulledModel(new Env(System.getenv()), CheckpointConverter::install)));
        Runtime.getRuntime().addShutdownHook(new Thread(service::close, "alert-service-shutdown"));
        service.start();
    }
}
