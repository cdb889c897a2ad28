package io.clip4stream.app.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.clip4stream.model.Clip4ClipModel;
import io.clip4stream.model.ModelOptions;
import io.clip4stream.model.parity.ParityCheck;
import io.clip4stream.model.parity.ParityReport;
import io.clip4stream.model.tokenize.ClipTokenizer;
import io.clip4stream.model.tokenize.TokenizedText;
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
        description = "Work with CLIP4Clip models: parity, tokenize, info, convert, tiny.",
        subcommands = {
            ModelCommand.Parity.class,
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

    /** {@code model convert <checkpoint> <out-dir> [options]}: runs tools/convert_checkpoint.py with python3. */
    @Command(
            name = "convert",
            description = "Convert an OpenAI CLIP .pt (ViT-B/32, ViT-B/16) or a CLIP4Clip pytorch_model.bin into a"
                    + " model directory. Runs tools/convert_checkpoint.py, which needs python3 with PyTorch;"
                    + " options after the two paths are passed to it (see its --help).")
    static final class Convert implements Callable<Integer> {
        @Spec
        private CommandLine.Model.CommandSpec spec;

        @Option(names = "--python", defaultValue = "python3", description = "Python interpreter (default: python3).")
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
            Path script = ToolsDirectory.locate().resolve("convert_checkpoint.py");
            List<String> command =
                    new ArrayList<>(List.of(python, script.toString(), checkpoint.toString(), outDir.toString()));
            command.addAll(options);
            Process process;
            try {
                process = new ProcessBuilder(command).inheritIO().start();
            } catch (java.io.IOException e) {
                throw new IllegalStateException(
                        "Cannot run " + python + " (install Python 3 with PyTorch, or pass" + " --python): "
                                + e.getMessage(),
                        e);
            }
            int rc = process.waitFor();
            if (rc == 0) {
                ModelDirectory.open(outDir); // validates config.json and the weight files' presence
                spec.commandLine().getOut().println("Model directory written: " + outDir.toAbsolutePath());
            }
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
