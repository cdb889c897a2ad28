package io.clip4stream.query.http;

import java.util.Iterator;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * A token bucket per client key (the client's address): each request takes a token, tokens come back at a steady
 * rate up to a burst size. The number of tracked clients is bounded; when full, buckets that have refilled completely
 * (clients that went quiet) are dropped first, as forgetting them changes nothing.
 */
public final class TokenBucketLimiter {
    /** Clients tracked at once before quiet ones are forgotten. */
    public static final int MAXIMUM_TRACKED_CLIENTS = 100_000;

    private final double tokensPerNano;
    private final double burst;
    private final LongSupplier nanoClock;
    private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();

    private static final class Bucket {
        private double tokens;
        private long updatedNanos;

        Bucket(double tokens, long now) {
            this.tokens = tokens;
            this.updatedNanos = now;
        }
    }

    /** Allows {@code perSecond} requests a second per client, with bursts of up to {@code burst}. */
    public TokenBucketLimiter(double perSecond, int burst, LongSupplier nanoClock) {
        if (!(perSecond > 0) || burst < 1) {
            throw new IllegalArgumentException(
                    "rate limit needs a positive rate and a burst of at least 1; got " + perSecond + "/s, " + burst);
        }
        this.tokensPerNano = perSecond / 1e9;
        this.burst = burst;
        this.nanoClock = Objects.requireNonNull(nanoClock, "nanoClock");
    }

    /** Takes a token for {@code client}; false when its bucket is empty. */
    public boolean tryAcquire(String client) {
        long now = nanoClock.getAsLong();
        if (buckets.size() >= MAXIMUM_TRACKED_CLIENTS && !buckets.containsKey(client)) {
            forgetQuietClients(now);
        }
        Bucket bucket = buckets.computeIfAbsent(client, c -> new Bucket(burst, now));
        synchronized (bucket) {
            refill(bucket, now);
            if (bucket.tokens >= 1) {
                bucket.tokens -= 1;
                return true;
            }
            return false;
        }
    }

    /** Seconds until {@code client} has a token again (at least 1, for a Retry-After header). */
    public long secondsUntilToken(String client) {
        Bucket bucket = buckets.get(client);
        if (bucket == null) {
            return 1;
        }
        synchronized (bucket) {
            double missing = Math.max(0, 1 - bucket.tokens);
            return Math.max(1, (long) Math.ceil(missing / tokensPerNano / 1e9));
        }
    }

    private void refill(Bucket bucket, long now) {
        long elapsed = Math.max(0, now - bucket.updatedNanos);
        bucket.tokens = Math.min(burst, bucket.tokens + elapsed * tokensPerNano);
        bucket.updatedNanos = now;
    }

    private void forgetQuietClients(long now) {
        for (Iterator<Bucket> it = buckets.values().iterator(); it.hasNext(); ) {
            Bucket bucket = it.next();
            synchronized (bucket) {
                refill(bucket, now);
                if (bucket.tokens >= burst) {
                    it.remove();
                }
            }
        }
    }
}
