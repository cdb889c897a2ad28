package io.clip4stream.encoder;

import io.clip4stream.model.Clip4ClipModel;
import io.clip4stream.model.ModelOptions;
import io.clip4stream.model.convert.CheckpointConverter;
import io.clip4stream.model.nn.TorchDeviceProbe;
import io.clip4stream.runtime.config.Env;
import io.clip4stream.runtime.config.ModelSettings;
import io.clip4stream.runtime.http.VirtualThreadCarriers;
import io.clip4stream.runtime.lifecycle.BoundedShutdown;
import java.util.List;
import org.slf4j.LoggerFactory;

/** Runs the encoder service alone, configured from environment variables, until the process is stopped. */
public final class Main {

    private Main() {}

    /** Checks the device, loads the model, starts the service and waits; a fatal loop error ends {@code main} with that error. */
    public static void main(String[] args) throws InterruptedException {
        VirtualThreadCarriers.configure();
        EncoderConfig config = EncoderConfig.fromEnv(
                ModelSettings.withPulledModel(new Env(System.getenv()), CheckpointConverter::install));
        // Before the model loads: a requested GPU that is not usable stops the process here, saying what is missing.
        DeviceCheck check = new DeviceCheck(config.device(), new TorchDeviceProbe(System.getenv()));
        DeviceCheck.Result device = check.run();
        LoggerFactory.getLogger(Main.class).info("encoder device: {}", device.description());
        ModelOptions options = config.modelOptions().withDevice(check.chosen(device));
        Clip4ClipModel model = Clip4ClipModel.load(config.modelDir(), options);
        // The versions of a model change with another visual encoder load on the same device, with the same options.
        EncoderService service = new EncoderService(config, model, EncoderService.loader(options));
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> BoundedShutdown.withDefaultBudget()
                                .close(List.of(
                                        new BoundedShutdown.Part(service.name(), service),
                                        new BoundedShutdown.Part("model", model))),
                        "encoder-shutdown"));
        service.start();
        service.awaitTermination();
        service.failure().ifPresent(e -> {
            throw new IllegalStateException("encoder-service stopped", e);
        });
    }
}
