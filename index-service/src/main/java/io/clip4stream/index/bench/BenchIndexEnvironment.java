package io.clip4stream.index.bench;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/** The environment of an index service a benchmark starts on its own fresh topics: one place for both freshness runs. */
final class BenchIndexEnvironment {

    private BenchIndexEnvironment() {}

    /**
     * Settings for an index on {@code bootstrapServers} under topic prefix {@code prefix} (also its application id's
     * prefix) with {@code partitions} partitions, its state in {@code stateDir}, refreshing every {@code refresh}, its
     * HTTP port chosen free; the caller may add more.
     */
    static Map<String, String> of(
            String bootstrapServers, String prefix, int partitions, Path stateDir, Duration refresh) {
        Map<String, String> env = new HashMap<>();
        env.put("CLIP4S_KAFKA_BOOTSTRAP_SERVERS", bootstrapServers);
        env.put("CLIP4S_TOPIC_PREFIX", prefix);
        env.put("CLIP4S_TOPIC_PARTITIONS", Integer.toString(partitions));
        env.put("CLIP4S_INDEX_APPLICATION_ID", prefix + "index");
        env.put("CLIP4S_INDEX_STATE_DIR", stateDir.toString());
        env.put("CLIP4S_INDEX_HTTP_PORT", "0");
        env.put("CLIP4S_INDEX_REFRESH_MS", Long.toString(refresh.toMillis()));
        return env;
    }
}
