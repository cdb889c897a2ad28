package io.clip4stream.index.topology;

import java.util.List;
import java.util.Objects;

/**
 * The assembler's state of one source: which clips are closed, when its newest frame arrived, and the tenant and tags
 * of its last boundary (a clip closed by timeout has no boundary of its own).
 *
 * @param lastClosedClipIndex the highest clip index closed so far, -1 before the first
 * @param newestFrameClipIndex the highest clip index of a buffered frame, -1 before the first
 * @param lastFrameAtMillis wall-clock time the newest frame arrived
 * @param tenant the tenant of the last boundary
 * @param tags the tags of the last boundary
 */
public record SourceProgress(
        long lastClosedClipIndex, long newestFrameClipIndex, long lastFrameAtMillis, String tenant, List<String> tags) {

    /** Tenant of a source whose boundaries have not been seen yet. */
    public static final String DEFAULT_TENANT = "default";

    /** Validates the progress. */
    public SourceProgress {
        Objects.requireNonNull(tenant, "tenant");
        tags = List.copyOf(tags);
    }

    /** A source with nothing seen yet. */
    public static SourceProgress empty() {
        return new SourceProgress(-1, -1, 0, DEFAULT_TENANT, List.of());
    }

    /** Whether frames of a clip not yet closed are buffered. */
    public boolean hasOpenClip() {
        return newestFrameClipIndex > lastClosedClipIndex;
    }

    /** After a frame of clip {@code clipIndex} arrived at {@code nowMillis}. */
    public SourceProgress withFrame(long clipIndex, long nowMillis) {
        return new SourceProgress(
                lastClosedClipIndex, Math.max(newestFrameClipIndex, clipIndex), nowMillis, tenant, tags);
    }

    /** After clip {@code clipIndex} was closed by a boundary with this tenant and these tags. */
    public SourceProgress withBoundary(long clipIndex, String boundaryTenant, List<String> boundaryTags) {
        return new SourceProgress(
                Math.max(lastClosedClipIndex, clipIndex),
                newestFrameClipIndex,
                lastFrameAtMillis,
                boundaryTenant,
                boundaryTags);
    }

    /** After every clip up to {@code clipIndex} was closed without a boundary. */
    public SourceProgress withClosedUpTo(long clipIndex) {
        return new SourceProgress(
                Math.max(lastClosedClipIndex, clipIndex), newestFrameClipIndex, lastFrameAtMillis, tenant, tags);
    }
}
