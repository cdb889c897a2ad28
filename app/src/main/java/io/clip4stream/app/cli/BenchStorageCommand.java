package io.clip4stream.app.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.clip4stream.app.demo.DefaultModel;
import io.clip4stream.app.demo.DemoVideos;
import io.clip4stream.app.demo.DemoWorld;
import io.clip4stream.app.demo.FrameEncodingAgreement;
import io.clip4stream.app.demo.SceneRenderer;
import io.clip4stream.index.bench.StorageBenchmark;
import io.clip4stream.ingest.run.Thumbnails;
import io.clip4stream.kafka.embedded.EmbeddedKafkaCluster;
import io.clip4stream.model.Clip4ClipModel;
import io.clip4stream.model.ModelOptions;
import io.clip4stream.model.preprocess.RgbImage;
import io.clip4stream.schemas.frames.FrameEncoding;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code clip4stream bench storage}: bytes per clip in the index and in the clip-vectors topic for every frame encoding
 * (float32 the baseline), and whether the tight re-rank keeps its rankings with the chosen one.
 */
@Command(
        name = "storage",
        mixinStandardHelpOptions = true,
        description = "Write clips through the real index store and a real clip-vectors topic in each frame encoding"
                + " (float32, float16, int8, int10) and report bytes per clip next to float32, and the tight re-rank's"
                + " top-10 agreement and score change on demo-world fixtures with the chosen encoding.")
public final class BenchStorageCommand implements Callable<Integer> {

    /** Scene of the demo world whose rendering is every clip's thumbnail. */
    private static final int THUMBNAIL_SCENE = 0;

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Option(names = "--clips", description = "Clips written in each encoding (default: 2000).", defaultValue = "2000")
    private int clips;

    @Option(
            names = "--encoding",
            description = "The encoding reported as chosen: float32, float16, int8 or int10 (default: the model's"
                    + " config.json frame_encoding, float32 when it names none).")
    private String encoding;

    @Option(names = "--width", description = "Embedding width (default: 512, ViT-B/32's).", defaultValue = "512")
    private int width;

    @Option(names = "--frames", description = "Frames per clip (default: 12).", defaultValue = "12")
    private int frames;

    @Option(
            names = "--thumbnail-size",
            description = "Thumbnail side in pixels (default: 96, the ingest service's default).",
            defaultValue = "96")
    private int thumbnailSize;

    @Option(
            names = "--scenes",
            description = "Demo-world scenes for the re-rank agreement (default: 50; 4 captions each are the queries).",
            defaultValue = "50")
    private int scenes;

    @Option(
            names = "--model-dir",
            description = "The model whose tight head re-ranks the fixtures and whose frame_encoding is the default"
                    + " choice; default: the bundled default model.")
    private Path modelDir;

    @Option(names = "--bootstrap", description = "A running broker; default: an embedded one started for the run.")
    private String bootstrap;

