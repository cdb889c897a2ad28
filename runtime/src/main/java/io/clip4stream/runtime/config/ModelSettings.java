package io.clip4stream.runtime.config;

import java.nio.file.Path;

/** The model setting that the encoder, index and query services share, declared once. */
public final class ModelSettings {
    /** The CLIP4Clip model directory (config.json + weights.safetensors). */
    public static final Setting<Path> DIRECTORY = Setting.path(
            "CLIP4S_MODEL_DIR", ".clip4stream/model", "CLIP4Clip model directory (config.json + weights.safetensors).");

    private ModelSettings() {}
}
