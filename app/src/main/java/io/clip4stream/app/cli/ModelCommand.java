package io.clip4stream.app.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.clip4stream.app.train.EvaluationReport;
import io.clip4stream.app.train.ModelEvaluation;
import io.clip4stream.app.train.RetrievalEvaluator;
import io.clip4stream.model.Clip4ClipModel;
import io.clip4stream.model.ModelOptions;
import io.clip4stream.model.convert.CheckpointConverter;
import io.clip4stream.model.convert.ConversionOptions;
import io.clip4stream.model.convert.ConversionResult;
import io.clip4stream.model.parity.ParityCheck;
import io.clip4stream.model.parity.ParityReport;
import io.clip4stream.model.spec.LinearPatch;
import io.clip4stream.model.spec.Preprocessing;
import io.clip4stream.model.spec.SimilarityHead;
import io.clip4stream.model.tokenize.ClipTokenizer;
import io.clip4stream.model.tokenize.TokenizedText;
import io.clip4stream.model.train.TrainParityCheck;
import io.clip4stream.model.train.TrainParityReport;
import io.clip4stream.model.weights.ModelDirectory;
import io.clip4stream.model.weights.TinyModelGenerator;
import io.clip4stream.model.weights.TinyModelShape;
import io.clip4stream.runtime.models.DownloadProgress;
import io.clip4stream.runtime.models.ModelSource;
import io.clip4stream.runtime.models.ModelStore;
import io.clip4stream.runtime.models.Provenance;
import io.clip4stream.schemas.frames.FrameEncoding;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code clip4stream model ...}: parity check, tokenizer, model information, checkpoint conversion, tiny model. */
@Command(
        name = "model",
        description =
                "Work with CLIP4Clip models: parity, train-parity, eval, tokenize, info, convert, pull, list, tiny;"
                        + " change a deployment's model: deploy, activate, retire, versions.",
        subcommands = {
            ModelCommand.Parity.class,
            ModelCommand.TrainParity.class,
            ModelCommand.Eval.class,
            ModelCommand.TrainDemo.class,
            ModelCommand.Tokenize.class,
            ModelCommand.Info.class,
            ModelCommand.Convert.class,
            ModelCommand.Pull.class,
            ModelCommand.ListModels.class,
            ModelCommand.Tiny.class,
            ModelChangeCommands.Deploy.class,
            ModelChangeCommands.Activate.class,
            ModelChangeCommands.Retire.class,
            ModelChangeCommands.Versions.class
        })
public final class ModelCommand implements Runnable {
    @Spec
    private CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    private static int threads() {
        return Math.max(1, Runtime.getRuntime().availableProcessors() / 2);
    }

    /** {@code model parity [--json] [fixture-dir...]}: runs the fixtures computed by the original code. */
    @Command(
            name = "parity",
            description = "Compare this implementation with outputs of the original CLIP4Clip code; exit 0 only if"
                    + " every output is within its bound and every ranking is identical. Without a directory the"
                    + " bundled tiny 2d and 3d fixtures are used.")
    static final class Parity implements Callable<Integer> {
        @Spec
        private CommandLine.Model.CommandSpec spec;

        @Option(names = "--json", description = "Print one JSON object.")
        private boolean json;

        @Parameters(arity = "0..*", paramLabel = "FIXTURE_DIR", description = "Fixture folders (shared/parity format).")
        private List<Path> fixtures = new ArrayList<>();

        @Override
        public Integer call() {
            for (Path dir : fixtures) {
                if (!Files.isRegularFile(dir.resolve("manifest.json"))) {
                    throw new CommandLine.ParameterException(
                            spec.commandLine(), dir + " is not a parity fixture (no manifest.json)");
                }
            }
            ParityCheck check = new ParityCheck(threads());
            ParityReport report = fixtures.isEmpty()
                    ? check.runBundled()
                    : ParityReport.combine(fixtures.stream().map(check::run).toList());
            PrintWriter out = spec.commandLine().getOut();
            out.print(json ? report.toJson() + System.lineSeparator() : report.toText());
            out.flush();
            return report.passed() ? 0 : 1;
        }
    }

