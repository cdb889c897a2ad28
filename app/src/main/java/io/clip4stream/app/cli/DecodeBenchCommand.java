package io.clip4stream.app.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.clip4stream.ingest.bench.DecodeBenchmark;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code clip4stream bench decode}: our decode+sample throughput next to the ffmpeg command's, runs alternated. */
@Command(
        name = "decode",
        description = "Decode and sample (1 fps, 224 resize+crop) a 720p H.264 file with our code (exact, and"
                + " skipping non-reference frames) and with the ffmpeg command on the same file, alternating runs.")
public final class DecodeBenchCommand implements Callable<Integer> {
    @Spec
    private CommandLine.Model.CommandSpec spec;

    @Option(names = "--file", description = "Video to decode (default: a generated 1280x720 H.264 MP4).")
    private Path file;

    @Option(names = "--seconds", description = "Length of the generated video (default: 20).", defaultValue = "20")
    private int seconds;

    @Option(names = "--rounds", description = "Alternating rounds (default: 3).", defaultValue = "3")
    private int rounds;

    @Option(names = "--fps", description = "Sampled frames per second (default: 1).", defaultValue = "1")
    private double fps;

    @Option(names = "--json", description = "Print one JSON object.")
    private boolean json;

    @Override
    public Integer call() throws Exception {
        PrintWriter err = spec.commandLine().getErr();
        Path video = file;
        if (video == null) {
            video = Files.createTempFile("clip4stream-bench-720p-", ".mp4");
            video.toFile().deleteOnExit();
            err.println("bench decode: generating " + seconds + " s of 1280x720 H.264 (libopenh264) at " + video);
            err.flush();
            DecodeBenchmark.generate(video, seconds);
        } else if (!DecodeBenchmark.usable(video)) {
            err.println("bench decode: " + video + " does not exist or is empty");
            return 1;
        }
        DecodeBenchmark.Result r = new DecodeBenchmark(rounds, fps, line -> {
                    err.println("bench decode: " + line);
                    err.flush();
                })
                .run(video);
        if (r.cliMissing() != null) {
            err.println("bench decode: " + r.cliMissing());
        }
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            Map<String, Object> root = new LinkedHashMap<>();
            root.put("file", r.file().toString());
            root.put("frames", r.frames());
            root.put("sampling_fps", fps);
            root.put("rounds", rounds);
            root.put("ours_exact_fps", r.exact().framesPerSecond());
            root.put("ours_skip_nonref_fps", r.skipNonReference().framesPerSecond());
            root.put(
                    "ffmpeg_cli_fps",
                    r.cli().map(DecodeBenchmark.Mode::framesPerSecond).orElse(null));
            root.put("ratio_exact", Double.isNaN(r.exactRatio()) ? null : r.exactRatio());
            root.put("ratio_skip_nonref", Double.isNaN(r.skipRatio()) ? null : r.skipRatio());
            root.put("sampled_exact", r.exact().sampled());
            root.put("sampled_skip_nonref", r.skipNonReference().sampled());
            root.put("ffmpeg_cli_missing", r.cliMissing());
            out.println(new ObjectMapper().writeValueAsString(root));
        } else {
            out.printf(
                    Locale.ROOT,
                    "file %s, %d frames, sampling %.2f fps, %d rounds (median)%n",
                    r.file(),
                    r.frames(),
                    fps,
                    rounds);
            out.printf(Locale.ROOT, "%-20s %14s %10s %8s%n", "mode", "frames/s", "vs ffmpeg", "sampled");
            row(out, r.exact(), r.exactRatio());
            row(out, r.skipNonReference(), r.skipRatio());
            r.cli()
                    .ifPresentOrElse(
                            c -> row(out, c, 1.0),
                            () -> out.printf(Locale.ROOT, "%-20s %14s%n", "ffmpeg-cli", "not installed"));
        }
        out.flush();
        return 0;
    }

    private static void row(PrintWriter out, DecodeBenchmark.Mode mode, double ratio) {
        out.printf(
                Locale.ROOT,
                "%-20s %14.1f %10s %8s%n",
                mode.name(),
                mode.framesPerSecond(),
                Double.isNaN(ratio) ? "-" : String.format(Locale.ROOT, "%.2fx", ratio),
                mode.sampled() < 0 ? "-" : Long.toString(mode.sampled()));
    }
}
