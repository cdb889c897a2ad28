package io.clip4stream.index.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.clip4stream.index.store.ClipFilter;
import io.clip4stream.runtime.http.ApiException;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The k-NN request body: defaults, validation and the filter it describes. */
class KnnRequestTest {

    private final ObjectMapper json = new ObjectMapper();

    private KnnRequest parse(String body) throws Exception {
        return json.readValue(body, KnnRequest.class);
    }

    @Test
    void shouldFillDefaultsAndUseTheActiveModelVersion() throws Exception {
        KnnRequest request = parse("{\"vector\": [0.6, 0.8]}");
        assertEquals(KnnRequest.DEFAULT_K, request.resolvedK());
        assertEquals(ClipFilter.modelVersion("active"), request.filter("active"));
        assertTrue(request.frameEmbeddingsIncluded());
        assertTrue(request.thumbnailsIncluded());
    }

    @Test
    void shouldTurnEveryFieldIntoTheFilter() throws Exception {
        KnnRequest request =
                parse("{\"vector\": [1], \"k\": 3, \"modelVersion\": \"v2\", \"sourceIds\": [\"a\", \"b\"],"
                        + " \"tenant\": \"acme\", \"fromMicros\": 10, \"toMicros\": 20, \"tags\": [\"x\"],"
                        + " \"includeFrameEmbeddings\": false, \"includeThumbnails\": false}");
        assertEquals(3, request.resolvedK());
        assertEquals(
                new ClipFilter(
                        "v2", Set.of("a", "b"), Optional.of("acme"), Optional.of(10L), Optional.of(20L), Set.of("x")),
                request.filter("active"));
        assertFalse(request.frameEmbeddingsIncluded());
        assertFalse(request.thumbnailsIncluded());
    }

    @Test
    void shouldRejectBadRequestsWithA400() throws Exception {
        assertEquals(
                400,
                assertThrows(ApiException.class, () -> parse("{}").resolvedVector())
                        .status());
        assertEquals(
                "invalid_k",
                assertThrows(
                                ApiException.class,
                                () -> parse("{\"vector\": [1], \"k\": 0}").resolvedK())
                        .code());
        assertEquals(
                "invalid_k",
                assertThrows(
                                ApiException.class,
                                () -> parse("{\"vector\": [1], \"k\": 1001}").resolvedK())
                        .code());
        assertEquals(
                "invalid_time_range",
                assertThrows(
                                ApiException.class,
                                () -> parse("{\"vector\": [1], \"fromMicros\": 5, \"toMicros\": 5}")
                                        .filter("v"))
                        .code());
    }
}