    /** {@code model train-parity [--json] DIR...}: trains on training fixtures computed by the original code. */
    @Command(
            name = "train-parity",
            description =
                    "Train on training-parity fixture sets (the original CLIP4Clip training code's loss, gradients"
                            + " and optimizer steps) and compare; one line per fixture and the worst error/bound ratio; exit 0"
                            + " only if every tensor is within its bound, the trainable parameters are the original's and"
                            + " frozen parameters stayed bit-identical.")
    static final class TrainParity implements Callable<Integer> {
        @Spec
        private CommandLine.Model.CommandSpec spec;

        @Option(names = "--json", description = "Print one JSON object.")
        private boolean json;

        @Parameters(
                arity = "1..*",
                paramLabel = "DIR",
                description = "Training fixture sets (shared/parity/training format).")
        private List<Path> dirs = new ArrayList<>();

        @Override
        public Integer call() {
            for (Path dir : dirs) {
                if (!Files.isRegularFile(dir.resolve("manifest.json"))) {
                    throw new CommandLine.ParameterException(
                            spec.commandLine(), dir + " is not a training fixture set (no manifest.json)");
                }
            }
            TrainParityCheck check = new TrainParityCheck(threads());
            List<TrainParityReport.Fixture> fixtures = new ArrayList<>();
            for (Path dir : dirs) {
                fixtures.addAll(check.run(dir).fixtures());
            }
            TrainParityReport report = new TrainParityReport(fixtures);
            PrintWriter out = spec.commandLine().getOut();
            out.print(json ? report.toJson() + System.lineSeparator() : report.toText());
            out.flush();
            return report.passed() ? 0 : 1;
        }
    }

    /** {@code model eval MODEL DATA [--split test]} or {@code model eval [MODEL] --demo-world}. */
    @Command(
            name = "eval",
            description = "Text-to-video and video-to-text R@1/R@5/R@10, median and mean rank of a model directory on"
                    + " an MSR-VTT folder (its --split, default test) or a JSON Lines manifest (first caption of each"
                    + " clip), decoded as the ingest service decodes; the original's eval_epoch metrics. With"
                    + " --demo-world: a freshly generated held-out split of the synthetic demo world (unseen"
                    + " colour-shape pairs), evaluated as the services search (first stage, then the tight re-rank of"
                    + " the top 20); MODEL_DIR defaults to the bundled default model; --json prints {clips, seed,"
                    + " first_stage: {r1, r5, r10, mdr}, reranked: {...} or null} with recalls as fractions.")
    static final class Eval implements Callable<Integer> {
        @Spec
        private CommandLine.Model.CommandSpec spec;

        @Option(names = "--json", description = "Print one JSON object.")
        private boolean json;

        @Option(names = "--split", defaultValue = "test", description = "MSR-VTT split (default: test).")
        private String split;

        @Option(names = "--head", description = "Head to evaluate (default: the model's sim_header).")
        private String head;

        @Option(names = "--fps", defaultValue = "1.0")
        private double fps;

        @Option(names = "--threads", description = "libtorch intra-op threads (default: all cores).")
        private int evalThreads = Runtime.getRuntime().availableProcessors();

        @Option(
                names = "--cache",
                paramLabel = "DIR",
                description = "Decoded-frame cache (default: a temporary folder).")
        private Path cache;

        @Option(names = "--demo-world", description = "Evaluate on a generated held-out split of the demo world.")
        private boolean demoWorld;

        @Option(names = "--clips", defaultValue = "200", description = "Demo-world clips (default: 200).")
        private int clips;

        @Option(names = "--seed", description = "Demo-world seed (default: one the default model never saw).")
        private long seed = io.clip4stream.app.demo.DemoWorld.DEFAULT_SEED + 1;

        @Parameters(
                arity = "0..2",
                paramLabel = "MODEL DATA",
                description = "A model directory, name or URL (pulled into the cache on first use), and the data.")
        private List<String> positionals = new ArrayList<>();

        private final Map<String, String> environment;

        /** Creates the command reading the model cache settings from {@code environment}. */
        Eval(Map<String, String> environment) {
            this.environment = Map.copyOf(environment);
        }

