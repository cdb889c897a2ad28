package io.clip4stream.query.engine;

import io.clip4stream.query.example.ImageDecoder;
import io.clip4stream.query.example.VectorBlend;
import io.clip4stream.query.fanout.ClipLookup;
import io.clip4stream.query.fanout.IndexWire;
import io.clip4stream.query.search.RejectedExampleException;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * The one path from a {@link SearchQuery} to a {@link QueryVector}: text through the text tower, an image through the
 * visual tower as a one-frame clip, stored clips by their own vectors (the normalised mean for several), and text with
 * an example as {@link VectorBlend#blend} of the two.
 */
public final class QueryVectors {
    private final QueryEncoder text;
    private final ImageDecoder images;
    private final ImageEncoder imageEncoder;
    private final ClipLookup clips;
    private final String modelVersion;

    /**
     * Vectors of {@code modelVersion}'s space.
     *
     * @param text the text encoder
     * @param images decodes example images under limits
     * @param imageEncoder the visual tower and head
     * @param clips finds example clips on the index
     * @param modelVersion the served model version: example clips must have been embedded by it
     */
    public QueryVectors(
            QueryEncoder text, ImageDecoder images, ImageEncoder imageEncoder, ClipLookup clips, String modelVersion) {
        this.text = Objects.requireNonNull(text, "text");
        this.images = Objects.requireNonNull(images, "images");
        this.imageEncoder = Objects.requireNonNull(imageEncoder, "imageEncoder");
        this.clips = Objects.requireNonNull(clips, "clips");
        this.modelVersion = Objects.requireNonNull(modelVersion, "modelVersion");
    }

    /**
     * The vector of {@code query}.
     *
     * @throws RejectedExampleException when the example cannot be used (bad image, unknown clip, other version)
     * @throws io.clip4stream.query.fanout.ShardException when the example clip cannot be looked up
     */
    public QueryVector vector(SearchQuery query) {
        QueryEncoder.Encoded encodedText = query.text() == null ? null : text.encode(query.text());
        if (!query.hasExample()) {
            return new QueryVector(encodedText.vector(), encodedText.raw(), Set.of(), Set.of());
        }
        float[] example;
        Set<String> excludeClips = new HashSet<>();
        Set<String> excludeSources = new HashSet<>();
        if (query.image() != null) {
            example = imageEncoder.encode(images.decode(query.image()));
        } else {
            List<IndexWire.StoredClip> found = exampleClips(query);
            example = VectorBlend.unitMean(
                    found.stream().map(IndexWire.StoredClip::vector).toList());
            found.forEach(clip -> excludeClips.add(clip.clipId()));
            if (query.excludeSource()) {
                found.forEach(clip -> excludeSources.add(clip.sourceId()));
            }
        }
        float[] vector =
                encodedText == null ? VectorBlend.unit(example) : blend(encodedText.vector(), example, query.weight());
        return new QueryVector(vector, null, excludeClips, excludeSources);
    }

    private static float[] blend(float[] text, float[] example, double weight) {
        try {
            return VectorBlend.blend(text, example, weight);
        } catch (IllegalArgumentException e) {
            throw new RejectedExampleException(
                    400, "invalid_weight", "cannot combine text and example: " + e.getMessage(), e);
        }
    }

    private List<IndexWire.StoredClip> exampleClips(SearchQuery query) {
        ClipLookup.Found found = clips.find(query.clip(), modelVersion);
        if (found.truncated()) {
            throw new RejectedExampleException(
                    400,
                    "example_range_too_long",
                    "the " + query.clip().label() + " holds too many clips to search by; narrow the time range");
        }
        List<IndexWire.StoredClip> ours = found.clips().stream()
                .filter(clip -> modelVersion.equals(clip.modelVersion()))
                .filter(clip -> clip.vector() != null && clip.vector().length > 0)
                .toList();
        if (!ours.isEmpty()) {
            return ours;
        }
        if (found.clips().isEmpty()) {
            throw new RejectedExampleException(
                    404,
                    query.clip().clipId() != null ? "unknown_clip" : "no_clips_in_range",
                    "no " + query.clip().label() + " is indexed for model version '" + modelVersion + "'");
        }
        Set<String> versions = new TreeSet<>();
        found.clips().forEach(clip -> versions.add(clip.modelVersion()));
        throw new RejectedExampleException(
                400,
                "example_of_other_model_version",
                "the " + query.clip().label() + " was embedded by model version(s) " + versions
                        + ", but this query service searches version '" + modelVersion
                        + "': vectors of different versions are not comparable");
    }
}
