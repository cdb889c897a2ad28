package io.clip4stream.runtime.config;

import io.clip4stream.runtime.models.DownloadProgress;
import io.clip4stream.runtime.models.ModelPullException;
import io.clip4stream.runtime.models.ModelSource;
import io.clip4stream.runtime.models.ModelStore;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The model settings that the encoder, index and query services share, declared once. */
public final class ModelSettings {

    private static final Logger LOG = LoggerFactory.getLogger(ModelSettings.class);

    /** The CLIP4Clip model directory (config.json + weights.safetensors). */
    public static final Setting<Path> DIRECTORY = Setting.path(
            "CLIP4S_MODEL_DIR", ".clip4stream/model", "CLIP4Clip model directory (config.json + weights.safetensors).");

    /** A named model (or checkpoint URL), pulled into the model cache on first use; overrides the directory. */
    public static final Setting<String> NAME = Setting.string(
            "CLIP4S_MODEL",
            "",
            "Named model (e.g. openai/ViT-B-32) or checkpoint URL, pulled into CLIP4S_MODEL_HOME on first use and"
                    + " used instead of CLIP4S_MODEL_DIR; empty: use CLIP4S_MODEL_DIR.");

    /** Forbids downloads: a named model must already be in the cache. */
    public static final Setting<Boolean> OFFLINE = Setting.bool(
            "CLIP4S_MODEL_OFFLINE", false, "Never download a model: CLIP4S_MODEL must already be in the cache.");

    private ModelSettings() {}

    /**
     * Returns {@code env} with {@code CLIP4S_MODEL_DIR} pointing at the pulled directory of {@code CLIP4S_MODEL} when
     * that is set (pulling and converting it first unless it is cached), otherwise {@code env} itself.
     *
     * @throws ConfigException naming the model when it cannot be pulled, or is not cached while offline
     */
    public static Env withPulledModel(Env env, ModelStore.Installer installer) {
        String reference = env.get(NAME).strip();
        if (reference.isEmpty()) {
            return env;
        }
        ModelStore store = ModelStore.fromEnvironment(env.variables());
        try {
            ModelSource source = store.source(reference, Optional.empty(), Optional.empty());
            boolean offline = env.get(OFFLINE);
            if (!offline && store.cached(source).isEmpty()) {
                LOG.info("pulling model {} ({}) into {}", source.name(), source.revision(), store.root());
            }
            ModelStore.PulledModel pulled = store.pull(source, Optional.empty(), offline, progressLog(), installer);
            LOG.info("model {} ({}) from {}", source.name(), source.revision(), pulled.directory());
            Map<String, String> variables = new HashMap<>(env.variables());
            variables.put(DIRECTORY.name(), pulled.directory().toString());
            return new Env(variables);
        } catch (ModelPullException e) {
            throw new ConfigException(NAME.name() + "='" + reference + "': " + e.getMessage(), e);
        }
    }

    /** Logs a download's progress at most every few seconds, and its end. */
    private static DownloadProgress progressLog() {
        long[] last = {0};
        return (file, done, total, rate, finished) -> {
            long now = System.nanoTime();
            if (finished || now - last[0] > 5_000_000_000L) {
                last[0] = now;
                LOG.info("{}", DownloadProgress.line(file, done, total, rate));
            }
        };
    }
}
