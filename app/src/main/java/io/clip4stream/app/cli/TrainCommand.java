package io.clip4stream.app.cli;

import ai.djl.Device;
import io.clip4stream.app.demo.DefaultModel;
import io.clip4stream.app.train.CaptionJoin;
import io.clip4stream.app.train.CaptionedClip;
import io.clip4stream.app.train.ClipFrameReader;
import io.clip4stream.app.train.ClusterTrainingData;
import io.clip4stream.app.train.TrainingData;
import io.clip4stream.app.train.TrainingDataException;
import io.clip4stream.app.train.TrainingRun;
import io.clip4stream.app.train.TrainingSet;
import io.clip4stream.app.train.TrainingSettings;
import io.clip4stream.model.spec.CheckpointLayout;
import io.clip4stream.model.spec.ModelConfig;
import io.clip4stream.model.spec.Preprocessing;
import io.clip4stream.model.spec.SimilarityHead;
import io.clip4stream.model.tokenize.ClipTokenizer;
import io.clip4stream.model.train.FreezeRule;
import io.clip4stream.model.train.HeadInitializer;
import io.clip4stream.model.weights.Checkpoint;
import io.clip4stream.model.weights.ModelDirectory;
import io.clip4stream.model.weights.TensorData;
import io.clip4stream.runtime.config.Env;
import io.clip4stream.runtime.config.TopicSettings;
import io.clip4stream.runtime.kafka.KafkaClientSettings;
import io.clip4stream.schemas.topic.Topics;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code clip4stream train DATA --init MODEL --head H --out DIR}: trains CLIP4Clip as its original code does. */
@Command(
        name = "train",
        description = "Train a CLIP4Clip head (and fine-tune CLIP) on captioned clips, step for step as the original"
                + " training code: CrossEn loss on S and S^T, BertAdam with warmup_cosine, gradient clipping, the"
                + " freeze_layer_num rule. DATA is an MSR-VTT folder (MSRVTT_data.json, MSRVTT_train.9k.csv,"
                + " MSRVTT_JSFUSION_test.csv, videos/) or a JSON Lines manifest of {\"video\", \"start\", \"end\","
                + " \"caption\"}. Videos are decoded and sampled as the ingest service does. Writes a checkpoint"
                + " to OUT/checkpoint (resumable with --resume OUT after a crash or Ctrl-C) and the best epoch's"
                + " model directory to OUT. With --from-cluster (and --freeze-clip) it trains the head on the"
                + " captions the cluster holds (POST /captions, `clip4stream caption`) and the frame embeddings its"
                + " index keeps, without decoding any video.")
public final class TrainCommand implements Callable<Integer> {
    /** How long reading one topic of the cluster may take before training gives up. */
    private static final java.time.Duration CLUSTER_READ_TIMEOUT = java.time.Duration.ofMinutes(2);

    /** Captions left out that are named one by one; the rest are counted. */
    private static final int MAX_LISTED_UNMATCHED = 10;

    @Spec
    private CommandLine.Model.CommandSpec spec;

    @Parameters(
            index = "0",
            arity = "0..1",
            paramLabel = "DATA",
            description = "MSR-VTT folder or JSON Lines manifest (none with --from-cluster).")
    private Path data;

    @Option(
            names = {"--init", "--model"},
            paramLabel = "MODEL",
            description = "The model to start from: a model directory, or a model name or URL (pulled into the model"
                    + " cache on first use), e.g. openai/ViT-B-32. Required with DATA; with --from-cluster the"
                    + " default is the bundled default model.")
    private String init;

    @Option(
            names = "--from-cluster",
            description = "Train on what the cluster indexed: the captions topic joined to the frame embeddings the"
                    + " clip-vectors topic keeps for the clips of MODEL's version. No video is decoded or encoded,"
                    + " so CLIP stays frozen (--freeze-clip); the output is a new version of the same CLIP.")
    private boolean fromCluster;

