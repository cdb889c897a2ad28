package io.clip4stream.query.example;

/**
 * What an example image may be.
 *
 * @param maxBytes largest encoded image (the request body, or the decoded base64 in JSON)
 * @param maxPixels most pixels (width times height) the image may declare; checked before any pixel is decoded
 */
public record ImageLimits(int maxBytes, long maxPixels) {

    /** Requires positive limits. */
    public ImageLimits {
        if (maxBytes < 1 || maxPixels < 1) {
            throw new IllegalArgumentException(
                    "image limits must be positive: " + maxBytes + " bytes, " + maxPixels + " pixels");
        }
    }
}
