package io.clip4stream.ingest;

import io.clip4stream.ingest.api.IngestRequests;
import io.clip4stream.ingest.api.SourceRegistration;
import io.clip4stream.ingest.decode.DecodeException;
import io.clip4stream.ingest.decode.VideoDecoder;
import io.clip4stream.ingest.decode.VideoInput;
import io.clip4stream.ingest.kafka.Intake;
import io.clip4stream.ingest.kafka.SourceRunner;
import io.clip4stream.ingest.kafka.UploadRuns;
import io.clip4stream.ingest.media.ByteRange;
import io.clip4stream.ingest.media.MediaStore;
import io.clip4stream.ingest.media.VideoContentType;
import io.clip4stream.ingest.reencode.ReencodeJobs;
import io.clip4stream.ingest.run.SourceRun;
import io.clip4stream.ingest.source.ResolvedSource;
import io.clip4stream.ingest.source.SourceRejectedException;
import io.clip4stream.ingest.source.SourceResolver;
import io.clip4stream.runtime.http.ApiException;
import io.clip4stream.runtime.http.Exchange;
import io.clip4stream.runtime.http.HttpHost;
import io.clip4stream.schemas.avro.IngestRequest;
import io.clip4stream.schemas.avro.IngestState;
import io.clip4stream.schemas.avro.IngestStatus;
import io.clip4stream.schemas.avro.SourceDeletion;
import io.clip4stream.schemas.avro.SourceKind;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * The ingest HTTP API: register a URL, path or live stream ({@code POST /sources}), upload a file
 * ({@code POST /sources/upload}), read a status ({@code GET /sources/{id}}), play a stored video with byte ranges
 * ({@code GET /sources/{id}/media}), remove a source, its clips and its stored video ({@code DELETE /sources/{id}}).
 */
public final class IngestRoutes {
    private static final long MAX_JSON_BYTES = 64 * 1024;
    private static final String DELETE_REASON = "DELETE /sources/{id}";
    private static final String MEDIA_SUFFIX = "/media";
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(IngestRoutes.class);

    private final IngestConfig config;
    private final Intake intake;
    private final SourceResolver resolver;
    private final SourceRunner runner;
    private final MediaStore media;
    private final UploadRuns uploads;
    private final ReencodeJobs reencode;
    private final IngestRequests requests;

    private IngestRoutes(
            IngestConfig config,
            Intake intake,
            SourceResolver resolver,
            SourceRunner runner,
            MediaStore media,
            UploadRuns uploads,
            ReencodeJobs reencode) {
        this.reencode = reencode;
        this.config = config;
        this.intake = intake;
        this.resolver = resolver;
        this.runner = runner;
        this.media = media;
        this.uploads = uploads;
        this.requests = new IngestRequests(
                new IngestRequests.Defaults(config.samplingFps(), config.clipWindow(), config.clipStride()),
                () -> UUID.randomUUID().toString(),
                System::currentTimeMillis);
    }

    /** Adds the routes to {@code http}. */
    public static HttpHost.Builder register(
            HttpHost.Builder http,
            IngestConfig config,
            Intake intake,
            SourceResolver resolver,
            SourceRunner runner,
            MediaStore media,
            UploadRuns uploads,
            ReencodeJobs reencode) {
        IngestRoutes routes = new IngestRoutes(config, intake, resolver, runner, media, uploads, reencode);
        return http.route("/sources", routes::sources).route("/v1/reencode", routes::reencode);
    }

    /** {@code GET /v1/reencode}: where each model version's re-encode of the kept uploads stands. */
    private void reencode(Exchange exchange) throws IOException {
        requireMethod(exchange.method(), "GET");
        exchange.respondJson(200, reencode.json());
    }

