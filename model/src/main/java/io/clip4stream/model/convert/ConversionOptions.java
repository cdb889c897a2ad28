package io.clip4stream.model.convert;

import io.clip4stream.model.spec.LinearPatch;
import io.clip4stream.model.spec.Preprocessing;
import io.clip4stream.model.spec.SimilarityHead;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * What a conversion writes into config.json and next to the weights; empty fields are derived from the checkpoint.
 *
 * @param simHeader the head to configure; empty: detected from the tensor names (meanP for a CLIP-only checkpoint)
 * @param linearPatch the patch embedding; empty: 3d when {@code clip.visual.conv2.weight} exists, else 2d
 * @param maxFrames frames per clip T
 * @param maxWords caption length L
 * @param crossLayers {@code cross_num_hidden_layers}; empty: counted from the checkpoint, else 4
 * @param modelId the model id; empty: the checkpoint's file name without extension
 * @param modelVersion the model version
 * @param bpeVocab a gzip BPE vocabulary in CLIP's format to ship in the directory
 * @param tokenizerDir a folder with a Hugging Face tokenizer's {@code vocab.json} and {@code merges.txt} to ship
 * @param preprocessing the frame preparation the weights were trained with, when it is not CLIP's own
 * @param trainedHeads the heads whose weights were trained; empty: those whose tensors the checkpoint holds
 * @param frameEncoding config.json's {@code frame_encoding}: how clips of this model version store and send their
 *     frame embeddings (the index service checks the name when it loads the model); empty: none written (float32)
 */
