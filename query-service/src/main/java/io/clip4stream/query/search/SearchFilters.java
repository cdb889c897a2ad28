package io.clip4stream.query.search;

import java.util.List;
import java.util.regex.Pattern;

/**
 * What the index must restrict candidates to; every part is optional.
 *
 * @param sources source ids to search (empty: all)
 * @param tenant the tenant (null: any)
 * @param timeRange clips overlapping this range of source time (null: any time)
 * @param tags clips carrying every one of these tags (empty: no tag constraint)
 */
public record SearchFilters(List<String> sources, String tenant, TimeRange timeRange, List<String> tags) {

    /** Source ids and tenants follow the ingest contract: {@code [A-Za-z0-9._-]{1,128}}. */
    public static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z0-9._-]{1,128}");

    /** The most source ids or tags one request may name. */
    public static final int MAXIMUM_LIST_SIZE = 100;

    /** The longest tag accepted. */
    public static final int MAXIMUM_TAG_CHARS = 128;

    /** No filtering at all. */
    public static final SearchFilters NONE = new SearchFilters(List.of(), null, null, List.of());

    /** Validates identifiers and sizes and copies the lists. */
    public SearchFilters {
        sources = sources == null ? List.of() : List.copyOf(sources);
        tags = tags == null ? List.of() : List.copyOf(tags);
        if (sources.size() > MAXIMUM_LIST_SIZE || tags.size() > MAXIMUM_LIST_SIZE) {
            throw new InvalidSearchException(
                    "invalid_filters", "at most " + MAXIMUM_LIST_SIZE + " sources and " + MAXIMUM_LIST_SIZE + " tags");
        }
        for (String source : sources) {
            if (source == null || !IDENTIFIER.matcher(source).matches()) {
                throw new InvalidSearchException(
                        "invalid_filters", "source id '" + source + "' does not match " + IDENTIFIER.pattern());
            }
        }
        if (tenant != null && !IDENTIFIER.matcher(tenant).matches()) {
            throw new InvalidSearchException(
                    "invalid_filters", "tenant '" + tenant + "' does not match " + IDENTIFIER.pattern());
        }
        for (String tag : tags) {
            if (tag == null || tag.isBlank() || tag.length() > MAXIMUM_TAG_CHARS) {
                throw new InvalidSearchException(
                        "invalid_filters", "tags must be 1.." + MAXIMUM_TAG_CHARS + " non-blank characters");
            }
        }
    }
}
