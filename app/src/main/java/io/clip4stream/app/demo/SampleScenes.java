package io.clip4stream.app.demo;

import java.util.ArrayList;
import java.util.List;

/**
 * The scenes of the sample videos a first run ingests (five 12-second demo-world scenes per video, from the default
 * seed), and example queries that each describe one of them.
 */
public final class SampleScenes {

    /** Scenes in each sample video. */
    public static final int SCENES_PER_VIDEO = 5;

    /** The sample videos' source ids. */
    public static final List<String> NAMES = List.of("sample-a", "sample-b", "sample-c");

    private static final int EXAMPLES = 3;

    private static final DemoWorld WORLD = new DemoWorld(DemoWorld.DEFAULT_SEED);

    private SampleScenes() {}

    /** Returns the scenes of sample video {@code video} (0-2), in order; scene k spans seconds [12k, 12k + 12). */
    public static List<Scene> scenes(int video) {
        List<Scene> scenes = new ArrayList<>();
        for (int k = 0; k < SCENES_PER_VIDEO; k++) {
            scenes.add(WORLD.scene(DemoWorld.Split.ANY, video * SCENES_PER_VIDEO + k));
        }
        return scenes;
    }

    /**
     * Returns three queries that each describe one sample scene's first object ("a blue star grows"), with the source
     * and scene they describe; the page offers them to a newcomer.
     */
    public static List<ExampleQuery> exampleQueries() {
        List<ExampleQuery> out = new ArrayList<>();
        List<Colour> used = new ArrayList<>();
        // Scenes with one object first (the query then says all there is to see), then any; each example with another
        // colour; orange is skipped because the world's captions say "a orange" (as the model learned them).
        for (boolean single : new boolean[] {true, false}) {
            for (int video = 0; video < NAMES.size() && out.size() < EXAMPLES; video++) {
                List<Scene> scenes = scenes(video);
                for (int scene = 0; scene < scenes.size() && out.size() < EXAMPLES; scene++) {
                    List<SceneObject> objects = scenes.get(scene).objects();
                    SceneObject first = objects.get(0);
                    if ((objects.size() == 1) == single
                            && !used.contains(first.colour())
                            && first.colour() != Colour.ORANGE) {
                        used.add(first.colour());
                        out.add(new ExampleQuery(
                                CaptionWriter.phrase(first, false, 0, 0, 0, false), NAMES.get(video), scene));
                    }
                }
            }
        }
        return out;
    }

    /**
     * A query with the sample scene it describes.
     *
     * @param text the query
     * @param sourceId the sample video
     * @param scene the scene's index in it (seconds [12 scene, 12 scene + 12))
     */
    public record ExampleQuery(String text, String sourceId, int scene) {}
}
