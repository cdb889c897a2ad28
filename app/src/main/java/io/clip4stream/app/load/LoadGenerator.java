package io.clip4stream.app.load;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAccumulator;

/**
 * Sends searches to a query service at a fixed rate (open loop: a slow answer does not delay the next request, as with
 * real users) while probing {@code /health} every {@link #HEALTH_PERIOD}, and summarises how they ended.
 */
public final class LoadGenerator {
    /** Pause between health probes. */
    public static final Duration HEALTH_PERIOD = Duration.ofMillis(50);

    /** How long a search may take before it counts as an error. */
    public static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);

    private static final List<String> QUERIES = List.of(
            "a red circle moving left",
            "a blue square on a dark background",
            "two shapes passing each other",
            "a green triangle growing",
            "something yellow in the corner");

    private final URI base;
    private final HttpClient client;

    /** A generator against the query service at {@code base}. */
    public LoadGenerator(URI base) {
        this.base = base;
        this.client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5))
                .build();
    }

    /** Sends {@code rate} searches per second for {@code duration}, then waits for their answers. */
    public LoadStats run(String phase, Duration duration, double rate) throws InterruptedException {
        List<Double> okMillis = Collections.synchronizedList(new ArrayList<>());
        AtomicLong ok = new AtomicLong();
        AtomicLong rejected = new AtomicLong();
        AtomicLong errors = new AtomicLong();
        AtomicBoolean probing = new AtomicBoolean(true);
        AtomicLong probes = new AtomicLong();
        AtomicLong probeFailures = new AtomicLong();
        LongAccumulator probeMaxNanos = new LongAccumulator(Math::max, 0);
        Thread prober = Thread.ofVirtual().name("load-health-probe").start(() -> {
            while (probing.get()) {
                long start = System.nanoTime();
                try {
                    HttpResponse<Void> response = client.send(
                            HttpRequest.newBuilder(base.resolve("/health"))
                                    .timeout(REQUEST_TIMEOUT)
                                    .build(),
                            HttpResponse.BodyHandlers.discarding());
                    if (response.statusCode() != 200) {
                        probeFailures.incrementAndGet();
                    }
                } catch (java.io.IOException e) {
                    probeFailures.incrementAndGet();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
                probeMaxNanos.accumulate(System.nanoTime() - start);
                probes.incrementAndGet();
                try {
                    Thread.sleep(HEALTH_PERIOD);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        });
        List<CompletableFuture<Void>> pending = new ArrayList<>();
        long start = System.nanoTime();
        long total = Math.max(1, Math.round(rate * duration.toNanos() / 1e9));
        double intervalNanos = 1e9 / rate;
        for (long i = 0; i < total; i++) {
            long due = start + (long) (i * intervalNanos);
            long wait = due - System.nanoTime();
            if (wait > 0) {
                TimeUnit.NANOSECONDS.sleep(wait);
            }
            String text = QUERIES.get((int) (i % QUERIES.size()));
            HttpRequest request = HttpRequest.newBuilder(
                            base.resolve("/search?k=10&q=" + URLEncoder.encode(text, StandardCharsets.UTF_8)))
                    .timeout(REQUEST_TIMEOUT)
                    .build();
            long sent = System.nanoTime();
            pending.add(client.sendAsync(request, HttpResponse.BodyHandlers.discarding())
                    .handle((response, failure) -> {
                        if (failure != null) {
                            errors.incrementAndGet();
                        } else if (response.statusCode() == 200) {
                            ok.incrementAndGet();
                            okMillis.add((System.nanoTime() - sent) / 1e6);
                        } else if (response.statusCode() == 503) {
                            rejected.incrementAndGet();
                        } else {
                            errors.incrementAndGet();
                        }
                        return null;
                    }));
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        try {
            CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new))
                    .get(REQUEST_TIMEOUT.toSeconds() + 5, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            // Counted below: whatever has not answered is an error.
        }
        probing.set(false);
        prober.join(REQUEST_TIMEOUT.toMillis());
        long answered = ok.get() + rejected.get() + errors.get();
        long unanswered = pending.size() - answered;
        return new LoadStats(
                phase,
                seconds,
                pending.size(),
                ok.get(),
                rejected.get(),
                errors.get() + Math.max(0, unanswered),
                LoadStats.percentile(okMillis, 0.50),
                LoadStats.percentile(okMillis, 0.99),
                probes.get(),
                probeFailures.get(),
                probeMaxNanos.get() / 1e6);
    }
}
