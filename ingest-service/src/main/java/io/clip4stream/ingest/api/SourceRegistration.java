package io.clip4stream.ingest.api;

import java.util.List;
import java.util.Map;

/**
 * A source registration as the API receives it ({@code POST /sources} JSON); absent fields take the configured
 * defaults.
 *
 * @param sourceId the source id (absent: a random one)
 * @param kind {@code URL} or {@code LIVE} (absent: inferred from the URI)
 * @param uri what to read
 * @param samplingFps sampled frames per second
 * @param clipWindowFrames frames per clip
 * @param clipStrideFrames frames between clip starts
 * @param tenant the tenant (absent: {@code default})
 * @param tags tags stored with every clip
 * @param metadata free-form metadata
 */
public record SourceRegistration(
        String sourceId,
        String kind,
        String uri,
        Double samplingFps,
        Integer clipWindowFrames,
        Integer clipStrideFrames,
        String tenant,
        List<String> tags,
        Map<String, String> metadata) {}
