package io.clip4stream.query.http;

import io.clip4stream.query.fanout.IndexInstance;
import io.clip4stream.query.fanout.ShardClient;
import io.clip4stream.query.fanout.ShardDirectory;
import io.clip4stream.query.fanout.ShardException;
import io.clip4stream.query.fanout.ShardLayout;
import io.clip4stream.query.fanout.ShardReport;
import io.clip4stream.runtime.http.ApiException;
import io.clip4stream.runtime.http.Exchange;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/** {@code GET /sources}: per source, how far the index can answer ("searchable up to"), from every shard. */
public final class SourceRoutes {
    private final ShardDirectory directory;
    private final ShardClient client;
    private final Duration timeout;

    /**
     * The per-source status across the shards.
     *
     * @param sources per source id, searchable up to (microseconds of source time)
     * @param shards how each instance answered
     * @param partial whether some shard did not answer
     */
    public record SourcesStatus(Map<String, Long> sources, List<ShardReport> shards, boolean partial) {}

    /** Asks the instances {@code directory} names through {@code client}, each within {@code timeout}. */
    public SourceRoutes(ShardDirectory directory, ShardClient client, Duration timeout) {
        this.directory = Objects.requireNonNull(directory, "directory");
        this.client = Objects.requireNonNull(client, "client");
        this.timeout = Objects.requireNonNull(timeout, "timeout");
    }

    /** Answers {@code GET /sources}. */
    public void handle(Exchange exchange) throws IOException {
        if (!exchange.path().equals("/sources")) {
            throw ApiException.notFound("No route " + exchange.path());
        }
        if (!exchange.method().equals("GET")) {
            throw new ApiException(405, "method_not_allowed", "Use GET on /sources");
        }
        exchange.respondJson(200, status());
    }

    /** Asks every shard how far it holds each source; a shard that fails makes the answer partial. */
    public SourcesStatus status() {
        ShardLayout layout;
        try {
            layout = directory.layout();
        } catch (ShardException e) {
            throw new ApiException(503, "index_unavailable", e.getMessage());
        }
        Map<String, Long> sources = new TreeMap<>();
        List<ShardReport> reports = new ArrayList<>();
        boolean partial = !layout.unservedPartitions().isEmpty();
        for (IndexInstance instance : layout.instances()) {
            long start = System.nanoTime();
            try {
                client.searchableUpTo(instance, timeout).forEach((s, upTo) -> sources.merge(s, upTo, Math::max));
                reports.add(new ShardReport(
                        instance.baseUri().toString(), instance.partitions(), ShardReport.OK, 0, millis(start), null));
            } catch (ShardException e) {
                partial = true;
                reports.add(new ShardReport(
                        instance.baseUri().toString(),
                        instance.partitions(),
                        ShardReport.FAILED,
                        0,
                        millis(start),
                        e.getMessage()));
            }
        }
        return new SourcesStatus(sources, reports, partial);
    }

    private static long millis(long startNanos) {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }
}
