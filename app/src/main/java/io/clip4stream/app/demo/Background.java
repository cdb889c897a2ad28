package io.clip4stream.app.demo;

import java.awt.Color;

/**
 * A scene's background: a dark base colour, a texture, and the strength of per-frame pixel noise.
 *
 * @param base the base colour (dark, so every object colour stands out)
 * @param texture the pattern drawn over it
 * @param noise the standard deviation of the per-pixel noise, in 8-bit levels
 */
public record Background(Color base, Texture texture, double noise) {

    /** A background pattern. */
    public enum Texture {
        /** One colour. */
        PLAIN,
        /** Diagonal stripes a little lighter than the base. */
        STRIPES,
        /** A checkerboard a little lighter than the base. */
        CHECKER,
        /** Scattered dots. */
        DOTS
    }
}
