package io.clip4stream.app.train;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.ffmpeg.global.avcodec;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacv.FFmpegFrameRecorder;
import org.bytedeco.javacv.Java2DFrameConverter;

/** Writes small H.264 videos of one colour each (with a little motion) and a manifest captioning them by colour. */
final class ColouredClips {

    static final List<String> NAMES = List.of("red", "green", "blue", "yellow", "white", "black", "purple", "orange");
    static final List<Color> COLOURS = List.of(
            Color.RED,
            Color.GREEN,
            Color.BLUE,
            Color.YELLOW,
            Color.WHITE,
            Color.BLACK,
            new Color(128, 0, 160),
            Color.ORANGE);

    private ColouredClips() {}

    /** Writes {@code count} videos of {@code seconds} s at 4 fps and returns the manifest path. */
    static Path write(Path dir, int count, int seconds) throws IOException {
        avutil.av_log_set_level(avutil.AV_LOG_ERROR);
        Files.createDirectories(dir);
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            Path video = dir.resolve("clip" + i + ".mp4");
            writeVideo(video, COLOURS.get(i % COLOURS.size()), seconds, i);
            String name = NAMES.get(i % NAMES.size());
            lines.add("{\"video\": \"clip" + i + ".mp4\", \"caption\": \"a " + name + " screen\"}");
            lines.add("{\"video\": \"clip" + i + ".mp4\", \"caption\": \"everything is " + name + "\"}");
        }
        Path manifest = dir.resolve("train.jsonl");
        Files.write(manifest, lines, StandardCharsets.UTF_8);
        return manifest;
    }

    static void writeVideo(Path file, Color colour, int seconds, int seed) throws IOException {
        int fps = 4;
        try (FFmpegFrameRecorder recorder = new FFmpegFrameRecorder(file.toFile(), 96, 64, 0);
                Java2DFrameConverter converter = new Java2DFrameConverter()) {
            recorder.setFormat("mp4");
            recorder.setVideoCodec(avcodec.AV_CODEC_ID_H264);
            recorder.setFrameRate(fps);
            recorder.setGopSize(fps);
            recorder.setPixelFormat(avutil.AV_PIX_FMT_YUV420P);
            recorder.start();
            for (int n = 0; n < seconds * fps; n++) {
                BufferedImage image = new BufferedImage(96, 64, BufferedImage.TYPE_3BYTE_BGR);
                Graphics2D g = image.createGraphics();
                g.setColor(colour);
                g.fillRect(0, 0, 96, 64);
                g.setColor(Color.GRAY);
                g.fillRect((n * 5 + seed * 11) % 80, 24, 16, 16);
                g.dispose();
                recorder.record(converter.convert(image));
            }
            recorder.stop();
        } catch (FFmpegFrameRecorder.Exception e) {
            throw new IOException("cannot write " + file, e);
        }
    }
}
