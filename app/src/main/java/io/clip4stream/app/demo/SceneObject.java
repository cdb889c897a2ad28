package io.clip4stream.app.demo;

import java.util.Objects;

/**
 * One object of a scene: what it is, what it does, and where it starts (fractions of the frame).
 *
 * @param shape its shape
 * @param colour its colour
 * @param big whether it is big (otherwise small); grow and shrink pass through both sizes
 * @param motion what it does
 * @param x the horizontal centre of its path, 0 left to 1 right
 * @param y the vertical centre of its path, 0 top to 1 bottom
 */
public record SceneObject(Shape shape, Colour colour, boolean big, Motion motion, double x, double y) {

    /** Validates the fields. */
    public SceneObject {
        Objects.requireNonNull(shape, "shape");
        Objects.requireNonNull(colour, "colour");
        Objects.requireNonNull(motion, "motion");
    }

    /** The fraction of the frame side an object of fixed size spans. */
    static final double SMALL = 0.13;

    /** The fraction of the frame side a big object spans. */
    static final double BIG = 0.24;

    /** How far a moving object travels, as a fraction of the frame side. */
    static final double TRAVEL = 0.5;

    /** Returns where the object is and how it looks at {@code progress} (0 at the clip's start, 1 at its end). */
    public Pose pose(double progress) {
        double p = Math.max(0, Math.min(1, progress));
        double size = big ? BIG : SMALL;
        double cx = x;
        double cy = y;
        double angle = 0;
        boolean visible = true;
        switch (motion) {
            case LEFT -> cx = x + TRAVEL / 2 - TRAVEL * p;
            case RIGHT -> cx = x - TRAVEL / 2 + TRAVEL * p;
            case UP -> cy = y + TRAVEL / 2 - TRAVEL * p;
            case DOWN -> cy = y - TRAVEL / 2 + TRAVEL * p;
            case GROW -> size = SMALL * 0.8 + (BIG * 1.2 - SMALL * 0.8) * p;
            case SHRINK -> size = BIG * 1.2 - (BIG * 1.2 - SMALL * 0.8) * p;
            case ROTATE -> angle = Math.PI * 2 * p * 1.5;
            case APPEAR -> visible = p >= 0.45;
            case DISAPPEAR -> visible = p < 0.55;
            case BOUNCE -> cy = y + 0.12 - 0.24 * Math.abs(Math.sin(Math.PI * p * 4));
            case STILL -> {
                // Stays where it is.
            }
        }
        return new Pose(cx, cy, size, angle, visible);
    }

    /**
     * The object's state in one frame.
     *
     * @param x centre, fraction of the width
     * @param y centre, fraction of the height
     * @param size side of its bounding box, fraction of the frame side
     * @param angle rotation in radians
     * @param visible whether it is drawn
     */
    public record Pose(double x, double y, double size, double angle, boolean visible) {}
}