public record ConversionOptions(
        Optional<SimilarityHead> simHeader,
        Optional<LinearPatch> linearPatch,
        int maxFrames,
        int maxWords,
        OptionalInt crossLayers,
        Optional<String> modelId,
        String modelVersion,
        Optional<Path> bpeVocab,
        Optional<Path> tokenizerDir,
        Optional<Preprocessing> preprocessing,
        Optional<Set<SimilarityHead>> trainedHeads,
        Optional<String> frameEncoding) {

    /** Validates the fields. */
    public ConversionOptions {
        Objects.requireNonNull(simHeader, "simHeader");
        Objects.requireNonNull(linearPatch, "linearPatch");
        Objects.requireNonNull(crossLayers, "crossLayers");
        Objects.requireNonNull(modelId, "modelId");
        Objects.requireNonNull(modelVersion, "modelVersion");
        Objects.requireNonNull(bpeVocab, "bpeVocab");
        Objects.requireNonNull(tokenizerDir, "tokenizerDir");
        Objects.requireNonNull(preprocessing, "preprocessing");
        trainedHeads = Objects.requireNonNull(trainedHeads, "trainedHeads").map(Set::copyOf);
        Objects.requireNonNull(frameEncoding, "frameEncoding");
        if (frameEncoding.isPresent() && !frameEncoding.get().matches("[a-z0-9]+")) {
            throw new IllegalArgumentException(
                    "frame_encoding must be a lower-case name such as float16 or int10; was '" + frameEncoding.get()
                            + "'");
        }
        if (maxFrames <= 0 || maxWords < 2 || (crossLayers.isPresent() && crossLayers.getAsInt() < 0)) {
            throw new IllegalArgumentException("invalid conversion options: max_frames " + maxFrames + ", max_words "
                    + maxWords + ", cross layers " + crossLayers);
        }
        if (bpeVocab.isPresent() && tokenizerDir.isPresent()) {
            throw new IllegalArgumentException("give a BPE vocabulary or a Hugging Face tokenizer folder, not both");
        }
    }

    /** Everything derived from the checkpoint: 12 frames, 32 words (the CLIP4Clip README recipes), version 1. */
    public static ConversionOptions defaults() {
        return new ConversionOptions(
                Optional.empty(),
                Optional.empty(),
                12,
                32,
                OptionalInt.empty(),
                Optional.empty(),
                "1",
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty());
    }

    /**
     * Parses conversion settings by config.json name ({@code sim_header}, {@code linear_patch}, {@code max_frames},
     * {@code max_words}, {@code cross_num_hidden_layers}, {@code model_id}, {@code model_version},
     * {@code trained_heads} as a comma-separated list, {@code frame_encoding}, and {@code resize} = {@code short_side},
     * {@code resize_size}, {@code interpolation}, {@code crop_size} for the preprocessing); an unknown name is an error.
     */
    public static ConversionOptions fromSettings(Map<String, String> settings) {
        Map<String, String> left = new TreeMap<>(settings);
        ConversionOptions defaults = defaults();
        Optional<SimilarityHead> head =
                Optional.ofNullable(left.remove("sim_header")).map(SimilarityHead::fromConfigName);
        Optional<LinearPatch> patch =
                Optional.ofNullable(left.remove("linear_patch")).map(LinearPatch::fromConfigName);
        int frames = Optional.ofNullable(left.remove("max_frames"))
                .map(Integer::parseInt)
                .orElse(defaults.maxFrames());
        int words = Optional.ofNullable(left.remove("max_words"))
                .map(Integer::parseInt)
                .orElse(defaults.maxWords());
        String cross = left.remove("cross_num_hidden_layers");
        Optional<String> id = Optional.ofNullable(left.remove("model_id"));
        String version = Optional.ofNullable(left.remove("model_version")).orElse(defaults.modelVersion());
        Optional<Set<SimilarityHead>> trained = Optional.ofNullable(left.remove("trained_heads"))
                .map(list -> Arrays.stream(list.split(","))
                        .map(String::strip)
                        .filter(name -> !name.isEmpty())
                        .map(SimilarityHead::fromConfigName)
                        .collect(Collectors.toCollection(() -> EnumSet.noneOf(SimilarityHead.class))));
        Optional<Preprocessing> preprocessing = Optional.empty();
        String resize = left.remove("resize");
        String resizeSize = left.remove("resize_size");
        String interpolation = left.remove("interpolation");
        String cropSize = left.remove("crop_size");
        if (resize != null || resizeSize != null || interpolation != null || cropSize != null) {
            if (resize != null && !resize.equals("short_side")) {
                throw new IllegalArgumentException("resize must be short_side, got " + resize);
            }
            if (resizeSize == null || cropSize == null) {
                throw new IllegalArgumentException("preprocessing needs resize_size and crop_size");
            }
            preprocessing = Optional.of(new Preprocessing(
                    Integer.parseInt(resizeSize),
                    interpolation == null ? "bicubic" : interpolation,
                    Integer.parseInt(cropSize),
                    "clip"));
        }
        Optional<String> encoding = Optional.ofNullable(left.remove("frame_encoding"));
        if (!left.isEmpty()) {
            throw new IllegalArgumentException("unknown conversion settings " + left.keySet());
        }
        return new ConversionOptions(
                head,
                patch,
                frames,
                words,
                cross == null ? OptionalInt.empty() : OptionalInt.of(Integer.parseInt(cross)),
                id,
                version,
                Optional.empty(),
                Optional.empty(),
                preprocessing,
                trained,
                encoding);
    }

    /** Returns these options with the given head. */
    public ConversionOptions withSimHeader(SimilarityHead head) {
        return new ConversionOptions(
                Optional.of(head),
                linearPatch,
                maxFrames,
                maxWords,
                crossLayers,
                modelId,
                modelVersion,
                bpeVocab,
                tokenizerDir,
                preprocessing,
                trainedHeads,
                frameEncoding);
    }

    /** Returns these options with the given patch embedding. */
    public ConversionOptions withLinearPatch(LinearPatch patch) {
        return new ConversionOptions(
                simHeader,
                Optional.of(patch),
                maxFrames,
                maxWords,
                crossLayers,
                modelId,
                modelVersion,
                bpeVocab,
                tokenizerDir,
                preprocessing,
                trainedHeads,
                frameEncoding);
    }

    /** Returns these options with the given model id and version. */
    public ConversionOptions withModelId(String id, String version) {
        return new ConversionOptions(
                simHeader,
                linearPatch,
                maxFrames,
                maxWords,
                crossLayers,
                Optional.of(id),
                version,
                bpeVocab,
                tokenizerDir,
                preprocessing,
                trainedHeads,
                frameEncoding);
    }

    /** Returns these options shipping the Hugging Face tokenizer in {@code dir}. */
    public ConversionOptions withTokenizerDir(Path dir) {
        return new ConversionOptions(
                simHeader,
                linearPatch,
                maxFrames,
                maxWords,
                crossLayers,
                modelId,
                modelVersion,
                Optional.empty(),
                Optional.of(dir),
                preprocessing,
                trainedHeads,
                frameEncoding);
    }

    /** Returns these options writing {@code frame_encoding} = {@code encoding} into config.json. */
    public ConversionOptions withFrameEncoding(String encoding) {
        return new ConversionOptions(
                simHeader,
                linearPatch,
                maxFrames,
                maxWords,
                crossLayers,
                modelId,
                modelVersion,
                bpeVocab,
                tokenizerDir,
                preprocessing,
                trainedHeads,
                Optional.of(encoding));
    }
}
