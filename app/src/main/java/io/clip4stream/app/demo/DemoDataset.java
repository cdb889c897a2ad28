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

    /** Frames per second of the written videos: the ingest service samples 1 per second, so more would be unused. */
    public static final int FPS = 1;

    private DemoDataset() {}

    /** Writes (or reuses) {@code count} scenes of {@code split} under {@code dir} and returns their clips. */
    public static List<CaptionedClip> write(
            DemoWorld world, DemoWorld.Split split, int count, Path dir, Consumer<String> progress) throws IOException {
        Files.createDirectories(dir);
        List<CaptionedClip> clips = new ArrayList<>();
        List<java.util.concurrent.Callable<Void>> writes = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            Scene scene = world.scene(split, i);
            String name = split.name().toLowerCase(java.util.Locale.ROOT) + "-" + i;
            Path file = dir.resolve(name + ".mp4");
            if (!Files.isRegularFile(file)) {
                long noiseSeed = world.seed() * 31 + i;
                writes.add(() -> {
                    DemoVideos.write(file, List.of(scene), FPS, noiseSeed);
                    return null;
                });
            }
            clips.add(new CaptionedClip(name, file, 0, DemoWorld.SCENE_SECONDS, scene.captions()));
        }
        // One encoder per core: each file is independent and deterministic from its own seed.
        int threads = Math.max(1, Runtime.getRuntime().availableProcessors());
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(threads);
        try {
            int done = 0;
            for (java.util.concurrent.Future<Void> write : pool.invokeAll(writes)) {
                write.get();
                done++;
                if (done % 200 == 0 || done == writes.size()) {
                    progress.accept("demo world " + split.name().toLowerCase(java.util.Locale.ROOT) + ": wrote " + done
                            + "/" + writes.size() + " videos");
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while writing demo videos", e);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IOException("cannot write a demo video: " + e.getCause().getMessage(), e.getCause());
        } finally {
            pool.shutdownNow();
        }
        return clips;
    }
}
