package io.clip4stream.alert.http;

import io.clip4stream.alert.webhook.WebhookTargetGuard;
import io.clip4stream.runtime.http.ApiException;
import io.clip4stream.schemas.avro.AbsoluteThreshold;
import io.clip4stream.schemas.avro.RateThreshold;
import io.clip4stream.schemas.avro.StandingQuery;
import io.clip4stream.schemas.avro.WebhookTarget;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The body of {@code POST /standing-queries}, and its validation into a record (every refusal a 400 with a reason).
 *
 * @param id the query id; generated when absent
 * @param text what to watch for
 * @param sources source ids watched (each must exist); with no tags either, every source
 * @param tags source tags watched
 * @param minScore absolute first-stage score threshold (exclusive with {@code rate})
 * @param rate calibrated rate: {@code "1/day"}, {@code "3/hour"}, {@code "2/week"} or a number per day; the default
 *     when neither is given is one a day
 * @param cooldownSeconds after a moment closes, seconds before the same source may open another
 * @param gapSeconds seconds without a matching clip that close a moment
 * @param webhooks where to POST alerts; a secret is generated for each that has none
 */
public record StandingQueryForm(
        String id,
        String text,
        List<String> sources,
        List<String> tags,
        Double minScore,
        String rate,
        Double cooldownSeconds,
        Double gapSeconds,
        List<Webhook> webhooks) {

    /** Longest query text accepted. */
    public static final int MAX_TEXT = 1_000;

    private static final Pattern ID = Pattern.compile("[A-Za-z0-9._-]{1,128}");
    private static final Pattern RATE = Pattern.compile("\\s*([-+0-9.eE]+)\\s*(?:/\\s*(minute|hour|day|week))?\\s*");
    private static final double DEFAULT_GAP_SECONDS = 15;

    /**
     * One webhook of the form.
     *
     * @param url http(s) URL
     * @param secret HMAC key; generated when absent
     */
    public record Webhook(String url, String secret) {}

    /**
     * The record this form asks for, not yet encoded.
     *
     * @param sourceKnown whether a source id exists
     * @param guard the webhook address rule
     * @param newId generates a query id
     * @param newSecret generates a webhook secret
     * @param nowMillis the creation time
     */
    public StandingQuery toRecord(
            Predicate<String> sourceKnown,
            WebhookTargetGuard guard,
            Supplier<String> newId,
            Supplier<String> newSecret,
            long nowMillis) {
        String queryId = id == null || id.isBlank() ? newId.get() : id.strip();
        if (!ID.matcher(queryId).matches()) {
            throw ApiException.badRequest("bad_id", "A standing query id is 1-128 of [A-Za-z0-9._-]; was '" + id + "'");
        }
        String query = text == null ? "" : text.strip();
        if (query.isEmpty()) {
            throw ApiException.badRequest("empty_text", "A standing query needs a non-empty text");
        }
        if (query.length() > MAX_TEXT) {
            throw ApiException.badRequest(
                    "text_too_long", "A standing query's text is at most " + MAX_TEXT + " characters");
        }
        List<String> watched = sources == null ? List.of() : List.copyOf(sources);
        for (String source : watched) {
            if (!sourceKnown.test(source)) {
                throw ApiException.badRequest("unknown_source", "No source '" + source + "' is known to ingest");
            }
        }
        Object threshold = threshold();
        long cooldown = millis("cooldownSeconds", cooldownSeconds, 0);
        long gap = millis("gapSeconds", gapSeconds, DEFAULT_GAP_SECONDS);
        List<WebhookTarget> targets = new ArrayList<>();
        for (Webhook webhook : webhooks == null ? List.<Webhook>of() : webhooks) {
            if (webhook == null || webhook.url() == null) {
                throw ApiException.badRequest("bad_webhook", "A webhook needs a url");
            }
            Optional<String> refusal = guard.refusal(webhook.url());
            if (refusal.isPresent()) {
                throw ApiException.badRequest("bad_webhook", refusal.get());
            }
            String secret = webhook.secret() == null || webhook.secret().isEmpty() ? newSecret.get() : webhook.secret();
            targets.add(new WebhookTarget(webhook.url(), secret));
        }
        return StandingQuery.newBuilder()
                .setQueryId(queryId)
                .setText(query)
                .setSourceIds(watched)
                .setTags(tags == null ? List.of() : List.copyOf(tags))
                .setThreshold(threshold)
                .setCooldownMillis(cooldown)
                .setGapMillis(gap)
                .setWebhooks(targets)
                .setCreatedAtMillis(nowMillis)
                .setUpdatedAtMillis(nowMillis)
                .build();
    }

    private Object threshold() {
        if (minScore != null && rate != null) {
            throw ApiException.badRequest("bad_threshold", "Give minScore or rate, not both");
        }
        if (minScore != null) {
            if (!Double.isFinite(minScore) || minScore < -1 || minScore > 1) {
                throw ApiException.badRequest("bad_threshold", "minScore is a cosine in [-1, 1]; was " + minScore);
            }
            return new AbsoluteThreshold(minScore);
        }
        return new RateThreshold(rate == null ? 1.0 : alertsPerDay(rate));
    }

    /** Alerts a day of a rate such as {@code "1/day"}, {@code "3/hour"} or {@code "0.5"} (per day). */
    static double alertsPerDay(String rate) {
        Matcher matcher = RATE.matcher(rate.toLowerCase(Locale.ROOT));
        double count;
        try {
            if (!matcher.matches()) {
                throw new NumberFormatException(rate);
            }
            count = Double.parseDouble(matcher.group(1));
        } catch (NumberFormatException e) {
            throw ApiException.badRequest(
                    "bad_rate",
                    "A rate is a positive number per minute, hour, day or week, e.g. 1/day; was '" + rate + "'");
        }
        if (!Double.isFinite(count) || count <= 0) {
            throw ApiException.badRequest("bad_rate", "A rate must be positive; was '" + rate + "'");
        }
        String unit = matcher.group(2) == null ? "day" : matcher.group(2);
        return switch (unit) {
            case "minute" -> count * 1_440;
            case "hour" -> count * 24;
            case "week" -> count / 7;
            default -> count;
        };
    }

    private static long millis(String name, Double seconds, double fallback) {
        double value = seconds == null ? fallback : seconds;
        if (!Double.isFinite(value) || value < 0) {
            throw ApiException.badRequest("bad_" + name, name + " must be zero or more; was " + seconds);
        }
        return Math.round(value * 1_000);
    }
}
