package io.clip4stream.app.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ClusterLayoutTest {
    private static final Map<String, Integer> PORTS = Map.of(
            "index-a",
            1001,
            "index-b",
            1002,
            "encoder-a",
            1003,
            "encoder-b",
            1004,
            "ingest-a",
            1005,
            "ingest-b",
            1006,
            "query-a",
            1007,
            "query-b",
            1008);
    private static final ClusterLayout LAYOUT = new ClusterLayout(
            "127.0.0.1:9092", 3, 3, Path.of("/w"), Path.of("/m"), Path.of("/media"), 224, 4, 12, PORTS);

    @Test
    void shouldGiveEachInstanceItsOwnPortIdentityAndState() {
        Map<String, String> indexB = LAYOUT.environment("index", "b");
        assertEquals("1002", indexB.get("CLIP4S_INDEX_HTTP_PORT"));
        assertEquals(Path.of("/w", "index-state-b").toString(), indexB.get("CLIP4S_INDEX_STATE_DIR"));
        assertNotEquals(
                LAYOUT.environment("index", "a").get("CLIP4S_INDEX_STATE_DIR"), indexB.get("CLIP4S_INDEX_STATE_DIR"));
        assertEquals("ingest-a", LAYOUT.environment("ingest", "a").get("CLIP4S_INGEST_INSTANCE_ID"));
        assertEquals("encoder-b", LAYOUT.environment("encoder", "b").get("CLIP4S_ENCODER_INSTANCE_ID"));
    }

    @Test
    void shouldPointEveryInstanceAtTheClusterAndQueriesAtBothIndexes() {
        for (String service : ClusterLayout.SERVICES) {
            Map<String, String> env = LAYOUT.environment(service, "a");
            assertEquals("127.0.0.1:9092", env.get("CLIP4S_KAFKA_BOOTSTRAP_SERVERS"), service);
            assertEquals("3", env.get("CLIP4S_TOPIC_REPLICATION_FACTOR"), service);
        }
        assertEquals(
                "http://127.0.0.1:1001,http://127.0.0.1:1002",
                LAYOUT.environment("query", "b").get("CLIP4S_QUERY_INDEX_URLS"));
    }

    @Test
    void shouldRefuseAnUnknownServiceOrInstance() {
        assertThrows(IllegalArgumentException.class, () -> LAYOUT.environment("alert", "a"));
        assertThrows(IllegalArgumentException.class, () -> LAYOUT.port("index", "c"));
    }

    @Test
    void shouldFindADistinctFreePortForEveryInstance() {
        Map<String, Integer> ports = ClusterLayout.freePorts();
        assertEquals(8, ports.size());
        assertEquals(8, ports.values().stream().distinct().count());
    }
}
