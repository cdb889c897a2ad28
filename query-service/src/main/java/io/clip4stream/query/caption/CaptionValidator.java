package io.clip4stream.query.caption;

import com.fasterxml.jackson.databind.JsonNode;
import io.clip4stream.schemas.avro.Caption;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * Turns a caption request ({@code {"source", "start", "end", "text"}}, times in seconds of the source, optional
 * {@code "id"} and {@code "tenant"}) into a caption record, or rejects it with a reason: a range that is empty, negative
 * or beyond what the index holds of the source, a source the index does not know, an empty or oversized text.
 */
public final class CaptionValidator {

    /** Longest caption text accepted; CLIP reads at most a few dozen words anyway. */
    public static final int MAX_TEXT_CHARS = 1_000;

    /** Longest caption id accepted. */
    public static final int MAX_ID_CHARS = 200;

    private static final String DEFAULT_TENANT = "default";
    private static final int ID_HEX_BYTES = 16;

    private final LongSupplier clock;

    /** Creates a validator stamping captions with {@code clock}'s epoch milliseconds. */
    public CaptionValidator(LongSupplier clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * Validates {@code request} against {@code indexedUpTo} (per source id, how far in microseconds of source time
     * the index holds it) and returns the record to store.
     *
     * @throws CaptionRejected with the reason when the caption cannot be stored
     */
    public Caption validate(JsonNode request, Map<String, Long> indexedUpTo) {
        if (request == null || !request.isObject()) {
            throw new CaptionRejected("a caption is a JSON object {\"source\", \"start\", \"end\", \"text\"}");
        }
        String source = text(request, "source");
        String text = text(request, "text").strip();
        double start = seconds(request, "start");
        double end = seconds(request, "end");
        if (text.isEmpty()) {
            throw new CaptionRejected("the caption text is empty");
        }
        if (text.length() > MAX_TEXT_CHARS) {
            throw new CaptionRejected(
                    "the caption text has " + text.length() + " characters; at most " + MAX_TEXT_CHARS + " are kept");
        }
        if (start < 0) {
            throw new CaptionRejected("start " + format(start) + " s is negative");
        }
        if (end <= start) {
            throw new CaptionRejected(
                    "end " + format(end) + " s must be after start " + format(start) + " s (an empty range)");
        }
        Long upTo = indexedUpTo.get(source);
        if (upTo == null) {
            throw new CaptionRejected("unknown source '" + source + "': the index holds no clip of it (known: "
                    + (indexedUpTo.isEmpty() ? "none" : String.join(", ", indexedUpTo.keySet())) + ")");
        }
        long startMicros = Math.round(start * 1e6);
        long endMicros = Math.round(end * 1e6);
        if (endMicros > upTo) {
            throw new CaptionRejected("the range " + format(start) + "-" + format(end) + " s ends beyond what the index"
                    + " holds of '" + source + "' (up to " + format(upTo / 1e6) + " s)");
        }
        String tenant = request.hasNonNull("tenant") ? request.get("tenant").asText() : DEFAULT_TENANT;
        String id =
                request.hasNonNull("id") ? request.get("id").asText() : derivedId(source, startMicros, endMicros, text);
        if (id.isBlank() || id.length() > MAX_ID_CHARS) {
            throw new CaptionRejected("the caption id must have 1 to " + MAX_ID_CHARS + " characters");
        }
        return Caption.newBuilder()
                .setCaptionId(id)
                .setSourceId(source)
                .setStartMicros(startMicros)
                .setEndMicros(endMicros)
                .setText(text)
                .setTenant(tenant)
                .setCreatedAtMillis(clock.getAsLong())
                .build();
    }

    /** The id of a caption given none: the same source, range and text always give the same id (a re-import is idempotent). */
    public static String derivedId(String source, long startMicros, long endMicros, String text) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            digest.update(
                    (source + "\n" + startMicros + "\n" + endMicros + "\n" + text).getBytes(StandardCharsets.UTF_8));
            return "cap-" + HexFormat.of().formatHex(digest.digest(), 0, ID_HEX_BYTES);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    private static String text(JsonNode request, String field) {
        JsonNode node = request.get(field);
        if (node == null || node.isNull()) {
            throw new CaptionRejected("missing \"" + field + "\"");
        }
        if (!node.isTextual()) {
            throw new CaptionRejected("\"" + field + "\" must be a string");
        }
        return node.asText();
    }

    private static double seconds(JsonNode request, String field) {
        JsonNode node = request.get(field);
        if (node == null || node.isNull()) {
            throw new CaptionRejected("missing \"" + field + "\" (seconds of the source)");
        }
        if (!node.isNumber() || !Double.isFinite(node.asDouble())) {
            throw new CaptionRejected("\"" + field + "\" must be a number of seconds");
        }
        return node.asDouble();
    }

    private static String format(double seconds) {
        return String.format(Locale.ROOT, "%.3f", seconds);
    }
}