    private void sources(Exchange exchange) throws Exception {
        String path = exchange.path();
        String method = exchange.method();
        if (path.equals("/sources") || path.equals("/sources/")) {
            if (method.equals("GET")) {
                list(exchange);
            } else {
                requireMethod(method, "POST");
                register(exchange);
            }
        } else if (path.equals("/sources/upload")) {
            requireMethod(method, "POST");
            upload(exchange);
        } else if (path.endsWith(MEDIA_SUFFIX) && path.length() > "/sources/".length() + MEDIA_SUFFIX.length()) {
            String id = path.substring("/sources/".length(), path.length() - MEDIA_SUFFIX.length());
            if (!MediaStore.validId(id)) {
                throw ApiException.badRequest(
                        "bad_source_id", "Source ids are 1-128 of [A-Za-z0-9._-], not . or ..; was '" + id + "'");
            }
            if (!method.equals("GET") && !method.equals("HEAD")) {
                throw new ApiException(405, "method_not_allowed", "Use GET or HEAD on " + path);
            }
            media(exchange, id);
        } else {
            String id = path.substring("/sources/".length());
            if (!SourceResolver.SOURCE_ID.matcher(id).matches()) {
                throw ApiException.notFound("No source " + id);
            }
            switch (method) {
                case "GET" ->
                    exchange.respondJson(
                            200,
                            statusJson(
                                    intake.status(id).orElseThrow(() -> ApiException.notFound("No source " + id)),
                                    mediaKept(id)));
                case "DELETE" -> delete(exchange, id);
                default -> throw new ApiException(405, "method_not_allowed", method + " is not allowed on " + path);
            }
        }
    }

    /** Every source's latest status, failed ones included; deleted ones only with {@code ?all=true}. */
    private void list(Exchange exchange) throws IOException {
        boolean all = "true".equals(exchange.query().get("all"));
        List<Map<String, Object>> sources = intake.statuses().stream()
                .filter(s -> all || s.getState() != IngestState.DELETED)
                .map(s -> statusJson(s, mediaKept(s.getSourceId())))
                .toList();
        exchange.respondJson(200, Map.of("sources", sources));
    }

    private void register(Exchange exchange) throws IOException {
        SourceRegistration body = exchange.readJson(SourceRegistration.class, MAX_JSON_BYTES);
        IngestRequest request;
        try {
            request = requests.registration(body);
        } catch (SourceRejectedException e) {
            throw rejected(e);
        }
        SourceKind kind = request.getKind();
        try {
            // Refused before any work: the answer tells the client; no status is recorded for a source never begun.
            intake.screen(request);
        } catch (SourceRejectedException e) {
            throw rejected(e);
        }
        if (kind != SourceKind.LIVE && intake.alreadyDone(request.getSourceId())) {
            throw new ApiException(
                    409,
                    "already_done",
                    "Source " + request.getSourceId() + " was already ingested;"
                            + " use another source id to ingest it again");
        }
        intake.producer().request(request);
        intake.accept(request);
        exchange.respondJson(202, accepted(request));
    }

    private void upload(Exchange exchange) throws IOException {
        Map<String, String> query = exchange.query();
        String id = query.getOrDefault("sourceId", "");
        if (id.isBlank()) {
            id = requests.newSourceId();
        }
        Path file = config.uploadDir().resolve(id + "-" + UUID.randomUUID() + ".video");
        IngestRequest request;
        try {
            request = requests.upload(
                    id,
                    MediaStore.validId(id)
                            ? config.mediaDir().resolve(id + ".video").toString()
                            : file.toString(),
                    query);
            SourceResolver.checkParameters(request);
        } catch (SourceRejectedException e) {
            throw rejected(e);
        }
        if (!MediaStore.validId(id)) {
            throw ApiException.badRequest("bad_source_id", "A source id may not be . or ..");
        }
        // The kept video is the source's: replacing it while it is decoded or after its clips are indexed would make
        // playback show another video than the one searched.
        if (intake.deleted(id)) {
            SourceRejectedException refusal = Intake.deletedRefusal(id);
            throw new ApiException(refusal.httpStatus(), refusal.code(), refusal.getMessage());
        }
        if (!uploads.claim(id)) {
            throw new ApiException(409, "already_running", "Source " + id + " is being ingested; use another id");
        }
        long size;
        boolean started = false;
        try {
            size = receiveAndStart(exchange, id, file, request);
            started = true;
        } finally {
            if (!started) {
                uploads.release(id);
            }
        }
        Map<String, Object> body = accepted(request);
        body.put("bytes", size);
        exchange.respondJson(202, body);
    }

