package io.clip4stream.app.demo;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Random;
import org.bytedeco.ffmpeg.global.avcodec;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacv.FFmpegFrameRecorder;
import org.bytedeco.javacv.Java2DFrameConverter;

/** Renders scenes into H.264 MP4 files, one scene after another, each {@link DemoWorld#SCENE_SECONDS} long. */
public final class DemoVideos {

    /** The side of the square frames written. */
    public static final int SIZE = 160;

    private DemoVideos() {}

    /**
     * Writes {@code scenes} back to back into {@code file} at {@code fps} frames per second (atomically: a partial file
     * never has the final name); the noise is drawn from {@code seed}.
     */
    public static void write(Path file, List<Scene> scenes, int fps, long seed) throws IOException {
        avutil.av_log_set_level(avutil.AV_LOG_ERROR);
        Path partial = file.resolveSibling(file.getFileName() + ".partial.mp4");
        Files.createDirectories(file.toAbsolutePath().getParent());
        SceneRenderer renderer = new SceneRenderer(SIZE, SIZE);
        Random noise = new Random(seed);
        int framesPerScene = DemoWorld.SCENE_SECONDS * fps;
        try (FFmpegFrameRecorder recorder = new FFmpegFrameRecorder(partial.toFile(), SIZE, SIZE, 0);
                Java2DFrameConverter converter = new Java2DFrameConverter()) {
            recorder.setFormat("mp4");
            recorder.setVideoCodec(avcodec.AV_CODEC_ID_H264);
            recorder.setFrameRate(fps);
            recorder.setGopSize(fps * 2);
            recorder.setPixelFormat(avutil.AV_PIX_FMT_YUV420P);
            recorder.setVideoOption("preset", "veryfast");
            recorder.setVideoOption("crf", "20");
            recorder.setOption("movflags", "+faststart");
            recorder.start();
            for (Scene scene : scenes) {
                for (int n = 0; n < framesPerScene; n++) {
                    // Frame n is at n/fps seconds; the last frame of a scene shows its end state.
                    double progress = (double) n / (framesPerScene - 1);
                    recorder.record(converter.convert(renderer.render(scene, progress, noise)));
                }
            }
            recorder.stop();
        } catch (FFmpegFrameRecorder.Exception e) {
            throw new IOException("cannot write the demo video " + file + ": " + e.getMessage(), e);
        }
        Files.move(partial, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
