package io.clip4stream.app.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.clip4stream.model.preprocess.RgbImage;
import io.clip4stream.model.spec.Preprocessing;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClipFrameReaderTest {

    @TempDir
    Path dir;

    private long cachedClips(Path cache) throws IOException {
        try (Stream<Path> files = Files.list(cache)) {
            return files.filter(f -> f.toString().endsWith(".frames")).count();
        }
    }

    @Test
    void shouldCacheFramesPreparedAnotherWayApartFromClipsOwn() throws IOException {
        Path video = dir.resolve("red.mp4");
        ColouredClips.writeVideo(video, Color.RED, 3, 1);
        CaptionedClip clip = new CaptionedClip("red", video, 0, Double.POSITIVE_INFINITY, List.of("red"));
        Path cache = dir.resolve("cache");

        List<RgbImage> clipFrames = new ClipFrameReader(64, 12, 1.0, cache).frames(clip);
        ClipFrameReader bilinear = new ClipFrameReader(new Preprocessing(72, "bilinear", 64, "clip"), 12, 1.0, cache);
        List<RgbImage> bilinearFrames = bilinear.frames(clip);
        assertEquals(64, bilinear.imageSize());
        assertEquals(clipFrames.size(), bilinearFrames.size());
        assertEquals(64, bilinearFrames.getFirst().width());
        assertEquals(2, cachedClips(cache));
        // CLIP's own preparation, spelled out, is the same cache entry as the image size alone.
        new ClipFrameReader(Preprocessing.clip(64), 12, 1.0, cache).frames(clip);
        assertEquals(2, cachedClips(cache));
    }
}
