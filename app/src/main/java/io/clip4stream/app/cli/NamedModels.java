package io.clip4stream.app.cli;

import io.clip4stream.model.convert.CheckpointConverter;
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
        return CheckpointConverter::install;
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

    /**
     * Returns the model directory {@code reference} means: an existing directory as it is, otherwise a registry name
     * or URL resolved through the cache (pulled on first use).
     */
    static Path directory(String reference, Map<String, String> environment, boolean offline, PrintWriter err)
            throws ModelPullException {
        Path path;
        try {
            path = Path.of(reference);
        } catch (java.nio.file.InvalidPathException e) {
            path = null;
        }
        if (path != null && java.nio.file.Files.isDirectory(path)) {
            return path;
        }
        // A registry name is owner/name: never absolute, never relative to "." and never a single word.
        boolean looksLikePath = reference.startsWith("/") || reference.startsWith(".") || reference.startsWith("~");
        if (looksLikePath) {
            throw new ModelPullException("no model directory " + reference);
        }
        if (!ModelStore.isUrl(reference) && !reference.contains("/")) {
            throw new ModelPullException("no model directory " + reference + " (and '" + reference + "' is not a model"
                    + " name such as openai/ViT-B-32; see bin/clip4stream model list --available)");
        }
        return resolve(reference, environment, offline, err);
    }

    /** Progress on one terminal line, rewritten in place, ending with a newline when a file is done. */
    static DownloadProgress progress(PrintWriter err) {
        return (file, done, total, rate, finished) -> {
            err.print("\r" + DownloadProgress.line(file, done, total, rate) + (finished ? System.lineSeparator() : ""));
            err.flush();
        };
    }
}
