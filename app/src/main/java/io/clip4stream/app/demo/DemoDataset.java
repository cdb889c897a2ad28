package io.clip4stream.app.demo;

import io.clip4stream.app.train.CaptionedClip;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * A split of the demo world written as videos, one scene per file, with its captioned clips: what training and
 * evaluation read, through the same decoder and sampler as the services.
 */
public final class DemoDataset {

    /** Frames per second of the written videos (the ingest service samples 1 of them per second). */
    public static final int FPS = 2;

    private DemoDataset() {}

    /** Writes (or reuses) {@code count} scenes of {@code split} under {@code dir} and returns their clips. */
    public static List<CaptionedClip> write(
            DemoWorld world, DemoWorld.Split split, int count, Path dir, Consumer<String> progress) throws IOException {
        Files.createDirectories(dir);
        List<CaptionedClip> clips = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            Scene scene = world.scene(split, i);
            String name = split.name().toLowerCase(java.util.Locale.ROOT) + "-" + i;
            Path file = dir.resolve(name + ".mp4");
            if (!Files.isRegularFile(file)) {
                DemoVideos.write(file, List.of(scene), FPS, world.seed() * 31 + i);
            }
            clips.add(new CaptionedClip(name, file, 0, DemoWorld.SCENE_SECONDS, scene.captions()));
            if ((i + 1) % 200 == 0 || i + 1 == count) {
                progress.accept("demo world " + split.name().toLowerCase(java.util.Locale.ROOT) + ": " + (i + 1) + "/"
                        + count + " videos");
            }
        }
        return clips;
    }
}
