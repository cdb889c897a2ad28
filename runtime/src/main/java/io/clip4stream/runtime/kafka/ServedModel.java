package io.clip4stream.runtime.kafka;

import io.clip4stream.schemas.avro.ModelVersion;
import java.util.List;
import java.util.Objects;

/**
 * What a service's model makes of video, as far as stored vectors are concerned: its version (the key clips are
 * stored under), its width, how it prepares frames, and its heads.
 *
 * @param modelId the config's model id
 * @param modelVersion the config's model version
 * @param embedDim the width of its vectors
 * @param resizeSize frames: the short side is resized to this
 * @param interpolation frames: the resize filter
 * @param cropSize frames: the centre crop
 * @param normalize frames: the mean/std name
 * @param head the first-stage head
 * @param trainedHeads the heads whose weights were trained
 * @param visualFingerprint the hash of its CLIP visual encoder weights, null when unknown (then "same visual encoder"
 *     cannot be decided)
 */
public record ServedModel(
        String modelId,
        String modelVersion,
        int embedDim,
        int resizeSize,
        String interpolation,
        int cropSize,
        String normalize,
        String head,
        List<String> trainedHeads,
        String visualFingerprint) {

    /** Validates the fields. */
    public ServedModel {
        Objects.requireNonNull(modelId, "modelId");
        Objects.requireNonNull(modelVersion, "modelVersion");
        Objects.requireNonNull(interpolation, "interpolation");
        Objects.requireNonNull(normalize, "normalize");
        Objects.requireNonNull(head, "head");
        trainedHeads = List.copyOf(trainedHeads);
        if (embedDim <= 0) {
            throw new IllegalArgumentException("embedding width must be positive, got " + embedDim);
        }
    }

    /** A model whose visual encoder fingerprint is unknown. */
    public ServedModel(
            String modelId,
            String modelVersion,
            int embedDim,
            int resizeSize,
            String interpolation,
            int cropSize,
            String normalize,
            String head,
            List<String> trainedHeads) {
        this(modelId, modelVersion, embedDim, resizeSize, interpolation, cropSize, normalize, head, trainedHeads, null);
    }

    /** Reads a record of the models topic. */
    public static ServedModel of(ModelVersion record) {
        return new ServedModel(
                record.getModelId(),
                record.getModelVersion(),
                record.getEmbedDim(),
                record.getResizeSize(),
                record.getInterpolation(),
                record.getCropSize(),
                record.getNormalize(),
                record.getHead(),
                record.getTrainedHeads(),
                record.getVisualFingerprint());
    }

    /** Returns the record of the models topic for this model, as {@code service} recorded it at {@code atMillis}. */
    public ModelVersion toRecord(String service, long atMillis) {
        return ModelVersion.newBuilder()
                .setModelVersion(modelVersion)
                .setModelId(modelId)
                .setEmbedDim(embedDim)
                .setResizeSize(resizeSize)
                .setInterpolation(interpolation)
                .setCropSize(cropSize)
                .setNormalize(normalize)
                .setHead(head)
                .setTrainedHeads(trainedHeads)
                .setRecordedBy(service)
                .setRecordedAtMillis(atMillis)
                .setVisualFingerprint(visualFingerprint)
                .build();
    }

    /** Whether frames reach both models the same way: same width, resize, filter, crop and normalisation. */
    public boolean sameFramesAs(ServedModel other) {
        return embedDim == other.embedDim
                && resizeSize == other.resizeSize
                && interpolation.equals(other.interpolation)
                && cropSize == other.cropSize
                && normalize.equals(other.normalize);
    }

    /**
     * Whether both models have the same CLIP visual encoder, so that frame embeddings stored for one serve the other;
     * empty when either fingerprint is unknown.
     */
    public java.util.Optional<Boolean> sameVisualEncoderAs(ServedModel other) {
        if (visualFingerprint == null || other.visualFingerprint == null) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of(visualFingerprint.equals(other.visualFingerprint));
    }

    /** Returns e.g. {@code clip4clip-b32 1 (width 512, short side 224 (bicubic), centre crop 224, clip mean/std)}. */
    public String describe() {
        return modelId + " " + modelVersion + " (width " + embedDim + ", short side " + resizeSize + " ("
                + interpolation + "), centre crop " + cropSize + ", " + normalize + " mean/std)";
    }
}
