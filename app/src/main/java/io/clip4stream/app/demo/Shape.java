package io.clip4stream.app.demo;

import java.util.List;

/** The shapes of the demo world, with the words a caption may use for each. */
public enum Shape {
    /** A filled circle. */
    CIRCLE(List.of("circle", "ball", "disc"), "circles"),
    /** A filled square. */
    SQUARE(List.of("square", "box"), "squares"),
    /** A filled triangle, apex up. */
    TRIANGLE(List.of("triangle"), "triangles"),
    /** A filled five-pointed star. */
    STAR(List.of("star"), "stars");

    private final List<String> words;
    private final String plural;

    Shape(List<String> words, String plural) {
        this.words = words;
        this.plural = plural;
    }

    /** Returns the words for this shape, the plain one first. */
    public List<String> words() {
        return words;
    }

    /** Returns the plural of the plain word. */
    public String plural() {
        return plural;
    }

    /** Returns whether a rotation of this shape can be seen (a circle looks the same at every angle). */
    public boolean showsRotation() {
        return this != CIRCLE;
    }
}
