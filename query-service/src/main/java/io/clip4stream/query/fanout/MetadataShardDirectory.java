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
 * Discovers index instances from the index-service's metadata endpoint ({@code GET /metadata}, which any instance
 * answers from Kafka Streams metadata), trying the seed URLs in order, and caches the layout for a refresh interval.
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

    private IndexWire.Metadata fetch(URI seed) {
        HttpRequest.Builder request = HttpRequest.newBuilder(seed.resolve(IndexWire.METADATA_PATH))
                .timeout(timeout)
                .GET();
        if (!apiKey.isBlank()) {
            request.header("X-Api-Key", apiKey);
        }
        try {
            HttpResponse<byte[]> response = http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
            if (response.statusCode() != 200) {
                throw new ShardException(seed + IndexWire.METADATA_PATH + " answered " + response.statusCode());
            }
            return json.readValue(response.body(), IndexWire.Metadata.class);
        } catch (IOException e) {
            throw new ShardException(seed + IndexWire.METADATA_PATH + " failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ShardException("interrupted while discovering index instances", e);
        }
    }

    private static ShardLayout toLayout(IndexWire.Metadata metadata) {
        List<IndexInstance> instances = new ArrayList<>();
        TreeSet<Integer> unserved = new TreeSet<>();
        for (int p = 0; p < metadata.partitions(); p++) {
            unserved.add(p);
        }
        for (IndexWire.InstanceInfo info :
                metadata.instances() == null ? List.<IndexWire.InstanceInfo>of() : metadata.instances()) {
            List<Integer> partitions = info.partitions() == null ? List.of() : info.partitions();
            try {
                instances.add(new IndexInstance(URI.create(info.url()), partitions));
            } catch (IllegalArgumentException | NullPointerException e) {
                throw new ShardException("index metadata lists an instance with a malformed url: " + info.url(), e);
            }
            partitions.forEach(unserved::remove);
        }
        return new ShardLayout(instances, List.copyOf(unserved));
    }
}
