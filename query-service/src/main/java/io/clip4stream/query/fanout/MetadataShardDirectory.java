package io.clip4stream.query.fanout;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Discovers index instances from the index-service's shard map ({@code GET /v1/shards}, which any instance answers
 * from Kafka Streams metadata), trying the seed URLs in order, and caches the layout for a refresh interval.
 */
public final class MetadataShardDirectory implements ShardDirectory {
    private static final Logger LOG = LoggerFactory.getLogger(MetadataShardDirectory.class);

    private final List<URI> seeds;
    private final HttpClient http;
    private final ObjectMapper json;
    private final String apiKey;
    private final Duration timeout;
    private final Duration refresh;
    private final AtomicReference<Cached> cached = new AtomicReference<>();

    private record Cached(ShardLayout layout, long fetchedNanos) {}

    /** Discovers through {@code seeds}, each asked within {@code timeout}; a layout is reused for {@code refresh}. */
    public MetadataShardDirectory(
            List<URI> seeds, HttpClient http, ObjectMapper json, String apiKey, Duration timeout, Duration refresh) {
        if (seeds.isEmpty()) {
            throw new IllegalArgumentException("index discovery needs at least one seed URL");
        }
        this.seeds = List.copyOf(seeds);
        this.http = Objects.requireNonNull(http, "http");
        this.json = Objects.requireNonNull(json, "json");
        this.apiKey = apiKey == null ? "" : apiKey;
        this.timeout = Objects.requireNonNull(timeout, "timeout");
        this.refresh = Objects.requireNonNull(refresh, "refresh");
    }

    @Override
    public ShardLayout layout() {
        Cached current = cached.get();
        if (current != null && System.nanoTime() - current.fetchedNanos() < refresh.toNanos()) {
            return current.layout();
        }
        ShardLayout fresh = discover();
        cached.set(new Cached(fresh, System.nanoTime()));
        return fresh;
    }

    @Override
    public void invalidate() {
        cached.set(null);
    }

    private ShardLayout discover() {
        List<String> failures = new ArrayList<>();
        for (URI seed : seeds) {
            try {
                return toLayout(fetch(seed));
            } catch (ShardException e) {
                failures.add(e.getMessage());
                LOG.debug("Index metadata from {} failed", seed, e);
            }
        }
        throw new ShardException("no index instance could be discovered; seeds answered: " + failures);
    }

    private IndexWire.ShardMap fetch(URI seed) {
        HttpRequest.Builder request = HttpRequest.newBuilder(seed.resolve(IndexWire.SHARDS_PATH))
                .timeout(timeout)
                .GET();
        if (!apiKey.isBlank()) {
            request.header("X-Api-Key", apiKey);
        }
        try {
            HttpResponse<byte[]> response = http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
            if (response.statusCode() != 200) {
                throw new ShardException(seed + IndexWire.SHARDS_PATH + " answered " + response.statusCode());
            }
            return json.readValue(response.body(), IndexWire.ShardMap.class);
        } catch (IOException e) {
            throw new ShardException(seed + IndexWire.SHARDS_PATH + " failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ShardException("interrupted while discovering index instances", e);
        }
    }

    private static ShardLayout toLayout(IndexWire.ShardMap metadata) {
        List<IndexInstance> instances = new ArrayList<>();
        TreeSet<Integer> unserved = new TreeSet<>();
        for (int p = 0; p < metadata.partitions(); p++) {
            unserved.add(p);
        }
        List<IndexWire.ShardInstance> listed = metadata.instances() == null ? List.of() : metadata.instances();
        for (IndexWire.ShardInstance info : listed) {
            List<Integer> partitions = info.activePartitions() == null ? List.of() : info.activePartitions();
            if (partitions.isEmpty()) {
                // An instance with no active shard (all standby, or still restoring) has nothing to answer.
                continue;
            }
            try {
                instances.add(new IndexInstance(
                        new URI("http", null, info.host(), info.port(), "/", null, null), partitions));
            } catch (java.net.URISyntaxException | RuntimeException e) {
                throw new ShardException(
                        "the index shard map lists an instance with a malformed address: " + info.host() + ":"
                                + info.port(),
                        e);
            }
            partitions.forEach(unserved::remove);
        }
        return new ShardLayout(instances, List.copyOf(unserved));
    }
}
