package io.clip4stream.ingest.api;

import io.clip4stream.ingest.source.SourceRejectedException;
import io.clip4stream.schemas.avro.IngestRequest;
import io.clip4stream.schemas.avro.SourceKind;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Turns what a client sent into an {@link IngestRequest}: required fields, the source kind (given or inferred from the
 * URI), numeric parameters, and the configured defaults for whatever was left out. Never sees HTTP or Kafka; refusals
 * are {@link SourceRejectedException}s with a 400 status and a stable code.
 */
public final class IngestRequests {
    private final Defaults defaults;
    private final Supplier<String> ids;
    private final LongSupplier clock;

    /**
     * The defaults a request takes for what it leaves out.
     *
     * @param samplingFps sampled frames per second
     * @param clipWindow frames per clip
     * @param clipStride frames between clip starts
     */
    public record Defaults(double samplingFps, int clipWindow, int clipStride) {}

    /** Requests with {@code defaults}, ids (request ids and missing source ids) from {@code ids}, time from {@code clock}. */
    public IngestRequests(Defaults defaults, Supplier<String> ids, LongSupplier clock) {
        this.defaults = Objects.requireNonNull(defaults, "defaults");
        this.ids = Objects.requireNonNull(ids, "ids");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** The request of a {@code POST /sources} registration: a URL, path or live stream, never an upload. */
    public IngestRequest registration(SourceRegistration body) throws SourceRejectedException {
        if (body.uri() == null || body.uri().isBlank()) {
            throw badRequest("bad_uri", "Field 'uri' is required");
        }
        SourceKind kind = body.kind() == null ? inferKind(body.uri()) : parseKind(body.kind());
        if (kind == SourceKind.UPLOAD) {
            throw badRequest("bad_kind", "Use POST /sources/upload to upload a file");
        }
        return request(
                body.sourceId(),
                kind,
                body.uri().strip(),
                body.samplingFps(),
                body.clipWindowFrames(),
                body.clipStrideFrames(),
                body.tenant(),
                body.tags(),
                body.metadata());
    }

    /**
     * The request of an upload of source {@code sourceId} kept at {@code uri}, with the sampling parameters of its
     * query string ({@code fps}, {@code window}, {@code stride}, {@code tenant}).
     */
    public IngestRequest upload(String sourceId, String uri, Map<String, String> query) throws SourceRejectedException {
        return request(
                sourceId,
                SourceKind.UPLOAD,
                uri,
                query.containsKey("fps") ? parseDouble(query.get("fps"), "fps") : null,
                query.containsKey("window") ? parseInt(query.get("window"), "window") : null,
                query.containsKey("stride") ? parseInt(query.get("stride"), "stride") : null,
                query.get("tenant"),
                null,
                null);
    }

    /** A fresh source id for a client that named none. */
    public String newSourceId() {
        return "src-" + ids.get();
    }

    /**
     * The kind a URI implies: streaming protocols (rtsp, rtmp, srt, udp, tcp, rtp) and HLS playlists are live,
     * anything else is a file or URL read to its end.
     */
    public static SourceKind inferKind(String uri) {
        String lower = uri.toLowerCase(Locale.ROOT);
        if (lower.matches("^(rtsps?|rtmps?|srt|udp|tcp|rtp)://.*") || lower.contains(".m3u8")) {
            return SourceKind.LIVE;
        }
        return SourceKind.URL;
    }

    /** The kind a client named, case-insensitively. */
    public static SourceKind parseKind(String kind) throws SourceRejectedException {
        try {
            return SourceKind.valueOf(kind.strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw badRequest("bad_kind", "kind must be URL or LIVE; was " + kind);
        }
    }

    private IngestRequest request(
            String sourceId,
            SourceKind kind,
            String uri,
            Double fps,
            Integer window,
            Integer stride,
            String tenant,
            List<String> tags,
            Map<String, String> metadata) {
        int w = window == null ? defaults.clipWindow() : window;
        // A request that sets only the window gets non-overlapping clips of that window, not the default stride.
        int s = stride == null ? (window == null ? defaults.clipStride() : w) : stride;
        return IngestRequest.newBuilder()
                .setRequestId(ids.get())
                .setSourceId(sourceId == null || sourceId.isBlank() ? newSourceId() : sourceId)
                .setKind(kind)
                .setUri(uri)
                .setSamplingFps(fps == null ? defaults.samplingFps() : fps)
                .setClipWindowFrames(w)
                .setClipStrideFrames(s)
                .setTenant(tenant == null || tenant.isBlank() ? "default" : tenant)
                .setTags(tags == null ? List.of() : tags)
                .setMetadata(metadata == null ? Map.of() : metadata)
                .setRequestedAtMillis(clock.getAsLong())
                .build();
    }

    private static double parseDouble(String text, String name) throws SourceRejectedException {
        try {
            return Double.parseDouble(text);
        } catch (NumberFormatException e) {
            throw badRequest("bad_parameter", name + " is not a number: " + text);
        }
    }

    private static int parseInt(String text, String name) throws SourceRejectedException {
        try {
            return Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw badRequest("bad_parameter", name + " is not an integer: " + text);
        }
    }

    private static SourceRejectedException badRequest(String code, String message) {
        return new SourceRejectedException(400, code, message);
    }
}
