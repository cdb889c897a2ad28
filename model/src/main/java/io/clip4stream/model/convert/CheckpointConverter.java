package io.clip4stream.model.convert;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.clip4stream.model.spec.CheckpointLayout;
import io.clip4stream.model.spec.LinearPatch;
import io.clip4stream.model.spec.ModelConfig;
import io.clip4stream.model.spec.ModelSpec;
import io.clip4stream.model.spec.SimilarityHead;
import io.clip4stream.model.tokenize.BpeVocabulary;
import io.clip4stream.model.weights.ModelCard;
import io.clip4stream.model.weights.ModelDirectory;
import io.clip4stream.model.weights.SafetensorsWriter;
import io.clip4stream.model.weights.TensorDType;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Converts a CLIP or CLIP4Clip checkpoint (any format {@link StateDictReader} reads, either naming
 * {@link ClipNaming} knows) into a model directory: {@code weights.safetensors} under CLIP4Clip names,
 * {@code config.json} and optionally the vocabulary. Pure Java: nothing is executed from the checkpoint and no Python
 * is involved.
 *
 * <p>F16 and BF16 tensors are widened to F32 (exactly: every half and bfloat16 value is a float), so the directory
 * loads without per-tensor conversions; F32 and F64 tensors are copied bit for bit. The result is validated against
 * the CLIP4Clip layout before anything is written, and config.json is written last, so an interrupted conversion
 * never leaves a directory that looks complete.
 */
public final class CheckpointConverter {

    private static final String CONV1 = "clip.visual.conv1.weight";
    private static final String CONV2 = "clip.visual.conv2.weight";
    private static final Pattern CROSS_BLOCK =
            Pattern.compile("^(?:transformerClip|cross\\.transformer)\\.resblocks\\.(\\d+)\\.");

    /** Creates a converter; it holds no state. */
    public CheckpointConverter() {}

    /**
     * Converts a pulled checkpoint with settings by config.json name ({@link ConversionOptions#fromSettings}) and an
     * optional Hugging Face tokenizer folder; returns the summary. This is the shape a model cache's installer takes.
     */
    public static String install(
            Path checkpoint, Optional<Path> tokenizerDir, Map<String, String> settings, Path modelDir)
            throws IOException {
        ConversionOptions options = ConversionOptions.fromSettings(settings);
        if (tokenizerDir.isPresent()) {
            options = options.withTokenizerDir(tokenizerDir.get());
        }
        return new CheckpointConverter()
                .convert(checkpoint, modelDir, options)
                .summary()
                .strip();
    }

    /** Converts {@code checkpoint} into the model directory {@code outDir} (created if needed). */
    public ConversionResult convert(Path checkpoint, Path outDir, ConversionOptions options) throws IOException {
        try (StateDict source = StateDictReader.open(checkpoint)) {
            return convert(source, checkpoint, outDir, options);
        }
    }

