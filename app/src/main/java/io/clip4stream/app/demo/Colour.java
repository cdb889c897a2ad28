package io.clip4stream.app.demo;

import java.awt.Color;

/** The colours of the demo world's objects; none is used for a background. */
public enum Colour {
    /** Red. */
    RED(new Color(220, 30, 30)),
    /** Green. */
    GREEN(new Color(40, 190, 60)),
    /** Blue. */
    BLUE(new Color(40, 80, 230)),
    /** Yellow. */
    YELLOW(new Color(240, 220, 40)),
    /** Purple. */
    PURPLE(new Color(150, 50, 200)),
    /** Orange. */
    ORANGE(new Color(250, 140, 20));

    private final Color rgb;

    Colour(Color rgb) {
        this.rgb = rgb;
    }

    /** Returns the colour's RGB value. */
    public Color rgb() {
        return rgb;
    }

    /** Returns the caption word. */
    public String word() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
