package io.clip4stream.query.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class TokenBucketLimiterTest {
    private final AtomicLong now = new AtomicLong(1_000_000_000L);

    @Test
    void shouldAllowABurstThenRefillAtTheRate() {
        TokenBucketLimiter limiter = new TokenBucketLimiter(2.0, 3, now::get);
        assertTrue(limiter.tryAcquire("10.0.0.1"));
        assertTrue(limiter.tryAcquire("10.0.0.1"));
        assertTrue(limiter.tryAcquire("10.0.0.1"));
        assertFalse(limiter.tryAcquire("10.0.0.1"), "burst spent");
        assertTrue(limiter.tryAcquire("10.0.0.2"), "another client has its own bucket");

        now.addAndGet(400_000_000L); // 0.8 tokens at 2/s
        assertFalse(limiter.tryAcquire("10.0.0.1"));
        assertEquals(1, limiter.secondsUntilToken("10.0.0.1"));
        now.addAndGet(100_000_000L); // 1.0 token
        assertTrue(limiter.tryAcquire("10.0.0.1"));
        assertFalse(limiter.tryAcquire("10.0.0.1"));

        now.addAndGet(60_000_000_000L); // a minute: refilled only up to the burst
        for (int i = 0; i < 3; i++) {
            assertTrue(limiter.tryAcquire("10.0.0.1"));
        }
        assertFalse(limiter.tryAcquire("10.0.0.1"));
    }

    @Test
    void shouldTellHowLongUntilTheNextToken() {
        TokenBucketLimiter limiter = new TokenBucketLimiter(0.1, 1, now::get);
        assertTrue(limiter.tryAcquire("c"));
        assertFalse(limiter.tryAcquire("c"));
        assertEquals(10, limiter.secondsUntilToken("c"));
    }

    @Test
    void shouldRefuseNonsenseSettings() {
        assertThrows(IllegalArgumentException.class, () -> new TokenBucketLimiter(0, 1, now::get));
        assertThrows(IllegalArgumentException.class, () -> new TokenBucketLimiter(1, 0, now::get));
    }
}