    /** Receives the claimed upload's body, keeps it and starts its run; returns its size in bytes. */
    private long receiveAndStart(Exchange exchange, String id, Path file, IngestRequest request) throws IOException {
        if (intake.alreadyDone(id)) {
            throw new ApiException(
                    409,
                    "already_done",
                    "Source " + id + " was already ingested; use another source id to upload again");
        }
        Files.createDirectories(config.uploadDir());
        Path part = file.resolveSibling(file.getFileName() + ".part");
        long size;
        try {
            size = streamToDisk(exchange, part);
        } catch (ApiException e) {
            Files.deleteIfExists(part);
            throw e;
        } catch (IOException e) {
            Files.deleteIfExists(part);
            throw e;
        }
        if (size == 0) {
            Files.deleteIfExists(part);
            throw ApiException.badRequest("empty_upload", "The upload is empty (0 bytes)");
        }
        Files.move(part, file, StandardCopyOption.ATOMIC_MOVE);
        // Open it once now, so a file that is not a video is refused with a 4xx instead of only a status later.
        try (VideoDecoder probe =
                VideoDecoder.open(new VideoInput.FileInput(file, false), VideoDecoder.Options.exact())) {
            probe.width();
        } catch (DecodeException e) {
            Files.deleteIfExists(file);
            // The kept file's name is internal: the user knows the upload by its source id.
            String reason = "The upload is not a usable video: "
                    + e.getMessage().replace(new VideoInput.FileInput(file, false).describe(), "the file");
            throw new ApiException(422, "not_a_video", reason);
        }
        // Kept (decoded from, then played back) until the source is deleted; the request first, so a kept video always
        // has what a restarted instance needs to run it again.
        media.keepRequest(request);
        media.store(id, file);
        ResolvedSource source;
        try {
            source = resolver.resolve(request);
        } catch (SourceRejectedException e) {
            media.delete(id);
            throw new ApiException(e.httpStatus(), e.code(), e.getMessage());
        }
        intake.accept(request);
        uploads.startClaimed(request, source);
        return size;
    }

    private long streamToDisk(Exchange exchange, Path part) throws IOException {
        long limit = config.maxUploadBytes();
        String declared = exchange.header("Content-Length").orElse(null);
        if (declared != null) {
            try {
                if (Long.parseLong(declared.strip()) > limit) {
                    throw tooLarge(limit);
                }
            } catch (NumberFormatException e) {
                throw ApiException.badRequest("bad_content_length", "Content-Length is not a number: " + declared);
            }
        }
        long total = 0;
        byte[] buffer = new byte[64 * 1024];
        try (InputStream in = exchange.bodyStream();
                OutputStream out = Files.newOutputStream(part)) {
            int n;
            while ((n = in.read(buffer)) > 0) {
                total += n;
                if (total > limit) {
                    throw tooLarge(limit);
                }
                out.write(buffer, 0, n);
            }
        }
        return total;
    }

    private void delete(Exchange exchange, String id) throws IOException {
        IngestStatus status = intake.status(id).orElseThrow(() -> ApiException.notFound("No source " + id));
        boolean deletedByRun = false;
        if (status.getKind() == SourceKind.LIVE) {
            intake.producer().unregister(id);
        } else {
            deletedByRun = runner.stop(id, true, config.readTimeout().plusSeconds(5))
                    .filter(result -> result.outcome() == SourceRun.Outcome.DELETED)
                    .isPresent();
        }
        // Every ingest instance stops its run of the source on this record, and the index drops all its clips.
        intake.producer()
                .deletion(SourceDeletion.newBuilder()
                        .setSourceId(id)
                        .setRequestedAtMillis(System.currentTimeMillis())
                        .setReason(DELETE_REASON)
                        .build());
        if (!deletedByRun) {
            // A finished, failed or remote source has no local run to write it; a stopped run already did.
            intake.markDeleted(status);
        }
        // After the run stopped, so the decoder no longer reads the upload it removes.
        if (MediaStore.validId(id)) {
            media.delete(id);
        }
        exchange.respondJson(202, Map.of("sourceId", id, "state", "DELETING"));
    }

