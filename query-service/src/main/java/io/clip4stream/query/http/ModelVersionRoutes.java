package io.clip4stream.query.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.clip4stream.query.engine.SearchEngines;
import io.clip4stream.query.fanout.IndexInstance;
import io.clip4stream.query.fanout.IndexModelCheck;
import io.clip4stream.query.fanout.ShardDirectory;
import io.clip4stream.query.fanout.ShardException;
import io.clip4stream.query.fanout.ShardLayout;
import io.clip4stream.runtime.http.ApiException;
import io.clip4stream.runtime.http.Exchange;
import java.io.IOException;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * {@code GET /v1/models}: the deployment's model versions as a model change sees them — which version this query
 * service answers with by default, which it serves, and for each version its status and how far every shard has
 * built it (merged from every index instance's report). {@code model activate} reads it to switch only when every
 * shard has caught up.
 */
public final class ModelVersionRoutes {
    /** The path: the same as the index instances' report this one merges. */
    public static final String PATH = IndexModelCheck.MODELS_PATH;

    private final SearchEngines engines;
    private final ShardDirectory directory;
    private final HttpClient http;
    private final ObjectMapper json;
    private final String indexApiKey;
    private final Duration timeout;

    /** Routes over {@code engines} and the index instances {@code directory} finds. */
    public ModelVersionRoutes(
            SearchEngines engines,
            ShardDirectory directory,
            HttpClient http,
            ObjectMapper json,
            String indexApiKey,
            Duration timeout) {
        this.engines = Objects.requireNonNull(engines, "engines");
        this.directory = Objects.requireNonNull(directory, "directory");
        this.http = Objects.requireNonNull(http, "http");
        this.json = Objects.requireNonNull(json, "json");
        this.indexApiKey = Objects.requireNonNull(indexApiKey, "indexApiKey");
        this.timeout = Objects.requireNonNull(timeout, "timeout");
    }

    /** Answers the request. */
    public void handle(Exchange exchange) throws IOException {
        if (!exchange.method().equals("GET")) {
            throw new ApiException(405, "method_not_allowed", "Use GET on " + PATH);
        }
        exchange.respondJson(200, report());
    }

    /** The report {@link #handle} answers with. */
    public Map<String, Object> report() {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("active", engines.activeVersion());
        body.put("served", engines.versions());
        ShardLayout layout;
        try {
            layout = directory.layout();
        } catch (ShardException e) {
            body.put("partitions", List.of());
            body.put("versions", Map.of());
            body.put("unanswered", List.of("no index instance could be discovered: " + e.getMessage()));
            return body;
        }
        TreeSet<Integer> partitions = new TreeSet<>(layout.unservedPartitions());
        Map<String, Map<String, Object>> versions = new TreeMap<>();
        List<String> unanswered = new ArrayList<>();
        for (IndexInstance instance : layout.instances()) {
            partitions.addAll(instance.partitions());
            JsonNode reported = IndexModelCheck.report(http, json, indexApiKey, timeout, instance.baseUri())
                    .orElse(null);
            if (reported == null) {
                unanswered.add(instance.baseUri().toString());
                continue;
            }
            for (Iterator<Map.Entry<String, JsonNode>> it =
                            reported.path("versions").fields();
                    it.hasNext(); ) {
                Map.Entry<String, JsonNode> version = it.next();
                Map<String, Object> merged = versions.computeIfAbsent(version.getKey(), v -> {
                    Map<String, Object> entry = new LinkedHashMap<>();
                    entry.put("shards", new TreeMap<Integer, Object>());
                    return entry;
                });
                JsonNode node = version.getValue();
                merged.put("status", node.path("status").asText("served"));
                if (!node.path("weightsLocation").isNull() && node.has("weightsLocation")) {
                    merged.put("weightsLocation", node.path("weightsLocation").asText());
                }
                if (node.has("notBuilt")) {
                    merged.put("notBuilt", node.path("notBuilt").asText());
                }
                if (node.path("reencode").asBoolean(false)) {
                    // Another CLIP visual encoder: built from kept videos encoded again, not from stored frames.
                    merged.put("reencode", true);
                }
                @SuppressWarnings("unchecked")
                Map<Integer, Object> shards = (Map<Integer, Object>) merged.get("shards");
                for (Iterator<Map.Entry<String, JsonNode>> s =
                                node.path("shards").fields();
                        s.hasNext(); ) {
                    Map.Entry<String, JsonNode> shard = s.next();
                    // Only the instance actively serving a partition reports it; standbys do not run the rebuild.
                    shards.put(
                            Integer.parseInt(shard.getKey()),
                            Map.of(
                                    "held", shard.getValue().path("held").asLong(),
                                    "total", shard.getValue().path("total").asLong(),
                                    "complete",
                                            shard.getValue().path("complete").asBoolean()));
                }
            }
        }
        for (Map.Entry<String, Map<String, Object>> entry : versions.entrySet()) {
            Map<String, Object> version = entry.getValue();
            @SuppressWarnings("unchecked")
            Map<Integer, Object> shards = (Map<Integer, Object>) version.get("shards");
            // With static discovery the partitions are not known in advance: every shard reported must be complete.
            java.util.Collection<Integer> expected = partitions.isEmpty() ? shards.keySet() : partitions;
            // Ready to activate: built on every shard, and this query service can answer with it.
            boolean ready = engines.serves(entry.getKey())
                    && !expected.isEmpty()
                    && layout.unservedPartitions().isEmpty()
                    && unanswered.isEmpty()
                    && expected.stream()
                            .allMatch(p -> shards.get(p) instanceof Map<?, ?> shard
                                    && Boolean.TRUE.equals(shard.get("complete")));
            version.put("ready", ready);
        }
        body.put("partitions", List.copyOf(partitions));
        body.put("versions", versions);
        body.put("unanswered", unanswered);
        return body;
    }
}
