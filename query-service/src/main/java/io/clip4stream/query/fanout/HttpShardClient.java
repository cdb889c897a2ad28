package io.clip4stream.query.fanout;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.clip4stream.query.search.SearchFilters;
import io.clip4stream.schemas.frames.PackedFrames;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Asks an index instance over HTTP ({@code POST /knn}, JSON of {@link IndexWire}). Asked for
 * {@link IndexWire#PACKED_BASE64}, an instance that refuses it (an index-service older than it) is asked again, and from
 * then on, for {@link IndexWire#F32LE_BASE64}, so that a rolling upgrade needs no setting changed.
 */
public final class HttpShardClient implements ShardClient {
    private static final Logger LOG = LoggerFactory.getLogger(HttpShardClient.class);
    private static final String API_KEY_HEADER = "X-Api-Key";

    /** The error code with which index-services refuse a {@code frameEmbeddingEncoding} they do not know. */
    static final String UNKNOWN_ENCODING_CODE = "invalid_frame_embedding_encoding";

    private final HttpClient http;
    private final ObjectMapper json;
    private final String apiKey;
    private final String frameEncoding;

    /** Instances that refused {@link IndexWire#PACKED_BASE64}: asked for {@link IndexWire#F32LE_BASE64} instead. */
    private final Set<URI> refusedPacked = ConcurrentHashMap.newKeySet();

    /** A client over {@code http} asking for base64 float32 frames; {@code apiKey} (blank for none) is sent along. */
    public HttpShardClient(HttpClient http, ObjectMapper json, String apiKey) {
        this(http, json, apiKey, IndexWire.F32LE_BASE64);
    }

    /**
     * A client asking for frame embeddings in {@code frameEncoding} ({@link IndexWire#F32LE_BASE64},
     * {@link IndexWire#PACKED_BASE64}, or {@code floats} for index-services that predate both); it reads every form in
     * answers.
     */
    public HttpShardClient(HttpClient http, ObjectMapper json, String apiKey, String frameEncoding) {
        this.http = Objects.requireNonNull(http, "http");
        this.json = Objects.requireNonNull(json, "json");
        this.apiKey = apiKey == null ? "" : apiKey;
        this.frameEncoding = Objects.requireNonNull(frameEncoding, "frameEncoding");
    }

    @Override
    public ShardAnswer candidates(IndexInstance instance, CandidateQuery query, Duration timeout) {
        SearchFilters filters = query.filters();
        Function<String, Object> body = encoding -> new IndexWire.KnnRequest(
                query.vector(),
                query.n(),
                query.modelVersion(),
                filters.sources(),
                filters.tenant(),
                filters.timeRange() == null ? null : filters.timeRange().fromMicros(),
                filters.timeRange() == null ? null : filters.timeRange().toMicros(),
                filters.tags(),
                query.withFrameEmbeddings(),
                // Thumbnails stay home: N candidates a shard would carry them for the k hits shown (at N = 50 and 2
                // shards, 400 KB of JSON a query and the gather's tail); /thumbnails fetches a hit's by clip id.
                false,
                // "floats" is sent as null: index-services that predate the field refuse unknown fields.
                encoding,
                // Empty exclusions are sent as null, like the encoding: text searches stay readable by older indexes.
                query.excludeClipIds().isEmpty() ? null : List.copyOf(query.excludeClipIds()),
                query.excludeSourceIds().isEmpty() ? null : List.copyOf(query.excludeSourceIds()));
        HttpResponse<InputStream> response = postAskingFrames(instance, IndexWire.KNN_PATH, body, timeout, "k-NN");
        try (InputStream in = response.body()) {
            if (response.statusCode() != 200) {
                String text = new String(in.readNBytes(2048), StandardCharsets.UTF_8);
                throw new ShardException("index instance " + instance.baseUri() + " answered " + response.statusCode()
                        + " to " + IndexWire.KNN_PATH + ": " + text);
            }
            IndexWire.KnnResponse answer = json.readValue(in, IndexWire.KnnResponse.class);
            List<IndexWire.KnnHit> hits = answer.hits() == null ? List.of() : answer.hits();
            return new ShardAnswer(
                    hits.stream().map(HttpShardClient::candidate).toList(),
                    answer.searchableUpTo() == null ? new HashMap<>() : answer.searchableUpTo(),
                    answer.partitions() == null ? List.of() : answer.partitions(),
                    answer.clipsPerModelVersion() == null ? Map.of() : answer.clipsPerModelVersion());
        } catch (IOException | RuntimeException e) {
            if (e instanceof ShardException shard) {
                throw shard;
            }
            throw new ShardException("unreadable k-NN answer from index instance " + instance.baseUri(), e);
        }
    }

    @Override
    public java.util.Map<String, float[][]> frames(
            IndexInstance instance, List<String> clipIds, String modelVersion, Duration timeout) {
        List<String> ids = List.copyOf(clipIds);
        HttpResponse<InputStream> response = postAskingFrames(
                instance,
                IndexWire.FRAMES_PATH,
                encoding -> new IndexWire.FramesRequest(ids, modelVersion, encoding),
                timeout,
                "frames");
        try (InputStream in = response.body()) {
            if (response.statusCode() != 200) {
                String text = new String(in.readNBytes(2048), StandardCharsets.UTF_8);
                throw new ShardException("index instance " + instance.baseUri() + " answered " + response.statusCode()
                        + " to " + IndexWire.FRAMES_PATH + " (an index-service older than two-phase gather needs"
                        + " CLIP4S_QUERY_TWO_PHASE_GATHER=false): " + text);
            }
            IndexWire.Frames answer = json.readValue(in, IndexWire.Frames.class);
            java.util.Map<String, float[][]> frames = new HashMap<>();
            for (IndexWire.FrameClip clip : answer.clips() == null ? List.<IndexWire.FrameClip>of() : answer.clips()) {
                if (clip.clipId() == null) {
                    throw new ShardException("a frames answer from " + instance.baseUri() + " lacks a clip id");
                }
                frames.put(
                        clip.clipId(),
                        frameEmbeddings(
                                clip.clipId(),
                                clip.frameEmbeddings(),
                                clip.frameEmbeddingsF32le(),
                                clip.frameEmbeddingDim(),
                                clip.frameEmbeddingsPacked()));
            }
            return frames;
        } catch (IOException | RuntimeException e) {
            if (e instanceof ShardException shard) {
                throw shard;
            }
            throw new ShardException("unreadable frames answer from index instance " + instance.baseUri(), e);
        }
    }

    @Override
    public java.util.Map<String, Long> searchableUpTo(IndexInstance instance, Duration timeout) {
        HttpRequest.Builder request = HttpRequest.newBuilder(
                        instance.baseUri().resolve(IndexWire.SEARCHABLE_UP_TO_PATH))
                .timeout(timeout)
                .GET();
        if (!apiKey.isBlank()) {
            request.header(API_KEY_HEADER, apiKey);
        }
        HttpResponse<InputStream> response = send(instance, request.build());
        try (InputStream in = response.body()) {
            if (response.statusCode() != 200) {
                throw new ShardException("index instance " + instance.baseUri() + " answered " + response.statusCode()
                        + " to " + IndexWire.SEARCHABLE_UP_TO_PATH);
            }
            IndexWire.SearchableUpTo answer = json.readValue(in, IndexWire.SearchableUpTo.class);
            return answer.sources() == null ? java.util.Map.of() : answer.sources();
        } catch (IOException e) {
            throw new ShardException("unreadable sources answer from index instance " + instance.baseUri(), e);
        }
    }

    @Override
    public IndexWire.Clips clips(IndexInstance instance, ClipExample example, String modelVersion, Duration timeout) {
        StringBuilder query = new StringBuilder();
        if (example.clipId() != null) {
            query.append("clipId=").append(encode(example.clipId()));
        } else {
            query.append("sourceId=").append(encode(example.sourceId()));
            if (example.fromMicros() != null) {
                query.append("&fromMicros=").append(example.fromMicros());
            }
            if (example.toMicros() != null) {
                query.append("&toMicros=").append(example.toMicros());
            }
            if (modelVersion != null) {
                query.append("&modelVersion=").append(encode(modelVersion));
            }
        }
        HttpRequest.Builder request = HttpRequest.newBuilder(
                        instance.baseUri().resolve(IndexWire.CLIPS_PATH + "?" + query))
                .timeout(timeout)
                .GET();
        if (!apiKey.isBlank()) {
            request.header(API_KEY_HEADER, apiKey);
        }
        HttpResponse<InputStream> response = send(instance, request.build());
        try (InputStream in = response.body()) {
            if (response.statusCode() != 200) {
                String text = new String(in.readNBytes(2048), StandardCharsets.UTF_8);
                throw new ShardException("index instance " + instance.baseUri() + " answered " + response.statusCode()
                        + " to " + IndexWire.CLIPS_PATH + ": " + text);
            }
            IndexWire.Clips answer = json.readValue(in, IndexWire.Clips.class);
            return answer.clips() == null
                    ? new IndexWire.Clips(answer.instance(), answer.partitions(), List.of(), answer.truncated())
                    : answer;
        } catch (IOException e) {
            throw new ShardException("unreadable clips answer from index instance " + instance.baseUri(), e);
        }
    }

    private static String encode(String value) {
        return java.net.URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /**
     * POSTs the body {@code body} makes for the wire encoding to use with {@code instance}; when the instance refuses
     * {@link IndexWire#PACKED_BASE64}, remembers that and POSTs again with {@link IndexWire#F32LE_BASE64}.
     */
    private HttpResponse<InputStream> postAskingFrames(
            IndexInstance instance, String path, Function<String, Object> body, Duration timeout, String what) {
        String encoding = wireEncoding(instance);
        HttpResponse<InputStream> response = postJson(instance, path, body.apply(encoding), timeout, what);
        if (response.statusCode() != 400 || !IndexWire.PACKED_BASE64.equals(encoding)) {
            return response;
        }
        String text;
        try (InputStream in = response.body()) {
            text = new String(in.readNBytes(2048), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ShardException("unreadable error answer from index instance " + instance.baseUri(), e);
        }
        if (!text.contains(UNKNOWN_ENCODING_CODE)) {
            throw new ShardException("index instance " + instance.baseUri() + " answered 400 to " + path + ": " + text);
        }
        if (refusedPacked.add(instance.baseUri())) {
            LOG.warn(
                    "index instance {} refuses frame embeddings as {} (an index-service older than it); asking it for"
                            + " {} from now on",
                    instance.baseUri(),
                    IndexWire.PACKED_BASE64,
                    IndexWire.F32LE_BASE64);
        }
        return postJson(instance, path, body.apply(IndexWire.F32LE_BASE64), timeout, what);
    }

    /** POSTs {@code body} as JSON to {@code path} of {@code instance}, with the API key when there is one. */
    private HttpResponse<InputStream> postJson(
            IndexInstance instance, String path, Object body, Duration timeout, String what) {
        HttpRequest.Builder request;
        try {
            request = HttpRequest.newBuilder(instance.baseUri().resolve(path))
                    .timeout(timeout)
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(json.writeValueAsBytes(body)));
        } catch (IOException e) {
            throw new ShardException("cannot write the " + what + " request for " + instance.baseUri(), e);
        }
        if (!apiKey.isBlank()) {
            request.header(API_KEY_HEADER, apiKey);
        }
        return send(instance, request.build());
    }

    private HttpResponse<InputStream> send(IndexInstance instance, HttpRequest request) {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofInputStream());
        } catch (IOException e) {
            throw new ShardException("index instance " + instance.baseUri() + " is unreachable: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ShardException("interrupted while asking " + instance.baseUri(), e);
        }
    }

    private static Candidate candidate(IndexWire.KnnHit hit) {
        if (hit.clipId() == null || hit.sourceId() == null) {
            throw new ShardException("a k-NN hit lacks its clip id or source id");
        }
        return new Candidate(
                hit.clipId(),
                hit.sourceId(),
                hit.clipIndex(),
                hit.startTimeMicros(),
                hit.endTimeMicros(),
                hit.tenant(),
                hit.tags(),
                hit.modelVersion(),
                hit.score(),
                frameEmbeddings(
                        hit.clipId(),
                        hit.frameEmbeddings(),
                        hit.frameEmbeddingsF32le(),
                        hit.frameEmbeddingDim(),
                        hit.frameEmbeddingsPacked()),
                hit.thumbnailJpeg(),
                Boolean.TRUE.equals(hit.provisional()));
    }

    /**
     * The request's frameEmbeddingEncoding for {@code instance}: null for floats, which every index-service understands;
     * f32le-base64 where packed-base64 was refused.
     */
    private String wireEncoding(IndexInstance instance) {
        if (frameEncoding.equals(IndexWire.PACKED_BASE64)) {
            return refusedPacked.contains(instance.baseUri()) ? IndexWire.F32LE_BASE64 : frameEncoding;
        }
        return frameEncoding.equals(IndexWire.F32LE_BASE64) ? frameEncoding : null;
    }

    private static float[][] frameEmbeddings(
            String clipId, float[][] numbers, byte[] float32le, Integer dim, byte[] packed) {
        if (packed != null) {
            try {
                return PackedFrames.unpack(packed);
            } catch (IllegalArgumentException e) {
                throw new ShardException("clip " + clipId + " has malformed packed frame embeddings", e);
            }
        }
        if (float32le == null) {
            return numbers;
        }
        if (dim == null) {
            throw new ShardException("clip " + clipId + " has binary frame embeddings but no dimension");
        }
        try {
            return IndexWire.frames(float32le, dim);
        } catch (IllegalArgumentException e) {
            throw new ShardException("clip " + clipId + " has malformed frame embeddings", e);
        }
    }
}
