package io.clip4stream.runtime.models;

import java.util.Locale;
import java.util.Objects;

/**
 * The SHA-256 a download must have, in full or as the leading hex digits a publisher puts in the file name, and where
 * that value comes from.
 *
 * @param hex lower-case hex: 64 digits, or at least 8 for a prefix
 * @param origin where the value comes from, for the provenance file (e.g. "in OpenAI's URL path")
 */
public record ExpectedSha256(String hex, String origin) {

    /** Validates and lower-cases the digits. */
    public ExpectedSha256 {
        Objects.requireNonNull(hex, "hex");
        Objects.requireNonNull(origin, "origin");
        hex = hex.strip().toLowerCase(Locale.ROOT);
        if (!hex.matches("[0-9a-f]{8,64}")) {
            throw new IllegalArgumentException(
                    "a SHA-256 is 64 hex digits (or a prefix of at least 8), got '" + hex + "'");
        }
    }

    /** Returns whether only a prefix of the digest is known. */
    public boolean isPrefix() {
        return hex.length() < 64;
    }

    /** Returns whether {@code actual} (64 hex digits) matches. */
    public boolean matches(String actual) {
        return actual.startsWith(hex);
    }
}
