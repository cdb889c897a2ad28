package io.clip4stream.app.cli;

import io.clip4stream.model.convert.CheckpointConverter;
import io.clip4stream.model.convert.ConversionOptions;
import io.clip4stream.runtime.models.DownloadProgress;
import io.clip4stream.runtime.models.ModelPullException;
import io.clip4stream.runtime.models.ModelSource;
import io.clip4stream.runtime.models.ModelStore;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * Named models on the command line: a {@code --model} reference (a registry name such as {@code openai/ViT-B-32}, or
 * an https URL) becomes a model directory in the cache, pulled and converted in Java on first use.
 */
final class NamedModels {

    /** Environment variable that forbids downloads, as {@code --offline} does. */
    static final String OFFLINE_VARIABLE = "CLIP4S_MODEL_OFFLINE";

    private NamedModels() {}

    /** The installer that turns a verified checkpoint into a model directory with the Java converter. */
    static ModelStore.Installer installer() {
        return request -> {
            ConversionOptions options = ConversionOptions.fromSettings(request.settings());
            if (request.tokenizerDir().isPresent()) {
                options = options.withTokenizerDir(request.tokenizerDir().get());
            }
            return new CheckpointConverter()
                    .convert(request.checkpoint(), request.modelDir(), options)
                    .summary()
                    .strip();
        };
    }

    /** Returns whether the environment forbids downloads. */
    static boolean offline(Map<String, String> environment) {
        String value = environment.getOrDefault(OFFLINE_VARIABLE, "");
        return value.equalsIgnoreCase("true") || value.equals("1");
    }

    /**
     * Returns the model directory {@code reference} names, pulling it into the cache first unless it is there.
     *
     * @throws ModelPullException when it cannot be pulled, or is not cached while {@code offline}
     */
    static Path resolve(String reference, Map<String, String> environment, boolean offline, PrintWriter err)
            throws ModelPullException {
        ModelStore store = ModelStore.fromEnvironment(environment);
        ModelSource source = store.source(reference, Optional.empty(), Optional.empty());
        ModelStore.PulledModel pulled =
                store.pull(source, Optional.empty(), offline || offline(environment), progress(err), installer());
        if (pulled.downloaded()) {
            err.println("model " + source.name() + " (" + source.revision() + ") pulled into " + pulled.directory());
            err.flush();
        }
        return pulled.directory();
    }

    /** Progress on one terminal line, rewritten in place, ending with a newline when a file is done. */
    static DownloadProgress progress(PrintWriter err) {
        return (file, done, total, rate, finished) -> {
            err.print("\r" + DownloadProgress.line(file, done, total, rate) + (finished ? System.lineSeparator() : ""));
            err.flush();
        };
    }
}
