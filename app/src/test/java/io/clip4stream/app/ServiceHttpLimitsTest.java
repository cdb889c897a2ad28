package io.clip4stream.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.clip4stream.alert.AlertConfig;
import io.clip4stream.encoder.EncoderConfig;
import io.clip4stream.index.IndexConfig;
import io.clip4stream.ingest.IngestConfig;
import io.clip4stream.query.QueryConfig;
import io.clip4stream.runtime.config.Env;
import io.clip4stream.runtime.config.Setting;
import io.clip4stream.runtime.http.HttpLimits;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Every service's HTTP server takes the shared {@code CLIP4S_HTTP_*} timeouts and limits, and documents them. */
class ServiceHttpLimitsTest {
    private static final Env ENV = new Env(Map.of(
            "CLIP4S_HTTP_READ_TIMEOUT_MS", "1234",
            "CLIP4S_HTTP_IDLE_TIMEOUT_MS", "5678",
            "CLIP4S_HTTP_MAX_HEADER_BYTES", "4096",
            "CLIP4S_HTTP_MAX_CONCURRENT_REQUESTS", "7",
            "CLIP4S_HTTP_DRAIN_TIMEOUT_MS", "900"));

    @Test
    void everyServiceReadsTheSharedHttpSettings() {
        List<HttpLimits> limits = List.of(
                IngestConfig.fromEnv(ENV).http(),
                EncoderConfig.fromEnv(ENV).http(),
                IndexConfig.fromEnv(ENV).http(),
                QueryConfig.fromEnv(ENV).http(),
                AlertConfig.fromEnv(ENV).http());
        for (HttpLimits http : limits) {
            assertEquals(Duration.ofMillis(1234), http.readTimeout(), http.toString());
            assertEquals(Duration.ofMillis(5678), http.idleTimeout(), http.toString());
            assertEquals(4096, http.maxHeaderBytes(), http.toString());
            assertEquals(7, http.maxConcurrentRequests(), http.toString());
            assertEquals(Duration.ofMillis(900), http.drainTimeout(), http.toString());
        }
    }

    @Test
    void everyServiceListsThemInItsSettings() {
        for (List<Setting<?>> settings : List.of(
                IngestConfig.SETTINGS,
                EncoderConfig.SETTINGS,
                IndexConfig.SETTINGS,
                QueryConfig.SETTINGS,
                AlertConfig.SETTINGS)) {
            assertTrue(settings.containsAll(HttpLimits.SETTINGS), settings.toString());
        }
    }
}