        @Override
        public Integer call() throws Exception {
            PrintWriter err = spec.commandLine().getErr();
            java.util.function.Consumer<String> progress = line -> {
                err.println("eval: " + line);
                err.flush();
            };
            Path frames = cache != null ? cache : Files.createTempDirectory("clip4stream-eval-frames");
            PrintWriter out = spec.commandLine().getOut();
            if (demoWorld) {
                if (positionals.size() > 1) {
                    throw new CommandLine.ParameterException(
                            spec.commandLine(), "--demo-world takes at most a MODEL_DIR, no DATA");
                }
                Path modelDir = positionals.isEmpty()
                        ? io.clip4stream.app.demo.DefaultModel.ensure(
                                Files.createTempDirectory("clip4stream-default-model"))
                        : NamedModels.directory(positionals.get(0), environment, false, err);
                var figures = io.clip4stream.app.demo.DemoEvaluation.run(
                        modelDir, seed, clips, frames, evalThreads, progress);
                out.println(json ? figures.toString() : figures.toPrettyString());
                out.flush();
                return 0;
            }
            if (positionals.size() != 2) {
                throw new CommandLine.ParameterException(
                        spec.commandLine(), "give MODEL_DIR and DATA (or --demo-world [MODEL_DIR])");
            }
            Path modelDir = NamedModels.directory(positionals.get(0), environment, false, err);
            Path data = Path.of(positionals.get(1));
            ModelDirectory directory = ModelDirectory.open(modelDir);
            SimilarityHead similarityHead =
                    head == null ? directory.config().simHeader() : SimilarityHead.fromConfigName(head);
            RetrievalEvaluator.Result result =
                    ModelEvaluation.run(directory, similarityHead, data, split, fps, frames, evalThreads, progress);
            if (json) {
                var node = EvaluationReport.toJson(result);
                node.put("model_dir", modelDir.toAbsolutePath().toString());
                node.put("head", similarityHead.configName());
                node.put("data", data.toAbsolutePath().toString());
                out.println(node.toString());
            } else {
                out.print(EvaluationReport.table(result));
            }
            out.flush();
            return 0;
        }
    }

    /** {@code model train-demo --out DIR}: trains the default model on the demo world. */
    @Command(
            name = "train-demo",
            description = "Train the default model from scratch on the synthetic demo world (coloured shapes moving,"
                    + " growing, spinning...): seqTransf over the whole model, then the tightTransf re-ranker with"
                    + " CLIP frozen; writes a float16 model directory and prints its held-out figures.")
    static final class TrainDemo implements Callable<Integer> {
        @Spec
        private CommandLine.Model.CommandSpec spec;

        @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output model directory.")
        private Path out;

        @Option(names = "--work", paramLabel = "DIR", description = "Videos, caches, checkpoints (default: OUT.work).")
        private Path work;

        @Option(names = "--seed", description = "Demo world seed (default: the default model's).")
        private long seed = io.clip4stream.app.demo.DemoWorld.DEFAULT_SEED;

        @Option(names = "--train-clips", defaultValue = "3000")
        private int trainClips;

        @Option(names = "--eval-clips", defaultValue = "200")
        private int evalClips;

        @Option(names = "--epochs", defaultValue = "14")
        private int epochs;

        @Option(names = "--tight-epochs", defaultValue = "8")
        private int tightEpochs;

        @Option(names = "--tight-batch-size", defaultValue = "32")
        private int tightBatchSize;

        @Option(names = "--batch-size", defaultValue = "32")
        private int batchSize;

        @Option(names = "--lr", defaultValue = "3e-4")
        private double lr;

        @Option(names = "--tight-lr", defaultValue = "1e-3")
        private double tightLr;

        @Option(
                names = "--tight-group",
                defaultValue = "8",
                description = "Clips per hard-negative group in the tight head's batches, near each other under the"
                        + " first stage (default 8, as the bundled model was trained; 0: random batches).")
        private int tightGroup;

        @Option(names = "--threads", description = "libtorch intra-op threads (default: all cores).")
        private int demoThreads = Runtime.getRuntime().availableProcessors();

        @Option(names = "--json", description = "Print the figures as one JSON object.")
        private boolean json;

        @Override
        public Integer call() throws Exception {
            PrintWriter err = spec.commandLine().getErr();
            var settings = new io.clip4stream.app.demo.DemoTraining.Settings(
                    seed,
                    trainClips,
                    evalClips,
                    epochs,
                    tightEpochs,
                    batchSize,
                    lr,
                    tightBatchSize,
                    tightLr,
                    tightGroup,
                    demoThreads);
            Path workDir = work != null ? work : out.resolveSibling(out.getFileName() + ".work");
            var figures = io.clip4stream.app.demo.DemoTraining.run(settings, out, workDir, line -> {
                err.println("train-demo: " + line);
                err.flush();
            });
            PrintWriter printer = spec.commandLine().getOut();
            printer.println(json ? figures.toString() : figures.toPrettyString());
            printer.flush();
            return 0;
        }
    }

