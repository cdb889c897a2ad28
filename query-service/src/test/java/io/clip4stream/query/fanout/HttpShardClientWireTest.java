package io.clip4stream.query.fanout;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.clip4stream.query.search.SearchFilters;
import io.clip4stream.schemas.frames.FrameEncoding;
import io.clip4stream.schemas.frames.PackedFrames;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * How {@link HttpShardClient} asks for frame embeddings: packed as the index stores them, and, from an index-service
 * that refuses {@code packed-base64} (one older than it), as base64 float32 again and from then on.
 */
class HttpShardClientWireTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final float[][] FRAMES = {{0.5f, -0.25f, 0.125f}, {1f, 0f, -1f}};
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    /** Each request's path and frameEmbeddingEncoding, in order. */
    private final List<String> asked = Collections.synchronizedList(new ArrayList<>());

    private HttpServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop(0);
        }
    }

    @Test
    void shouldAskForPackedFramesAndReadThem() throws Exception {
        IndexInstance index = fakeIndex(true, 400, "invalid_frame_embedding_encoding");
        HttpShardClient client = client();

        ShardAnswer answer = client.candidates(index, query(), TIMEOUT);
        Map<String, float[][]> frames = client.frames(index, List.of("cam:0"), null, TIMEOUT);

        assertEquals(List.of("/v1/knn packed-base64", "/v1/frames packed-base64"), asked);
        assertFrames(answer.candidates().getFirst().frameEmbeddings());
        assertFrames(frames.get("cam:0"));
    }

    @Test
    void shouldAskAnIndexThatRefusesPackedFramesForFloat32FromThenOn() throws Exception {
        IndexInstance older = fakeIndex(false, 400, "invalid_frame_embedding_encoding");
        HttpShardClient client = client();

        ShardAnswer first = client.candidates(older, query(), TIMEOUT);
        ShardAnswer second = client.candidates(older, query(), TIMEOUT);
        Map<String, float[][]> frames = client.frames(older, List.of("cam:0"), null, TIMEOUT);

        assertEquals(
                List.of(
                        "/v1/knn packed-base64",
                        "/v1/knn f32le-base64",
                        "/v1/knn f32le-base64",
                        "/v1/frames f32le-base64"),
                asked,
                "one refusal, then float32 without asking again");
        assertFrames(first.candidates().getFirst().frameEmbeddings());
        assertFrames(second.candidates().getFirst().frameEmbeddings());
        assertFrames(frames.get("cam:0"));
    }

    @Test
    void shouldNotRetryOtherRefusals() throws Exception {
        IndexInstance index = fakeIndex(false, 400, "invalid_vector");
        HttpShardClient client = client();

        ShardException refused = assertThrows(ShardException.class, () -> client.candidates(index, query(), TIMEOUT));

        assertTrue(refused.getMessage().contains("invalid_vector"), refused.getMessage());
        assertEquals(List.of("/v1/knn packed-base64"), asked, "a refusal for another reason is not retried");
    }

    @Test
    void shouldAskForFloat32WhenConfiguredSo() throws Exception {
        IndexInstance index = fakeIndex(true, 400, "invalid_frame_embedding_encoding");
        HttpShardClient client = new HttpShardClient(HttpClient.newHttpClient(), JSON, "", IndexWire.F32LE_BASE64);

        assertFrames(client.frames(index, List.of("cam:0"), null, TIMEOUT).get("cam:0"));
        assertEquals(List.of("/v1/frames f32le-base64"), asked);
    }

    private HttpShardClient client() {
        return new HttpShardClient(HttpClient.newHttpClient(), JSON, "", IndexWire.PACKED_BASE64);
    }

    private static CandidateQuery query() {
        return new CandidateQuery(new float[] {1, 0, 0}, 5, SearchFilters.NONE, null, true, Set.of(), Set.of());
    }

    private static void assertFrames(float[][] frames) {
        assertEquals(FRAMES.length, frames.length);
        for (int i = 0; i < FRAMES.length; i++) {
            assertArrayEquals(FRAMES[i], frames[i], 0f, "frame " + i + " (exact in float16 and float32)");
        }
    }

    /**
     * An index answering one clip, {@code cam:0}, whose frames it sends packed (float16) or as float32; asked for
     * packed frames when {@code knowsPacked} is false, it refuses with {@code status} and {@code code}, as an
     * index-service older than packed frames does.
     */
    private IndexInstance fakeIndex(boolean knowsPacked, int status, String code) throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/v1/", exchange -> answer(exchange, knowsPacked, status, code));
        server.start();
        return new IndexInstance(
                URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/"), List.of(0));
    }

    private void answer(HttpExchange exchange, boolean knowsPacked, int status, String code) throws IOException {
        JsonNode request = JSON.readTree(exchange.getRequestBody());
        String encoding = request.path("frameEmbeddingEncoding").asText("floats");
        String path = exchange.getRequestURI().getPath();
        asked.add(path + " " + encoding);
        boolean packed = encoding.equals(IndexWire.PACKED_BASE64);
        if (packed && !knowsPacked || code.equals("invalid_vector")) {
            send(exchange, status, Map.of("error", Map.of("code", code, "message", "refused " + encoding)));
            return;
        }
        Map<String, Object> frames = packed
                ? Map.of("frameEmbeddingsPacked", PackedFrames.pack(FRAMES, FrameEncoding.FLOAT16))
                : Map.of("frameEmbeddingsF32le", IndexWire.float32le(FRAMES), "frameEmbeddingDim", 3);
        Map<String, Object> clip = new java.util.HashMap<>(frames);
        clip.put("clipId", "cam:0");
        if (path.equals(IndexWire.FRAMES_PATH)) {
            send(exchange, 200, Map.of("instance", "fake", "partitions", List.of(0), "clips", List.of(clip)));
            return;
        }
        clip.putAll(Map.of("sourceId", "cam", "clipIndex", 0, "score", 0.5));
        send(exchange, 200, Map.of("instance", "fake", "partitions", List.of(0), "hits", List.of(clip)));
    }

    private static void send(HttpExchange exchange, int status, Object body) throws IOException {
        byte[] bytes = JSON.writeValueAsString(body).getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (var out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }
}
