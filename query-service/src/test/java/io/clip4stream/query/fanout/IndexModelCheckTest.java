package io.clip4stream.query.fanout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.clip4stream.runtime.kafka.ServedModel;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The query service's model against what a fake index instance on loopback reports at {@code /v1/models}. */
class IndexModelCheckTest {
    private static final ServedModel B32 =
            new ServedModel("openai/ViT-B-32", "1", 512, 224, "bicubic", 224, "clip", "meanP", List.of());
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http = HttpClient.newHttpClient();
    private final AtomicInteger asked = new AtomicInteger();
    private HttpServer index;

    private URI serve(List<ServedModel> models, String requiredKey) throws IOException {
        index = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        index.createContext(IndexModelCheck.MODELS_PATH, exchange -> {
            asked.incrementAndGet();
            boolean allowed = requiredKey.isEmpty()
                    || requiredKey.equals(exchange.getRequestHeaders().getFirst("X-Api-Key"));
            byte[] body = allowed
                    ? JSON.writeValueAsBytes(Map.of("active", "1", "models", models))
                    : "{}".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(allowed ? 200 : 401, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        index.start();
        return URI.create("http://127.0.0.1:" + index.getAddress().getPort());
    }

    @AfterEach
    void stop() {
        if (index != null) {
            index.stop(0);
        }
    }

    private IndexModelCheck check(ServedModel own, String key, List<URI> instances) {
        return new IndexModelCheck(own, http, JSON, key, Duration.ofSeconds(5), () -> instances);
    }

    @Test
    void shouldFitTheRecordedModelAndAskOnlyOnce() throws IOException {
        URI uri = serve(List.of(B32), "");
        IndexModelCheck check = check(B32, "", List.of(uri));
        assertEquals(Optional.empty(), check.check());
        assertTrue(check.known());
        assertTrue(check.fitsSoFar());
        assertEquals(1, asked.get(), "a verdict is kept");
    }

    @Test
    void shouldRefuseAnotherWidthNamingBothModels() throws IOException {
        URI uri = serve(List.of(B32), "secret");
        ServedModel wide =
                new ServedModel("openai/ViT-L-14", "3", 768, 224, "bicubic", 224, "clip", "meanP", List.of());
        IndexModelCheck check = check(wide, "secret", List.of(uri));
        String reason = check.check().orElseThrow();
        assertTrue(
                reason.contains("openai/ViT-B-32 1 (width 512") && reason.contains("openai/ViT-L-14 3 (width 768"),
                reason);
        assertFalse(check.fitsSoFar());
    }

    @Test
    void shouldStayUnknownUntilAnIndexAnswersThenDecide() throws IOException {
        ServedModel otherPreparation =
                new ServedModel("mmaction2/clip4clip", "1", 512, 256, "bilinear", 224, "clip", "meanP", List.of());
        URI nobody = URI.create("http://127.0.0.1:9");
        URI uri = serve(List.of(B32), "secret");
        IndexModelCheck withoutKey = check(otherPreparation, "", List.of(nobody, uri));
        assertEquals(Optional.empty(), withoutKey.check(), "unreachable, then refused for want of a key");
        assertFalse(withoutKey.known());
        assertTrue(withoutKey.fitsSoFar(), "not known to misfit: readiness leaves it to the index check");
        IndexModelCheck withKey = check(otherPreparation, "secret", List.of(nobody, uri));
        assertTrue(withKey.check().orElseThrow().contains("short side 256 (bilinear)"));
        assertTrue(withKey.known());
    }
}
