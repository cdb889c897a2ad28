package io.clip4stream.query.engine;

import io.clip4stream.query.fanout.ClipExample;

/**
 * What a search looks for: text, an example (an image or stored clips), or text and an example weighted together.
 *
 * @param text the query text (null: none)
 * @param image an encoded image (JPEG or PNG bytes; null: none)
 * @param clip stored clips used as the example (null: none)
 * @param weight the text's share in [0, 1] when both text and an example are given (1: text only, 0: example only)
 * @param excludeSource whether a clip example's own source is left out of the hits (its own clips always are)
 */
public record SearchQuery(String text, byte[] image, ClipExample clip, double weight, boolean excludeSource) {

    /** The weight when a request names none: text and example count the same. */
    public static final double DEFAULT_WEIGHT = 0.5;

    /** Requires something to look for, at most one example, and a weight in [0, 1]. */
    public SearchQuery {
        if (image != null && clip != null) {
            throw new IllegalArgumentException("a query has one example: an image or a clip, not both");
        }
        if (text == null && image == null && clip == null) {
            throw new IllegalArgumentException("a query needs text or an example");
        }
        if (!(weight >= 0 && weight <= 1)) {
            throw new IllegalArgumentException("weight must be in [0, 1]; was " + weight);
        }
    }

    /** A text query. */
    public static SearchQuery text(String text) {
        return new SearchQuery(text, null, null, 1, false);
    }

    /** Whether the query has an example (so it is not re-ranked: the tight head scores text against frames). */
    public boolean hasExample() {
        return image != null || clip != null;
    }

    /** How the example reads in answers (null for a text query). */
    public String exampleLabel() {
        if (image != null) {
            return "image (" + image.length + " bytes)";
        }
        return clip == null ? null : clip.label();
    }
}
