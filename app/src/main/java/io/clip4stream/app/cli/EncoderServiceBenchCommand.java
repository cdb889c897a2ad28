package io.clip4stream.app.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.clip4stream.encoder.bench.EncoderServiceBenchmark;
import io.clip4stream.kafka.embedded.EmbeddedKafkaCluster;
import io.clip4stream.model.Clip4ClipModel;
import io.clip4stream.model.ModelOptions;
import io.clip4stream.model.spec.LinearPatch;
import io.clip4stream.model.spec.SimilarityHead;
import io.clip4stream.model.weights.TinyModelGenerator;
import io.clip4stream.model.weights.TinyModelShape;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code clip4stream bench encoder-service}: frames per second of the encoder service through an embedded Kafka
 * broker against the model alone at the same batch size, and their ratio; with {@code --static-scene}, the share of
 * frames the static-scene gate skips and the time it saves on a mostly static synthetic camera.
 */
@Command(
        name = "encoder-service",
        mixinStandardHelpOptions = true,
        description = "Encoder frames/s through an embedded Kafka broker vs the model alone at the same batch size.")
public final class EncoderServiceBenchCommand implements Callable<Integer> {

    /** Model shapes the benchmark can generate (random weights, seeded). */
    enum Preset {
        /** CLIP ViT-B/32's visual encoder: width 768, 12 layers, 32-pixel patches on 224x224 frames, D = 512. */
        VIT_B_32(new TinyModelShape(
                768, 12, 32, 224, 512, 1, 1024, 512, 1, 12, 32, SimilarityHead.MEAN_P, LinearPatch.TWO_D)),
        /** A tiny model: width 64, 2 layers, 16-pixel patches on 64x64 frames, D = 64. */
        TINY(new TinyModelShape(64, 2, 16, 64, 64, 1, 512, 64, 1, 12, 32, SimilarityHead.MEAN_P, LinearPatch.TWO_D));

        private final TinyModelShape shape;

        Preset(TinyModelShape shape) {
            this.shape = shape;
        }

        String id() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }

    @Spec
    private CommandSpec spec;

    @Option(names = "--json", description = "Print one JSON object.")
    private boolean json;

    @Option(
            names = "--model-dir",
            description = "A model directory (config.json + weights.safetensors); default: generate --model.")
    private Path modelDir;

