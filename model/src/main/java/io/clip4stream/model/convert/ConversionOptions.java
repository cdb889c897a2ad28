package io.clip4stream.model.convert;

import io.clip4stream.model.spec.LinearPatch;
import io.clip4stream.model.spec.SimilarityHead;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

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
        Optional<Path> tokenizerDir) {

    /** Validates the fields. */
    public ConversionOptions {
        Objects.requireNonNull(simHeader, "simHeader");
        Objects.requireNonNull(linearPatch, "linearPatch");
        Objects.requireNonNull(crossLayers, "crossLayers");
        Objects.requireNonNull(modelId, "modelId");
        Objects.requireNonNull(modelVersion, "modelVersion");
        Objects.requireNonNull(bpeVocab, "bpeVocab");
        Objects.requireNonNull(tokenizerDir, "tokenizerDir");
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
                Optional.empty());
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
                tokenizerDir);
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
                tokenizerDir);
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
                tokenizerDir);
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
                Optional.of(dir));
    }
}
