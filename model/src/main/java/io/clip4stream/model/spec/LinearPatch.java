package io.clip4stream.model.spec;

import java.util.Arrays;
import java.util.stream.Collectors;

/** How frames are cut into patch tokens: per frame (2D conv) or across neighbouring frames (3D conv). */
public enum LinearPatch {
    /** {@code --linear_patch 2d}: Conv2d over each frame; frames are independent. */
    TWO_D("2d"),
    /** {@code --linear_patch 3d}: Conv3d with a 3-frame temporal kernel, zero-padded at both ends of the clip. */
    THREE_D("3d");

    private final String configName;

    LinearPatch(String configName) {
        this.configName = configName;
    }

    /** Returns the name used in config.json and on the CLIP4Clip command line. */
    public String configName() {
        return configName;
    }

    /** Parses a config.json value ({@code 2d} or {@code 3d}). */
    public static LinearPatch fromConfigName(String name) {
        for (LinearPatch patch : values()) {
            if (patch.configName.equals(name)) {
                return patch;
            }
        }
        throw new IllegalArgumentException("unknown linear_patch '" + name + "', expected one of "
                + Arrays.stream(values()).map(LinearPatch::configName).collect(Collectors.joining(", ")));
    }
}
