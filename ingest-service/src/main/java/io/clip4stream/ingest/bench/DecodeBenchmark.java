package io.clip4stream.ingest.bench;

import io.clip4stream.ingest.decode.DecodeException;
import io.clip4stream.ingest.decode.DecodeSummary;
import io.clip4stream.ingest.decode.SyntheticVideo;
import io.clip4stream.ingest.decode.VideoDecoder;
import io.clip4stream.ingest.decode.VideoInput;
import io.clip4stream.ingest.plan.FrameSampler;
import io.clip4stream.model.preprocess.FramePreprocessor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Decode-and-sample throughput: ours (JavaCV/FFmpeg decode, RGB only for sampled frames, the model's 224 bicubic
 * resize and crop), in exact mode and skipping non-reference frames, against the {@code ffmpeg} command doing
 * {@code fps=1,scale=-2:224:flags=bicubic,crop=224:224} to raw RGB on the same file; runs alternate.
 */
public final class DecodeBenchmark {
    private final int rounds;
    private final double fps;
    private final Consumer<String> log;

    /**
     * One measured mode.
     *
     * @param name mode name
     * @param framesPerSecond median decoded frames per wall-clock second
     * @param seconds every run's wall time
     * @param sampled frames sampled per run
     */
    public record Mode(String name, double framesPerSecond, List<Double> seconds, long sampled) {}

    /**
     * The result.
     *
     * @param file the video
     * @param frames video frames in the file
     * @param exact our exact mode
     * @param skipNonReference our mode skipping non-reference frames
     * @param cli the ffmpeg command, empty when it is not installed
     * @param cliMissing why the command could not run, or null
     */
    public record Result(
            Path file, long frames, Mode exact, Mode skipNonReference, Optional<Mode> cli, String cliMissing) {
        /** Exact mode's throughput over the command's, or NaN without the command. */
        public double exactRatio() {
            return cli.map(c -> exact.framesPerSecond() / c.framesPerSecond()).orElse(Double.NaN);
        }

        /** Skip mode's throughput over the command's, or NaN without the command. */
        public double skipRatio() {
            return cli.map(c -> skipNonReference.framesPerSecond() / c.framesPerSecond())
                    .orElse(Double.NaN);
        }
    }

    /** A benchmark of {@code rounds} alternating rounds sampling {@code fps} frames per second. */
    public DecodeBenchmark(int rounds, double fps, Consumer<String> log) {
        this.rounds = rounds;
        this.fps = fps;
        this.log = log;
    }

    /** Writes the default input: 1280x720 H.264 (libopenh264), 30 fps, {@code seconds} long, key frame every 2 s. */
    public static Path generate(Path file, int seconds) {
        new SyntheticVideo(
                        1280,
                        720,
                        30,
                        seconds * 30,
                        "mp4",
                        org.bytedeco.ffmpeg.global.avcodec.AV_CODEC_ID_H264,
                        60,
                        false)
                .writeTo(file);
        return file;
    }

    /** Runs the rounds on {@code file}. */
    public Result run(Path file) throws DecodeException, IOException, InterruptedException {
        FramePreprocessor preprocessor = new FramePreprocessor(224);
        List<Double> exact = new ArrayList<>();
        List<Double> skip = new ArrayList<>();
        List<Double> cli = new ArrayList<>();
        long frames = 0;
        long sampledExact = 0;
        long sampledSkip = 0;
        String cliMissing = null;
        ours(file, false, preprocessor); // warm-up: loads the natives, JIT-compiles the resize
        for (int round = 0; round < rounds; round++) {
            long start = System.nanoTime();
            DecodeSummary e = ours(file, false, preprocessor);
            exact.add((System.nanoTime() - start) / 1e9);
            frames = e.decodedFrames();
            sampledExact = e.sampledFrames();
            if (cliMissing == null) {
                start = System.nanoTime();
                cliMissing = ffmpeg(file);
                if (cliMissing == null) {
                    cli.add((System.nanoTime() - start) / 1e9);
                }
            }
            start = System.nanoTime();
            DecodeSummary s = ours(file, true, preprocessor);
            skip.add((System.nanoTime() - start) / 1e9);
            sampledSkip = s.sampledFrames();
            log.accept(String.format(
                    java.util.Locale.ROOT,
                    "round %d: exact %.2f s, ffmpeg %s, skip-nonref %.2f s",
                    round + 1,
                    exact.getLast(),
                    cli.isEmpty() ? "-" : String.format(java.util.Locale.ROOT, "%.2f s", cli.getLast()),
                    skip.getLast()));
        }
        Mode exactMode = mode("ours-exact", frames, exact, sampledExact);
        Mode skipMode = mode("ours-skip-nonref", frames, skip, sampledSkip);
        Optional<Mode> cliMode = cli.isEmpty() ? Optional.empty() : Optional.of(mode("ffmpeg-cli", frames, cli, -1));
        return new Result(file, frames, exactMode, skipMode, cliMode, cliMissing);
    }

    private DecodeSummary ours(Path file, boolean skipNonReference, FramePreprocessor preprocessor)
            throws DecodeException {
        try (VideoDecoder decoder = VideoDecoder.open(
                new VideoInput.FileInput(file, false),
                new VideoDecoder.Options(skipNonReference, Duration.ofSeconds(10)))) {
            return decoder.decode(
                    new FrameSampler(fps), (micros, image) -> preprocessor.resizeAndCrop(image), () -> false);
        }
    }

    /** Runs the ffmpeg command; returns null on success, else why it could not run. */
    private String ffmpeg(Path file) throws InterruptedException {
        List<String> command = List.of(
                "ffmpeg",
                "-hide_banner",
                "-loglevel",
                "error",
                "-nostdin",
                "-i",
                file.toString(),
                "-vf",
                "fps=" + fps + ",scale=-2:224:flags=bicubic,crop=224:224",
                "-pix_fmt",
                "rgb24",
                "-f",
                "rawvideo",
                "-y",
                "/dev/null");
        try {
            Process process = new ProcessBuilder(command)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start();
            int status = process.waitFor();
            return status == 0 ? null : "ffmpeg exited with status " + status;
        } catch (IOException e) {
            return "the ffmpeg command is not installed (apt-get install ffmpeg), so there is no CLI baseline: "
                    + e.getMessage();
        }
    }

    private static Mode mode(String name, long frames, List<Double> seconds, long sampled) {
        List<Double> sorted = new ArrayList<>(seconds);
        Collections.sort(sorted);
        double median = sorted.get(sorted.size() / 2);
        return new Mode(name, frames / median, List.copyOf(seconds), sampled);
    }

    /** Whether {@code file} exists and is not empty. */
    public static boolean usable(Path file) {
        try {
            return Files.size(file) > 0;
        } catch (IOException e) {
            return false;
        }
    }
}