    @Option(names = "--json", description = "Print one JSON object.")
    private boolean json;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter progress = spec.commandLine().getErr();
        if (clips < 1 || width < 1 || frames < 1 || thumbnailSize < 1) {
            throw new CommandLine.ParameterException(
                    spec.commandLine(), "--clips, --width, --frames and --thumbnail-size must be positive");
        }
        FrameEncoding asked;
        try {
            asked = encoding == null ? null : FrameEncoding.fromName(encoding);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(
                    spec.commandLine(), "--encoding: " + e.getMessage(), e, null, encoding);
        }
        Path work = Files.createTempDirectory("clip4stream-bench-storage");
        Path model = modelDir != null ? modelDir : DefaultModel.ensure(work.resolve("default-model"));
        List<FrameEncoding> all = List.of(FrameEncoding.values());
        List<FrameEncodingAgreement.Agreement> agreements;
        FrameEncoding chosen;
        String modelName;
        try (Clip4ClipModel loaded = Clip4ClipModel.load(model, ModelOptions.defaults())) {
            chosen = asked != null
                    ? asked
                    : loaded.card().frameEncoding().map(FrameEncoding::fromName).orElse(FrameEncoding.FLOAT32);
            modelName = loaded.info().modelId() + " " + loaded.info().modelVersion();
            progress.printf("storage: re-rank agreement on %d demo-world scenes with %s...%n", scenes, modelName);
            progress.flush();
            agreements = FrameEncodingAgreement.measure(loaded, DemoWorld.DEFAULT_SEED + 1, scenes, all);
        }
        byte[] thumbnail = thumbnail();
        EmbeddedKafkaCluster cluster = null;
        String servers = bootstrap;
        if (servers == null) {
            cluster = EmbeddedKafkaCluster.builder().build().start();
            servers = cluster.bootstrapServers();
        }
        StorageBenchmark.Result result;
        try {
            result = StorageBenchmark.run(
                    new StorageBenchmark.Options(clips, width, frames, thumbnail, all, servers, work), progress);
        } finally {
            if (cluster != null) {
                cluster.close();
            }
        }
        FrameEncodingAgreement.Agreement chosenAgreement = agreements.stream()
                .filter(a -> a.frameEncoding().equals(chosen.configName()))
                .findFirst()
                .orElseThrow();
        if (json) {
            out.println(new ObjectMapper()
                    .writeValueAsString(json(result, agreements, chosen, chosenAgreement, modelName)));
        } else {
            StorageBenchmark.printTable(result, chosen.configName(), out);
            out.printf(
                    "re-rank agreement with float32 (%s, %d queries, top %d of %d candidates):%n",
                    modelName,
                    chosenAgreement.queries(),
                    FrameEncodingAgreement.TOP,
                    FrameEncodingAgreement.CANDIDATES);
            out.printf(
                    "%-9s %11s %14s %14s %14s %14s%n",
                    "encoding", "top-10 same", "score diff", "tight diff", "tight diff", "swapped gap");
            out.printf(
                    "%-9s %11s %14s %14s %14s %14s%n",
                    "", "", "/ query scale", "/ tight scale", "absolute", "/ query scale");
            for (FrameEncodingAgreement.Agreement a : agreements) {
                out.printf(
                        "%-9s %11.3f %14.2e %14.2e %14.2e %14.2e%n",
                        a.frameEncoding(),
                        a.top10Agreement(),
                        a.maxRelativeScoreChange(),
                        a.maxRelativeTightChange(),
                        a.maxAbsoluteTightChange(),
                        a.maxSwappedGap());
            }
        }
        out.flush();
        return 0;
    }

    private static ObjectNode json(
            StorageBenchmark.Result result,
            List<FrameEncodingAgreement.Agreement> agreements,
            FrameEncoding chosen,
            FrameEncodingAgreement.Agreement chosenAgreement,
            String modelName) {
        ObjectMapper mapper = new ObjectMapper();
        ObjectNode root = mapper.createObjectNode();
        StorageBenchmark.Figures figures = result.of(chosen);
        StorageBenchmark.Figures baseline = result.of(FrameEncoding.FLOAT32);
        root.put("clips", result.clips());
        root.put("index_bytes_per_clip", figures.indexBytesPerClip());
        root.put("topic_bytes_per_clip", figures.topicBytesPerClip());
        root.put("frame_encoding", chosen.configName());
        root.put("rerank_top10_agreement", chosenAgreement.top10Agreement());
        root.put("rerank_max_relative_score_change", chosenAgreement.maxRelativeScoreChange());
        root.put("rerank_max_swapped_gap", chosenAgreement.maxSwappedGap());
        root.put("float32_index_bytes_per_clip", baseline.indexBytesPerClip());
        root.put("float32_topic_bytes_per_clip", baseline.topicBytesPerClip());
        root.put("width", result.dimension());
        root.put("frames_per_clip", result.framesPerClip());
        root.put("thumbnail_bytes", result.thumbnailBytes());
        root.put(
                "index_measured", "every file of the Lucene directory after a commit and a force-merge to one segment");
        root.put(
                "topic_measured", "log segment bytes of one replica (describeLogDirs), uncompressed as Streams writes");
        root.put("rerank_model", modelName);
        root.put("rerank_queries", chosenAgreement.queries());
        ArrayNode encodings = root.putArray("encodings");
        for (StorageBenchmark.Figures f : result.encodings()) {
            ObjectNode node = encodings.addObject();
            node.put("frame_encoding", f.frameEncoding());
            node.put("index_bytes_per_clip", f.indexBytesPerClip());
            node.put("topic_bytes_per_clip", f.topicBytesPerClip());
            node.put("topic_record_bytes_per_clip", f.topicRecordBytesPerClip());
            node.put("frame_bytes_per_clip", f.frameBytesPerClip());
            agreements.stream()
                    .filter(a -> a.frameEncoding().equals(f.frameEncoding()))
                    .findFirst()
                    .ifPresent(a -> {
                        node.put("rerank_top10_agreement", a.top10Agreement());
                        node.put("rerank_max_relative_score_change", a.maxRelativeScoreChange());
                        node.put("rerank_max_relative_tight_logit_change", a.maxRelativeTightChange());
                        node.put("rerank_max_tight_logit_change", a.maxAbsoluteTightChange());
                        node.put("rerank_max_swapped_gap", a.maxSwappedGap());
                    });
        }
        return root;
    }

    /** A demo-world frame as the ingest service would thumbnail it (the pipeline's size and JPEG quality). */
    private byte[] thumbnail() {
        SceneRenderer renderer = new SceneRenderer(DemoVideos.SIZE, DemoVideos.SIZE);
        var scene = new DemoWorld(DemoWorld.DEFAULT_SEED).scene(DemoWorld.Split.TRAIN, THUMBNAIL_SCENE);
        RgbImage frame = RgbImage.fromBufferedImage(renderer.render(scene, 0.5, new Random(1)));
        return new Thumbnails(thumbnailSize).jpeg(frame);
    }
}
