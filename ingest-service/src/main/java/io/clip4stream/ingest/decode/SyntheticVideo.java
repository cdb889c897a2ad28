package io.clip4stream.ingest.decode;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Objects;
import org.bytedeco.ffmpeg.global.avcodec;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacv.FFmpegFrameRecorder;
import org.bytedeco.javacv.FrameRecorder;
import org.bytedeco.javacv.Java2DFrameConverter;

/**
 * Writes deterministic test videos with FFmpeg's encoders (H.264 is libopenh264 in this build), so benchmarks and
 * tests need no {@code ffmpeg} command: frame {@code n} has a background colour derived from {@code n} and a moving
 * square.
 *
 * @param width frame width
 * @param height frame height
 * @param fps frames per second
 * @param frames number of frames
 * @param format container, e.g. {@code mp4}, {@code mpegts}, {@code matroska}, {@code avi}
 * @param codecId FFmpeg codec id, e.g. {@link avcodec#AV_CODEC_ID_H264}
 * @param gop frames between key frames
 * @param faststart for MP4: put the index (moov atom) first; otherwise it is written at the end
 */
public record SyntheticVideo(
        int width, int height, double fps, int frames, String format, int codecId, int gop, boolean faststart) {

    static {
        // The encoder would otherwise print FFmpeg's stream banner on stderr for every file.
        avutil.av_log_set_level(avutil.AV_LOG_ERROR);
    }

    /** Validates the spec. */
    public SyntheticVideo {
        Objects.requireNonNull(format, "format");
        if (width < 16 || height < 16 || width % 2 != 0 || height % 2 != 0) {
            throw new IllegalArgumentException(
                    "frame size must be even and at least 16x16; was " + width + "x" + height);
        }
        if (!(fps > 0) || frames < 1 || gop < 1) {
            throw new IllegalArgumentException("fps, frames and gop must be positive");
        }
    }

    /** An H.264 MP4 (index at the end, as encoders write it by default). */
    public static SyntheticVideo h264Mp4(int width, int height, double fps, int frames) {
        return new SyntheticVideo(
                width, height, fps, frames, "mp4", avcodec.AV_CODEC_ID_H264, (int) Math.ceil(fps), false);
    }

    /** This spec with another container and codec. */
    public SyntheticVideo as(String newFormat, int newCodecId) {
        return new SyntheticVideo(width, height, fps, frames, newFormat, newCodecId, gop, faststart);
    }

    /** This spec with the MP4 index first (or not). */
    public SyntheticVideo withFaststart(boolean first) {
        return new SyntheticVideo(width, height, fps, frames, format, codecId, gop, first);
    }

    /** This spec with another frame count. */
    public SyntheticVideo withFrames(int count) {
        return new SyntheticVideo(width, height, fps, count, format, codecId, gop, faststart);
    }

    /** Writes all frames to {@code file}. */
    public void writeTo(Path file) {
        try (Writer writer = new Writer(new FFmpegFrameRecorder(file.toFile(), width, height, 0))) {
            for (int n = 0; n < frames; n++) {
                writer.write(n);
            }
        }
    }

    /**
     * Writes all frames to {@code file} with a display matrix turning them {@code displayRotation} degrees
     * counterclockwise when shown (as {@code ffprobe} prints it; phones record portrait video at -90).
     */
    public void writeTo(Path file, double displayRotation) {
        FFmpegFrameRecorder recorder = new FFmpegFrameRecorder(file.toFile(), width, height, 0);
        recorder.setDisplayRotation(displayRotation);
        try (Writer writer = new Writer(recorder)) {
            for (int n = 0; n < frames; n++) {
                writer.write(n);
            }
        }
    }

    /** Opens a writer streaming this video's container to {@code out} frame by frame (for live-stream tests). */
    public Writer streamTo(OutputStream out) {
        FFmpegFrameRecorder recorder = new FFmpegFrameRecorder(out, width, height, 0);
        // Push every packet out at once, as a live source does; otherwise small frames sit in FFmpeg's buffer.
        recorder.setOption("flush_packets", "1");
        return new Writer(recorder);
    }

    /** The picture of frame {@code n}. */
    public BufferedImage picture(long n) {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_3BYTE_BGR);
        Graphics2D g = image.createGraphics();
        try {
            g.setColor(new Color((int) ((n * 37) % 256), (int) ((n * 91) % 256), 128));
            g.fillRect(0, 0, width, height);
            int side = Math.max(4, Math.min(width, height) / 4);
            int x = (int) ((n * 3) % Math.max(1, width - side));
            g.setColor(Color.WHITE);
            g.fillRect(x, (height - side) / 2, side, side);
        } finally {
            g.dispose();
        }
        return image;
    }

    /** Encodes frames of this video one at a time. */
    public final class Writer implements AutoCloseable {
        private final FFmpegFrameRecorder recorder;
        private final Java2DFrameConverter converter = new Java2DFrameConverter();

        private Writer(FFmpegFrameRecorder recorder) {
            this.recorder = recorder;
            recorder.setFormat(format);
            recorder.setVideoCodec(codecId);
            recorder.setFrameRate(fps);
            recorder.setGopSize(gop);
            recorder.setVideoBitrate(Math.max(100_000, width * height * 4));
            recorder.setPixelFormat(
                    codecId == avcodec.AV_CODEC_ID_MJPEG ? avutil.AV_PIX_FMT_YUVJ420P : avutil.AV_PIX_FMT_YUV420P);
            if (faststart) {
                recorder.setOption("movflags", "faststart");
            }
            try {
                recorder.start();
            } catch (FrameRecorder.Exception e) {
                throw new UncheckedIOException(new IOException("Cannot start the " + format + " encoder", e));
            }
        }

        /** Encodes frame {@code n}. */
        public void write(long n) {
            try {
                recorder.record(converter.convert(picture(n)), avutil.AV_PIX_FMT_BGR24);
            } catch (FrameRecorder.Exception e) {
                throw new UncheckedIOException(new IOException("Cannot encode frame " + n, e));
            }
        }

        @Override
        public void close() {
            try {
                recorder.close();
            } catch (FrameRecorder.Exception e) {
                throw new UncheckedIOException(new IOException("Cannot finish the " + format + " video", e));
            }
        }
    }
}