    @Option(
            names = "--model",
            defaultValue = "VIT_B_32",
            description = "Generated model when no --model-dir: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    private Preset preset;

    @Option(names = "--frames", defaultValue = "256", description = "Frames in total (default: ${DEFAULT-VALUE}).")
    private int frames;

    @Option(
            names = "--batch-size",
            defaultValue = "16",
            description = "Frames per forward pass, for both runs (default: ${DEFAULT-VALUE}).")
    private int batchSize;

    @Option(names = "--threads", description = "libtorch intra-op threads (default: half the cores, 1 to 4).")
    private Integer threads;

    @Option(names = "--device", defaultValue = "AUTO", description = "AUTO, CPU or GPU (default: ${DEFAULT-VALUE}).")
    private ModelOptions.DeviceChoice device;

    @Option(names = "--sources", defaultValue = "8", description = "Sources the frames come from (default: 8).")
    private int sources;

    @Option(names = "--partitions", defaultValue = "6", description = "Partitions of the frame topic (default: 6).")
    private int partitions;

    @Option(
            names = "--max-wait-ms",
            defaultValue = "50",
            description = "The service's batch wait in ms (default: ${DEFAULT-VALUE}).")
    private long maxWaitMs;

    @Option(
            names = "--commit-interval-ms",
            defaultValue = "100",
            description = "The service's commit interval in ms (default: ${DEFAULT-VALUE}).")
    private long commitIntervalMs;

    @Option(
            names = "--static-scene",
            description = "Measure the static-scene gate instead: the service twice over a mostly static synthetic"
                    + " camera, gate off then on; report the share of frames skipped and the time saved.")
    private boolean staticScene;

    @Option(
            names = "--static-scene-threshold",
            defaultValue = "0.02",
            description = "The gate's threshold with --static-scene: mean absolute difference of normalised pixels"
                    + " (default: ${DEFAULT-VALUE}).")
    private double staticSceneThreshold;

    @Option(
            names = "--demo-clips",
            defaultValue = "100",
            description = "With --static-scene: also evaluate this many held-out demo-world clips with the default"
                    + " model, every frame encoded and then through the gate, and report R@1 both ways (0: skip;"
                    + " default: ${DEFAULT-VALUE}).")
    private int demoClips;

    @Override
    public Integer call() throws IOException {
        ModelOptions options = new ModelOptions(
                device, threads == null ? ModelOptions.defaults().intraOpThreads() : threads, batchSize);
        EncoderServiceBenchmark.Options run = new EncoderServiceBenchmark.Options(
                frames,
                batchSize,
                sources,
                partitions,
                Duration.ofMillis(maxWaitMs),
                Duration.ofMillis(commitIntervalMs));
        Path generated = null;
        Path dir = modelDir;
        String modelName = dir == null ? preset.id() + " (generated, random weights)" : dir.toString();
        if (dir == null) {
            generated = Files.createTempDirectory("clip4stream-bench-model-");
            dir = generated;
            new TinyModelGenerator(1).generate(dir, preset.shape, "bench-" + preset.id());
        }
        try (EmbeddedKafkaCluster kafka =
                        EmbeddedKafkaCluster.builder().nodes(1).build().start();
                Clip4ClipModel model = Clip4ClipModel.load(dir, options)) {
            EncoderServiceBenchmark bench = new EncoderServiceBenchmark(kafka.bootstrapServers(), model, dir, options);
            if (staticScene) {
                print(bench.runStaticScene(run, staticSceneThreshold), modelName, options, demoWorldEffect());
            } else {
                print(bench.run(run), modelName);
            }
        } finally {
            if (generated != null) {
                deleteRecursively(generated);
            }
        }
        return 0;
    }

    private void print(EncoderServiceBenchmark.Result r, String modelName) throws IOException {
        var out = spec.commandLine().getOut();
        if (json) {
            Map<String, Object> figures = new LinkedHashMap<>();
            figures.put("benchmark", "encoder-service");
            figures.put("model", modelName);
            figures.put("modelId", r.modelId());
            figures.put("imageSize", r.imageSize());
            figures.put("embedDim", r.embedDim());
            figures.put("device", r.device());
            figures.put("intraOpThreads", r.intraOpThreads());
            figures.put("batchSize", r.batchSize());
            figures.put("frames", r.frames());
            figures.put("modelFramesPerSecond", r.modelFramesPerSecond());
            figures.put("serviceFramesPerSecond", r.serviceFramesPerSecond());
            figures.put("ratio", r.ratio());
            figures.put("target", 0.8);
            figures.put("serviceBatches", r.serviceBatches());
            figures.put("meanServiceBatch", r.meanServiceBatch());
            figures.put("serviceTransactions", r.serviceTransactions());
            out.println(new ObjectMapper().writeValueAsString(figures));
        } else {
            out.printf(
                    "encoder-service benchmark: %s, %dx%d frames, D=%d, on %s, %d intra-op thread(s), batch %d,"
                            + " %d frames%n",
                    modelName,
                    r.imageSize(),
                    r.imageSize(),
                    r.embedDim(),
                    r.device(),
                    r.intraOpThreads(),
                    r.batchSize(),
                    r.frames());
            out.printf("  %-40s %10s%n", "", "frames/s");
            out.printf("  %-40s %10.1f%n", "model alone (baseline)", r.modelFramesPerSecond());
            out.printf("  %-40s %10.1f%n", "service through embedded Kafka (EOS)", r.serviceFramesPerSecond());
            out.printf("  %-40s %10.3f   (target >= 0.8)%n", "ratio service / model", r.ratio());
            out.printf(
                    "  %-40s %10d   (mean %.1f frames)%n", "service batches", r.serviceBatches(), r.meanServiceBatch());
            out.printf("  %-40s %10d%n", "service transactions", r.serviceTransactions());
        }
        out.flush();
    }

    /** The gate's effect on demo-world retrieval with the default model; null when {@code --demo-clips 0}. */
    private com.fasterxml.jackson.databind.node.ObjectNode demoWorldEffect() throws IOException {
        if (demoClips <= 0) {
            return null;
        }
        Path work = Files.createTempDirectory("clip4stream-static-scene-demo");
        try {
            Path model = io.clip4stream.app.demo.DefaultModel.ensure(work.resolve("model"));
            var err = spec.commandLine().getErr();
            return io.clip4stream.app.demo.DemoEvaluation.staticSceneEffect(
                    model,
                    io.clip4stream.app.demo.DemoWorld.DEFAULT_SEED + 1,
                    demoClips,
                    work,
                    staticSceneThreshold,
                    threads == null ? ModelOptions.defaults().intraOpThreads() : threads,
                    line -> {
                        err.println("demo world: " + line);
                        err.flush();
                    });
        } finally {
            deleteRecursively(work);
        }
    }

    private void print(
            EncoderServiceBenchmark.StaticSceneResult r,
            String modelName,
            ModelOptions options,
            com.fasterxml.jackson.databind.node.ObjectNode demo)
            throws IOException {
        var out = spec.commandLine().getOut();
        if (json) {
            Map<String, Object> figures = new LinkedHashMap<>();
            figures.put("benchmark", "encoder-service");
            figures.put("mode", "static-scene");
            figures.put("model", modelName);
            figures.put("intraOpThreads", options.intraOpThreads());
            figures.put("batchSize", batchSize);
            figures.put("sources", sources);
            figures.put("frames", r.frames());
            figures.put("threshold", r.threshold());
            figures.put("staticShare", r.staticShare());
            figures.put("reusedFrames", r.reusedFrames());
            figures.put("skippedShare", r.skippedShare());
            figures.put("secondsWithoutGate", r.secondsWithoutGate());
            figures.put("secondsWithGate", r.secondsWithGate());
            figures.put("timeSaved", r.timeSaved());
            figures.put("demoWorld", demo);
            out.println(new ObjectMapper().writeValueAsString(figures));
        } else {
            out.printf(
                    "encoder-service static-scene benchmark: %s, %d intra-op thread(s), batch %d, %d frames of %d"
                            + " mostly static camera(s), threshold %.3f%n",
                    modelName, options.intraOpThreads(), batchSize, r.frames(), sources, r.threshold());
            out.printf("  %-40s %10.1f %%%n", "static frames generated", 100 * r.staticShare());
            out.printf(
                    "  %-40s %10d   (%.1f %% skipped)%n",
                    "frames reused by the gate", r.reusedFrames(), 100 * r.skippedShare());
            out.printf("  %-40s %10.2f s%n", "service, gate off", r.secondsWithoutGate());
            out.printf("  %-40s %10.2f s%n", "service, gate on", r.secondsWithGate());
            out.printf("  %-40s %10.1f %%%n", "time saved", 100 * r.timeSaved());
            if (demo != null) {
                out.printf(
                        "  demo world, %d held-out clips, default model: %.1f %% of frames reused;"
                                + " R@1 first stage %.3f -> %.3f",
                        demo.path("clips").asInt(),
                        100 * demo.path("reused_share").asDouble(),
                        demo.path("first_stage_r1_without").asDouble(),
                        demo.path("first_stage_r1_with").asDouble());
                if (demo.has("reranked_r1_with")) {
                    out.printf(
                            ", re-ranked %.3f -> %.3f",
                            demo.path("reranked_r1_without").asDouble(),
                            demo.path("reranked_r1_with").asDouble());
                }
                out.printf(
                        "; drop %.1f points (target <= 1)%n",
                        demo.path("r1_drop_points").asDouble());
            }
        }
        out.flush();
    }

    private static void deleteRecursively(Path root) {
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.delete(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
                    Files.delete(dir);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete the generated model in " + root, e);
        }
    }
}