    private ConversionResult convert(StateDict source, Path checkpoint, Path outDir, ConversionOptions options)
            throws IOException {
        ClipNaming.Renamed renamed = ClipNaming.toClip4Clip(source);
        if (renamed.convention() == ClipNaming.Convention.HUGGING_FACE) {
            checkHuggingFaceActivation(checkpoint);
        }
        Map<String, SourceTensor> tensors = new TreeMap<>(renamed.tensors());
        List<String> notes = new ArrayList<>();
        if (!renamed.dropped().isEmpty()) {
            notes.add("dropped " + renamed.dropped().size() + " non-weight entries: " + renamed.dropped());
        }
        if (!tensors.containsKey("clip.visual.proj")) {
            throw new CheckpointFormatException(source.source() + ": only ViT CLIP checkpoints are converted"
                    + " (clip.visual.proj is missing; found " + tensors.size() + " tensors)");
        }
        Set<String> names = tensors.keySet();
        SimilarityHead head = options.simHeader().orElseGet(() -> detectHead(names));
        if (head != SimilarityHead.MEAN_P && !hasHead(names, head)) {
            throw new CheckpointFormatException(source.source() + " has no " + head.configName() + " weights: a"
                    + " CLIP-only checkpoint is a zero-shot meanP model (convert it with --sim-header meanP, or"
                    + " start training from it with train --init)");
        }
        LinearPatch patch =
                options.linearPatch().orElse(names.contains(CONV2) ? LinearPatch.THREE_D : LinearPatch.TWO_D);
        if (patch == LinearPatch.THREE_D && !names.contains(CONV2)) {
            tensors.put(CONV2, threeDimensionalPatch(tensors.get(CONV1)));
            notes.add(CONV2 + " initialised as [0, conv1, 0] like CLIP4Clip (identical to the 2D patch until trained)");
        }
        int crossLayers = options.crossLayers().orElseGet(() -> {
            int counted = countCrossLayers(names);
            return counted > 0 ? counted : 4;
        });

        SortedMap<String, Integer> storedDtypes = new TreeMap<>();
        Map<String, SourceTensor> written = new LinkedHashMap<>();
        int widened = 0;
        for (Map.Entry<String, SourceTensor> entry : tensors.entrySet()) {
            SourceTensor tensor = entry.getValue();
            storedDtypes.merge(tensor.dtype().name(), 1, Integer::sum);
            if (tensor.dtype() == TensorDType.F16 || tensor.dtype() == TensorDType.BF16) {
                tensor = widened(tensor);
                widened++;
            }
            written.put(entry.getKey(), tensor);
        }
        if (widened > 0) {
            notes.add(widened + " F16/BF16 tensors widened to F32 (exact)");
        }

        Path vocabTarget = null;
        Optional<String> vocabName = Optional.empty();
        if (options.bpeVocab().isPresent()) {
            BpeVocabulary.fromFile(options.bpeVocab().get()); // fails now, not when a service starts
            vocabName = Optional.of(options.bpeVocab().get().getFileName().toString());
        } else if (options.tokenizerDir().isPresent()) {
            vocabName = Optional.of("bpe_vocab.txt.gz");
        }
        String modelId = options.modelId().orElseGet(() -> stem(checkpoint));
        ModelConfig config = new ModelConfig(
                modelId,
                options.modelVersion(),
                head,
                patch,
                options.maxFrames(),
                options.maxWords(),
                crossLayers,
                vocabName,
                options.preprocessing(),
                Optional.of(options.trainedHeads().orElseGet(() -> headsWithWeights(names))));
        Map<String, long[]> shapes = new LinkedHashMap<>();
        Set<String> nonFloatingPoint = new TreeSet<>();
        written.forEach((name, tensor) -> {
            shapes.put(name, tensor.shape());
            if (!tensor.dtype().isFloatingPoint()) {
                nonFloatingPoint.add(name);
            }
        });
        ModelSpec spec = CheckpointLayout.derive(source.source(), shapes, nonFloatingPoint, config);
        if (options.preprocessing().isPresent()
                && options.preprocessing().get().cropSize() != spec.vision().imageSize()) {
            throw new CheckpointFormatException(source.source() + ": preprocessing crops "
                    + options.preprocessing().get().cropSize() + " pixels but the model's input resolution is "
                    + spec.vision().imageSize());
        }

        Files.createDirectories(outDir);
        Files.deleteIfExists(outDir.resolve(ModelDirectory.CONFIG_FILE));
        new SafetensorsWriter()
                .writeStreaming(
                        outDir.resolve(ModelDirectory.WEIGHTS_FILE),
                        written,
                        Map.of(
                                "format",
                                "clip4stream-model",
                                "model_id",
                                modelId,
                                "source",
                                checkpoint.getFileName().toString(),
                                "source_kind",
                                source.format().name().toLowerCase(java.util.Locale.ROOT)));
        if (vocabName.isPresent()) {
            vocabTarget = outDir.resolve(vocabName.get());
            if (options.bpeVocab().isPresent()) {
                Files.copy(options.bpeVocab().get(), vocabTarget, StandardCopyOption.REPLACE_EXISTING);
            } else {
                Path dir = options.tokenizerDir().get();
                HuggingFaceTokenizer.writeBpeVocabulary(
                        dir.resolve("vocab.json"), dir.resolve("merges.txt"), vocabTarget);
                notes.add("tokenizer converted from " + dir.resolve("vocab.json") + " and merges.txt");
            }
        }
        Path configFile = outDir.resolve(ModelDirectory.CONFIG_FILE);
        Path partial = outDir.resolve(ModelDirectory.CONFIG_FILE + ".partial");
        Files.writeString(partial, configJson(config, options.frameEncoding()), StandardCharsets.UTF_8);
        Files.move(partial, configFile, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        ModelDirectory.open(outDir);
        return new ConversionResult(outDir, config, source.format(), renamed.convention(), storedDtypes, notes);
    }

    /** config.json: the spec's fields, then the card's {@code frame_encoding} when the conversion names one. */
    private static String configJson(ModelConfig config, Optional<String> frameEncoding) throws IOException {
        if (frameEncoding.isEmpty()) {
            return config.toJson();
        }
        ObjectMapper json = new ObjectMapper();
        ObjectNode root = (ObjectNode) json.readTree(config.toJson());
        root.put(ModelCard.FRAME_ENCODING_FIELD, frameEncoding.get());
        return json.writerWithDefaultPrettyPrinter().writeValueAsString(root) + "\n";
    }

    /**
     * Refuses a Hugging Face CLIP whose {@code config.json} (next to the weights, as a downloaded repository has it)
     * names an activation other than CLIP's {@code quick_gelu}: the names would map, the outputs would not.
     */
    private static void checkHuggingFaceActivation(Path checkpoint) throws IOException {
        Path config = checkpoint.toAbsolutePath().resolveSibling("config.json");
        if (!Files.isRegularFile(config)) {
            return;
        }
        com.fasterxml.jackson.databind.JsonNode root;
        try {
            root = new ObjectMapper().readTree(config.toFile());
        } catch (IOException e) {
            throw new CheckpointFormatException(config + " next to the weights is not JSON: " + e.getMessage(), e);
        }
        for (String tower : List.of("text_config", "vision_config")) {
            com.fasterxml.jackson.databind.JsonNode act = root.path(tower).path("hidden_act");
            if (!act.isMissingNode() && !act.asText().equals("quick_gelu")) {
                throw new CheckpointFormatException(config + ": " + tower + ".hidden_act is '" + act.asText()
                        + "', but this model implements CLIP's quick_gelu only; converting would change its outputs");
            }
        }
    }

    /** CLIP4Clip's head from the tensor names, as its checkpoints hold only the trained head's parameters. */
    static SimilarityHead detectHead(Set<String> names) {
        if (hasHead(names, SimilarityHead.TIGHT_TRANSF)) {
            return SimilarityHead.TIGHT_TRANSF;
        }
        if (hasHead(names, SimilarityHead.SEQ_TRANSF)) {
            return SimilarityHead.SEQ_TRANSF;
        }
        if (hasHead(names, SimilarityHead.SEQ_LSTM)) {
            return SimilarityHead.SEQ_LSTM;
        }
        return SimilarityHead.MEAN_P;
    }

    /** The heads whose parameters a checkpoint holds: CLIP4Clip saves the trained head's parameters only. */
    private static Set<SimilarityHead> headsWithWeights(Set<String> names) {
        Set<SimilarityHead> heads = java.util.EnumSet.noneOf(SimilarityHead.class);
        for (SimilarityHead head : SimilarityHead.values()) {
            if (head != SimilarityHead.MEAN_P && hasHead(names, head)) {
                heads.add(head);
            }
        }
        return heads;
    }

    private static boolean hasHead(Set<String> names, SimilarityHead head) {
        return switch (head) {
            case MEAN_P -> true;
            case SEQ_LSTM -> names.stream().anyMatch(n -> n.startsWith("lstm_visual."));
            case SEQ_TRANSF -> names.stream().anyMatch(n -> n.startsWith("transformerClip."));
            case TIGHT_TRANSF ->
                names.contains("similarity_dense.weight") || names.stream().anyMatch(n -> n.startsWith("cross."));
        };
    }

    private static int countCrossLayers(Set<String> names) {
        int layers = 0;
        for (String name : names) {
            Matcher block = CROSS_BLOCK.matcher(name);
            if (block.find()) {
                layers = Math.max(layers, Integer.parseInt(block.group(1)) + 1);
            }
        }
        return layers;
    }

    /** CLIP4Clip's 3D patch initialisation: conv2 [w, 3, 3, p, p] holds conv1 in the middle temporal tap. */
    private static SourceTensor threeDimensionalPatch(SourceTensor conv1) {
        long[] shape = conv1.shape();
        long[] conv2 = {shape[0], shape[1], 3, shape[2], shape[3]};
        int elementSize = conv1.dtype().byteSize();
        return new SourceTensor(conv1.dtype(), conv2, () -> {
            byte[] kernel = conv1.littleEndianBytes();
            int tap = Math.toIntExact(shape[2] * shape[3] * elementSize);
            byte[] out = new byte[kernel.length * 3];
            for (int channel = 0; channel < kernel.length / tap; channel++) {
                System.arraycopy(kernel, channel * tap, out, (3 * channel + 1) * tap, tap);
            }
            return out;
        });
    }

    private static SourceTensor widened(SourceTensor tensor) {
        boolean half = tensor.dtype() == TensorDType.F16;
        return new SourceTensor(TensorDType.F32, tensor.shape(), () -> {
            ByteBuffer in = ByteBuffer.wrap(tensor.littleEndianBytes()).order(ByteOrder.LITTLE_ENDIAN);
            ByteBuffer out = ByteBuffer.allocate(in.capacity() * 2).order(ByteOrder.LITTLE_ENDIAN);
            while (in.hasRemaining()) {
                short bits = in.getShort();
                // A bfloat16 is the upper half of a float32; a half widens exactly through Float.float16ToFloat.
                out.putFloat(half ? Float.float16ToFloat(bits) : Float.intBitsToFloat((bits & 0xFFFF) << 16));
            }
            return out.array();
        });
    }

    private static String stem(Path checkpoint) {
        String name = checkpoint.getFileName().toString();
        int dot = name.indexOf('.');
        return dot > 0 ? name.substring(0, dot) : name;
    }
}
