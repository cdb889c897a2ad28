package io.clip4stream.query;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.clip4stream.query.bench.InMemoryIndexServer;
import io.clip4stream.query.engine.ModelExecutor;
import io.clip4stream.query.engine.ModelSaturatedException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Backpressure on model work: with every model worker busy and the queue full, searches are refused with 503 and
 * {@code Retry-After} while health, readiness and metrics keep answering.
 */
class ModelBackpressureTest {
    // Generous bounds: "eventually", on a shared and loaded machine; no timing is asserted.
    private static final Duration EVENTUALLY = Duration.ofSeconds(60);
    // Not the common pool: on a two-core machine it has one thread, and the held tasks must wait side by side.
    private static final Executor WAITERS = Executors.newVirtualThreadPerTaskExecutor();

    @TempDir
    Path modelDir;

    @Test
    void executorRefusesWorkWhenWorkersAndQueueAreFull() throws Exception {
        try (ModelExecutor executor = new ModelExecutor("unit", 1, 1)) {
            CountDownLatch release = new CountDownLatch(1);
            List<CompletableFuture<Integer>> held = occupy(executor, 2, release);
            assertThrows(ModelSaturatedException.class, () -> executor.call(() -> 3));
            release.countDown();
            for (CompletableFuture<Integer> task : held) {
                assertEquals(7, task.get(EVENTUALLY.toSeconds(), TimeUnit.SECONDS));
            }
            assertEquals(3, executor.call(() -> 3));
        }
    }

    @Test
    void saturatedSearchesGet503WithRetryAfterWhileProbesAnswer() throws Exception {
        TinyIndexFixture fixture = TinyIndexFixture.withTightHead(modelDir);
        fixture.addClips("cam-a", 6, "acme", List.of("street"));
        HttpClient client = HttpClient.newHttpClient();
        try (InMemoryIndexServer shard = fixture.serve(List.of("cam-a"), List.of(0, 1))) {
            QueryService service = new QueryService(
                    QueryConfig.fromEnv(TinyIndexFixture.env(
                            modelDir,
                            shard.uri().toString(),
                            Map.of(
                                    "CLIP4S_QUERY_MODEL_WORKERS", "1",
                                    "CLIP4S_QUERY_MODEL_QUEUE", "2",
                                    "CLIP4S_QUERY_RATE_LIMIT_PER_SECOND", "10000",
                                    "CLIP4S_QUERY_RATE_LIMIT_BURST", "10000"))),
                    fixture.model());
            service.start();
            try {
                URI base = service.uri();
                assertEquals(
                        200, get(client, base, "/search?q=a%20red%20bike&k=3").statusCode());

                // Slow model work fills the one worker and both queue slots: the model is saturated.
                CountDownLatch release = new CountDownLatch(1);
                List<CompletableFuture<Integer>> held = occupy(service.modelWork(), 3, release);

                List<CompletableFuture<HttpResponse<String>>> searches = new ArrayList<>();
                for (int i = 0; i < 20; i++) {
                    searches.add(client.sendAsync(
                            HttpRequest.newBuilder(base.resolve("/search?q=load%20" + i))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString()));
                }
                for (int round = 0; round < 5; round++) {
                    for (String probe : List.of("/health", "/ready", "/metrics")) {
                        assertEquals(200, get(client, base, probe).statusCode(), probe);
                    }
                }
                for (CompletableFuture<HttpResponse<String>> search : searches) {
                    HttpResponse<String> response = search.get(EVENTUALLY.toSeconds(), TimeUnit.SECONDS);
                    assertEquals(503, response.statusCode(), response.body());
                    assertEquals(
                            "1", response.headers().firstValue("Retry-After").orElse(""));
                    assertTrue(response.body().contains("model_saturated"), response.body());
                }
                String metrics = get(client, base, "/metrics").body();
                assertTrue(
                        metrics.contains("clip4stream_query_rejected_total{reason=\"model_saturated\"} 20.0"), metrics);

                release.countDown();
                for (CompletableFuture<Integer> task : held) {
                    task.get(EVENTUALLY.toSeconds(), TimeUnit.SECONDS);
                }
                assertEquals(
                        200, get(client, base, "/search?q=a%20red%20bike&k=3").statusCode());
            } finally {
                service.close();
                fixture.close();
            }
        }
    }

    /** Starts {@code tasks} that hold the executor until {@code release}, once all are running or queued. */
    private static List<CompletableFuture<Integer>> occupy(ModelExecutor executor, int tasks, CountDownLatch release)
            throws InterruptedException {
        List<CompletableFuture<Integer>> held = new ArrayList<>();
        long deadline = System.nanoTime() + EVENTUALLY.toNanos();
        // Model work of an earlier search may still be finishing after its answer: start from an idle executor, or a
        // slot it frees later makes the count below come out one short.
        while (executor.running() + executor.queued() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        for (int i = 0; i < tasks; i++) {
            held.add(CompletableFuture.supplyAsync(
                    () -> executor.call(() -> {
                        try {
                            release.await();
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                        return 7;
                    }),
                    WAITERS));
            // One at a time: submitted together, a task can find the queue full before the idle worker took the first.
            while (executor.running() + executor.queued() < i + 1 && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
        }
        assertEquals(tasks, executor.running() + executor.queued(), "the slow tasks hold every worker and slot");
        return held;
    }

    private static HttpResponse<String> get(HttpClient client, URI base, String path) throws Exception {
        return client.send(HttpRequest.newBuilder(base.resolve(path)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
