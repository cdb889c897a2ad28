package io.clip4stream.index.store;

import java.util.List;

/**
 * What one maintenance pass removed.
 *
 * @param removed the clips removed, each with its source
 * @param complete whether the pass covered the whole index; when not (its budget ran out), some due clips are left for
 *     the next pass
 */
public record Removal(List<Removed> removed, boolean complete) {

    /** Copies the list. */
    public Removal {
        removed = List.copyOf(removed);
    }

    /**
     * One removed clip.
     *
     * @param sourceId the clip's source
     * @param key the clip's key
     */
    public record Removed(String sourceId, ClipKey key) {}

    /** The keys of the removed clips, in removal order. */
    public List<ClipKey> keys() {
        return removed.stream().map(Removed::key).toList();
    }
}
