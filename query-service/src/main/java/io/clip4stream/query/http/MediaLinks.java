package io.clip4stream.query.http;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Base64;
import java.util.Collection;
import java.util.Objects;
import java.util.TreeSet;
import java.util.function.LongSupplier;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Short-lived signed links to a source's video: a {@code <video>} element cannot send an API key header, so with keys
 * on, the page asks (with its key) for a link whose signature and expiry stand in for the key on that one video.
 *
 * <p>The signing secret is derived from the configured API keys, so every query-service replica sharing the
 * configuration accepts the links of every other, and no extra secret has to be distributed.
 */
public final class MediaLinks {
    private static final String ALGORITHM = "HmacSHA256";

    private final byte[] secret;
    private final Duration lifetime;
    private final LongSupplier clockMillis;

    /** Links signed with a secret derived from {@code apiKeys}, valid for {@code lifetime} by {@code clockMillis}. */
    public MediaLinks(Collection<String> apiKeys, Duration lifetime, LongSupplier clockMillis) {
        if (apiKeys.isEmpty()) {
            throw new IllegalArgumentException("signed media links need at least one API key to derive a secret from");
        }
        this.secret = derive(apiKeys);
        this.lifetime = Objects.requireNonNull(lifetime, "lifetime");
        this.clockMillis = Objects.requireNonNull(clockMillis, "clockMillis");
    }

    /**
     * A signed link's query parameters.
     *
     * @param expiresAtMillis when the link stops working (epoch milliseconds)
     * @param signature URL-safe base64 HMAC of the source id and the expiry
     */
    public record Signed(long expiresAtMillis, String signature) {
        /** The query string ({@code expires=...&sig=...}). */
        public String query() {
            return "expires=" + expiresAtMillis + "&sig=" + signature;
        }
    }

    /** Signs a link to {@code sourceId}'s video, valid from now for the configured lifetime. */
    public Signed sign(String sourceId) {
        long expires = clockMillis.getAsLong() + lifetime.toMillis();
        return new Signed(expires, signature(sourceId, expires));
    }

    /** Whether {@code signature} signs {@code sourceId} with {@code expiresAtMillis}, and that time has not passed. */
    public boolean verify(String sourceId, String expiresAtMillis, String signature) {
        if (expiresAtMillis == null || signature == null) {
            return false;
        }
        long expires;
        try {
            expires = Long.parseLong(expiresAtMillis);
        } catch (NumberFormatException e) {
            return false;
        }
        if (clockMillis.getAsLong() > expires) {
            return false;
        }
        // Constant-time comparison: the timing of a refusal says nothing about how much of a guess was right.
        return MessageDigest.isEqual(
                signature(sourceId, expires).getBytes(StandardCharsets.US_ASCII),
                signature.getBytes(StandardCharsets.US_ASCII));
    }

    private String signature(String sourceId, long expires) {
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(new SecretKeySpec(secret, ALGORITHM));
            byte[] tag = mac.doFinal((sourceId + "\n" + expires).getBytes(StandardCharsets.UTF_8));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(tag);
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }

    private static byte[] derive(Collection<String> apiKeys) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            digest.update("clip4stream media links\n".getBytes(StandardCharsets.UTF_8));
            // Sorted, so replicas listing the same keys in another order derive the same secret.
            for (String key : new TreeSet<>(apiKeys)) {
                digest.update(key.getBytes(StandardCharsets.UTF_8));
                digest.update((byte) 0);
            }
            return digest.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }
}