    /** {@code model tokenize [--max-words N] <text>...}: one line of ids per text. */
    @Command(
            name = "tokenize",
            description = "Print CLIP4Clip input ids (SOT, BPE tokens, EOT, 0 padding), one line per text.")
    static final class Tokenize implements Callable<Integer> {
        @Spec
        private CommandLine.Model.CommandSpec spec;

        @Option(names = "--max-words", defaultValue = "32", description = "Caption length L (default: 32).")
        private int maxWords;

        @Option(names = "--vocab", description = "A BPE vocabulary file (default: the bundled CLIP vocabulary).")
        private Path vocab;

        @Parameters(arity = "1..*", paramLabel = "TEXT")
        private List<String> texts;

        @Override
        public Integer call() throws Exception {
            if (maxWords < 2) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--max-words must be at least 2");
            }
            ClipTokenizer tokenizer =
                    vocab == null ? ClipTokenizer.withBundledVocabulary() : ClipTokenizer.withVocabularyFile(vocab);
            PrintWriter out = spec.commandLine().getOut();
            for (String text : texts) {
                TokenizedText tokens = tokenizer.tokenize(text, maxWords);
                out.println(Arrays.stream(tokens.inputIds())
                        .mapToObj(Integer::toString)
                        .collect(Collectors.joining(" ")));
            }
            out.flush();
            return 0;
        }
    }

    /** {@code model info MODEL [--json]}: the configuration derived from the checkpoint. */
    @Command(name = "info", description = "Load a model directory and print its derived configuration.")
    static final class Info implements Callable<Integer> {
        @Spec
        private CommandLine.Model.CommandSpec spec;

        @Option(names = "--json", description = "Print one JSON object.")
        private boolean json;

        @Parameters(
                paramLabel = "MODEL",
                description = "A model directory, or a model name or URL (pulled into the cache on first use).")
        private String model;

        private final Map<String, String> environment;

        /** Creates the command reading the model cache settings from {@code environment}. */
        Info(Map<String, String> environment) {
            this.environment = Map.copyOf(environment);
        }

        @Override
        public Integer call() throws Exception {
            Path modelDir = NamedModels.directory(
                    model, environment, false, spec.commandLine().getErr());
            ModelDirectory directory = ModelDirectory.open(modelDir);
            Map<String, Object> fields = new LinkedHashMap<>();
            try (Clip4ClipModel model =
                    Clip4ClipModel.load(modelDir, ModelOptions.defaults().withIntraOpThreads(threads()))) {
                var info = model.info();
                fields.put("modelId", info.modelId());
                fields.put("modelVersion", info.modelVersion());
                fields.put("head", info.head().toString());
                fields.put("linearPatch", info.linearPatch().toString());
                fields.put("embedDim", info.embedDim());
                fields.put("imageSize", info.imageSize());
                fields.put("maxFrames", info.maxFrames());
                fields.put("maxWords", info.maxWords());
                fields.put("tightHead", info.tightHead());
                fields.put("logitScale", info.logitScale());
                fields.put("device", info.device());
                // One field, the name: the recorded heads (an array in JSON), or in the table a word on what an
                // unrecorded list means.
                fields.put(
                        "trained_heads",
                        json || directory.config().trainedHeads().isPresent()
                                ? model.card().trainedHeads()
                                : "not recorded (every head present counts)");
                fields.put("knows", model.card().knows().orElse(null));
                // How re-ranking combines the tight logit with the first stage (null: the tight logit alone).
                fields.put(
                        "rerank_first_stage_weight",
                        model.card().rerankFirstStageWeight().isPresent()
                                ? model.card().rerankFirstStageWeight().getAsDouble()
                                : null);
                fields.put("example_queries", model.card().exampleQueries());
                // How this version's clips store and send their frame embeddings (docs/model.md).
                fields.put("frame_encoding", model.card().frameEncoding().orElse(FrameEncoding.FLOAT32.configName()));
                fields.put(
                        "weightFiles",
                        directory.weightFiles().stream().map(Path::toString).toList());
                fields.put("bpeVocab", directory.bpeVocab().map(Path::toString).orElse("bundled"));
                fields.put(
                        "preprocessing",
                        directory
                                .config()
                                .preprocessing()
                                .orElse(Preprocessing.clip(info.imageSize()))
                                .describe());
            }
            PrintWriter out = spec.commandLine().getOut();
            if (json) {
                out.println(new ObjectMapper().writeValueAsString(fields));
            } else {
                fields.forEach((k, v) -> out.printf("%-13s %s%n", k, v));
            }
            out.flush();
            return 0;
        }
    }

    /** {@code model convert <checkpoint> <out-dir> [options]}: reads the checkpoint in Java and writes a model directory. */
    @Command(
            name = "convert",
            description = "Convert a CLIP or CLIP4Clip checkpoint into a model directory, in Java (no Python): a"
                    + " torch.save zip (CLIP4Clip's pytorch_model.bin.N, MMAction2's .pth), a TorchScript archive"
                    + " (OpenAI's ViT-B-32.pt), or safetensors in OpenAI or Hugging Face CLIPModel naming. Pickles are"
                    + " read with a restricted reader that refuses any global a state dict does not use.")
    static final class Convert implements Callable<Integer> {
        @Spec
        private CommandLine.Model.CommandSpec spec;

        @Option(
                names = "--sim-header",
                paramLabel = "HEAD",
                description = "meanP, seqLSTM, seqTransf or tightTransf (default: detected from the tensor names; a"
                        + " CLIP-only checkpoint is meanP).")
        private String simHeader;

        @Option(
                names = "--linear-patch",
                paramLabel = "2d|3d",
                description = "Patch embedding (default: 3d when clip.visual.conv2.weight exists, else 2d; 3d without"
                        + " conv2 is initialised as [0, conv1, 0] like CLIP4Clip).")
        private String linearPatch;

        @Option(names = "--max-frames", defaultValue = "12", description = "Frames per clip T (default: 12).")
        private int maxFrames;

        @Option(names = "--max-words", defaultValue = "32", description = "Caption length L (default: 32).")
        private int maxWords;

        @Option(
                names = "--cross-layers",
                description = "cross_num_hidden_layers (default: counted from the checkpoint, else 4).")
        private Integer crossLayers;

        @Option(names = "--model-id", description = "Model id (default: the file name without extensions).")
        private String modelId;

        @Option(names = "--model-version", defaultValue = "1", description = "Model version (default: 1).")
        private String modelVersion;

        @Option(names = "--vocab", paramLabel = "FILE", description = "A gzip BPE vocabulary to ship with the model.")
        private Path vocab;

        @Option(
                names = "--tokenizer",
                paramLabel = "DIR",
                description = "A folder with a Hugging Face tokenizer's vocab.json and merges.txt to ship (checked"
                        + " against CLIP's BPE).")
        private Path tokenizer;

        @Option(
                names = "--trained-heads",
                paramLabel = "LIST",
                description = "Comma-separated heads whose weights were trained, recorded in config.json (default:"
                        + " the heads whose tensors the checkpoint holds; '' for a zero-shot model).")
        private String trainedHeads;

        @Option(
                names = "--resize-size",
                paramLabel = "N",
                description = "Short side the training resized frames to, when not the input resolution (MMAction2:"
                        + " 256); recorded in config.json with --crop-size and --interpolation.")
        private Integer resizeSize;

        @Option(names = "--crop-size", paramLabel = "N", description = "Centre crop of the training frames.")
        private Integer cropSize;

        @Option(
                names = "--interpolation",
                defaultValue = "bicubic",
                description = "Resize interpolation of the training frames: bicubic (CLIP) or bilinear (MMAction2).")
        private String interpolation;

        @Option(
                names = "--frame-encoding",
                paramLabel = "NAME",
                description = "How clips of this model version store and send their frame embeddings, written to"
                        + " config.json: float32, float16, int10 or int8 (default: none written, float32; at width 512"
                        + " a clip takes about 31, 17, 12 and 11 KB; see 'bench storage').")
        private String frameEncoding;

        @Parameters(index = "0", paramLabel = "CHECKPOINT")
        private Path checkpoint;

        @Parameters(index = "1", paramLabel = "OUT_DIR")
        private Path outDir;

        @Override
        public Integer call() throws Exception {
            if (!Files.isRegularFile(checkpoint)) {
                throw new CommandLine.ParameterException(spec.commandLine(), "No checkpoint file " + checkpoint);
            }
            ConversionOptions options;
            try {
                options = new ConversionOptions(
                        Optional.ofNullable(simHeader).map(SimilarityHead::fromConfigName),
                        Optional.ofNullable(linearPatch).map(LinearPatch::fromConfigName),
                        maxFrames,
                        maxWords,
                        crossLayers == null ? OptionalInt.empty() : OptionalInt.of(crossLayers),
                        Optional.ofNullable(modelId),
                        modelVersion,
                        Optional.ofNullable(vocab),
                        Optional.ofNullable(tokenizer),
                        preprocessing(),
                        Optional.ofNullable(trainedHeads).map(Convert::heads),
                        Optional.ofNullable(frameEncoding)
                                .map(name -> FrameEncoding.fromName(name).configName()));
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage(), e);
            }
            ConversionResult result = new CheckpointConverter().convert(checkpoint, outDir, options);
            PrintWriter out = spec.commandLine().getOut();
            out.print(result.summary());
            out.println("Model directory written: " + outDir.toAbsolutePath());
            out.flush();
            return 0;
        }

        private Optional<Preprocessing> preprocessing() {
            if (resizeSize == null && cropSize == null) {
                return Optional.empty();
            }
            if (resizeSize == null || cropSize == null) {
                throw new IllegalArgumentException("--resize-size and --crop-size go together");
            }
            return Optional.of(new Preprocessing(resizeSize, interpolation, cropSize, "clip"));
        }

        private static Set<SimilarityHead> heads(String list) {
            Set<SimilarityHead> heads = EnumSet.noneOf(SimilarityHead.class);
            for (String name : list.split(",")) {
                if (!name.isBlank()) {
                    heads.add(SimilarityHead.fromConfigName(name.strip()));
                }
            }
            return heads;
        }
    }

    /** {@code model pull NAME|URL [--revision R] [--sha256 HEX] [--out DIR] [--offline]}: download, verify, convert. */
    @Command(
            name = "pull",
            description = "Download a named model (see 'model list --available') or a checkpoint URL into the model"
                    + " cache (CLIP4S_MODEL_HOME, default ~/.cache/clip4stream/models), resuming a partial download,"
                    + " verifying its SHA-256 before use, and convert it in Java into a model directory with a"
                    + " provenance.json. HF_ENDPOINT and HF_TOKEN apply to Hugging Face files; proxies come from the"
                    + " Java properties (-Dhttps.proxyHost=... in CLIP4S_JAVA_OPTS).")
    static final class Pull implements Callable<Integer> {
        @Spec
        private CommandLine.Model.CommandSpec spec;

        private final Map<String, String> environment;

        @Parameters(index = "0", paramLabel = "NAME|URL")
        private String reference;

        @Option(names = "--revision", description = "Another revision (commit or branch) of a Hugging Face model.")
        private String revision;

        @Option(names = "--sha256", paramLabel = "HEX", description = "The SHA-256 the checkpoint must have.")
        private String sha256;

        @Option(names = "--out", paramLabel = "DIR", description = "Write the model directory here, not in the cache.")
        private Path out;

        @Option(names = "--offline", description = "Use only the cache; fail if the model is not there.")
        private boolean offline;

        /** Creates the command reading the cache and Hugging Face settings from {@code environment}. */
        Pull(Map<String, String> environment) {
            this.environment = Map.copyOf(environment);
        }

        @Override
        public Integer call() throws Exception {
            ModelStore store = ModelStore.fromEnvironment(environment);
            ModelSource source = store.source(reference, Optional.ofNullable(revision), Optional.ofNullable(sha256));
            PrintWriter err = spec.commandLine().getErr();
            ModelStore.PulledModel pulled = store.pull(
                    source,
                    Optional.ofNullable(out),
                    offline || NamedModels.offline(environment),
                    NamedModels.progress(err),
                    NamedModels.installer());
            PrintWriter printer = spec.commandLine().getOut();
            Provenance provenance = pulled.provenance();
            printer.println((pulled.downloaded() ? "Pulled " : "Cached ") + provenance.name() + " ("
                    + provenance.revision()
                    + provenance.resolvedCommit().map(c -> ", commit " + c).orElse("")
                    + ") into " + pulled.directory());
            for (Provenance.FileRecord file : provenance.files()) {
                printer.println("  " + file.file() + "  " + DownloadProgress.bytes(file.size()) + "  sha256 "
                        + file.sha256() + "  (" + file.verification() + ")");
            }
            printer.println("  licence: " + provenance.licence() + " <" + provenance.licenceUrl() + ">");
            printer.println("  trained heads: "
                    + (provenance.trainedHeads().isEmpty()
                            ? "none: zero-shot, meanP only"
                            : String.join(", ", provenance.trainedHeads())));
            source.note().ifPresent(note -> printer.println("  note: " + note));
            printer.println("Use it with --model " + provenance.name() + " (or the directory above).");
            printer.flush();
            return 0;
        }
    }

    /** {@code model list [--available] [--json]}: what is cached, with size, source and licence. */
    @Command(
            name = "list",
            description = "List the models in the cache (name, revision, size, source, licence, trained heads); with"
                    + " --available also the named models that 'model pull' knows.")
    static final class ListModels implements Callable<Integer> {
        @Spec
        private CommandLine.Model.CommandSpec spec;

        private final Map<String, String> environment;

        @Option(names = "--available", description = "Also list the named models that can be pulled.")
        private boolean available;

        @Option(names = "--json", description = "Print one JSON object.")
        private boolean json;

        /** Creates the command reading the cache location from {@code environment}. */
        ListModels(Map<String, String> environment) {
            this.environment = Map.copyOf(environment);
        }

        @Override
        public Integer call() throws Exception {
            ModelStore store = ModelStore.fromEnvironment(environment);
            List<ModelStore.CachedModel> cached = store.list();
            PrintWriter out = spec.commandLine().getOut();
            if (json) {
                ObjectMapper mapper = new ObjectMapper();
                var root = mapper.createObjectNode();
                root.put("cache", store.root().toString());
                var models = root.putArray("cached");
                for (ModelStore.CachedModel model : cached) {
                    Provenance p = model.provenance();
                    var node = models.addObject()
                            .put("name", p.name())
                            .put("revision", p.revision())
                            .put("directory", model.directory().toString())
                            .put("bytes", model.bytes())
                            .put(
                                    "source",
                                    p.files().isEmpty()
                                            ? ""
                                            : p.files().getFirst().url())
                            .put("licence", p.licence());
                    p.trainedHeads().forEach(node.putArray("trained_heads")::add);
                }
                if (available) {
                    var known = root.putArray("available");
                    for (ModelSource source : store.registry().sources()) {
                        known.addObject()
                                .put("name", source.name())
                                .put("revision", source.revision())
                                .put("description", source.description())
                                .put("licence", source.licence());
                    }
                }
                out.println(mapper.writeValueAsString(root));
                out.flush();
                return 0;
            }
            out.println("Cache: " + store.root());
            if (cached.isEmpty()) {
                out.println("  (no models pulled yet: bin/clip4stream model pull openai/ViT-B-32)");
            }
            for (ModelStore.CachedModel model : cached) {
                Provenance p = model.provenance();
                out.printf(
                        "  %-36s %-20s %10s  %s  [%s]  trained heads: %s%n",
                        p.name(),
                        p.revision(),
                        DownloadProgress.bytes(model.bytes()),
                        p.files().isEmpty() ? "" : p.files().getFirst().url(),
                        p.licence(),
                        p.trainedHeads().isEmpty() ? "none (zero-shot)" : String.join(",", p.trainedHeads()));
            }
            if (available) {
                out.println("Available:");
                for (ModelSource source : store.registry().sources()) {
                    out.printf(
                            "  %-36s %-20s %s [%s]%n",
                            source.name(), source.revision(), source.description(), source.licence());
                }
            }
            out.flush();
            return 0;
        }
    }

    /** {@code model tiny [<dir>] [--seed S]}: writes the deterministic tiny model with every head. */
    @Command(
            name = "tiny",
            description = "Write the tiny random-weight model (full CLIP vocabulary, every head, fixed seed). Its"
                    + " rankings are meaningless: it exists so that everything runs without downloaded weights.")
    static final class Tiny implements Callable<Integer> {
        @Spec
        private CommandLine.Model.CommandSpec spec;

        @Option(names = "--seed", defaultValue = "" + TinyModel.SEED, description = "Random seed.")
        private long seed;

        @Parameters(
                arity = "0..1",
                paramLabel = "DIR",
                description = "Output directory (default: .clip4stream/models/tiny).")
        private Path dir = TinyModel.DEFAULT_DIR;

        @Override
        public Integer call() throws Exception {
            new TinyModelGenerator(seed).generate(dir, TinyModelShape.defaults(), TinyModel.MODEL_ID);
            spec.commandLine().getOut().println("Tiny model written: " + dir.toAbsolutePath());
            return 0;
        }
    }
}
