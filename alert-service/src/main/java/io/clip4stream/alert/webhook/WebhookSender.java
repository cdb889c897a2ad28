package io.clip4stream.alert.webhook;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Objects;

/** POSTs one signed payload to one webhook, retrying with doubling backoff. */
public final class WebhookSender {
    private final HttpClient http;
    private final int attempts;
    private final Duration backoff;
    private final Duration timeout;
    private final Sleeper sleeper;

    /** Waits between attempts (a fake in tests that must not wait). */
    @FunctionalInterface
    public interface Sleeper {
        /** Waits {@code duration}. */
        void sleep(Duration duration) throws InterruptedException;
    }

    /**
     * The result of a delivery.
     *
     * @param delivered whether a 2xx answer came
     * @param attempts requests made
     * @param lastError why the last attempt failed; empty when delivered
     */
    public record Outcome(boolean delivered, int attempts, String lastError) {}

    /**
     * A sender.
     *
     * @param http the client
     * @param attempts requests per delivery at most
     * @param backoff wait before the first retry; doubled on each further one
     * @param timeout per request
     * @param sleeper how to wait
     */
    public WebhookSender(HttpClient http, int attempts, Duration backoff, Duration timeout, Sleeper sleeper) {
        this.http = Objects.requireNonNull(http, "http");
        if (attempts < 1) {
            throw new IllegalArgumentException("at least one attempt; was " + attempts);
        }
        this.attempts = attempts;
        this.backoff = Objects.requireNonNull(backoff, "backoff");
        this.timeout = Objects.requireNonNull(timeout, "timeout");
        this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
    }

    /** Delivers {@code body} (JSON) to {@code url}, signed with {@code secret}, as delivery {@code deliveryId}. */
    public Outcome deliver(String url, String secret, String deliveryId, byte[] body) throws InterruptedException {
        String lastError = "";
        Duration wait = backoff;
        for (int attempt = 1; attempt <= attempts; attempt++) {
            if (attempt > 1) {
                sleeper.sleep(wait);
                wait = wait.multipliedBy(2);
            }
            try {
                HttpRequest request = HttpRequest.newBuilder(URI.create(url))
                        .timeout(timeout)
                        .header("Content-Type", "application/json")
                        .header(WebhookSignature.HEADER, WebhookSignature.sign(secret, body))
                        .header(WebhookSignature.DELIVERY_HEADER, deliveryId)
                        .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                        .build();
                HttpResponse<Void> response = http.send(request, HttpResponse.BodyHandlers.discarding());
                if (response.statusCode() / 100 == 2) {
                    return new Outcome(true, attempt, "");
                }
                lastError = "HTTP " + response.statusCode();
            } catch (IOException | IllegalArgumentException e) {
                lastError = e.getClass().getSimpleName() + ": " + e.getMessage();
            }
        }
        return new Outcome(false, attempts, lastError);
    }
}
