package io.clip4stream.index.store;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Which clips a k-NN query may return; every present condition must hold.
 *
 * @param modelVersion only clips embedded by this model version (vectors of different versions are not comparable)
 * @param sourceIds when not empty, only clips of one of these sources
 * @param tenant when present, only clips of this tenant
 * @param fromMicros when present, only clips ending after this source time (microseconds)
 * @param toMicros when present, only clips starting before this source time (microseconds)
 * @param tags only clips carrying every one of these tags
 */
public record ClipFilter(
        String modelVersion,
        Set<String> sourceIds,
        Optional<String> tenant,
        Optional<Long> fromMicros,
        Optional<Long> toMicros,
        Set<String> tags) {

    /** Validates the filter and copies its collections. */
    public ClipFilter {
        Objects.requireNonNull(modelVersion, "modelVersion");
        sourceIds = Set.copyOf(sourceIds);
        tags = Set.copyOf(tags);
        Objects.requireNonNull(tenant, "tenant");
        Objects.requireNonNull(fromMicros, "fromMicros");
        Objects.requireNonNull(toMicros, "toMicros");
        if (fromMicros.isPresent() && toMicros.isPresent() && fromMicros.get() >= toMicros.get()) {
            throw new IllegalArgumentException(
                    "the time range is empty: from " + fromMicros.get() + " >= to " + toMicros.get());
        }
    }

    /** A filter that keeps every clip of {@code modelVersion}. */
    public static ClipFilter modelVersion(String modelVersion) {
        return new ClipFilter(modelVersion, Set.of(), Optional.empty(), Optional.empty(), Optional.empty(), Set.of());
    }

    /** This filter restricted to {@code ids}. */
    public ClipFilter withSourceIds(Set<String> ids) {
        return new ClipFilter(modelVersion, ids, tenant, fromMicros, toMicros, tags);
    }

    /** This filter restricted to {@code value}. */
    public ClipFilter withTenant(String value) {
        return new ClipFilter(modelVersion, sourceIds, Optional.of(value), fromMicros, toMicros, tags);
    }

    /** This filter restricted to clips overlapping {@code [from, to)}; either end may be absent. */
    public ClipFilter withTimeRange(Optional<Long> from, Optional<Long> to) {
        return new ClipFilter(modelVersion, sourceIds, tenant, from, to, tags);
    }

    /** This filter restricted to clips carrying every tag of {@code required}. */
    public ClipFilter withTags(Set<String> required) {
        return new ClipFilter(modelVersion, sourceIds, tenant, fromMicros, toMicros, required);
    }

    /** Whether a clip with these attributes passes; the reference semantics every store implements. */
    public boolean accepts(
            String clipModelVersion,
            String sourceId,
            String clipTenant,
            long startMicros,
            long endMicros,
            List<String> clipTags) {
        return modelVersion.equals(clipModelVersion)
                && (sourceIds.isEmpty() || sourceIds.contains(sourceId))
                && tenant.map(clipTenant::equals).orElse(true)
                && fromMicros.map(from -> endMicros > from).orElse(true)
                && toMicros.map(to -> startMicros < to).orElse(true)
                && clipTags.containsAll(tags);
    }
}
