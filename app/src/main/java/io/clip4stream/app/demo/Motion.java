package io.clip4stream.app.demo;

import java.util.List;

/** What an object does during a clip, with the phrases a caption may use for it. */
public enum Motion {
    /** Moves from right to left. */
    LEFT(List.of("moves to the left", "moving left", "goes left", "slides to the left")),
    /** Moves from left to right. */
    RIGHT(List.of("moves to the right", "moving right", "goes right", "slides to the right")),
    /** Moves upwards. */
    UP(List.of("moves up", "moving up", "rises", "goes up")),
    /** Moves downwards. */
    DOWN(List.of("moves down", "moving down", "falls", "goes down")),
    /** Doubles in size. */
    GROW(List.of("grows", "getting bigger", "expands")),
    /** Halves in size. */
    SHRINK(List.of("shrinks", "getting smaller", "contracts")),
    /** Turns about its centre. */
    ROTATE(List.of("rotates", "spinning", "turns around")),
    /** Is absent in the first half and present in the second. */
    APPEAR(List.of("appears", "shows up", "pops up")),
    /** Is present in the first half and absent in the second. */
    DISAPPEAR(List.of("disappears", "vanishes", "goes away")),
    /** Bounces up and down in place. */
    BOUNCE(List.of("bounces", "bouncing up and down", "jumps")),
    /** Does not move. */
    STILL(List.of("stands still", "not moving", "stays in place"));

    private final List<String> phrases;

    Motion(List<String> phrases) {
        this.phrases = phrases;
    }

    /** Returns the phrases, the plain one first. */
    public List<String> phrases() {
        return phrases;
    }

    /** Returns whether the object's size is fixed, so that "small" or "big" describes it. */
    public boolean keepsSize() {
        return this != GROW && this != SHRINK;
    }
}