    private void media(Exchange exchange, String id) throws IOException {
        Optional<Path> found = media.find(id);
        if (found.isEmpty()) {
            throw ApiException.notFound(noMediaReason(id));
        }
        Path file = found.get();
        try (SeekableByteChannel channel = Files.newByteChannel(file)) {
            long size = channel.size();
            byte[] head = new byte[(int) Math.min(VideoContentType.HEAD_BYTES, size)];
            Channels.newInputStream(channel).readNBytes(head, 0, head.length);
            String contentType = VideoContentType.sniff(head);
            exchange.responseHeader("Accept-Ranges", "bytes");
            exchange.responseHeader("Cache-Control", "private, max-age=3600");
            Optional<ByteRange> range;
            try {
                range = ByteRange.parse(exchange.header("Range").orElse(null), size);
            } catch (ByteRange.UnsatisfiableException e) {
                exchange.responseHeader("Content-Range", ByteRange.unsatisfiedContentRange(size));
                throw new ApiException(
                        416, "range_not_satisfiable", e.getMessage() + " (the video has " + size + " bytes)");
            }
            if (range.isPresent()) {
                ByteRange r = range.get();
                channel.position(r.first());
                exchange.responseHeader("Content-Range", r.contentRange());
                exchange.respondStream(206, contentType, r.length(), Channels.newInputStream(channel));
            } else {
                channel.position(0);
                exchange.respondStream(200, contentType, size, Channels.newInputStream(channel));
            }
        }
    }

    private String noMediaReason(String id) {
        Optional<IngestStatus> status = intake.status(id);
        if (status.isEmpty()) {
            return "No source " + id;
        }
        return switch (status.get().getKind()) {
            case LIVE -> "Source " + id + " is a live stream; live streams are not stored, so it cannot be played back";
            case URL ->
                "Source " + id + " has no stored video: videos read from http(s) URLs are not kept (only uploads and"
                        + " files under the ingest root play back)";
            default -> "Source " + id + " has no stored video (deleted, or stored on another ingest instance)";
        };
    }

    /**
     * Whether this instance keeps the video of {@code id} (an upload, or a file under the root with its request), so a
     * model version with another visual encoder can be re-encoded from it (a URL or a live stream is not kept).
     */
    private boolean mediaKept(String id) {
        try {
            return MediaStore.validId(id) && media.keptMedia(id);
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * The JSON shape of a status, as {@code GET /sources/{id}} returns it; {@code mediaKept}: whether this instance
     * keeps the source's video.
     */
    public static Map<String, Object> statusJson(IngestStatus status, boolean mediaKept) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("sourceId", status.getSourceId());
        json.put("state", status.getState().name());
        json.put("kind", status.getKind().name());
        json.put("progressPercent", status.getProgressPercent());
        json.put("framesPerSecond", status.getFramesPerSecond());
        json.put("framesSampled", status.getFramesSampled());
        json.put("clipsEmitted", status.getClipsEmitted());
        json.put("reason", status.getReason());
        json.put("updatedAtMillis", status.getUpdatedAtMillis());
        json.put("mediaKept", mediaKept);
        return json;
    }

    private static Map<String, Object> accepted(IngestRequest request) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("sourceId", request.getSourceId());
        json.put("kind", request.getKind().name());
        json.put("state", "ACCEPTED");
        json.put("status", "/sources/" + request.getSourceId());
        return json;
    }

    private static void requireMethod(String method, String expected) {
        if (!method.equals(expected)) {
            throw new ApiException(405, "method_not_allowed", "Use " + expected);
        }
    }

    private static ApiException rejected(SourceRejectedException e) {
        return new ApiException(e.httpStatus(), e.code(), e.getMessage());
    }

    private static ApiException tooLarge(long limit) {
        return new ApiException(
                413,
                "payload_too_large",
                "The upload exceeds the limit of " + limit + " bytes" + " (CLIP4S_INGEST_MAX_UPLOAD_BYTES)");
    }
}
