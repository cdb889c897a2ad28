package io.clip4stream.app.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.clip4stream.ingest.IngestConfig;
import io.clip4stream.ingest.decode.DecodeException;
import io.clip4stream.ingest.decode.VideoDecoder;
import io.clip4stream.ingest.decode.VideoInput;
import io.clip4stream.ingest.run.Probe;
import io.clip4stream.ingest.source.HttpVideoFetcher;
import io.clip4stream.ingest.source.SourceRejectedException;
import io.clip4stream.runtime.net.AddressGuard;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code clip4stream probe}: decode and sample a video without Kafka and print the plan as one JSON object. */
@Command(
        name = "probe",
        description = "Decode and sample a file or URL without Kafka; print durationMs, the sampled frames, the clips"
                + " and whether the input was truncated, as one JSON object.")
public final class ProbeCommand implements Callable<Integer> {
    @Spec
    private CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "FILE|URL", description = "A video file, an http(s) URL or a stream URL.")
    private String input;

    @Option(names = "--fps", description = "Sampled frames per second (default: 1).", defaultValue = "1")
    private double fps;

    @Option(names = "--window", description = "Frames per clip (default: 12).", defaultValue = "12")
    private int window;

    @Option(names = "--stride", description = "Frames between clip starts (default: the window).")
    private Integer stride;

    @Override
    public Integer call() throws IOException {
        int s = stride == null ? window : stride;
        if (!(fps > 0) || window < 1 || s < 1 || s > window) {
            spec.commandLine().getErr().println("probe: --fps must be > 0 and 1 <= --stride <= --window");
            return 2;
        }
        Probe.Plan plan;
        try (InputStream body = openBody()) {
            VideoInput video = body != null
                    ? new VideoInput.StreamInput(body, input)
                    : input.contains("://")
                            ? new VideoInput.UrlInput(input, Map.of())
                            : new VideoInput.FileInput(Path.of(input), false);
            plan = Probe.plan(video, VideoDecoder.Options.exact(), fps, window, s);
        } catch (DecodeException | SourceRejectedException | IOException e) {
            spec.commandLine().getErr().println("probe: " + e.getMessage());
            return 1;
        }
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("durationMs", plan.durationMs());
        json.put("frames", plan.frames());
        json.put("clips", plan.clips());
        json.put("truncated", plan.truncated());
        Map<String, Object> video = new LinkedHashMap<>();
        video.put("codec", plan.video().codec());
        video.put("width", plan.video().width());
        video.put("height", plan.video().height());
        video.put("orientation", plan.video().orientation().name().toLowerCase(Locale.ROOT));
        json.put("video", video);
        spec.commandLine().getOut().println(new ObjectMapper().writeValueAsString(json));
        spec.commandLine().getOut().flush();
        return 0;
    }

    /** An http(s) URL is streamed by Java (any host: this is a local tool), everything else FFmpeg opens itself. */
    private InputStream openBody() throws IOException, SourceRejectedException {
        String lower = input.toLowerCase(Locale.ROOT);
        if (!lower.startsWith("http://") && !lower.startsWith("https://")) {
            return null;
        }
        return new HttpVideoFetcher(
                        new AddressGuard(true, IngestConfig.ALLOW_PRIVATE_URLS.name()),
                        Duration.ofSeconds(30),
                        Long.MAX_VALUE)
                .open(URI.create(input));
    }
}