    @Option(
            names = "--bootstrap",
            paramLabel = "HOST:PORT",
            description = "Kafka bootstrap servers for --from-cluster (default: CLIP4S_KAFKA_BOOTSTRAP, else the"
                    + " running 'clip4stream run').")
    private String bootstrap;

    @Option(names = "--data-dir", description = "State directory of 'run' (default: that of 'run').")
    private Path dataDir;

    private final Map<String, String> environment;

    /** Creates the command reading the model cache settings from {@code environment}. */
    public TrainCommand(Map<String, String> environment) {
        this.environment = Map.copyOf(environment);
    }

    @Option(names = "--head", defaultValue = "meanP", description = "meanP, seqLSTM, seqTransf or tightTransf.")
    private String head;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output model directory.")
    private Path out;

    @Option(names = "--epochs", defaultValue = "5")
    private int epochs;

    @Option(names = "--batch-size", defaultValue = "64")
    private int batchSize;

    @Option(names = "--lr", defaultValue = "1e-4", description = "Learning rate of the head (default: 1e-4).")
    private double lr;

    @Option(names = "--coef-lr", defaultValue = "1e-3", description = "Factor on --lr for CLIP (default: 1e-3).")
    private double coefLr;

    @Option(names = "--warmup", defaultValue = "0.1", description = "Warm-up proportion (default: 0.1).")
    private double warmup;

    @Option(
            names = "--freeze-layer-num",
            defaultValue = "0",
            description = "CLIP blocks below N stay frozen with the embeddings (default 0; -1 freezes nothing).")
    private int freezeLayerNum;

    @Option(names = "--freeze-clip", description = "Freeze all of CLIP: train the head only, on cached embeddings.")
    private boolean freezeClip;

    @Option(names = "--max-frames", defaultValue = "12")
    private int maxFrames;

    @Option(names = "--max-words", defaultValue = "32")
    private int maxWords;

    @Option(names = "--fps", defaultValue = "1.0", description = "Sampling rate of the frames (default: 1, as ingest).")
    private double fps;

    @Option(names = "--seed", defaultValue = "42")
    private long seed;

    @Option(names = "--threads", description = "libtorch intra-op threads (default: all cores).")
    private int threads = Runtime.getRuntime().availableProcessors();

    @Option(names = "--device", defaultValue = "cpu", description = "cpu, or gpu when the engine has CUDA.")
    private String device;

    @Option(names = "--resume", paramLabel = "DIR", description = "Continue the run whose output folder is DIR.")
    private Path resume;

    @Option(
            names = "--eval",
            paramLabel = "DATA",
            description = "Held-out data (default: MSR-VTT's test split, or 10%% of a manifest's clips).")
    private Path evalData;

    @Option(
            names = "--eval-fraction",
            defaultValue = "0.1",
            description = "Share of a manifest's clips held out when --eval is absent (default: 0.1; 0: none).")
    private double evalFraction;

    @Option(
            names = "--checkpoint-every",
            defaultValue = "50",
            description = "Optimizer steps between checkpoints inside an epoch (default: 50; 0: epoch ends only).")
    private int checkpointEvery;

    @Option(names = "--cache", paramLabel = "DIR", description = "Decoded-frame cache (default: OUT/cache/frames).")
    private Path cache;

    @Option(names = "--json", description = "Print one JSON object at the end.")
    private boolean json;

