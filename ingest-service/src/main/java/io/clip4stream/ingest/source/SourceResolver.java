package io.clip4stream.ingest.source;

import io.clip4stream.runtime.net.AddressGuard;
import io.clip4stream.schemas.avro.IngestRequest;
import io.clip4stream.schemas.avro.SourceKind;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Checks an ingest request and decides how its video is read: local paths only under the configured root (or the
 * upload directory), http(s) URLs and stream URLs only to hosts the {@link AddressGuard} allows.
 */
public final class SourceResolver {
    /** Legal source ids; the record key everywhere. */
    public static final Pattern SOURCE_ID = Pattern.compile("[A-Za-z0-9._-]{1,128}");

    private static final Set<String> STREAM_SCHEMES =
            Set.of("rtsp", "rtsps", "rtmp", "rtmps", "srt", "udp", "tcp", "rtp", "http", "https");

    private final Path root;
    private final Path uploadDir;
    private final AddressGuard guard;
    private final HttpVideoFetcher fetcher;

    /** A resolver for files under {@code root} and {@code uploadDir}, URLs checked by {@code guard}. */
    public SourceResolver(Path root, Path uploadDir, AddressGuard guard, HttpVideoFetcher fetcher) {
        this.root = root;
        this.uploadDir = uploadDir;
        this.guard = guard;
        this.fetcher = fetcher;
    }

    /** Checks the request's id and parameters and resolves its URI; throws with a readable reason when refused. */
    public ResolvedSource resolve(IngestRequest request) throws SourceRejectedException {
        checkParameters(request);
        String uri = request.getUri().strip();
        String scheme = schemeOf(uri);
        SourceKind kind = request.getKind();
        if (scheme == null || scheme.equals("file")) {
            Path path = scheme == null ? pathOf(uri) : fileUriPath(uri);
            return new ResolvedSource.LocalFile(underRoot(path, kind == SourceKind.UPLOAD), kind == SourceKind.LIVE);
        }
        URI parsed = parse(uri);
        if (kind == SourceKind.LIVE) {
            if (!STREAM_SCHEMES.contains(scheme)) {
                throw new SourceRejectedException(
                        400, "bad_uri", "Unsupported stream scheme '" + scheme + "'; use one of " + STREAM_SCHEMES);
            }
            guard.check(parsed.getHost(), SourceRejectedException::refused);
            return new ResolvedSource.Stream(uri, streamOptions(scheme));
        }
        if (kind == SourceKind.UPLOAD) {
            throw new SourceRejectedException(400, "bad_uri", "An UPLOAD source must name a file, not a URL");
        }
        fetcher.check(parsed);
        return new ResolvedSource.HttpFile(parsed, fetcher);
    }

    /** Validates id, rate, window and stride. */
    public static void checkParameters(IngestRequest request) throws SourceRejectedException {
        String id = request.getSourceId();
        if (id == null || !SOURCE_ID.matcher(id).matches()) {
            throw new SourceRejectedException(
                    400, "bad_source_id", "Source ids are 1-128 of [A-Za-z0-9._-]; was '" + id + "'");
        }
        double fps = request.getSamplingFps();
        if (!(fps > 0) || fps > 120) {
            throw new SourceRejectedException(400, "bad_parameter", "samplingFps must be in (0, 120]; was " + fps);
        }
        int window = request.getClipWindowFrames();
        int stride = request.getClipStrideFrames();
        if (window < 1 || window > 1024) {
            throw new SourceRejectedException(400, "bad_parameter", "clipWindowFrames must be 1-1024; was " + window);
        }
        if (stride < 1 || stride > window) {
            throw new SourceRejectedException(
                    400, "bad_parameter", "clipStrideFrames must be 1-" + window + " (the window); was " + stride);
        }
        if (request.getUri() == null || request.getUri().isBlank()) {
            throw new SourceRejectedException(400, "bad_uri", "The source needs a uri");
        }
    }

    private Path underRoot(Path candidate, boolean uploadAllowed) throws SourceRejectedException {
        for (Path base : uploadAllowed ? new Path[] {uploadDir, root} : new Path[] {root}) {
            Path resolved = canonicalUnder(base, candidate);
            if (resolved != null) {
                return resolved;
            }
        }
        throw new SourceRejectedException(
                403, "path_outside_root", "Path " + candidate + " is outside the ingest root (CLIP4S_INGEST_ROOT)");
    }

    /** The real path of {@code candidate} when it lies under {@code base}; null when it does not. */
    private static Path canonicalUnder(Path base, Path candidate) throws SourceRejectedException {
        Path realBase;
        try {
            realBase = base.toRealPath();
        } catch (IOException e) {
            return null; // no such base directory: nothing can be under it
        }
        Path joined = candidate.isAbsolute()
                ? candidate.normalize()
                : realBase.resolve(candidate).normalize();
        if (!joined.startsWith(realBase)) {
            return null;
        }
        try {
            // Symbolic links are resolved, so a link inside the root that points outside is refused as well.
            Path real = joined.toRealPath();
            return real.startsWith(realBase) ? real : null;
        } catch (NoSuchFileException e) {
            throw new SourceRejectedException(
                    404, "not_found", "No file " + realBase.relativize(joined) + " under the ingest root", e);
        } catch (IOException e) {
            throw new SourceRejectedException(400, "unreadable_path", "Cannot read " + candidate + ": " + e, e);
        }
    }

    private static Map<String, String> streamOptions(String scheme) {
        return switch (scheme) {
            case "rtsp", "rtsps" -> Map.of("rtsp_transport", "tcp");
            default -> Map.of();
        };
    }

    private static String schemeOf(String uri) {
        int colon = uri.indexOf("://");
        if (colon <= 0) {
            return uri.startsWith("file:") ? "file" : null;
        }
        return uri.substring(0, colon).toLowerCase(Locale.ROOT);
    }

    private static URI parse(String uri) throws SourceRejectedException {
        try {
            return new URI(uri);
        } catch (URISyntaxException e) {
            throw new SourceRejectedException(400, "bad_uri", "Malformed URL: " + e.getMessage(), e);
        }
    }

    private static Path pathOf(String text) throws SourceRejectedException {
        try {
            return Path.of(text);
        } catch (InvalidPathException e) {
            throw new SourceRejectedException(400, "bad_uri", "Malformed path: " + e.getMessage(), e);
        }
    }

    private static Path fileUriPath(String uri) throws SourceRejectedException {
        try {
            return Path.of(parse(uri));
        } catch (IllegalArgumentException e) {
            throw new SourceRejectedException(400, "bad_uri", "Malformed file URI: " + e.getMessage(), e);
        }
    }
}
