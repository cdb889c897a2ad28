package io.clip4stream.query;

import io.clip4stream.model.Clip4ClipModel;
import io.clip4stream.model.ModelOptions;
import io.clip4stream.model.convert.CheckpointConverter;
import io.clip4stream.runtime.config.Env;
import io.clip4stream.runtime.config.ModelSettings;
import io.clip4stream.runtime.http.VirtualThreadCarriers;
import io.clip4stream.runtime.lifecycle.BoundedShutdown;
import java.util.List;

/** Runs the query service alone: {@code java -cp ... io.clip4stream.query.Main}, configured by the environment. */
public final class Main {
    private Main() {}

    /** Loads the model, starts the service and stops both on shutdown. */
    public static void main(String[] args) {
        VirtualThreadCarriers.configure();
        QueryConfig config = QueryConfig.fromEnv(
                ModelSettings.withPulledModel(new Env(System.getenv()), CheckpointConverter::install));
        Clip4ClipModel model = Clip4ClipModel.load(
                config.modelDir(),
                ModelOptions.defaults()
                        .withIntraOpThreads(config.modelThreads())
                        .withShortTextThreads(config.shortTextThreads()));
        QueryService service = new QueryService(config, model);
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> BoundedShutdown.withDefaultBudget()
                                .close(List.of(
                                        new BoundedShutdown.Part(service.name(), service),
                                        new BoundedShutdown.Part("model", model))),
                        "query-shutdown"));
        service.start();
    }
}