    @Override
    public Integer call() throws Exception {
        PrintWriter err = spec.commandLine().getErr();
        Consumer<String> progress = line -> {
            err.println("train: " + line);
            err.flush();
        };
        SimilarityHead similarityHead;
        try {
            similarityHead = SimilarityHead.fromConfigName(head);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        if (fromCluster != (data == null)) {
            throw new CommandLine.ParameterException(
                    spec.commandLine(), "give either DATA or --from-cluster (training reads one or the other)");
        }
        if (fromCluster && !freezeClip) {
            throw new CommandLine.ParameterException(
                    spec.commandLine(),
                    "--from-cluster trains the head on the frame embeddings the index holds, with no frames to"
                            + " fine-tune CLIP on: add --freeze-clip");
        }
        if (!fromCluster && init == null) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--init MODEL is required with DATA");
        }
        FreezeRule freeze = freezeClip ? FreezeRule.clip() : FreezeRule.layers(freezeLayerNum);
        TrainingSettings settings;
        try {
            settings = new TrainingSettings(
                    similarityHead,
                    epochs,
                    batchSize,
                    lr,
                    coefLr,
                    warmup,
                    freeze,
                    maxFrames,
                    maxWords,
                    seed,
                    checkpointEvery);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        Path baseDir = init != null
                ? NamedModels.directory(
                        init, environment, false, spec.commandLine().getErr())
                : DefaultModel.ensure(out.resolve("base"));
        ModelDirectory initDir = withHead(ModelDirectory.open(baseDir), similarityHead, progress);
        ClipTokenizer tokenizer = initDir.bpeVocab().isPresent()
                ? ClipTokenizer.withVocabularyFile(initDir.bpeVocab().get())
                : ClipTokenizer.withBundledVocabulary();
        TrainingInputs inputs =
                fromCluster ? clusterInputs(initDir, tokenizer, progress) : fileInputs(initDir, tokenizer, progress);
        TrainingSet train = inputs.train();
        Optional<TrainingSet> eval = inputs.eval();
        if (eval.isEmpty()) {
            progress.accept("no held-out clips: the last epoch is kept (give --eval to select the best epoch)");
        }

        // Training keeps the start's preprocessing (it is recorded in the result), so its frames are prepared that way.
        AtomicBoolean stop = new AtomicBoolean();
        CountDownLatch finished = new CountDownLatch(1);
        // Ctrl-C or SIGTERM: finish the current step, write a checkpoint, then let the JVM go.
        Thread hook = new Thread(
                () -> {
                    stop.set(true);
                    try {
                        finished.await(5, TimeUnit.MINUTES);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                },
                "train-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        TrainingRun.Outcome outcome;
        try {
            outcome = new TrainingRun(
                            settings,
                            initDir,
                            train,
                            eval,
                            inputs.description(),
                            out,
                            deviceOf(device),
                            threads,
                            progress,
                            stop::get)
                    .run(Optional.ofNullable(resume));
        } finally {
            finished.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // Already shutting down: the hook is running and has been released above.
            }
        }
        if (fromCluster && outcome.completed()) {
            recordKnows(baseDir, outcome.modelDir());
        }
        PrintWriter printer = spec.commandLine().getOut();
        if (json) {
            var node = outcome.history().deepCopy();
            node.put("completed", outcome.completed());
            node.put("steps", outcome.steps());
            node.put("model_dir", outcome.modelDir().toAbsolutePath().toString());
            printer.println(node.toString());
        } else {
            printer.printf(
                    "%s after %d steps; model directory %s (best epoch %s)%n",
                    outcome.completed() ? "trained" : "stopped",
                    outcome.steps(),
                    outcome.modelDir(),
                    outcome.history().path("best_epoch").asText("-"));
        }
        printer.flush();
        return outcome.completed() ? 0 : 3;
    }

    /** The training and held-out sets of a run, and how the run records where they came from. */
    private record TrainingInputs(TrainingSet train, Optional<TrainingSet> eval, String description) {}

    /** Reads DATA (and --eval): clips of video files, decoded and sampled as the ingest service does. */
    private TrainingInputs fileInputs(ModelDirectory initDir, ClipTokenizer tokenizer, Consumer<String> progress)
            throws java.io.IOException {
        int imageSize = imageSizeOf(initDir);
        // Training keeps the start's preprocessing (it is recorded in the result), so its frames are prepared that way.
        ClipFrameReader reader = new ClipFrameReader(
                initDir.config().preprocessing().orElse(Preprocessing.clip(imageSize)),
                maxFrames,
                fps,
                cache != null ? cache : out.resolve("cache").resolve("frames"));
        List<CaptionedClip> trainClips = TrainingData.read(data, "train");
        List<CaptionedClip> evalClips;
        if (evalData != null) {
            evalClips = TrainingData.read(evalData, "test");
        } else if (TrainingData.hasTestSplit(data)) {
            evalClips = TrainingData.read(data, "test");
        } else {
            List<List<CaptionedClip>> split = TrainingData.holdOut(trainClips, evalFraction, seed);
            trainClips = split.get(0);
            evalClips = split.get(1);
        }
        TrainingSet train = TrainingSet.prepare("train", trainClips, reader, tokenizer, maxFrames, maxWords, progress);
        Optional<TrainingSet> eval = evalClips.isEmpty()
                ? Optional.empty()
                : Optional.of(TrainingSet.prepare("eval", evalClips, reader, tokenizer, maxFrames, maxWords, progress));
        return new TrainingInputs(train, eval, data.toAbsolutePath().toString());
    }

    /** Reads the captions and the base version's frame embeddings from the cluster and joins them. */
    private TrainingInputs clusterInputs(ModelDirectory initDir, ClipTokenizer tokenizer, Consumer<String> progress) {
        Env env = new Env(environment);
        KafkaClientSettings kafka = RunFile.kafka(environment, bootstrap, dataDir);
        Topics topics = TopicSettings.fromEnv(env).topics();
        String version = initDir.config().modelVersion();
        ClusterTrainingData.Read read =
                ClusterTrainingData.read(kafka, topics, version, CLUSTER_READ_TIMEOUT, progress);
        if (read.clips().isEmpty()) {
            throw new TrainingDataException("the cluster holds no clip indexed by model version " + version
                    + " (clips per version: " + read.clipsPerVersion() + "); train from the model the index runs"
                    + " (--model), so that its frame embeddings are CLIP's own");
        }
        CaptionJoin.Result joined = CaptionJoin.join(read.captions(), read.clips());
        joined.unmatched().stream()
                .limit(MAX_LISTED_UNMATCHED)
                .forEach(line -> progress.accept("caption left out: " + line));
        if (joined.unmatched().size() > MAX_LISTED_UNMATCHED) {
            progress.accept(
                    "... and " + (joined.unmatched().size() - MAX_LISTED_UNMATCHED) + " more captions left out");
        }
        if (joined.clips().size() < 2) {
            throw new TrainingDataException(
                    "training needs captions on at least 2 indexed time ranges; the cluster has "
                            + read.captions().size() + " captions, "
                            + joined.clips().size() + " of them on indexed clips of "
                            + version + " (add captions with `clip4stream caption`)");
        }
        List<CaptionedClip> all = ClusterTrainingData.captionedClips(joined.clips());
        List<List<CaptionedClip>> split = TrainingData.holdOut(all, evalFraction, seed);
        TrainingSet train =
                ClusterTrainingData.trainingSet(split.get(0), joined.clips(), tokenizer, maxFrames, maxWords);
        Optional<TrainingSet> eval = split.get(1).isEmpty()
                ? Optional.empty()
                : Optional.of(
                        ClusterTrainingData.trainingSet(split.get(1), joined.clips(), tokenizer, maxFrames, maxWords));
        progress.accept("joined " + joined.captionCount() + " captions to " + all.size() + " indexed time ranges ("
                + joined.unmatched().size() + " captions on no indexed clip)");
        String description = String.format(
                java.util.Locale.ROOT,
                "cluster %s: %d captions of %s on %d time ranges, frame embeddings of %s (model version %s)",
                kafka.bootstrapServers(),
                joined.captionCount(),
                topics.captions().name(),
                all.size(),
                topics.clipVectors().name(),
                version);
        return new TrainingInputs(train, eval, description);
    }

    /** What a model trained from the cluster knows: its base's world and the cluster's captions. */
    static final String KNOWS_CLUSTER = "cluster-captions";

    /** Writes {@code knows} into the trained model's config.json: the base's, plus the cluster's captions. */
    private static void recordKnows(Path base, Path trained) throws java.io.IOException {
        com.fasterxml.jackson.databind.ObjectMapper mapper = new com.fasterxml.jackson.databind.ObjectMapper();
        String baseKnows = mapper.readTree(
                        base.resolve(ModelDirectory.CONFIG_FILE).toFile())
                .path("knows")
                .asText("");
        Path file = trained.resolve(ModelDirectory.CONFIG_FILE);
        var config = (com.fasterxml.jackson.databind.node.ObjectNode) mapper.readTree(file.toFile());
        config.put("knows", baseKnows.isBlank() ? KNOWS_CLUSTER : baseKnows + "+" + KNOWS_CLUSTER);
        Path partial = trained.resolve(ModelDirectory.CONFIG_FILE + ".partial");
        java.nio.file.Files.writeString(
                partial, mapper.writerWithDefaultPrettyPrinter().writeValueAsString(config) + "\n");
        java.nio.file.Files.move(
                partial,
                file,
                java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    static Device deviceOf(String name) {
        return switch (name) {
            case "cpu" -> Device.cpu();
            case "gpu", "cuda" -> Device.gpu();
            default -> throw new IllegalArgumentException("unknown device '" + name + "' (cpu or gpu)");
        };
    }

    /**
     * Returns {@code dir}, or, when it holds CLIP alone and {@code head} has weights, a copy in {@code OUT/init} with the
     * head initialised as CLIP4Clip's {@code from_pretrained} does (positions and blocks from CLIP's text tower).
     */
    private ModelDirectory withHead(ModelDirectory dir, SimilarityHead head, Consumer<String> progress)
            throws java.io.IOException {
        if (head == SimilarityHead.MEAN_P) {
            return dir;
        }
        try (Checkpoint checkpoint = dir.openCheckpoint()) {
            boolean clipOnly = checkpoint.shapes().keySet().stream().allMatch(name -> name.startsWith("clip."));
            if (!clipOnly) {
                return dir;
            }
            int layers = dir.config().crossNumHiddenLayers() > 0
                    ? dir.config().crossNumHiddenLayers()
                    : HeadInitializer.DEFAULT_CROSS_LAYERS;
            java.util.Map<String, TensorData> tensors = new java.util.LinkedHashMap<>();
            for (String name : checkpoint.shapes().keySet()) {
                if (!checkpoint.nonFloatingPoint().contains(name)) {
                    tensors.put(name, TensorData.f32(checkpoint.info(name).shape(), checkpoint.floats(name)));
                }
            }
            tensors.putAll(HeadInitializer.initialize(checkpoint, head, layers, seed));
            ModelConfig config = dir.config();
            ModelConfig withHead = new ModelConfig(
                    config.modelId(),
                    config.modelVersion(),
                    head,
                    config.linearPatch(),
                    config.maxFrames(),
                    config.maxWords(),
                    layers,
                    config.bpeVocab(),
                    config.preprocessing(),
                    // The head was just initialised, not trained: only what the source had trained counts.
                    Optional.of(config.trainedHeads().orElse(Set.of())));
            Path target = out.resolve("init");
            if (config.bpeVocab().isPresent()) {
                java.nio.file.Files.createDirectories(target);
                java.nio.file.Files.copy(
                        dir.bpeVocab().orElseThrow(),
                        target.resolve(config.bpeVocab().get()),
                        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
            progress.accept(dir.root() + " holds CLIP alone: " + head.configName() + " initialised as from_pretrained"
                    + " does (seed " + seed + ") into " + target);
            return ModelDirectory.write(target, withHead, tensors);
        }
    }

    /** Returns the frame size S the model directory's visual encoder takes. */
    static int imageSizeOf(ModelDirectory dir) throws java.io.IOException {
        try (Checkpoint checkpoint = dir.openCheckpoint()) {
            return CheckpointLayout.derive(
                            checkpoint.source(), checkpoint.shapes(), checkpoint.nonFloatingPoint(), dir.config())
                    .vision()
                    .imageSize();
        }
    }
}
