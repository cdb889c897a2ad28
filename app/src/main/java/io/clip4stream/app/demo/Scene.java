package io.clip4stream.app.demo;

import java.util.List;

/**
 * A demo-world scene: a background, one to three objects, and captions written from them (the first is the plain one,
 * the rest say the same in other words).
 *
 * @param background the background
 * @param objects the objects, drawn in this order
 * @param captions the captions, the plain one first
 */
public record Scene(Background background, List<SceneObject> objects, List<String> captions) {

    /** Copies the lists. */
    public Scene {
        objects = List.copyOf(objects);
        captions = List.copyOf(captions);
        if (objects.isEmpty() || captions.isEmpty()) {
            throw new IllegalArgumentException("a scene needs at least one object and one caption");
        }
    }

    /** Returns the plain caption. */
    public String caption() {
        return captions.get(0);
    }
}
