package io.clip4stream.app.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.clip4stream.app.train.EvaluationReport;
import io.clip4stream.app.train.ModelEvaluation;
import io.clip4stream.app.train.RetrievalEvaluator;
import io.clip4stream.model.Clip4ClipModel;
import io.clip4stream.model.ModelOptions;
import io.clip4stream.model.parity.ParityCheck;
import io.clip4stream.model.parity.ParityReport;
import io.clip4stream.model.spec.SimilarityHead;
import io.clip4stream.model.tokenize.ClipTokenizer;
import io.clip4stream.model.tokenize.TokenizedText;
import io.clip4stream.model.train.TrainParityCheck;
import io.clip4stream.model.train.TrainParityReport;
import io.clip4stream.model.weights.ModelDirectory;
import io.clip4stream.model.weights.TinyModelGenerator;
import io.clip4stream.model.weights.TinyModelShape;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
        description = "Work with CLIP4Clip models: parity, train-parity, eval, tokenize, info, convert, tiny.",
        subcommands = {
            ModelCommand.Parity.class,
            ModelCommand.TrainParity.class,
            ModelCommand.Eval.class,
            ModelCommand.TrainDemo.class,
            ModelCommand.Tokenize.class,
            ModelCommand.Info.class,
            ModelCommand.Convert.class,
            ModelCommand.Tiny.class
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

    /** {@code model eval MODEL_DIR DATA [--split test]} or {@code model eval [MODEL_DIR] --demo-world}. */
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

        @Parameters(arity = "0..2", paramLabel = "MODEL_DIR DATA")
        private List<Path> positionals = new ArrayList<>();

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
                        : positionals.get(0);
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
            Path modelDir = positionals.get(0);
            Path data = positionals.get(1);
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

        @Option(names = "--train-clips", defaultValue = "2000")
        private int trainClips;

        @Option(names = "--eval-clips", defaultValue = "200")
        private int evalClips;

        @Option(names = "--epochs", defaultValue = "10")
        private int epochs;

        @Option(names = "--tight-epochs", defaultValue = "2")
        private int tightEpochs;

        @Option(names = "--batch-size", defaultValue = "32")
        private int batchSize;

        @Option(names = "--lr", defaultValue = "3e-4")
        private double lr;

        @Option(names = "--tight-lr", defaultValue = "1e-3")
        private double tightLr;

        @Option(names = "--threads", description = "libtorch intra-op threads (default: all cores).")
        private int demoThreads = Runtime.getRuntime().availableProcessors();

        @Option(names = "--json", description = "Print the figures as one JSON object.")
        private boolean json;

        @Override
        public Integer call() throws Exception {
            PrintWriter err = spec.commandLine().getErr();
            var settings = new io.clip4stream.app.demo.DemoTraining.Settings(
                    seed, trainClips, evalClips, epochs, tightEpochs, batchSize, lr, tightLr, demoThreads);
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

    /** {@code model info <model-dir> [--json]}: the configuration derived from the checkpoint. */
    @Command(name = "info", description = "Load a model directory and print its derived configuration.")
    static final class Info implements Callable<Integer> {
        @Spec
        private CommandLine.Model.CommandSpec spec;

        @Option(names = "--json", description = "Print one JSON object.")
        private boolean json;

        @Parameters(paramLabel = "MODEL_DIR")
        private Path modelDir;

        @Override
        public Integer call() throws Exception {
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
                fields.put("trained_heads", model.card().trainedHeads());
                fields.put("knows", model.card().knows().orElse(null));
                fields.put("example_queries", model.card().exampleQueries());
                fields.put(
                        "weightFiles",
                        directory.weightFiles().stream().map(Path::toString).toList());
                fields.put("bpeVocab", directory.bpeVocab().map(Path::toString).orElse("bundled"));
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

    /** {@code model convert <checkpoint> <out-dir> [options]}: runs tools/convert_checkpoint.py with a torch Python. */
    @Command(
            name = "convert",
            description = "Convert an OpenAI CLIP .pt (ViT-B/32, ViT-B/16) or a CLIP4Clip pytorch_model.bin into a"
                    + " model directory. Runs tools/convert_checkpoint.py, which needs Python 3 with PyTorch;"
                    + " options after the two paths are passed to it (see its --help).")
    static final class Convert implements Callable<Integer> {
        @Spec
        private CommandLine.Model.CommandSpec spec;

        @Option(
                names = "--python",
                description = "Python interpreter with PyTorch (default: the first of python3, /usr/bin/python3 that"
                        + " can import torch).")
        private String python;

        @Parameters(index = "0", paramLabel = "CHECKPOINT")
        private Path checkpoint;

        @Parameters(index = "1", paramLabel = "OUT_DIR")
        private Path outDir;

        @Parameters(index = "2..*", paramLabel = "OPTION", description = "Options for convert_checkpoint.py.")
        private List<String> options = new ArrayList<>();

        @Override
        public Integer call() throws Exception {
            if (!Files.isRegularFile(checkpoint)) {
                throw new CommandLine.ParameterException(spec.commandLine(), "No checkpoint file " + checkpoint);
            }
            TorchPython interpreter = TorchPython.require(python);
            Path script = ToolsDirectory.locate().resolve("convert_checkpoint.py");
            List<String> command = new ArrayList<>(
                    List.of(interpreter.executable(), script.toString(), checkpoint.toString(), outDir.toString()));
            command.addAll(options);
            Process process;
            try {
                process = new ProcessBuilder(command).redirectErrorStream(true).start();
            } catch (java.io.IOException e) {
                throw new IllegalStateException("Cannot run " + interpreter.executable() + ": " + e.getMessage(), e);
            }
            process.getOutputStream().close();
            PrintWriter out = spec.commandLine().getOut();
            // Through the command's writer rather than inheritIO, so callers (and tests) see the converter's output.
            try (var lines = process.inputReader().lines()) {
                lines.forEach(out::println);
            }
            int rc = process.waitFor();
            if (rc == 0) {
                ModelDirectory.open(outDir); // validates config.json and the weight files' presence
                out.println("Model directory written: " + outDir.toAbsolutePath());
            } else {
                spec.commandLine()
                        .getErr()
                        .println("convert_checkpoint.py failed with exit status " + rc + " (" + interpreter.executable()
                                + ", torch " + interpreter.torchVersion() + ")");
            }
            out.flush();
            return rc;
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
