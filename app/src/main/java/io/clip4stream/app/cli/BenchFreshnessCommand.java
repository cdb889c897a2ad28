package io.clip4stream.app.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.clip4stream.app.demo.LivePipelineFreshness;
import io.clip4stream.index.IndexConfig;
import io.clip4stream.index.bench.FreshnessBenchmark;
import io.clip4stream.index.bench.LiveFreshnessBenchmark;
import io.clip4stream.kafka.embedded.EmbeddedKafkaCluster;
import io.clip4stream.model.Clip4ClipModel;
import io.clip4stream.model.ModelOptions;
import io.clip4stream.model.weights.TinyModelGenerator;
import io.clip4stream.model.weights.TinyModelShape;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code clip4stream bench freshness}: time from a clip boundary being produced to the clip answering a query; with
 * {@code --live}, also from each frame of a live source being produced to a clip covering it answering.
 */
@Command(
        name = "freshness",
        mixinStandardHelpOptions = true,
        description = "Run the index service on a broker and measure p50/p95 of the time from a clip boundary being"
                + " produced to the clip being returned by a k-NN query. --live: one live source fed in real time as"
                + " frame embeddings (no decoding or encoding), measuring frame produced -> a clip covering it"
                + " (provisional or closed) answers, next to boundary -> closed clip answers, from the same run.")
public final class BenchFreshnessCommand implements Callable<Integer> {
    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Option(names = "--clips", description = "Clips to measure (default: 200).", defaultValue = "200")
    private int clips;

    @Option(names = "--frames", description = "Frames per clip (default: 12).", defaultValue = "12")
    private int frames;

    @Option(names = "--live", description = "Measure a live source frame by frame (see the description).")
    private boolean live;

    @Option(
            names = "--live-frames",
            description = "With --live: frames to produce and measure (default: 120, two minutes at 1 fps).",
            defaultValue = "120")
    private int liveFrames;

    @Option(names = "--fps", description = "With --live: the source's frame rate (default: 1).", defaultValue = "1")
    private int fps;

    @Option(
            names = "--pipeline",
            description = "With --live: a live MPEG-TS camera on loopback through the whole pipeline in one JVM"
                    + " (ingest decodes, the encoder embeds, the index indexes); event = the camera sending the frame.")
    private boolean pipeline;

    @Option(
            names = "--warmup-clips",
            description = "With --live --pipeline: whole clips sent first and not measured (the pipeline starting up);"
                    + " default: 2.",
            defaultValue = "2")
    private int warmupClips;

    @Option(
            names = "--camera-fps",
            description = "With --live --pipeline: the camera's frame rate, a multiple of --fps (default: 8; at the"
                    + " sampling rate itself the MPEG-TS demuxer adds about two frame periods).",
            defaultValue = "8")
    private int cameraFps;

    @Option(
            names = "--provisional-every",
            description = "With --live: CLIP4S_INDEX_PROVISIONAL_EVERY_FRAMES of the index service (default: the"
                    + " service default, 2; 0: no provisional clips, the figure before them).")
    private Integer provisionalEvery;

    @Option(
            names = "--refresh-ms",
            description = "Index refresh interval (default: the service default, 250).",
            defaultValue = "250")
    private long refreshMillis;

    @Option(names = "--bootstrap", description = "A running broker; default: an embedded one started for the run.")
    private String bootstrap;

    @Option(
            names = "--model-dir",
            description = "A model directory for the aggregation head; default: a generated tiny model (meanP, 64-d).")
    private Path modelDir;

    @Option(names = "--json", description = "Print one JSON object.")
    private boolean json;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter progress = spec.commandLine().getErr();
        Path work = Files.createTempDirectory("clip4stream-bench-freshness");
        Path model = modelDir;
        if (model == null) {
            model = work.resolve("tiny-model");
            new TinyModelGenerator(7).generate(model, TinyModelShape.defaults(), "tiny");
        }
        int provisional = provisionalEvery == null
                ? IndexConfig.PROVISIONAL_EVERY_FRAMES
                        .parser()
                        .apply(IndexConfig.PROVISIONAL_EVERY_FRAMES.defaultText())
                : provisionalEvery;
        if (live && pipeline) {
            // The pipeline brings its own broker and loads the model once for all its services.
            print(
                    LivePipelineFreshness.run(
                            new LivePipelineFreshness.Options(
                                    liveFrames,
                                    warmupClips,
                                    fps,
                                    cameraFps,
                                    frames,
                                    provisional,
                                    Duration.ofMillis(refreshMillis),
                                    model,
                                    work),
                            progress),
                    out);
            return 0;
        }
        EmbeddedKafkaCluster cluster = null;
        String servers = bootstrap;
        if (servers == null) {
            cluster = EmbeddedKafkaCluster.builder().build().start();
            servers = cluster.bootstrapServers();
        }
        try (Clip4ClipModel loaded = Clip4ClipModel.load(model, ModelOptions.defaults())) {
            if (live) {
                print(
                        LiveFreshnessBenchmark.run(
                                new LiveFreshnessBenchmark.Options(
                                        liveFrames,
                                        fps,
                                        frames,
                                        provisional,
                                        servers,
                                        work.resolve("state"),
                                        Duration.ofMillis(refreshMillis)),
                                loaded,
                                progress),
                        out);
                return 0;
            }
            FreshnessBenchmark.Result result = FreshnessBenchmark.run(
                    new FreshnessBenchmark.Options(
                            clips, frames, servers, work.resolve("state"), Duration.ofMillis(refreshMillis)),
                    loaded,
                    progress);
            if (json) {
                out.println(new ObjectMapper().writeValueAsString(result));
            } else {
                FreshnessBenchmark.printTable(result, out);
            }
            out.flush();
        } finally {
            if (cluster != null) {
                cluster.close();
            }
        }
        return 0;
    }

    private void print(LiveFreshnessBenchmark.Result result, PrintWriter out) throws IOException {
        if (json) {
            out.println(new ObjectMapper().writeValueAsString(LiveFreshnessBenchmark.toJson(result)));
        } else {
            LiveFreshnessBenchmark.printTable(result, out);
        }
        out.flush();
    }
}
